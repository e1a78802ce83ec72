/**
 * The eventbus demo and an example handler plugin: {@link dev.eventbus.examples.ExampleHandlers} is found by
 * {@link dev.eventbus.EventFactory#getDefault()} through the {@code provides} clause below (module path) and
 * {@code META-INF/services} (class path).
 */
module dev.eventbus.examples {
    requires transitive dev.eventbus;
    requires dev.eventbus.cmd;

    exports dev.eventbus.examples;

    provides dev.eventbus.spi.EventHandlerProvider with dev.eventbus.examples.ExampleHandlers;
}
