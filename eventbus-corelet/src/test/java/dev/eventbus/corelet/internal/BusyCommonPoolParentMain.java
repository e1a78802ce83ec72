package dev.eventbus.corelet.internal;

import dev.eventbus.CoreletCrashedException;
import dev.eventbus.Event;
import dev.eventbus.EventFactory;
import dev.eventbus.ExecutionMode;
import dev.eventbus.runtime.TestAttempt;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.locks.LockSupport;

/**
 * A parent JVM whose common {@link ForkJoinPool} is busy (all its threads blocked, as an application's long parallel
 * work keeps them), started with a common pool of at least 2 threads, which {@code CompletableFuture} then runs its
 * async work on. Runs two CORELET attempts and prints one line for each: "STOPPED WORKER killed" or "STOPPED WORKER
 * alive" for a timed-out attempt whose worker ignores SIGTERM (its terminate() hangs), once the worker has ended or
 * 20 s after the stop; "CRASH exit code OptionalInt[...]" for a worker that halts with code 7.
 */
public final class BusyCommonPoolParentMain {

    private static volatile boolean released;

    private BusyCommonPoolParentMain() {
    }

    /**
     * Runs the parent.
     *
     * @param args a directory for the handler's start marker
     * @throws Exception never expected
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int parallelism = ForkJoinPool.getCommonPoolParallelism();
        if (parallelism < 2) {
            throw new IllegalStateException("start with -Djava.util.concurrent.ForkJoinPool.common.parallelism=2");
        }
        CountDownLatch busy = new CountDownLatch(parallelism);
        for (int i = 0; i < parallelism; i++) {
            ForkJoinPool.commonPool().execute(() -> {
                busy.countDown();
                while (!released) {
                    LockSupport.park(); // parked, not a managed block: the pool adds no thread for it
                }
            });
        }
        busy.await();

        EventFactory factory = new EventFactory();
        factory.registerEventType("hangs", TestHandlers.HangsInTerminate.class);
        factory.registerEventType("crash", TestHandlers.Crashes.class);
        CoreletExecutor executor = new CoreletExecutor(TestAttempt.config(factory));
        Thread runner;
        try {
            Path started = dir.resolve("started");
            Event hangs = Event.builder("hangs").mode(ExecutionMode.CORELET).data(started.toString())
                    .timeout(Duration.ofSeconds(1)).build();
            executor.validate(hangs);
            TestAttempt attempt = new TestAttempt(1, Duration.ofMinutes(5));
            runner = Thread.ofPlatform().daemon().unstarted(() -> {
                try {
                    executor.execute(hangs, attempt);
                } catch (Exception expected) {
                    // the attempt was stopped
                }
            });
            attempt.runIn(runner);
            runner.start();
            TestAttempt.awaitTrue(Duration.ofSeconds(60), () -> Files.exists(started), "the handler started");
            long worker = executor.workerPids().iterator().next();
            attempt.stop();
            boolean killed;
            try {
                TestAttempt.assertEnds(worker, Duration.ofSeconds(20));
                killed = true;
            } catch (AssertionError stillAlive) {
                killed = false;
            }
            System.out.println("STOPPED WORKER " + (killed ? "killed" : "alive"));
        } finally {
            executor.close(); // kills what is left
        }
        runner.join(Duration.ofSeconds(30));

        CoreletExecutor another = new CoreletExecutor(TestAttempt.config(factory));
        try {
            Event crash = Event.builder("crash").mode(ExecutionMode.CORELET).data("halt")
                    .timeout(Duration.ofSeconds(60)).build();
            another.validate(crash);
            TestAttempt.Outcome outcome = TestAttempt.run(another, crash);
            System.out.println("CRASH exit code " + (outcome.thrown() instanceof CoreletCrashedException e
                    ? e.exitCode() : outcome.thrown()));
        } finally {
            another.close();
            released = true;
        }
        System.out.flush();
        System.exit(0);
    }
}
