package dev.eventbus;

import static dev.eventbus.MessageAssertions.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(30)
class EventTest {

    /** RFC 4122 layout of a version 4 (random) UUID with the IETF variant, lower-case as UUID.toString() writes it. */
    static final Pattern UUID_V4 = Pattern.compile(
            "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

    private static final ProgressTracker NO_PROGRESS = steps -> { };

    // ----- defaults -----

    @Test
    void ofGivesTheDocumentedDefaults() {
        Event event = Event.of("resize");

        assertAll(
                () -> assertEquals("resize", event.type()),
                () -> assertEquals(ExecutionMode.THREAD, event.mode()),
                () -> assertEquals(5, event.priority()),
                () -> assertEquals(Duration.ofSeconds(30), event.timeout()),
                () -> assertEquals(3, event.maxRetries()),
                () -> assertEquals(0, event.progressSteps()),
                () -> assertNull(event.data()),
                () -> assertEquals(Optional.empty(), event.name()),
                () -> assertEquals(Optional.empty(), event.source()),
                () -> assertEquals(Optional.empty(), event.target()),
                () -> assertEquals(Optional.empty(), event.progressTracker()),
                () -> assertEquals(Optional.empty(), event.coreletMeta()));
    }

    @Test
    void builderWithNothingSetGivesTheSameDefaultsAsOf() {
        Event built = Event.builder("resize").build();
        Event of = Event.of("resize");

        assertAll(
                () -> assertEquals(of.mode(), built.mode()),
                () -> assertEquals(of.priority(), built.priority()),
                () -> assertEquals(of.timeout(), built.timeout()),
                () -> assertEquals(of.maxRetries(), built.maxRetries()),
                () -> assertEquals(of.progressSteps(), built.progressSteps()),
                () -> assertEquals(of.data(), built.data()));
    }

    @Test
    void defaultConstantsMatchTheContract() {
        assertAll(
                () -> assertEquals(5, Event.DEFAULT_PRIORITY),
                () -> assertEquals(0, Event.MIN_PRIORITY),
                () -> assertEquals(10, Event.MAX_PRIORITY),
                () -> assertEquals(Duration.ofSeconds(30), Event.DEFAULT_TIMEOUT),
                () -> assertEquals(3, Event.DEFAULT_MAX_RETRIES));
    }

    @Test
    void ofWithDataCarriesThePayload() {
        List<Integer> payload = List.of(1, 2, 3);

        Event event = Event.of("sum", payload);

        assertSame(payload, event.data());
        assertEquals(ExecutionMode.THREAD, event.mode());
    }

    @Test
    void ofAcceptsNullDataAsNoPayload() {
        assertNull(Event.of("ping", null).data());
    }

    // ----- every setter stores its value -----

    @Test
    void builderStoresEverySetting() {
        Object source = new Object();
        Object target = new Object();
        HandlerMeta meta = new HandlerMeta("com.acme", "com.acme.Resize", "resize");

        Event event = Event.builder("resize")
                .mode(ExecutionMode.SYNC)
                .data("photo.jpg")
                .name("resize the photo")
                .source(source)
                .target(target)
                .priority(10)
                .timeout(Duration.ofMillis(1500))
                .maxRetries(0)
                .progressTracker(NO_PROGRESS)
                .progressSteps(7)
                .coreletMeta(meta)
                .build();

        assertAll(
                () -> assertEquals("resize", event.type()),
                () -> assertEquals(ExecutionMode.SYNC, event.mode()),
                () -> assertEquals("photo.jpg", event.data()),
                () -> assertEquals(Optional.of("resize the photo"), event.name()),
                () -> assertSame(source, event.source().orElseThrow()),
                () -> assertSame(target, event.target().orElseThrow()),
                () -> assertEquals(10, event.priority()),
                () -> assertEquals(Duration.ofMillis(1500), event.timeout()),
                () -> assertEquals(0, event.maxRetries()),
                () -> assertSame(NO_PROGRESS, event.progressTracker().orElseThrow()),
                () -> assertEquals(7, event.progressSteps()),
                () -> assertSame(meta, event.coreletMeta().orElseThrow()));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 5, 9, 10})
    void priorityAcceptsTheWholeRangeZeroToTen(int priority) {
        assertEquals(priority, Event.builder("t").priority(priority).build().priority());
    }

    @Test
    void smallestPositiveTimeoutIsAccepted() {
        assertEquals(Duration.ofNanos(1), Event.builder("t").timeout(Duration.ofNanos(1)).build().timeout());
    }

    @Test
    void zeroRetriesAndZeroProgressStepsAreAccepted() {
        Event event = Event.builder("t").maxRetries(0).progressSteps(0).build();

        assertEquals(0, event.maxRetries());
        assertEquals(0, event.progressSteps());
    }

    @Test
    void dataNullClearsAnEarlierPayload() {
        assertNull(Event.builder("t").data("x").data(null).build().data());
    }

    @Test
    void explicitIdAndTimestampAreKept() {
        Instant when = Instant.parse("2026-01-02T03:04:05Z");

        Event event = Event.builder("t").id("re-created-id").timestamp(when).build();

        assertEquals("re-created-id", event.id());
        assertEquals(when, event.timestamp());
    }

