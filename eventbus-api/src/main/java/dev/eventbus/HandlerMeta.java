package dev.eventbus;

import java.io.Serial;
import java.io.Serializable;
import java.util.Objects;

/**
 * Where a handler comes from: enough to load it again in another JVM (a CORELET worker).
 *
 * <p>Immutable and thread-safe.
 *
 * @param moduleName the named module of the handler class, or null on the class path (or for a supplier)
 * @param className the handler's binary class name, or null for a handler registered as a supplier
 * @param eventType the event type the handler is registered for
 */
public record HandlerMeta(String moduleName, String className, String eventType) implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Validates the fields.
     *
     * @throws NullPointerException if {@code eventType} is null
     * @throws IllegalArgumentException if a given name is blank, or {@code className} is a hidden class's name
     */
    public HandlerMeta {
        Objects.requireNonNull(eventType, "eventType");
        requireNotBlank("eventType", eventType);
        if (moduleName != null) {
            requireNotBlank("moduleName", moduleName);
        }
        if (className != null) {
            requireNotBlank("className", className);
            if (className.indexOf('/') >= 0) {
                // Only a hidden class's name has a '/' (Outer$$Lambda/0x...): no class loader finds it by name.
                throw new IllegalArgumentException("className must be a loadable class name, not a hidden class's"
                        + " (such as a lambda's): '" + className + "'");
            }
        }
    }

    /**
     * Describes a handler class as registered for {@code eventType}.
     *
     * @param handlerClass the handler class
     * @param eventType the event type
     * @return its meta: module name (null on the class path), class name and type
     * @throws NullPointerException if {@code handlerClass} or {@code eventType} is null
     * @throws IllegalArgumentException if {@code eventType} is blank, or {@code handlerClass} is hidden (a lambda's
     *     class), which no other JVM can load by name
     */
    public static HandlerMeta of(Class<? extends EventHandler> handlerClass, String eventType) {
        Objects.requireNonNull(handlerClass, "handlerClass");
        Module module = handlerClass.getModule();
        return new HandlerMeta(module.isNamed() ? module.getName() : null, handlerClass.getName(), eventType);
    }

    private static void requireNotBlank(String field, String value) {
        if (value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank: '" + value + "'");
        }
    }
}
