package dev.eventbus;

import dev.eventbus.spi.EventHandlerProvider;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The registry of event types and their handlers.
 *
 * <p>{@link #getDefault()} is the process-wide registry: on first use it runs every
 * {@link EventHandlerProvider} found by {@link ServiceLoader} on the module path and the class path. A bus uses the
 * factory it was built with and sees types registered after it was built.
 *
 * {@snippet :
 * EventFactory factory = new EventFactory();
 * factory.registerEventType("resize", ResizeHandler.class);   // public no-arg constructor
 * factory.registerEventType("greet", () -> (event, context) ->
 *         EventResult.businessResult(event.id(), true, "hello " + event.data()));
 * }
 *
 * <p>Thread-safe: registration and lookup may happen concurrently. Registering a type again replaces its handler:
 * a thread running SYNC or THREAD events makes a handler of the new registration for its next event of that type,
 * also if it made one of the old (an event already running finishes on the old one).
 */
public class EventFactory {

    private final ConcurrentHashMap<String, Registration> registrations = new ConcurrentHashMap<>();

    /** Creates an empty, independent registry. */
    public EventFactory() {
    }

    /**
     * Returns the process-wide registry, filled on first use by every {@link EventHandlerProvider} found. A provider
     * that fails to load or to register is skipped and logged.
     *
     * @return the default factory
     */
    public static EventFactory getDefault() {
        return DefaultHolder.INSTANCE;
    }

    private static final class DefaultHolder {
        static final EventFactory INSTANCE = loadProviders(ServiceLoader.load(EventHandlerProvider.class));
    }

    /** Builds a factory from the given providers, skipping (and logging) the ones that fail. A seam for tests. */
    static EventFactory loadProviders(ServiceLoader<EventHandlerProvider> loader) {
        EventFactory factory = new EventFactory();
        var providers = loader.stream().iterator();
        while (true) {
            ServiceLoader.Provider<EventHandlerProvider> provider;
            try {
                if (!providers.hasNext()) {
                    break;
                }
                provider = providers.next();
            } catch (ServiceConfigurationError e) {
                Log.LOG.log(System.Logger.Level.WARNING, "Skipping an EventHandlerProvider that cannot be loaded", e);
                continue;
            }
            registerFrom(factory, provider);
        }
        return factory;
    }

    private static void registerFrom(EventFactory factory, ServiceLoader.Provider<EventHandlerProvider> provider) {
        try {
            provider.get().registerHandlers(factory);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) { // any other failure, AssertionError included, must not break discovery for good
            Log.LOG.log(System.Logger.Level.WARNING, () -> "Skipping EventHandlerProvider " + provider.type().getName()
                    + ": it failed to register its handlers", e);
        }
    }

    /**
     * Registers a handler class for a type; each handler is a new instance made by its public no-arg constructor.
     * A class registration can also run in CORELET mode: the worker loads the class by name.
     *
     * @param eventType the type, not blank and not starting with {@code _} (reserved)
     * @param handlerClass a concrete class with a public no-arg constructor, accessible to module {@code dev.eventbus}
     *     (its package exported, at least to {@code dev.eventbus})
     * @throws NullPointerException if {@code eventType} or {@code handlerClass} is null
     * @throws IllegalArgumentException for a bad type, or a class that cannot be instantiated or is no
     *     {@link EventHandler}
     */
    public void registerEventType(String eventType, Class<? extends EventHandler> handlerClass) {
        checkType(eventType);
        Objects.requireNonNull(handlerClass, "handlerClass");
        Constructor<? extends EventHandler> constructor = noArgConstructor(handlerClass);
        registrations.put(eventType, new Registration(HandlerMeta.of(handlerClass, eventType),
                new Instantiator(constructor, eventType)));
    }

    /**
     * Makes handlers of a registered class. A class, not a lambda: a CORELET worker registers its handler class on
     * its first event, and the first lambda of a JVM costs milliseconds there.
     */
    private static final class Instantiator implements Supplier<EventHandler> {
        private final Constructor<? extends EventHandler> constructor;
        private final String eventType;

        Instantiator(Constructor<? extends EventHandler> constructor, String eventType) {
            this.constructor = constructor;
            this.eventType = eventType;
        }

        @Override
        public EventHandler get() {
            try {
                return constructor.newInstance();
            } catch (InvocationTargetException e) {
                throw new EventBusException("Handler " + constructor.getDeclaringClass().getName() + " for event type '"
                        + eventType + "' failed in its constructor: " + e.getCause(), e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new EventBusException("Cannot create handler " + constructor.getDeclaringClass().getName() + ": "
                        + e, e);
            }
        }
    }

    /**
     * Registers a supplier of handlers for a type; it is called once per thread that runs the type. A supplier
     * registration cannot run in CORELET mode (a worker cannot load a lambda) unless the event names a class with
     * {@link Event.Builder#coreletMeta(HandlerMeta)}.
     *
     * @param eventType the type, not blank and not starting with {@code _} (reserved)
     * @param supplier makes a new handler per call
     * @throws NullPointerException if {@code eventType} or {@code supplier} is null
     * @throws IllegalArgumentException for a bad type
     */
    public void registerEventType(String eventType, Supplier<? extends EventHandler> supplier) {
        checkType(eventType);
        Objects.requireNonNull(supplier, "supplier");
        registrations.put(eventType, new Registration(new HandlerMeta(null, null, eventType), supplier));
    }

    /**
     * Creates a new handler for a type.
     *
     * @param eventType the type
     * @return a new handler instance
     * @throws NullPointerException if {@code eventType} is null
     * @throws NoHandlerAvailableException if no handler is registered for the type
     * @throws EventBusException if the handler's constructor fails, or the supplier returns null or something else
     *     than a handler (what a supplier throws propagates as it is)
     */
    public EventHandler createHandler(String eventType) {
        Objects.requireNonNull(eventType, "eventType");
        Registration registration = registrations.get(eventType);
        if (registration == null) {
            throw new NoHandlerAvailableException(eventType);
        }
        Object made = registration.supplier().get(); // Object: a raw supplier may make anything
        if (made instanceof EventHandler handler) {
            return handler;
        }
        if (made == null) {
            throw new EventBusException("The supplier registered for event type '" + eventType + "' returned null");
        }
        throw new EventBusException("The supplier registered for event type '" + eventType + "' returned a "
                + made.getClass().getName() + ", which is not a " + EventHandler.class.getName());
    }

    /**
     * Returns whether a handler is registered for a type; never throws.
     *
     * @param eventType the type, may be null
     * @return false for null, blank or unknown types
     */
    public boolean isHandlerAvailable(String eventType) {
        return eventType != null && registrations.containsKey(eventType);
    }

    /**
     * Returns where the handler of a type comes from. Each registration has its own meta instance, so a changed
     * registration can be noticed by identity.
     *
     * @param eventType the type
     * @return its meta; {@code className} is null for a supplier registration
     * @throws NullPointerException if {@code eventType} is null
     * @throws NoHandlerAvailableException if no handler is registered for the type
     */
    public HandlerMeta getHandlerMeta(String eventType) {
        Objects.requireNonNull(eventType, "eventType");
        Registration registration = registrations.get(eventType);
        if (registration == null) {
            throw new NoHandlerAvailableException(eventType);
        }
        return registration.meta();
    }

    /**
     * Returns the registered types.
     *
     * @return an immutable snapshot
     */
    public Set<String> getSupportedEventTypes() {
        return Set.copyOf(registrations.keySet());
    }

    @Override
    public String toString() {
        return "EventFactory" + registrations.keySet();
    }

    private static void checkType(String eventType) {
        Objects.requireNonNull(eventType, "eventType");
        if (eventType.isBlank()) {
            throw new IllegalArgumentException("eventType must not be blank: '" + eventType + "'");
        }
        if (eventType.startsWith("_")) {
            throw new IllegalArgumentException("eventType must not start with '_' (reserved for eventbus): '"
                    + eventType + "'");
        }
    }

    private static <T extends EventHandler> Constructor<T> noArgConstructor(Class<T> handlerClass) {
        String name = handlerClass.getName();
        if (!EventHandler.class.isAssignableFrom(handlerClass)) {
            // Only through an unchecked cast, such as (Class<? extends EventHandler>) Class.forName(name): else every
            // createHandler failed later with a bare ClassCastException, as the result of each event of the type.
            throw new IllegalArgumentException("Handler class " + name + " does not implement "
                    + EventHandler.class.getName());
        }
        if (handlerClass.isInterface() || Modifier.isAbstract(handlerClass.getModifiers())) {
            throw new IllegalArgumentException("Handler class " + name + " is abstract: register a concrete class");
        }
        if (handlerClass.isHidden() || handlerClass.isAnonymousClass() || handlerClass.isLocalClass()) {
            throw new IllegalArgumentException("Handler class " + name + " is a lambda, anonymous or local class:"
                    + " register a named class, or a Supplier");
        }
        if (handlerClass.getEnclosingClass() != null && !Modifier.isStatic(handlerClass.getModifiers())) {
            throw new IllegalArgumentException("Handler class " + name + " is an inner class: make it static");
        }
        Constructor<T> constructor;
        try {
            constructor = handlerClass.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("Handler class " + name + " needs a public no-arg constructor,"
                    + " or register a Supplier instead", e);
        }
        if (!Modifier.isPublic(handlerClass.getModifiers()) || !constructor.canAccess(null)) {
            throw new IllegalArgumentException("Handler class " + name + " is not accessible to module dev.eventbus:"
                    + " make it public and export its package (at least to dev.eventbus)");
        }
        return constructor;
    }

    private record Registration(HandlerMeta meta, Supplier<? extends EventHandler> supplier) {
    }

    /**
     * The logger, created on first use: {@code System.getLogger} finds and starts the logging backend (with
     * java.util.logging, reading its configuration), about 20 ms in a fresh JVM, and a CORELET worker creates handlers
     * through a factory without ever logging.
     */
    private static final class Log {
        static final System.Logger LOG = System.getLogger(EventFactory.class.getName());
    }
}
