package dev.eventbus;

import static dev.eventbus.MessageAssertions.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.spi.EventHandlerProvider;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(30)
class EventFactoryTest {

    // ----- handler classes, good and bad -----

    /** A well-formed handler: public, static, public no-arg constructor. */
    public static final class EchoHandler implements EventHandler {
        @Override
        public EventResult handle(Event event, EventContext context) {
            return EventResult.businessResult(event.id(), true, event.data());
        }
    }

    /** Another well-formed handler, to replace {@link EchoHandler}. */
    public static final class OtherHandler implements EventHandler {
        @Override
        public EventResult handle(Event event, EventContext context) {
            return EventResult.businessResult(event.id(), false, null);
        }
    }

    /** Cannot be instantiated: abstract. */
    public abstract static class AbstractHandler implements EventHandler {
    }

    /** Cannot be instantiated: an interface. */
    public interface HandlerInterface extends EventHandler {
    }

    /** Has only a constructor with arguments. */
    public static final class ArgumentHandler implements EventHandler {
        private final String prefix;

        public ArgumentHandler(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public EventResult handle(Event event, EventContext context) {
            return EventResult.businessResult(event.id(), true, prefix);
        }
    }

    /** Has a no-arg constructor, but not a public one. */
    public static final class PrivateConstructorHandler implements EventHandler {
        private PrivateConstructorHandler() {
        }

        @Override
        public EventResult handle(Event event, EventContext context) {
            return EventResult.businessResult(event.id(), true, null);
        }
    }

    /** Not public. */
    static final class PackagePrivateHandler implements EventHandler {
        public PackagePrivateHandler() {
        }

        @Override
        public EventResult handle(Event event, EventContext context) {
            return EventResult.businessResult(event.id(), true, null);
        }
    }

    /** A non-static inner class: needs an enclosing instance. */
    public final class InnerHandler implements EventHandler {
        @Override
        public EventResult handle(Event event, EventContext context) {
            return EventResult.businessResult(event.id(), true, null);
        }
    }

    /** Its constructor fails. */
    public static final class FailingConstructorHandler implements EventHandler {
        static final IllegalStateException FAILURE = new IllegalStateException("no database connection");

        public FailingConstructorHandler() {
            throw FAILURE;
        }

        @Override
        public EventResult handle(Event event, EventContext context) {
            return EventResult.businessResult(event.id(), true, null);
        }
    }

    private final EventFactory factory = new EventFactory();

    // ----- registration and creation -----

    @Test
    void classRegistrationCreatesANewInstancePerCall() {
        factory.registerEventType("echo", EchoHandler.class);

        EventHandler first = factory.createHandler("echo");
        EventHandler second = factory.createHandler("echo");

        assertInstanceOf(EchoHandler.class, first);
        assertInstanceOf(EchoHandler.class, second);
        assertNotSame(first, second);
    }

    @Test
    void supplierRegistrationCallsTheSupplierOncePerCreatedHandler() {
        AtomicInteger calls = new AtomicInteger();
        factory.registerEventType("greet", () -> {
            calls.incrementAndGet();
            return new EchoHandler();
        });

        EventHandler first = factory.createHandler("greet");
        EventHandler second = factory.createHandler("greet");

        assertNotSame(first, second);
        assertEquals(2, calls.get());
    }

    @Test
    void createdHandlerIsTheRegisteredOneAndWorks() throws Exception {
        factory.registerEventType("echo", EchoHandler.class);
        Event event = Event.of("echo", "ping");

        EventResult result = factory.createHandler("echo").handle(event, null);

        assertEquals(EventResult.businessResult(event.id(), true, "ping"), result);
    }

    @Test
    void registeredTypesAreAvailableAndListed() {
        factory.registerEventType("echo", EchoHandler.class);
        factory.registerEventType("greet", EchoHandler::new);

        assertTrue(factory.isHandlerAvailable("echo"));
        assertTrue(factory.isHandlerAvailable("greet"));
        assertEquals(Set.of("echo", "greet"), factory.getSupportedEventTypes());
    }

