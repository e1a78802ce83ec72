/**
 * The CMD execution mode: an event whose data is a {@link dev.eventbus.cmd.CmdRequest} (or a map with the same
 * keys) runs as an external command, and its result's data is a {@link dev.eventbus.cmd.CmdResult}.
 *
 * <p>Put this module on the module path or class path beside {@code dev.eventbus.runtime}; the bus finds it through
 * {@link java.util.ServiceLoader}. No handler needs to be registered for CMD events.
 */
module dev.eventbus.cmd {
    requires transitive dev.eventbus;

    exports dev.eventbus.cmd;

    provides dev.eventbus.spi.ExecutionModeProvider with dev.eventbus.cmd.internal.CmdModeProvider;
}
