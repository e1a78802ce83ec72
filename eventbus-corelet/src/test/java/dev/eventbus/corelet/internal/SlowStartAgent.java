package dev.eventbus.corelet.internal;

/** A Java agent that makes a JVM's start-up slow on purpose: 1.5 s before main runs. */
public final class SlowStartAgent {

    private SlowStartAgent() {
    }

    /**
     * Delays start-up.
     *
     * @param args ignored
     * @throws InterruptedException never expected
     */
    public static void premain(String args) throws InterruptedException {
        Thread.sleep(1500); // simulates a slow worker start-up (a big class path, a loaded machine)
    }
}
