/**
 * CORELET execution mode: runs handlers in pooled, crash-isolated worker JVMs ("corelets").
 *
 * <p>Put this module on the module path (or its jar on the class path) next to {@code dev.eventbus.runtime};
 * the bus finds the mode through {@link dev.eventbus.spi.ExecutionModeProvider}. It exports nothing: users name
 * only {@link dev.eventbus.ExecutionMode#CORELET}. The worker JVM's main class lives in this module too.
 */
module dev.eventbus.corelet {
    requires dev.eventbus;

    provides dev.eventbus.spi.ExecutionModeProvider with dev.eventbus.corelet.internal.CoreletModeProvider;
}