    @Test
    void newFactoryIsEmptyAndIndependent() {
        EventFactory other = new EventFactory();
        factory.registerEventType("echo", EchoHandler.class);

        assertEquals(Set.of(), other.getSupportedEventTypes());
        assertFalse(other.isHandlerAvailable("echo"));
    }

    @Test
    void typesAreCaseSensitive() {
        factory.registerEventType("echo", EchoHandler.class);

        assertFalse(factory.isHandlerAvailable("Echo"));
        assertThrows(NoHandlerAvailableException.class, () -> factory.createHandler("ECHO"));
    }

    @Test
    void defaultFactoryIsOneProcessWideInstance() {
        assertSame(EventFactory.getDefault(), EventFactory.getDefault());
    }

    // ----- unknown types -----

    @Test
    void createHandlerOfUnknownTypeThrowsWithTheContractMessage() {
        var e = assertThrows(NoHandlerAvailableException.class, () -> factory.createHandler("resize"));

        assertEquals("No handler available for event type: resize", e.getMessage());
        assertEquals("resize", e.eventType());
    }

    @Test
    void createHandlerOfNullTypeIsRejectedNamingTheArgument() {
        var e = assertThrows(NullPointerException.class, () -> factory.createHandler(null));

        assertMessageNames(e, "eventType");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "unknown", "_reserved", "echo "})
    void isHandlerAvailableIsFalseForBlankUnknownAndReservedTypes(String type) {
        factory.registerEventType("echo", EchoHandler.class);

        assertFalse(factory.isHandlerAvailable(type));
    }

    @Test
    void isHandlerAvailableIsFalseForNullAndNeverThrows() {
        assertFalse(factory.isHandlerAvailable(null));
    }

    @Test
    void getHandlerMetaOfUnknownTypeThrowsWithTheContractMessage() {
        var e = assertThrows(NoHandlerAvailableException.class, () -> factory.getHandlerMeta("missing"));

        assertEquals("No handler available for event type: missing", e.getMessage());
        assertEquals("missing", e.eventType());
    }

    @Test
    void getHandlerMetaOfNullTypeIsRejectedNamingTheArgument() {
        var e = assertThrows(NullPointerException.class, () -> factory.getHandlerMeta(null));

        assertMessageNames(e, "eventType");
    }

    // ----- bad types and nulls at registration -----

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t\n"})
    void blankTypeIsRejectedNamingTheField(String type) {
        var byClass = assertThrows(IllegalArgumentException.class,
                () -> factory.registerEventType(type, EchoHandler.class));
        var bySupplier = assertThrows(IllegalArgumentException.class,
                () -> factory.registerEventType(type, EchoHandler::new));

        assertMessageNames(byClass, "eventType", "blank");
        assertMessageNames(bySupplier, "eventType", "blank");
        assertEquals(Set.of(), factory.getSupportedEventTypes());
    }

    @ParameterizedTest
    @ValueSource(strings = {"_", "_internal", "__shutdown"})
    void typesStartingWithUnderscoreAreReservedAndRejectedNamingTheValue(String type) {
        var byClass = assertThrows(IllegalArgumentException.class,
                () -> factory.registerEventType(type, EchoHandler.class));
        var bySupplier = assertThrows(IllegalArgumentException.class,
                () -> factory.registerEventType(type, EchoHandler::new));

        assertMessageNames(byClass, "'" + type + "'", "reserved");
        assertMessageNames(bySupplier, "'" + type + "'", "reserved");
        assertFalse(factory.isHandlerAvailable(type));
    }

    @Test
    void underscoreInsideATypeIsAllowed() {
        factory.registerEventType("resize_image", EchoHandler.class);

        assertTrue(factory.isHandlerAvailable("resize_image"));
    }

