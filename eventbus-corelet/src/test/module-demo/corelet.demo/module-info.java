/** A tiny application module: runs one CORELET event through the mode found by ServiceLoader. */
module corelet.demo {
    requires dev.eventbus;
    exports corelet.demo;
    uses dev.eventbus.spi.ExecutionModeProvider;
}
