/**
 * The eventbus runtime: the {@link dev.eventbus.EventBus} implementation and the SYNC and THREAD execution modes.
 * Put it on the module path or class path at run time; applications compile against {@code dev.eventbus} only.
 * It exports nothing: {@link dev.eventbus.EventBus#builder()} finds it through {@link java.util.ServiceLoader}.
 */
module dev.eventbus.runtime {
    requires dev.eventbus;

    uses dev.eventbus.spi.ExecutionModeProvider;

    provides dev.eventbus.spi.EventBusProvider with dev.eventbus.runtime.RuntimeProvider;
    provides dev.eventbus.spi.ExecutionModeProvider with dev.eventbus.runtime.SyncModeProvider,
            dev.eventbus.runtime.ThreadModeProvider;
}
