package dev.eventbus.runtime;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Bounded waiting for a condition that no latch can signal (a file written by another process). */
public final class Await {

    private Await() {
    }

    /** Waits until the condition holds or the timeout passes; returns whether it holds. */
    public static boolean until(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(5); // polling interval, not synchronization: the condition decides
        }
        return true;
    }
}