    // ----- validation: bad values -----

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t", " \n "})
    void blankTypeIsRejectedNamingTheField(String type) {
        assertMessageNames(assertThrows(IllegalArgumentException.class, () -> Event.builder(type)), "type");
        assertMessageNames(assertThrows(IllegalArgumentException.class, () -> Event.of(type)), "type");
        assertMessageNames(assertThrows(IllegalArgumentException.class, () -> Event.of(type, "data")), "type");
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 11, Integer.MIN_VALUE, Integer.MAX_VALUE})
    void priorityOutsideZeroToTenIsRejectedNamingFieldAndValue(int priority) {
        Event.Builder builder = Event.builder("t");

        var e = assertThrows(IllegalArgumentException.class, () -> builder.priority(priority));

        assertMessageNames(e, "priority", String.valueOf(priority));
    }

    @Test
    void zeroTimeoutIsRejectedNamingFieldAndValue() {
        var e = assertThrows(IllegalArgumentException.class, () -> Event.builder("t").timeout(Duration.ZERO));

        assertMessageNames(e, "timeout", Duration.ZERO.toString());
    }

    @Test
    void negativeTimeoutIsRejectedNamingFieldAndValue() {
        Duration negative = Duration.ofSeconds(-5);

        var e = assertThrows(IllegalArgumentException.class, () -> Event.builder("t").timeout(negative));

        assertMessageNames(e, "timeout", negative.toString());
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, Integer.MIN_VALUE})
    void negativeMaxRetriesIsRejectedNamingFieldAndValue(int maxRetries) {
        var e = assertThrows(IllegalArgumentException.class, () -> Event.builder("t").maxRetries(maxRetries));

        assertMessageNames(e, "maxRetries", String.valueOf(maxRetries));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, Integer.MIN_VALUE})
    void negativeProgressStepsIsRejectedNamingFieldAndValue(int steps) {
        var e = assertThrows(IllegalArgumentException.class, () -> Event.builder("t").progressSteps(steps));

        assertMessageNames(e, "progressSteps", String.valueOf(steps));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  "})
    void blankIdIsRejectedNamingTheField(String id) {
        var e = assertThrows(IllegalArgumentException.class, () -> Event.builder("t").id(id));

        assertMessageNames(e, "id");
    }

    @Test
    void coreletMetaWithoutAClassIsRejectedSayingItMustNameOne() {
        HandlerMeta supplierMeta = new HandlerMeta(null, null, "resize");

        var e = assertThrows(IllegalArgumentException.class, () -> Event.builder("resize").coreletMeta(supplierMeta));

        assertMessageNames(e, "coreletMeta", "class");
    }

    @Test
    void rejectedValueLeavesTheBuilderUnchanged() {
        Event.Builder builder = Event.builder("t").priority(8);

        assertThrows(IllegalArgumentException.class, () -> builder.priority(11));

        assertEquals(8, builder.build().priority());
    }

    // ----- validation: nulls -----

    @Test
    void nullTypeIsRejectedWithNullPointerExceptionNamingTheField() {
        assertMessageNames(assertThrows(NullPointerException.class, () -> Event.builder(null)), "type");
        assertMessageNames(assertThrows(NullPointerException.class, () -> Event.of(null)), "type");
        assertMessageNames(assertThrows(NullPointerException.class, () -> Event.of(null, "data")), "type");
    }

    @Test
    void everyNullBuilderArgumentExceptDataIsRejectedNamingTheField() {
        Event.Builder b = Event.builder("t");
        List<Executable> calls = new ArrayList<>();
        List<String> fields = List.of("mode", "name", "source", "target", "timeout", "progressTracker",
                "coreletMeta", "id", "timestamp");
        calls.add(() -> b.mode(null));
        calls.add(() -> b.name(null));
        calls.add(() -> b.source(null));
        calls.add(() -> b.target(null));
        calls.add(() -> b.timeout(null));
        calls.add(() -> b.progressTracker(null));
        calls.add(() -> b.coreletMeta(null));
        calls.add(() -> b.id(null));
        calls.add(() -> b.timestamp(null));

        for (int i = 0; i < calls.size(); i++) {
            var e = assertThrows(NullPointerException.class, calls.get(i), fields.get(i));
            assertMessageNames(e, fields.get(i));
        }
    }

    // ----- data(Class) -----

    @Test
    void dataAsClassReturnsThePayload() {
        Event event = Event.of("t", "hello");

        String data = event.data(String.class);

        assertEquals("hello", data);
    }

    @Test
    void dataAsSuperTypeReturnsThePayload() {
        List<String> payload = List.of("a");

        assertSame(payload, Event.of("t", payload).data(List.class));
        assertSame(payload, Event.of("t", payload).data(Object.class));
    }

    @Test
    void dataAsClassWithoutPayloadReturnsNull() {
        assertNull(Event.of("t").data(String.class));
    }

    @Test
    void dataAsWrongClassThrowsClassCastExceptionNamingBothTypes() {
        Event event = Event.of("t", 42);

        var e = assertThrows(ClassCastException.class, () -> event.data(String.class));

        assertMessageNames(e, Integer.class.getName(), String.class.getName());
    }

    @Test
    void dataAsNullClassIsRejectedNamingTheArgument() {
        Event event = Event.of("t", 42);

        var e = assertThrows(NullPointerException.class, () -> event.data((Class<?>) null));

        assertMessageNames(e, "type");
    }

    // ----- ids and timestamps -----

    @Test
    void idIsAVersionFourRfc4122Uuid() {
        for (int i = 0; i < 1000; i++) {
            String id = Event.of("t").id();

            assertTrue(UUID_V4.matcher(id).matches(), id);
            UUID uuid = UUID.fromString(id);
            assertEquals(4, uuid.version(), id);
            assertEquals(2, uuid.variant(), id);
            assertEquals(id, uuid.toString());
        }
    }

    @Test
    void idsAreUniqueAcrossManyEventsFromManyThreads() throws Exception {
        int threads = 4;
        int perThread = 50_000;
        Set<String> ids = ConcurrentHashMap.newKeySet();
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    int bad = 0;
                    for (int i = 0; i < perThread; i++) {
                        String id = Event.of("t").id();
                        if (!ids.add(id) || !UUID_V4.matcher(id).matches()) {
                            bad++;
                        }
                    }
                    return bad;
                }));
            }
            for (Future<Integer> f : futures) {
                assertEquals(0, f.get(20, TimeUnit.SECONDS), "duplicate or malformed ids in one thread");
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(threads * perThread, ids.size());
    }

    @Test
    void timestampIsTheBuildTime() {
        Instant before = Instant.now();
        Event event = Event.of("t");
        Instant after = Instant.now();

        assertFalse(event.timestamp().isBefore(before), () -> event.timestamp() + " before " + before);
        assertFalse(event.timestamp().isAfter(after), () -> event.timestamp() + " after " + after);
    }

    // ----- toBuilder -----

    @Test
    void toBuilderCopiesEverySettingButMakesANewId() {
        Object source = new Object();
        Object target = new Object();
        HandlerMeta meta = new HandlerMeta(null, "com.acme.Resize", "resize");
        Event original = Event.builder("resize")
                .mode(ExecutionMode.CORELET)
                .data("photo.jpg")
                .name("n")
                .source(source)
                .target(target)
                .priority(9)
                .timeout(Duration.ofSeconds(2))
                .maxRetries(1)
                .progressTracker(NO_PROGRESS)
                .progressSteps(4)
                .coreletMeta(meta)
                .build();

        Event copy = original.toBuilder().build();

        assertAll(
                () -> assertNotEquals(original.id(), copy.id()),
                () -> assertTrue(UUID_V4.matcher(copy.id()).matches(), copy.id()),
                () -> assertFalse(copy.timestamp().isBefore(original.timestamp())),
                () -> assertEquals(original.type(), copy.type()),
                () -> assertEquals(original.mode(), copy.mode()),
                () -> assertSame(original.data(), copy.data()),
                () -> assertEquals(original.name(), copy.name()),
                () -> assertSame(source, copy.source().orElseThrow()),
                () -> assertSame(target, copy.target().orElseThrow()),
                () -> assertEquals(original.priority(), copy.priority()),
                () -> assertEquals(original.timeout(), copy.timeout()),
                () -> assertEquals(original.maxRetries(), copy.maxRetries()),
                () -> assertSame(NO_PROGRESS, copy.progressTracker().orElseThrow()),
                () -> assertEquals(original.progressSteps(), copy.progressSteps()),
                () -> assertSame(meta, copy.coreletMeta().orElseThrow()));
    }

    @Test
    void toBuilderOfAnEventWithAnExplicitIdStillMakesANewId() {
        Event original = Event.builder("t").id("fixed").build();

        Event copy = original.toBuilder().build();

        assertNotEquals("fixed", copy.id());
    }

    @Test
    void toBuilderDoesNotChangeTheOriginal() {
        Event original = Event.of("t", "x");

        Event changed = original.toBuilder().priority(0).data("y").build();

        assertEquals(5, original.priority());
        assertEquals("x", original.data());
        assertEquals(0, changed.priority());
        assertEquals("y", changed.data());
    }

    @Test
    void toStringNamesIdTypeModeAndPriority() {
        Event event = Event.builder("resize").priority(7).build();

        String text = event.toString();

        assertAll(
                () -> assertTrue(text.contains(event.id()), text),
                () -> assertTrue(text.contains("resize"), text),
                () -> assertTrue(text.contains("THREAD"), text),
                () -> assertTrue(text.contains("priority=7"), text));
    }

    @Test
    void dataAsAPrimitiveClassReturnsTheBoxedPayload() {
        Event event = Event.of("t", 42);
        int value = event.data(int.class);
        assertEquals(42, value);
        ClassCastException e = assertThrows(ClassCastException.class,
                () -> Event.of("t", "text").data(int.class));
        assertTrue(e.getMessage().contains("java.lang.String")
                && e.getMessage().contains("not int"), e.getMessage());
    }
}
