/** A tiny application module: runs one CORELET event through a bus found on the module path. */
module corelet.demo {
    requires dev.eventbus;
    exports corelet.demo;
}