    @Test
    void nullTypeIsRejectedNamingTheArgument() {
        assertMessageNames(assertThrows(NullPointerException.class,
                () -> factory.registerEventType(null, EchoHandler.class)), "eventType");
        assertMessageNames(assertThrows(NullPointerException.class,
                () -> factory.registerEventType(null, EchoHandler::new)), "eventType");
    }

    @Test
    void nullClassIsRejectedNamingTheArgument() {
        var e = assertThrows(NullPointerException.class,
                () -> factory.registerEventType("t", (Class<? extends EventHandler>) null));

        assertMessageNames(e, "handlerClass");
    }

    @Test
    void nullSupplierIsRejectedNamingTheArgument() {
        var e = assertThrows(NullPointerException.class,
                () -> factory.registerEventType("t", (Supplier<? extends EventHandler>) null));

        assertMessageNames(e, "supplier");
    }

    // ----- classes that cannot be instantiated: rejected at registration with advice -----

    @Test
    void abstractClassIsRejectedAskingForAConcreteClass() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> factory.registerEventType("t", AbstractHandler.class));

        assertMessageNames(e, AbstractHandler.class.getName(), "abstract", "concrete class");
        assertFalse(factory.isHandlerAvailable("t"));
    }

    @Test
    void interfaceIsRejectedAskingForAConcreteClass() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> factory.registerEventType("t", HandlerInterface.class));

        assertMessageNames(e, HandlerInterface.class.getName(), "concrete class");
    }

    @Test
    void eventHandlerInterfaceItselfIsRejected() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> factory.registerEventType("t", EventHandler.class));

        assertMessageNames(e, EventHandler.class.getName(), "concrete class");
    }

    /**
     * A class that is no EventHandler at all, reached through an unchecked cast (a class name read from
     * configuration, {@code (Class<? extends EventHandler>) Class.forName(name)}): it was registered, and every
     * {@code createHandler} then failed with a bare ClassCastException, at publish time, as the event's result.
     */
    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void classThatIsNoEventHandlerIsRejectedNamingIt() {
        Class raw = StringBuilder.class; // public, concrete, with a public no-arg constructor
        var e = assertThrows(IllegalArgumentException.class, () -> factory.registerEventType("t", raw));

        assertMessageNames(e, StringBuilder.class.getName(), EventHandler.class.getName());
        assertFalse(factory.isHandlerAvailable("t"));
    }

    @Test
    void classWithoutANoArgConstructorIsRejectedSuggestingASupplier() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> factory.registerEventType("t", ArgumentHandler.class));

        assertMessageNames(e, ArgumentHandler.class.getName(), "public no-arg constructor", "Supplier");
    }

    @Test
    void classWithAPrivateNoArgConstructorIsRejectedSuggestingASupplier() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> factory.registerEventType("t", PrivateConstructorHandler.class));

        assertMessageNames(e, PrivateConstructorHandler.class.getName(), "public no-arg constructor", "Supplier");
    }

    @Test
    void nonStaticInnerClassIsRejectedAskingToMakeItStatic() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> factory.registerEventType("t", InnerHandler.class));

        assertMessageNames(e, InnerHandler.class.getName(), "inner class", "static");
    }

    @Test
    void anonymousClassIsRejectedAskingForANamedClassOrASupplier() {
        EventHandler anonymous = new EventHandler() {
            @Override
            public EventResult handle(Event event, EventContext context) {
                return EventResult.businessResult(event.id(), true, null);
            }
        };

        var e = assertThrows(IllegalArgumentException.class,
                () -> factory.registerEventType("t", anonymous.getClass()));

        assertMessageNames(e, anonymous.getClass().getName(), "named class", "Supplier");
    }

    @Test
    void lambdaClassIsRejectedAskingForANamedClassOrASupplier() {
        EventHandler lambda = (event, context) -> EventResult.businessResult(event.id(), true, null);

        var e = assertThrows(IllegalArgumentException.class,
                () -> factory.registerEventType("t", lambda.getClass()));

        assertMessageNames(e, "lambda", "named class", "Supplier");
    }

    @Test
    void localClassIsRejectedAskingForANamedClassOrASupplier() {
        final class LocalHandler implements EventHandler {
            @Override
            public EventResult handle(Event event, EventContext context) {
                return EventResult.businessResult(event.id(), true, null);
            }
        }

        var e = assertThrows(IllegalArgumentException.class,
                () -> factory.registerEventType("t", LocalHandler.class));

        assertMessageNames(e, LocalHandler.class.getName(), "named class", "Supplier");
    }

    @Test
    void nonPublicClassIsRejectedAskingToMakeItPublic() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> factory.registerEventType("t", PackagePrivateHandler.class));

        assertMessageNames(e, PackagePrivateHandler.class.getName(), "make it public");
    }

    @Test
    void rejectedClassDoesNotReplaceAnExistingRegistration() {
        factory.registerEventType("t", EchoHandler.class);

        assertThrows(IllegalArgumentException.class, () -> factory.registerEventType("t", AbstractHandler.class));

        assertInstanceOf(EchoHandler.class, factory.createHandler("t"));
    }

    // ----- creation failures -----

    @Test
    void constructorFailureSurfacesAsEventBusExceptionWithTheVeryCause() {
        factory.registerEventType("t", FailingConstructorHandler.class);

        var e = assertThrows(EventBusException.class, () -> factory.createHandler("t"));

        assertSame(FailingConstructorHandler.FAILURE, e.getCause());
        assertMessageNames(e, FailingConstructorHandler.class.getName(), "'t'", "no database connection");
    }

    @Test
    void constructorFailureIsRetriedOnEveryCall() {
        factory.registerEventType("t", FailingConstructorHandler.class);

        assertThrows(EventBusException.class, () -> factory.createHandler("t"));
        assertThrows(EventBusException.class, () -> factory.createHandler("t"));
        assertTrue(factory.isHandlerAvailable("t"));
    }

    @Test
    void supplierReturningNullSurfacesAsEventBusExceptionNamingTheType() {
        factory.registerEventType("nothing", () -> null);

        var e = assertThrows(EventBusException.class, () -> factory.createHandler("nothing"));

        assertEquals(EventBusException.class, e.getClass());
        assertMessageNames(e, "'nothing'", "null");
    }

    /** A raw supplier that makes something else than a handler: a clear error naming both, no ClassCastException. */
    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void supplierReturningANonHandlerSurfacesAsEventBusExceptionNamingTheTypeAndClass() {
        java.util.function.Supplier raw = () -> "not a handler";
        factory.registerEventType("odd", raw);

        var e = assertThrows(EventBusException.class, () -> factory.createHandler("odd"));

        assertEquals(EventBusException.class, e.getClass());
        assertMessageNames(e, "'odd'", String.class.getName(), EventHandler.class.getName());
    }

    @Test
    void supplierFailurePropagatesUnchanged() {
        IllegalStateException failure = new IllegalStateException("pool exhausted");
        factory.registerEventType("t", () -> {
            throw failure;
        });

        var e = assertThrows(IllegalStateException.class, () -> factory.createHandler("t"));

        assertSame(failure, e);
    }

    // ----- metadata -----

    @Test
    void classRegistrationMetaNamesClassAndTypeAndNoModuleOnTheClassPath() {
        factory.registerEventType("echo", EchoHandler.class);

        HandlerMeta meta = factory.getHandlerMeta("echo");

        assertAll(
                () -> assertEquals(EchoHandler.class.getName(), meta.className()),
                () -> assertEquals("echo", meta.eventType()),
                () -> assertNull(meta.moduleName()),
                () -> assertEquals(HandlerMeta.of(EchoHandler.class, "echo"), meta));
    }

    @Test
    void supplierRegistrationMetaHasNoClassName() {
        factory.registerEventType("greet", EchoHandler::new);

        HandlerMeta meta = factory.getHandlerMeta("greet");

        assertNull(meta.className());
        assertNull(meta.moduleName());
        assertEquals("greet", meta.eventType());
    }

    @Test
    void reRegistrationReplacesTheHandlerAndMakesANewMeta() {
        factory.registerEventType("t", EchoHandler.class);
        HandlerMeta before = factory.getHandlerMeta("t");

        factory.registerEventType("t", OtherHandler.class);
        HandlerMeta after = factory.getHandlerMeta("t");

        assertInstanceOf(OtherHandler.class, factory.createHandler("t"));
        assertNotSame(before, after);
        assertEquals(OtherHandler.class.getName(), after.className());
        assertEquals(Set.of("t"), factory.getSupportedEventTypes());
    }

    @Test
    void reRegisteringTheSameClassStillMakesANewMetaInstance() {
        factory.registerEventType("t", EchoHandler.class);
        HandlerMeta before = factory.getHandlerMeta("t");

        factory.registerEventType("t", EchoHandler.class);

        assertNotSame(before, factory.getHandlerMeta("t"));
        assertEquals(before, factory.getHandlerMeta("t"));
    }

    @Test
    void supplierCanReplaceAClassRegistrationAndBack() {
        factory.registerEventType("t", EchoHandler.class);
        factory.registerEventType("t", OtherHandler::new);

        assertNull(factory.getHandlerMeta("t").className());

        factory.registerEventType("t", EchoHandler.class);

        assertEquals(EchoHandler.class.getName(), factory.getHandlerMeta("t").className());
    }

    // ----- supported types snapshot -----

    @Test
    void supportedTypesIsAnImmutableSnapshot() {
        factory.registerEventType("a", EchoHandler.class);

        Set<String> snapshot = factory.getSupportedEventTypes();
        factory.registerEventType("b", EchoHandler.class);

        assertEquals(Set.of("a"), snapshot);
        assertThrows(UnsupportedOperationException.class, () -> snapshot.add("c"));
        assertThrows(UnsupportedOperationException.class, () -> snapshot.remove("a"));
        assertEquals(Set.of("a", "b"), factory.getSupportedEventTypes());
    }

    @Test
    void toStringListsTheRegisteredTypes() {
        factory.registerEventType("echo", EchoHandler.class);

        assertTrue(factory.toString().contains("echo"), factory.toString());
    }

    // ----- concurrency -----

    @Test
    void concurrentRegistrationsFromManyThreadsAreAllKept() throws Exception {
        int threads = 4;
        int perThread = 500;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    for (int i = 0; i < perThread; i++) {
                        String type = "type-" + thread + "-" + i;
                        factory.registerEventType(type, i % 2 == 0 ? EchoHandler.class : OtherHandler.class);
                        factory.createHandler(type);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(20, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(threads * perThread, factory.getSupportedEventTypes().size());
    }

    // ----- provider discovery (the package-private ServiceLoader seam) -----

    /** Registers "good" (and "partner" as the second good provider). */
    public static final class GoodProvider implements EventHandlerProvider {
        @Override
        public void registerHandlers(EventFactory target) {
            target.registerEventType("good", EchoHandler.class);
        }
    }

    /** A second well-behaved provider, listed after the broken ones. */
    public static final class PartnerProvider implements EventHandlerProvider {
        @Override
        public void registerHandlers(EventFactory target) {
            target.registerEventType("partner", OtherHandler::new);
        }
    }

    /** Fails in registerHandlers. */
    public static final class ThrowingProvider implements EventHandlerProvider {
        @Override
        public void registerHandlers(EventFactory target) {
            throw new IllegalStateException("plugin misconfigured");
        }
    }

    /** Fails with a linkage error, as a plugin compiled against a missing library would. */
    public static final class LinkageErrorProvider implements EventHandlerProvider {
        @Override
        public void registerHandlers(EventFactory target) {
            throw new NoClassDefFoundError("com/acme/Missing");
        }
    }

    /** Fails in its constructor. */
    public static final class ConstructorFailsProvider implements EventHandlerProvider {
        public ConstructorFailsProvider() {
            throw new IllegalStateException("cannot start");
        }

        @Override
        public void registerHandlers(EventFactory target) {
            target.registerEventType("never", EchoHandler.class);
        }
    }

    /** Fails in its static initializer. */
    public static final class StaticInitFailsProvider implements EventHandlerProvider {
        static final String CONFIG = loadConfig();

        private static String loadConfig() {
            throw new IllegalStateException("no plugin.properties");
        }

        @Override
        public void registerHandlers(EventFactory target) {
            target.registerEventType(CONFIG, EchoHandler.class);
        }
    }

    /** Trips an assertion while registering, as plugin code run with -ea may. */
    public static final class AssertionFailsProvider implements EventHandlerProvider {
        @Override
        public void registerHandlers(EventFactory target) {
            throw new AssertionError("plugin invariant violated");
        }
    }

    /** The JVM is out of memory while the provider registers: never swallowed. */
    public static final class OutOfMemoryProvider implements EventHandlerProvider {
        static final OutOfMemoryError ERROR = new OutOfMemoryError("simulated");

        @Override
        public void registerHandlers(EventFactory target) {
            throw ERROR;
        }
    }

    /** Listed as a provider but does not implement the interface. */
    public static final class NotAProvider {
    }

    @Test
    void loadProvidersRegistersEveryProviderFound(@TempDir Path dir) throws IOException {
        EventFactory loaded;
        try (URLClassLoader loader = servicesLoader(dir, GoodProvider.class.getName(),
                PartnerProvider.class.getName())) {
            loaded = EventFactory.loadProviders(ServiceLoader.load(EventHandlerProvider.class, loader));
        }

        assertEquals(Set.of("good", "partner"), loaded.getSupportedEventTypes());
        assertEquals(EchoHandler.class.getName(), loaded.getHandlerMeta("good").className());
    }

    @Test
    void loadProvidersWithNoProviderGivesAnEmptyFactory(@TempDir Path dir) throws IOException {
        EventFactory loaded;
        try (URLClassLoader loader = servicesLoader(dir)) {
            loaded = EventFactory.loadProviders(ServiceLoader.load(EventHandlerProvider.class, loader));
        }

        assertEquals(Set.of(), loaded.getSupportedEventTypes());
    }

    @Test
    void loadProvidersSkipsAndLogsEveryBrokenProviderAndKeepsTheOthers(@TempDir Path dir) throws Exception {
        EventFactory loaded;
        String log;
        try (LogCapture capture = new LogCapture(EventFactory.class.getName());
                URLClassLoader loader = servicesLoader(dir,
                        ThrowingProvider.class.getName(),
                        GoodProvider.class.getName(),
                        "com.acme.DoesNotExist",
                        NotAProvider.class.getName(),
                        ConstructorFailsProvider.class.getName(),
                        LinkageErrorProvider.class.getName(),
                        PartnerProvider.class.getName())) {
            loaded = EventFactory.loadProviders(ServiceLoader.load(EventHandlerProvider.class, loader));
            log = capture.text();
        }

        assertEquals(Set.of("good", "partner"), loaded.getSupportedEventTypes());
        assertEquals(5, log.split("Skipping", -1).length - 1, () -> "one warning per broken provider:\n" + log);
        for (String culprit : List.of(ThrowingProvider.class.getName(), "com.acme.DoesNotExist",
                NotAProvider.class.getName(), ConstructorFailsProvider.class.getName(),
                LinkageErrorProvider.class.getName())) {
            assertTrue(log.contains(culprit), () -> "no warning names " + culprit + ":\n" + log);
        }
    }

    @Test
    void providerWithAFailingStaticInitializerIsSkipped(@TempDir Path dir) throws Exception {
        EventFactory loaded;
        String log;
        try (LogCapture capture = new LogCapture(EventFactory.class.getName());
                URLClassLoader loader = servicesLoader(dir, StaticInitFailsProvider.class.getName(),
                        GoodProvider.class.getName())) {
            loaded = EventFactory.loadProviders(ServiceLoader.load(EventHandlerProvider.class, loader));
            log = capture.text();
        }

        assertEquals(Set.of("good"), loaded.getSupportedEventTypes());
        assertTrue(log.contains(StaticInitFailsProvider.class.getName()), log);
    }

    @Test
    void providerThrowingAnAssertionErrorIsSkippedInsteadOfBreakingDiscovery(@TempDir Path dir) throws Exception {
        EventFactory loaded;
        String log;
        try (LogCapture capture = new LogCapture(EventFactory.class.getName());
                URLClassLoader loader = servicesLoader(dir, AssertionFailsProvider.class.getName(),
                        GoodProvider.class.getName())) {
            loaded = EventFactory.loadProviders(ServiceLoader.load(EventHandlerProvider.class, loader));
            log = capture.text();
        }

        assertEquals(Set.of("good"), loaded.getSupportedEventTypes());
        assertTrue(log.contains(AssertionFailsProvider.class.getName()), log);
        assertTrue(log.contains("plugin invariant violated"), log);
    }

    @Test
    void virtualMachineErrorInAProviderIsNeverSwallowed(@TempDir Path dir) throws IOException {
        try (URLClassLoader loader = servicesLoader(dir, OutOfMemoryProvider.class.getName())) {
            var e = assertThrows(OutOfMemoryError.class,
                    () -> EventFactory.loadProviders(ServiceLoader.load(EventHandlerProvider.class, loader)));

            assertSame(OutOfMemoryProvider.ERROR, e);
        }
    }

    /**
     * Captures what a logger writes. Through reflection because the tests compile inside module
     * {@code dev.eventbus}, which does not read {@code java.logging} (the API logs through {@link System.Logger}
     * only); at run time the tests are on the class path and {@code System.Logger} is backed by java.util.logging.
     */
    private static final class LogCapture implements AutoCloseable {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final Object logger;
        private final Object handler;
        private final Method removeHandler;
        private final Method flush;
        private final Method setUseParentHandlers;
        private final boolean usedParentHandlers;

        LogCapture(String loggerName) throws ReflectiveOperationException {
            Class<?> loggerClass = Class.forName("java.util.logging.Logger");
            Class<?> handlerClass = Class.forName("java.util.logging.Handler");
            Class<?> formatterClass = Class.forName("java.util.logging.Formatter");
            Object formatter = Class.forName("java.util.logging.SimpleFormatter").getConstructor().newInstance();
            handler = Class.forName("java.util.logging.StreamHandler")
                    .getConstructor(OutputStream.class, formatterClass).newInstance(out, formatter);
            logger = loggerClass.getMethod("getLogger", String.class).invoke(null, loggerName);
            loggerClass.getMethod("addHandler", handlerClass).invoke(logger, handler);
            removeHandler = loggerClass.getMethod("removeHandler", handlerClass);
            flush = handlerClass.getMethod("flush");
            // Expected warnings: keep them out of the build's console.
            setUseParentHandlers = loggerClass.getMethod("setUseParentHandlers", boolean.class);
            usedParentHandlers = (Boolean) loggerClass.getMethod("getUseParentHandlers").invoke(logger);
            setUseParentHandlers.invoke(logger, false);
        }

        String text() throws ReflectiveOperationException {
            flush.invoke(handler);
            return out.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws ReflectiveOperationException {
            removeHandler.invoke(logger, handler);
            setUseParentHandlers.invoke(logger, usedParentHandlers);
        }
    }

    /**
     * A class loader over the test class path that also serves
     * {@code META-INF/services/dev.eventbus.spi.EventHandlerProvider} from {@code dir}, listing the given classes.
     */
    private static URLClassLoader servicesLoader(Path dir, String... providerClassNames) throws IOException {
        Path services = dir.resolve("META-INF/services");
        Files.createDirectories(services);
        Files.write(services.resolve(EventHandlerProvider.class.getName()), List.of(providerClassNames));
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, EventFactoryTest.class.getClassLoader());
    }
}
