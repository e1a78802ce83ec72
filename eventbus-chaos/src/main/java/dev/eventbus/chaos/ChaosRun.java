package dev.eventbus.chaos;

import dev.eventbus.CoreletCrashedException;
import dev.eventbus.Event;
import dev.eventbus.EventBus;
import dev.eventbus.EventBusShutdownException;
import dev.eventbus.EventCancelledException;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;
import dev.eventbus.EventTimeoutException;
import dev.eventbus.ExecutionMode;
import dev.eventbus.RemoteHandlerException;
import dev.eventbus.cmd.CmdLaunchException;
import dev.eventbus.cmd.CmdRequest;
import dev.eventbus.cmd.CmdResult;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * The chaos run: for a given duration, several threads publish and submit a random mix of SYNC, THREAD, CORELET
 * and CMD events through handlers and commands that succeed, fail, throw, return null, hang, ignore interruption,
 * print, run out of memory, exit, halt or get SIGKILLed from outside; buses are shut down (gracefully or
 * immediately) and replaced mid-run. At the end every invariant is checked and printed as a table, seed first.
 *
 * <p>Usage: {@code ChaosRun [duration [seed [publisherThreads]]]}, e.g. {@code ChaosRun 30m 42 3}; duration as
 * {@code 90s}, {@code 30m}, {@code 1h} or ISO-8601; seed a long or {@code random}. Exit code 0 when every invariant
 * held, 1 otherwise.
 *
 * <p>Not thread-safe: one run at a time per JVM (it counts the process's threads, children and descriptors).
 */
public final class ChaosRun {

    /** The event type the chaos handler is registered for. */
    public static final String TYPE = "chaos";

    private static final int MAX_VIOLATIONS = 50;
    private static final long JOIN_GRACE_MS = 10_000;
    private static final long JOIN_DURATION_GRACE_MS = 2_000;
    private static final long IMMEDIATE_SHUTDOWN_BOUND_MS = 20_000;
    private static final long HEAP_SAMPLE_MS = 5_000;
    private static final long FD_SLACK = 4;
    private static final long HEAP_SLACK_BYTES = 16L << 20;

    /**
     * What a run does.
     *
     * @param duration how long events are published
     * @param seed the seed of every random choice
     * @param publishers publishing threads
     * @param busThreads each bus's {@code threads}
     * @param coreletPoolSize worker JVMs per bus
     * @param coreletJvmOptions the workers' JVM options (a small heap, so that OOM comes fast)
     * @param minEpoch shortest life of a bus
     * @param maxEpoch longest life of a bus
     * @param maxBatch most events a publisher sends before it collects results
     */
    public record Options(Duration duration, long seed, int publishers, int busThreads, int coreletPoolSize,
            List<String> coreletJvmOptions, Duration minEpoch, Duration maxEpoch, int maxBatch) {

        /** Validates and copies. */
        public Options {
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("duration must be > 0: " + duration);
            }
            if (publishers < 1 || busThreads < 1 || coreletPoolSize < 1 || maxBatch < 1) {
                throw new IllegalArgumentException("publishers, busThreads, coreletPoolSize and maxBatch must be >= 1");
            }
            coreletJvmOptions = List.copyOf(coreletJvmOptions);
        }

        /**
         * The defaults for a 2-core machine: 2 bus threads, 2 worker JVMs of 48 MiB, buses living 8 to 20 s,
         * batches of up to 4 events.
         *
         * @param duration how long events are published
         * @param seed the seed
         * @param publishers publishing threads
         * @return the options
         */
        public static Options defaults(Duration duration, long seed, int publishers) {
            return new Options(duration, seed, publishers, 2, 2,
                    List.of("-Xmx48m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"),
                    Duration.ofSeconds(8), Duration.ofSeconds(20), 4);
        }
    }

    private ChaosRun() {
    }

    /**
     * Runs the chaos program and exits with 0 if every invariant held, else 1.
     *
     * @param args {@code [duration [seed [publisherThreads]]]}
     */
    public static void main(String[] args) {
        Duration duration = args.length > 0 ? parseDuration(args[0]) : Duration.ofSeconds(60);
        long seed = args.length > 1 && !args[1].equals("random") ? Long.parseLong(args[1]) : new Random().nextLong();
        int publishers = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Report report = run(Options.defaults(duration, seed, publishers), System.out);
        System.exit(report.allOk() ? 0 : 1);
    }

    /**
     * Parses {@code 90s}, {@code 30m}, {@code 1h}, {@code 500ms}, a plain number of seconds, or ISO-8601.
     *
     * @param text the duration
     * @return the duration
     * @throws IllegalArgumentException if it is none of those
     */
    public static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("p")) {
                return Duration.parse(text.trim());
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            if (t.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            if (t.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            if (t.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            return Duration.ofSeconds(Long.parseLong(t));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (use 90s, 30m, 1h or PT30M)", e);
        }
    }

    /**
     * Runs the chaos program, printing the seed first and the invariant table last.
     *
     * @param options what to run
     * @param out where to print
     * @return the report
     */
    public static Report run(Options options, PrintStream out) {
        out.println("chaos seed " + options.seed() + " (replay: ChaosRun " + options.duration().toSeconds() + "s "
                + options.seed() + " " + options.publishers() + ")");
        out.flush();
        Path dir;
        try {
            dir = Files.createTempDirectory("eventbus-chaos-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Report report = new Run(options, dir, out).run();
            out.println(report.table());
            out.flush();
            return report;
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Collections.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temp directory left behind is not worth failing the run for
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    /** One bus's life. */
    private static final class Epoch {
        final int number;
        final EventBus bus;
        final Map<String, Expect> inflight = new ConcurrentHashMap<>();
        /** Every accepted event of this bus: verified and forgotten once every publisher is past this bus. */
        final Set<String> ids = ConcurrentHashMap.newKeySet();
        volatile boolean immediate;

        Epoch(int number, EventBus bus) {
            this.number = number;
            this.bus = bus;
        }
    }

    /** What one accepted event must get. */
    private record Expect(String id, ExecutionMode mode, Behaviour behaviour, int maxRetries, long timeoutMs,
            boolean submitted, Epoch epoch, long boundMs, int progressSteps, AtomicInteger progressed) {

        int attempts() {
            return maxRetries + 1;
        }
    }

    /** What one accepted event got. */
    private static final class Rec {
        final Expect expect;
        final AtomicInteger deliveries = new AtomicInteger();
        volatile EventResult result;
        volatile EventResult observed;

        Rec(Expect expect) {
            this.expect = expect;
        }
    }

    private static final class Run {
        private final Options o;
        private final PrintStream out;
        private final String attemptDir;
        private final String victimDir;
        private final EventFactory factory = new EventFactory();
        private final AtomicReference<Epoch> current = new AtomicReference<>();
        private final Map<String, Rec> records = new ConcurrentHashMap<>();
        /** Per publisher: the number of the bus it works on now (it has finished every earlier one). */
        private java.util.concurrent.atomic.AtomicIntegerArray publisherEpochs;
        private final List<Epoch> unverified = new ArrayList<>();
        private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
        private final AtomicLong violationCount = new AtomicLong();
        private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
        private final List<Long> heap = Collections.synchronizedList(new ArrayList<>());
        private final List<Integer> fdsAfterShutdown = new ArrayList<>();
        /** What the descriptors open after the first and the latest shutdown point to: names a leak when one shows. */
        private List<String> firstFdTargets;
        private List<String> lastFdTargets;
        private volatile boolean stop;
        private volatile boolean killerStop;

        Run(Options options, Path dir, PrintStream out) {
            this.o = options;
            this.out = out;
            try {
                this.attemptDir = Files.createDirectories(dir.resolve("attempts")).toString();
                this.victimDir = Files.createDirectories(dir.resolve("victims")).toString();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            factory.registerEventType(TYPE, ChaosHandler.class);
        }

        private void count(String name) {
            add(name, 1);
        }

        private void add(String name, long n) {
            counters.computeIfAbsent(name, k -> new AtomicLong()).addAndGet(n);
        }

        private void max(String name, long value) {
            counters.computeIfAbsent(name, k -> new AtomicLong()).accumulateAndGet(value, Math::max);
        }

        private long get(String name) {
            AtomicLong c = counters.get(name);
            return c == null ? 0 : c.get();
        }

        private void violation(String counter, String message) {
            violation(counter, 1, message);
        }

        /** A violation that the counter counts as {@code n}: n things leaked, say. */
        private void violation(String counter, long n, String message) {
            add(counter, n);
            violationCount.incrementAndGet();
            if (violations.size() < MAX_VIOLATIONS) {
                violations.add(counter + ": " + message);
            }
            out.println("chaos violation " + counter + ": " + message);
        }

        Report run() {
            long start = System.nanoTime();
            long end = start + o.duration().toNanos();
            SplittableRandom master = new SplittableRandom(o.seed());
            SplittableRandom controllerRandom = master.split();
            int fdsBefore = Probes.openFds();
            Thread killer = Thread.ofPlatform().name("chaos-killer").daemon().start(this::killerLoop);
            List<Thread> publishers = new ArrayList<>();
            publisherEpochs = new java.util.concurrent.atomic.AtomicIntegerArray(o.publishers());
            CountDownLatch firstBus = new CountDownLatch(1);
            for (int i = 0; i < o.publishers(); i++) {
                SplittableRandom r = master.split();
                int index = i;
                publishers.add(Thread.ofPlatform().name("chaos-publisher-" + i).start(() -> {
                    try {
                        firstBus.await();
                        publisherLoop(index, r);
                    } catch (Throwable t) {
                        violation("harness errors", "publisher " + index + " died: " + t);
                        t.printStackTrace(out);
                    }
                }));
            }
            int epochs = 0;
            int immediateParity = controllerRandom.nextInt(2);
            long lastHeapSample = 0;
            try {
                while (System.nanoTime() < end) {
                    Epoch epoch = new Epoch(++epochs, newBus(controllerRandom));
                    count("buses started");
                    unverified.add(epoch);
                    current.set(epoch);
                    firstBus.countDown();
                    long span = o.minEpoch().toMillis() + controllerRandom.nextLong(
                            Math.max(1, o.maxEpoch().toMillis() - o.minEpoch().toMillis()));
                    long epochEnd = Math.min(end, System.nanoTime() + span * 1_000_000L);
                    while (System.nanoTime() < epochEnd) {
                        Thread.sleep(250); // pacing of the controller, not synchronization
                        if (System.nanoTime() - lastHeapSample > HEAP_SAMPLE_MS * 1_000_000L) {
                            heap.add(Probes.heapAfterGc());
                            lastHeapSample = System.nanoTime();
                        }
                        if (controllerRandom.nextInt(12) == 0) {
                            observe(epoch);
                        }
                    }
                    // alternate graceful and immediate shutdowns (random start), so that even a short run has both
                    shutDown(epoch, (epochs + immediateParity) % 2 == 0, controllerRandom);
                    settleAndCheckLeaks(epoch);
                    fdsAfterShutdown.add(Probes.openFds());
                    lastFdTargets = Probes.openFdTargets();
                    checkWorkerFifos(epoch, lastFdTargets);
                    if (firstFdTargets == null) {
                        firstFdTargets = lastFdTargets;
                    }
                    verifyFinishedEpochs();
                    heap.add(Probes.heapAfterGc());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                violation("harness errors", "controller interrupted");
            } finally {
                stop = true;
                firstBus.countDown();
                current.set(null);
            }
            for (Thread t : publishers) {
                try {
                    if (!t.join(Duration.ofMinutes(2))) {
                        violation("harness errors", "publisher " + t.getName() + " did not finish within 2 min");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            killerStop = true;
            try {
                killer.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            verifyFinishedEpochs();
            for (Epoch e : List.copyOf(unverified)) {
                violation("harness errors", "bus " + e.number + " was never finished by every publisher");
                verifyEpoch(e);
            }
            return report(Duration.ofNanos(System.nanoTime() - start), fdsBefore);
        }

        private EventBus newBus(SplittableRandom r) {
            return EventBus.builder().threads(o.busThreads()).factory(factory).coreletPoolSize(o.coreletPoolSize())
                    .coreletJvmOptions(o.coreletJvmOptions())
                    .coreletIdleTimeout(r.nextBoolean() ? Duration.ofSeconds(2) : Duration.ofMinutes(10))
                    .build();
        }

        // ---------------------------------------------------------------------------------------- publishers

        private void publisherLoop(int index, SplittableRandom r) throws InterruptedException {
            Epoch epoch = null;
            List<String> pending = new ArrayList<>();
            Map<String, CompletableFuture<EventResult>> futures = new LinkedHashMap<>();
            while (true) {
                Epoch now = current.get();
                if (now != epoch) {
                    if (epoch != null) {
                        finishEpoch(epoch, pending, futures);
                    }
                    epoch = now;
                    publisherEpochs.set(index, now == null ? (stop ? Integer.MAX_VALUE : 0) : now.number);
                }
                if (now == null) {
                    if (stop) {
                        publisherEpochs.set(index, Integer.MAX_VALUE);
                        return;
                    }
                    Thread.sleep(20); // waiting for the next bus
                    continue;
                }
                boolean refused = false;
                int n = 1 + r.nextInt(o.maxBatch());
                for (int i = 0; i < n && !refused; i++) {
                    refused = !publishOne(now, r, pending, futures);
                }
                if (refused) {
                    // the bus is shutting down: wait for the next one
                    while (current.get() == now && !stop) {
                        Thread.sleep(20);
                    }
                    continue;
                }
                collect(now, r, pending, futures);
                Thread.sleep(r.nextInt(60)); // pacing, to keep the load moderate on small machines
            }
        }

        /** Publishes or submits one random event; false if the bus refused it (shut down). */
        private boolean publishOne(Epoch epoch, SplittableRandom r, List<String> pending,
                Map<String, CompletableFuture<EventResult>> futures) {
            ExecutionMode mode = pickMode(r);
            Behaviour behaviour = pickBehaviour(r, mode);
            boolean slow = behaviour.slow();
            int maxRetries = slow ? r.nextInt(2) : r.nextInt(3);
            long timeoutMs;
            if (!slow) {
                timeoutMs = 4_000 + r.nextInt(4_000);
            } else if (mode == ExecutionMode.CORELET) {
                timeoutMs = 1_500 + r.nextInt(1_000);
            } else if (mode == ExecutionMode.CMD) {
                timeoutMs = 800 + r.nextInt(700); // the shell must have recorded its attempt before the timeout
            } else {
                timeoutMs = 300 + r.nextInt(800);
            }
            long holdMs = behaviour == Behaviour.IGNORE_INTERRUPT ? 2 * timeoutMs : 4 * timeoutMs + 2_000;
            String id = java.util.UUID.randomUUID().toString();
            Object data;
            if (mode == ExecutionMode.CMD) {
                data = command(behaviour, id, r.nextBoolean());
            } else {
                data = new Script(behaviour, r.nextInt(40), attemptDir, victimDir, holdMs);
            }
            Event.Builder builder = Event.builder(mode == ExecutionMode.CMD ? "chaos-cmd" : TYPE).id(id).mode(mode)
                    .data(data).priority(r.nextInt(11)).timeout(Duration.ofMillis(timeoutMs)).maxRetries(maxRetries);
            // a third of the events carry a progress tracker (some of which throw): it must advance exactly once
            int steps = 0;
            AtomicInteger progressed = new AtomicInteger();
            if (r.nextInt(3) == 0) {
                steps = 1 + r.nextInt(3);
                boolean throwing = r.nextInt(4) == 0;
                builder.progressSteps(steps).progressTracker(s -> {
                    progressed.addAndGet(s);
                    if (throwing) {
                        throw new IllegalStateException("chaos: a throwing progress tracker");
                    }
                });
            }
            Event event = builder.build();
            boolean submit = r.nextInt(10) < 3;
            Expect expect = new Expect(id, mode, behaviour, maxRetries, timeoutMs, submit, epoch,
                    eventBound(mode, behaviour, maxRetries, timeoutMs), steps, progressed);
            Rec rec = new Rec(expect);
            records.put(id, rec);
            epoch.ids.add(id);
            epoch.inflight.put(id, expect);
            try {
                if (submit) {
                    futures.put(id, epoch.bus.submit(event));
                    count("events submitted");
                } else {
                    epoch.bus.publish(event);
                    pending.add(id);
                    count("events published");
                }
                count("events " + mode.name().toUpperCase(Locale.ROOT));
                if (mode == ExecutionMode.SYNC && Thread.interrupted()) {
                    violation("caller interrupt flag left set", "SYNC event " + id + " (" + behaviour
                            + ") returned from publish with the caller's interrupt flag set");
                }
                return true;
            } catch (EventBusShutdownException e) {
                records.remove(id);
                epoch.ids.remove(id);
                epoch.inflight.remove(id);
                count("publishes refused after shutdown");
                return false;
            } catch (RuntimeException e) {
                records.remove(id);
                epoch.ids.remove(id);
                epoch.inflight.remove(id);
                violation("harness errors", "publish of " + mode + "/" + behaviour + " " + id + " threw " + e);
                return true;
            }
        }

        private static ExecutionMode pickMode(SplittableRandom r) {
            int x = r.nextInt(100);
            if (x < 20) {
                return ExecutionMode.SYNC;
            }
            if (x < 55) {
                return ExecutionMode.THREAD;
            }
            if (x < 80) {
                return ExecutionMode.CORELET;
            }
            return ExecutionMode.CMD;
        }

        private static Behaviour pickBehaviour(SplittableRandom r, ExecutionMode mode) {
            if (mode == ExecutionMode.CMD) {
                int x = r.nextInt(100);
                if (x < 40) {
                    return Behaviour.CMD_OK;
                }
                if (x < 55) {
                    return Behaviour.CMD_PRINT;
                }
                if (x < 75) {
                    return Behaviour.CMD_FAIL;
                }
                if (x < 85) {
                    return Behaviour.CMD_HANG;
                }
                if (x < 95) {
                    return Behaviour.CMD_GRANDCHILDREN;
                }
                return Behaviour.CMD_MISSING;
            }
            int x = r.nextInt(100);
            if (x < 35) {
                return Behaviour.SUCCEED;
            }
            if (x < 45) {
                return Behaviour.FAIL_BUSINESS;
            }
            if (x < 55) {
                return Behaviour.THROW;
            }
            if (x < 60) {
                return Behaviour.RETURN_EXCEPTION;
            }
            if (x < 65) {
                return Behaviour.RETURN_NULL;
            }
            if (x < 72) {
                return Behaviour.HANG;
            }
            if (x < 77) {
                return Behaviour.IGNORE_INTERRUPT;
            }
            if (x < 84 || mode != ExecutionMode.CORELET) {
                return Behaviour.PRINT;
            }
            return switch (r.nextInt(4)) {
                case 0 -> Behaviour.OOM;
                case 1 -> Behaviour.EXIT;
                case 2 -> Behaviour.HALT;
                default -> Behaviour.VICTIM;
            };
        }

        private Object command(Behaviour behaviour, String id, boolean asMap) {
            String file = Path.of(attemptDir, id).toString();
            String record = "echo $$ >> \"$1\"; ";
            String script = switch (behaviour) {
                case CMD_OK -> record + "exit 0";
                case CMD_PRINT -> record + "echo chaos-out; echo chaos-err >&2; exit 0";
                case CMD_FAIL -> record + "exit 3";
                case CMD_HANG -> record + "exec sleep 30";
                case CMD_GRANDCHILDREN -> record + "sleep 30 & sleep 30";
                default -> record;
            };
            String executable = behaviour == Behaviour.CMD_MISSING ? "/nonexistent/chaos-missing-" + id : "sh";
            List<String> args = List.of("-c", script, "chaos", file);
            if (asMap) {
                return Map.of("executable", executable, "args", args, "env", Map.of("CHAOS_EVENT", id));
            }
            return CmdRequest.builder(executable).args(args).env("CHAOS_EVENT", id).build();
        }

        /** How long one event may take at most, from DESIGN.md's bounds, with generous allowances. */
        private static long eventBound(ExecutionMode mode, Behaviour behaviour, int maxRetries, long timeoutMs) {
            long perAttempt;
            if (behaviour.slow()) {
                perAttempt = (mode == ExecutionMode.SYNC && behaviour == Behaviour.IGNORE_INTERRUPT ? 2 * timeoutMs
                        : timeoutMs) + 1_000;
            } else {
                perAttempt = 1_000;
            }
            if (mode == ExecutionMode.CORELET) {
                perAttempt += 2_000 /* timeout grace */ + 5_000 /* a fresh worker's start */ + 2_000 /* crash exit wait */;
            }
            return perAttempt * (maxRetries + 1);
        }

        /** The longest a join may take now: the pool's work shared by its threads, the longest SYNC event, grace. */
        private long joinBound(Epoch epoch) {
            long pool = 0;
            long sync = 0;
            for (Expect e : epoch.inflight.values()) {
                if (e.mode() == ExecutionMode.SYNC) {
                    sync = Math.max(sync, e.boundMs());
                } else {
                    pool += e.boundMs();
                }
            }
            return pool / o.busThreads() + sync + JOIN_GRACE_MS;
        }

        private void collect(Epoch epoch, SplittableRandom r, List<String> pending,
                Map<String, CompletableFuture<EventResult>> futures) throws InterruptedException {
            collectDoneFutures(epoch, futures);
            int choice = r.nextInt(6);
            if (choice == 3 && pending.size() + futures.size() > 3 * o.maxBatch()) {
                choice = 2;
            }
            switch (choice) {
                case 0 -> {
                    long bound = joinBound(epoch);
                    long t0 = System.nanoTime();
                    epoch.bus.join();
                    checkJoin("join()", epoch, t0, bound);
                    consume(epoch, pending, epoch.bus.getResults(List.copyOf(pending), false));
                }
                case 1 -> {
                    long wait = r.nextInt(1_500);
                    long t0 = System.nanoTime();
                    epoch.bus.join(Duration.ofMillis(wait));
                    checkJoin("join(" + wait + " ms)", epoch, t0, wait + JOIN_DURATION_GRACE_MS);
                    consume(epoch, pending, epoch.bus.getResults(List.copyOf(pending), false));
                }
                case 2 -> {
                    long bound = joinBound(epoch);
                    long t0 = System.nanoTime();
                    Map<String, EventResult> results = epoch.bus.getResults(List.copyOf(pending));
                    checkJoin("getResults(ids)", epoch, t0, bound);
                    consume(epoch, pending, results);
                }
                case 4 -> awaitFutures(epoch, futures);
                case 5 -> consume(epoch, pending, epoch.bus.getResults(List.copyOf(pending), false));
                default -> {
                    // leave the results for later
                }
            }
        }

        private void checkJoin(String what, Epoch epoch, long t0, long boundMs) {
            long ms = (System.nanoTime() - t0) / 1_000_000L;
            count("join calls");
            max("longest join (ms)", ms);
            if (ms > boundMs) {
                violation("join over its bound", what + " on bus " + epoch.number + " took " + ms + " ms > bound "
                        + boundMs + " ms");
            }
        }

        private void consume(Epoch epoch, List<String> pending, Map<String, EventResult> results) {
            if (results.isEmpty()) {
                return;
            }
            for (Map.Entry<String, EventResult> e : results.entrySet()) {
                deliver(e.getKey(), e.getValue(), "getResults(ids)");
            }
            pending.removeAll(results.keySet());
            // consumed means removed: asking again must find nothing
            Map<String, EventResult> again = epoch.bus.getResults(List.copyOf(results.keySet()), false);
            for (String id : again.keySet()) {
                violation("duplicated results", "event " + id + " was returned again by getResults(ids) after it"
                        + " was consumed");
            }
        }

        private void collectDoneFutures(Epoch epoch, Map<String, CompletableFuture<EventResult>> futures) {
            List<String> done = new ArrayList<>();
            for (var it = futures.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (e.getValue().isDone()) {
                    deliverFuture(e.getKey(), e.getValue());
                    done.add(e.getKey());
                    it.remove();
                }
            }
            // a submitted event's result goes to its future only, never also to the cache
            for (String id : epoch.bus.getResults(done, false).keySet()) {
                violation("duplicated results", "submitted event " + id + " also has a result in the cache");
            }
        }

        private void awaitFutures(Epoch epoch, Map<String, CompletableFuture<EventResult>> futures)
                throws InterruptedException {
            long bound = joinBound(epoch);
            long deadline = System.nanoTime() + bound * 1_000_000L;
            for (var it = futures.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                long left = Math.max(0, deadline - System.nanoTime());
                try {
                    e.getValue().get(left, TimeUnit.NANOSECONDS);
                } catch (TimeoutException x) {
                    violation("join over its bound", "submit future of " + e.getKey() + " not done within "
                            + bound + " ms");
                    continue;
                } catch (ExecutionException x) {
                    // reported by deliverFuture
                }
                deliverFuture(e.getKey(), e.getValue());
                it.remove();
            }
        }

        private void deliverFuture(String id, CompletableFuture<EventResult> future) {
            try {
                deliver(id, future.join(), "future");
            } catch (RuntimeException e) {
                violation("wrong result kind", "future of " + id + " completed exceptionally: " + e);
                Rec rec = records.get(id);
                if (rec != null) {
                    rec.deliveries.incrementAndGet();
                }
            }
        }

        private void deliver(String id, EventResult result, String via) {
            Rec rec = records.get(id);
            if (rec == null) {
                violation("duplicated results", "a result for unknown event " + id + " via " + via);
                return;
            }
            rec.expect.epoch().inflight.remove(id);
            if (rec.deliveries.incrementAndGet() > 1) {
                violation("duplicated results", "event " + id + " delivered twice (second via " + via + ")");
                return;
            }
            count("results delivered");
            rec.result = result;
            EventResult seen = rec.observed;
            if (seen != null && !seen.equals(result)) {
                violation("duplicated results", "event " + id + ": observer saw " + seen + " but " + via + " gave "
                        + result);
            }
            if (rec.expect.submitted() && !via.equals("future")) {
                violation("duplicated results", "submitted event " + id + " arrived through " + via);
            }
        }

        private void observe(Epoch epoch) {
            long bound = joinBound(epoch);
            long t0 = System.nanoTime();
            Map<String, EventResult> snapshot = epoch.bus.getResults();
            checkJoin("getResults()", epoch, t0, bound);
            count("observer snapshots");
            for (Map.Entry<String, EventResult> e : snapshot.entrySet()) {
                Rec rec = records.get(e.getKey());
                if (rec == null) {
                    continue;
                }
                if (rec.expect.submitted()) {
                    violation("duplicated results", "submitted event " + e.getKey() + " appeared in getResults()");
                }
                EventResult delivered = rec.result;
                if (delivered != null && !delivered.equals(e.getValue())) {
                    violation("duplicated results", "event " + e.getKey() + " has a second, different result in"
                            + " getResults(): " + e.getValue());
                }
                if (rec.observed == null) {
                    rec.observed = e.getValue();
                }
            }
        }

        /** After the bus is shut down: everything still pending of it is done; read it all. */
        private void finishEpoch(Epoch epoch, List<String> pending, Map<String, CompletableFuture<EventResult>> futures)
                throws InterruptedException {
            if (!pending.isEmpty()) {
                consume(epoch, pending, epoch.bus.getResults(List.copyOf(pending)));
            }
            awaitFutures(epoch, futures);
            pending.clear();
            futures.clear();
        }

        // ---------------------------------------------------------------------------------------- controller

        /**
         * Shuts the bus down: immediately, gracefully (by shutdown() or close()), or escalated: a graceful shutdown in
         * another thread, then shutdown(true) while it drains (a user pressing Ctrl-C twice). Each call is timed
         * against its bound.
         */
        private void shutDown(Epoch epoch, boolean immediately, SplittableRandom r) throws InterruptedException {
            boolean escalate = !immediately && r.nextInt(3) == 0;
            epoch.immediate = immediately || escalate;
            long gracefulBound = joinBound(epoch) + JOIN_GRACE_MS;
            if (escalate) {
                count("escalated shutdowns (graceful+immediate)");
                long t0 = System.nanoTime();
                Thread graceful = Thread.ofPlatform().name("chaos-graceful-shutdown").start(() -> {
                    epoch.bus.shutdown();
                    checkShutdown("shutdown() racing shutdown(true)", epoch, t0, gracefulBound);
                });
                Thread.sleep(r.nextInt(1_500)); // let the drain get going
                long t1 = System.nanoTime();
                epoch.bus.shutdown(true);
                checkShutdown("shutdown(true) during a graceful drain", epoch, t1, IMMEDIATE_SHUTDOWN_BOUND_MS);
                if (!graceful.join(Duration.ofMillis(gracefulBound + IMMEDIATE_SHUTDOWN_BOUND_MS))) {
                    violation("shutdown over its bound", "the graceful shutdown() of bus " + epoch.number
                            + " never returned after shutdown(true)");
                }
                return;
            }
            long t0 = System.nanoTime();
            if (immediately) {
                epoch.bus.shutdown(true);
                count("immediate shutdowns");
                checkShutdown("shutdown(true)", epoch, t0, IMMEDIATE_SHUTDOWN_BOUND_MS);
            } else {
                if (r.nextBoolean()) {
                    epoch.bus.close();
                } else {
                    epoch.bus.shutdown();
                }
                count("graceful shutdowns");
                checkShutdown("shutdown()", epoch, t0, gracefulBound);
            }
        }

        private void checkShutdown(String what, Epoch epoch, long t0, long boundMs) {
            long ms = (System.nanoTime() - t0) / 1_000_000L;
            max("longest shutdown (ms)", ms);
            if (ms > boundMs) {
                violation("shutdown over its bound", what + " of bus " + epoch.number + " took " + ms + " ms > bound "
                        + boundMs + " ms");
            }
        }

        /** Waits (bounded) until the bus's threads, workers and commands are gone; counts what is left. */
        private void settleAndCheckLeaks(Epoch epoch) throws InterruptedException {
            long settleMs = 12_000; // abandoned threads hold on for at most 2 x 1 s; a worker's SIGKILL grace; reaping
            long deadline = System.nanoTime() + settleMs * 1_000_000L;
            List<String> threads;
            List<ProcessHandle> workers;
            List<ProcessHandle> children;
            long t0 = System.nanoTime();
            while (true) {
                threads = Probes.busThreads();
                workers = Probes.workerJvms();
                children = Probes.otherChildren();
                if ((threads.isEmpty() && workers.isEmpty() && children.isEmpty()) || System.nanoTime() > deadline) {
                    break;
                }
                Thread.sleep(100); // polling the OS for processes to end: there is nothing to wait on
            }
            max("longest settle after shutdown (ms)", (System.nanoTime() - t0) / 1_000_000L);
            if (!threads.isEmpty()) {
                violation("leaked threads", threads.size(), "after bus " + epoch.number + ": " + threads);
            }
            if (!workers.isEmpty()) {
                violation("leaked worker JVMs", workers.size(), "after bus " + epoch.number + ": "
                        + workers.stream().map(Probes::describe).toList());
            }
            if (!children.isEmpty()) {
                violation("leaked child processes", children.size(), "after bus " + epoch.number + ": "
                        + children.stream().map(Probes::describe).toList());
            }
        }

        /**
         * A CORELET worker's FIFO is made in its pool's private directory, which the bus's shutdown deletes: a
         * descriptor still pointing there once the shutdown returned is a leak, on every shutdown and without slack.
         * (The fd growth row needs 5 more in the last third of the shutdowns than in the first: stopped workers'
         * FIFOs, closed by a timer after shutdown() had returned, reached that only once, in a 4-bus run.)
         */
        private void checkWorkerFifos(Epoch epoch, List<String> targets) {
            List<String> left = Probes.workerFifos(targets);
            if (!left.isEmpty()) {
                violation("shutdowns leaving worker FIFOs open", "after bus " + epoch.number + ": " + left);
            }
        }

        private void killerLoop() {
            Path victims = Path.of(victimDir);
            while (!killerStop) {
                try {
                    Thread.sleep(50); // polling for victims
                } catch (InterruptedException e) {
                    return;
                }
                Set<Long> announced = new HashSet<>();
                try (Stream<Path> files = Files.list(victims)) {
                    for (Path p : files.toList()) {
                        announced.add(Long.parseLong(p.getFileName().toString()));
                        Files.deleteIfExists(p);
                    }
                } catch (IOException | NumberFormatException e) {
                    continue;
                }
                if (announced.isEmpty()) {
                    continue;
                }
                for (ProcessHandle worker : Probes.workerJvms()) {
                    if (announced.contains(worker.pid()) && worker.destroyForcibly()) {
                        count("worker JVMs SIGKILLed by the killer");
                    }
                }
            }
        }

        // ---------------------------------------------------------------------------------------- verdict

        /**
         * Verifies the buses that every publisher is done with, then forgets their events (and attempt files), so that
         * the harness's own memory does not grow with the run and the heap invariant measures the bus.
         */
        private void verifyFinishedEpochs() {
            int oldestInUse = Integer.MAX_VALUE;
            for (int i = 0; i < publisherEpochs.length(); i++) {
                oldestInUse = Math.min(oldestInUse, publisherEpochs.get(i));
            }
            for (Epoch e : List.copyOf(unverified)) {
                if (e.number < oldestInUse && e != current.get()) {
                    verifyEpoch(e);
                }
            }
        }

        private void verifyEpoch(Epoch epoch) {
            unverified.remove(epoch);
            for (String id : epoch.ids) {
                Rec rec = records.remove(id);
                if (rec != null) {
                    verify(rec);
                }
                try {
                    Files.deleteIfExists(Path.of(attemptDir, id));
                } catch (IOException e) {
                    // a leftover attempt file only costs disk until the run's directory is deleted
                }
            }
            epoch.ids.clear();
            epoch.inflight.clear();
        }

        private void verify(Rec rec) {
            Expect e = rec.expect;
            EventResult result = rec.result;
            if (result == null) {
                violation("lost results", e.mode() + "/" + e.behaviour() + " event " + e.id() + " on bus "
                        + e.epoch().number + (e.submitted() ? " (submitted)" : " (published)")
                        + " never got a result");
                return;
            }
            if (!e.id().equals(result.eventId())) {
                violation("wrong result kind", "event " + e.id() + " got a result for " + result.eventId());
            }
            int attempts = Attempts.count(attemptDir, e.id());
            add("attempts recorded", attempts);
            if (e.progressSteps() > 0) {
                count("events with a progress tracker");
                if (e.progressed().get() != e.progressSteps()) {
                    violation("progress not advanced exactly once", describe(e) + " advanced its tracker by "
                            + e.progressed().get() + " steps, expected " + e.progressSteps());
                }
            }
            if (result.exception() instanceof EventCancelledException) {
                count("results cancelled by shutdown(true)");
                if (!e.epoch().immediate) {
                    violation("wrong result kind", describe(e) + " was cancelled, but its bus was shut down"
                            + " gracefully");
                } else if (attempts > e.attempts()) {
                    violation("wrong attempt count", describe(e) + " cancelled after " + attempts
                            + " attempts > " + e.attempts());
                }
                return;
            }
            String kind = kindProblem(e, result);
            if (kind != null) {
                violation("wrong result kind", describe(e) + ": " + kind + "; got " + summary(result));
            }
            Behaviour.Outcome outcome = e.behaviour().outcome();
            int expected = outcome == Behaviour.Outcome.LAUNCH_FAILURE ? 0 : outcome.retried() ? e.attempts() : 1;
            if (attempts != expected) {
                violation("wrong attempt count", describe(e) + " ran " + attempts + " attempts, expected "
                        + expected + "; result " + summary(result));
            }
            if (result.exception() instanceof EventTimeoutException) {
                count("results timed out");
            } else if (result.exception() instanceof CoreletCrashedException) {
                count("results crashed (CORELET)");
            }
        }

        private static String describe(Expect e) {
            return e.mode() + "/" + e.behaviour() + " event " + e.id() + " (maxRetries " + e.maxRetries()
                    + ", timeout " + e.timeoutMs() + " ms, bus " + e.epoch().number + ")";
        }

        private static String summary(EventResult r) {
            return "success=" + r.success() + ", data=" + r.data() + ", exception=" + r.exception();
        }

        /** Null if the result is what the behaviour must produce, else what is wrong. */
        private static String kindProblem(Expect e, EventResult r) {
            boolean corelet = e.mode() == ExecutionMode.CORELET;
            Throwable x = r.exception();
            String lastAttempt = "attempt " + e.attempts();
            return switch (e.behaviour().outcome()) {
                case SUCCESS -> {
                    if (!r.success() || x != null) {
                        yield "expected a success";
                    }
                    if (e.mode() == ExecutionMode.CMD) {
                        if (!(r.data() instanceof CmdResult c) || c.returnCode() != 0) {
                            yield "expected a CmdResult with return code 0";
                        }
                        if (e.behaviour() == Behaviour.CMD_PRINT
                                && (!c.stdout().contains("chaos-out") || !c.stderr().contains("chaos-err"))) {
                            yield "expected the command's output in the CmdResult";
                        }
                    }
                    yield null;
                }
                case BUSINESS_FAILURE -> {
                    if (r.success() || x != null) {
                        yield "expected a business failure";
                    }
                    if (e.mode() == ExecutionMode.CMD && !(r.data() instanceof CmdResult c && c.returnCode() == 3)) {
                        yield "expected a CmdResult with return code 3";
                    }
                    yield null;
                }
                case THROWN -> corelet
                        ? remote(x, ChaosException.class.getName(), lastAttempt)
                        : x instanceof ChaosException && x.getMessage().endsWith(lastAttempt) ? null
                        : "expected the ChaosException of " + lastAttempt;
                case RETURNED_EXCEPTION -> corelet
                        ? remote(x, ChaosException.class.getName(), "attempt 1")
                        : x instanceof ChaosException ? null : "expected the returned ChaosException";
                case NULL -> corelet
                        ? remote(x, IllegalStateException.class.getName(), null)
                        : x instanceof IllegalStateException && x.getMessage().contains("returned null") ? null
                        : "expected IllegalStateException(handler returned null)";
                case TIMEOUT -> x instanceof EventTimeoutException ? null : "expected EventTimeoutException";
                case CRASH -> x instanceof CoreletCrashedException ? null : "expected CoreletCrashedException";
                case CRASH_OR_TIMEOUT -> x instanceof CoreletCrashedException || x instanceof EventTimeoutException
                        ? null : "expected CoreletCrashedException or EventTimeoutException";
                case LAUNCH_FAILURE -> x instanceof CmdLaunchException ? null : "expected CmdLaunchException";
            };
        }

        private static String remote(Throwable x, String className, String messageEnd) {
            if (!(x instanceof RemoteHandlerException remote)) {
                return "expected RemoteHandlerException(" + className + ")";
            }
            if (!className.equals(remote.remoteClassName())) {
                return "expected remote class " + className;
            }
            if (messageEnd != null && (remote.remoteMessage() == null || !remote.remoteMessage().endsWith(messageEnd))) {
                return "expected a remote message ending with '" + messageEnd + "'";
            }
            return null;
        }

        private Report report(Duration elapsed, int fdsBefore) {
            List<Report.Row> rows = new ArrayList<>();
            for (String c : List.of("buses started", "graceful shutdowns", "immediate shutdowns",
                    "escalated shutdowns (graceful+immediate)", "events published",
                    "events submitted", "events SYNC", "events THREAD", "events CORELET", "events CMD",
                    "publishes refused after shutdown", "results delivered", "results cancelled by shutdown(true)",
                    "results timed out", "results crashed (CORELET)", "attempts recorded",
                    "worker JVMs SIGKILLed by the killer", "events with a progress tracker", "join calls",
                    "observer snapshots")) {
                rows.add(new Report.Row(c, get(c), "", true));
            }
            for (String c : List.of("lost results", "duplicated results", "wrong result kind", "wrong attempt count",
                    "leaked threads", "leaked worker JVMs", "leaked child processes",
                    "shutdowns leaving worker FIFOs open", "join over its bound", "shutdown over its bound",
                    "progress not advanced exactly once", "caller interrupt flag left set", "harness errors")) {
                rows.add(new Report.Row(c, get(c), "= 0", get(c) == 0));
            }
            // transient descriptors (the killer's listing of the victims directory, a lazily opened jar) make single
            // samples noisy: a leak of any kind is a trend, so compare the mean of the last third of the shutdowns with
            // the first third. The workers' FIFOs, which a bus must have closed when its shutdown returns, are checked
            // exactly on every shutdown instead (checkWorkerFifos).
            long fdMax = 0;
            long fdTrend = 0;
            if (fdsAfterShutdown.size() > 1 && fdsAfterShutdown.getFirst() >= 0) {
                int first = fdsAfterShutdown.getFirst();
                fdMax = fdsAfterShutdown.stream().mapToLong(f -> f - first).max().orElse(0);
                int n = Math.max(1, fdsAfterShutdown.size() / 3);
                double head = fdsAfterShutdown.subList(0, n).stream().mapToInt(Integer::intValue).average().orElse(0);
                double tail = fdsAfterShutdown.subList(fdsAfterShutdown.size() - n, fdsAfterShutdown.size()).stream()
                        .mapToInt(Integer::intValue).average().orElse(0);
                fdTrend = Math.round(tail - head);
            }
            rows.add(new Report.Row("open fds before the run", fdsBefore, "", true));
            rows.add(new Report.Row("open fds after the first shutdown",
                    fdsAfterShutdown.isEmpty() ? -1 : fdsAfterShutdown.getFirst(), "", true));
            rows.add(new Report.Row("most fds after a shutdown, above the first", fdMax, "", true));
            rows.add(new Report.Row("fd growth after shutdowns (last vs first third)", fdTrend, "<= " + FD_SLACK,
                    fdTrend <= FD_SLACK));
            if (fdTrend > FD_SLACK && firstFdTargets != null) {
                List<String> grown = new ArrayList<>(lastFdTargets);
                firstFdTargets.forEach(grown::remove); // one occurrence each: what the last shutdown has in excess
                violations.add("fd growth: open after the last shutdown, not after the first: " + grown);
            }
            long firstThird = 0;
            long lastThird = 0;
            List<Long> samples = List.copyOf(heap);
            int third = samples.size() / 3;
            if (third > 0) {
                firstThird = (long) samples.subList(0, third).stream().mapToLong(Long::longValue).average()
                        .orElse(0);
                lastThird = (long) samples.subList(samples.size() - third, samples.size()).stream()
                        .mapToLong(Long::longValue).average().orElse(0);
            }
            long heapBound = firstThird + firstThird / 2 + HEAP_SLACK_BYTES;
            rows.add(new Report.Row("heap samples after full GC", samples.size(), ">= 3", samples.size() >= 3));
            rows.add(new Report.Row("heap after GC, first third (KiB)", firstThird / 1024, "", true));
            rows.add(new Report.Row("heap after GC, last third (KiB)", lastThird / 1024,
                    "<= 1.5 x first + 16 MiB", lastThird <= heapBound));
            rows.add(new Report.Row("longest join (ms)", get("longest join (ms)"), "", true));
            rows.add(new Report.Row("longest shutdown (ms)", get("longest shutdown (ms)"), "", true));
            rows.add(new Report.Row("longest settle after shutdown (ms)", get("longest settle after shutdown (ms)"),
                    "", true));
            rows.add(new Report.Row("elapsed (s)", elapsed.toSeconds(), "", true));
            return new Report(o.seed(), o.duration(), rows, violations);
        }
    }
}
