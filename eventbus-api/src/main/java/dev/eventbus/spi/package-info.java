/**
 * Service interfaces: how plugins add handlers ({@link dev.eventbus.spi.EventHandlerProvider}), execution modes
 * ({@link dev.eventbus.spi.ExecutionModeProvider}) and the runtime itself ({@link dev.eventbus.spi.EventBusProvider}).
 *
 * <p>Each is found with {@link java.util.ServiceLoader}: declare it with {@code provides} in your module-info
 * <em>and</em> in a {@code META-INF/services/<interface name>} file, so it is found on the module path and on the
 * class path alike.
 */
package dev.eventbus.spi;
