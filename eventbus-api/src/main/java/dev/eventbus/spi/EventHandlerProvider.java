package dev.eventbus.spi;

import dev.eventbus.EventFactory;

/**
 * A handler plugin: registers its event types in {@link EventFactory#getDefault()} when that is first used (and in
 * every CORELET worker process).
 *
 * {@snippet :
 * // module com.acme.imaging { requires transitive dev.eventbus; exports com.acme.imaging;
 * //     provides dev.eventbus.spi.EventHandlerProvider with com.acme.imaging.ImagingHandlers; }
 * // plus META-INF/services/dev.eventbus.spi.EventHandlerProvider containing com.acme.imaging.ImagingHandlers
 * public final class ImagingHandlers implements EventHandlerProvider {
 *     @Override
 *     public void registerHandlers(EventFactory factory) {
 *         factory.registerEventType("resize", ResizeHandler.class);
 *     }
 * }
 * }
 *
 * <p>Called once per factory, from the thread that first uses it. A provider that throws is skipped and logged.
 */
@FunctionalInterface
public interface EventHandlerProvider {

    /**
     * Registers this plugin's event types.
     *
     * @param factory the registry to fill
     */
    void registerHandlers(EventFactory factory);
}
