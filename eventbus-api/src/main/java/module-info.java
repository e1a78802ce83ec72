/**
 * The eventbus API: {@link dev.eventbus.Event}, {@link dev.eventbus.EventHandler}, {@link dev.eventbus.EventResult},
 * {@link dev.eventbus.EventBus} and the service interfaces in {@link dev.eventbus.spi}.
 *
 * <p>Applications compile against this module only. At run time, {@code dev.eventbus.runtime} (artifact
 * {@code eventbus-runtime}) provides the bus; {@code dev.eventbus.corelet} and {@code dev.eventbus.cmd} add the
 * CORELET and CMD execution modes. Handler plugins are found through {@link dev.eventbus.spi.EventHandlerProvider}.
 */
module dev.eventbus {
    exports dev.eventbus;
    exports dev.eventbus.spi;

    uses dev.eventbus.spi.EventBusProvider;
    uses dev.eventbus.spi.EventHandlerProvider;
}
