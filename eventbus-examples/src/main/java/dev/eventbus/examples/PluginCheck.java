package dev.eventbus.examples;

import dev.eventbus.Event;
import dev.eventbus.EventBus;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;
import dev.eventbus.ExecutionMode;

import java.util.List;
import java.util.Map;

/**
 * Proves a deployment works: finds the runtime and this plugin through the ServiceLoader, publishes SYNC and
 * THREAD events to the default bus, and exits 0 only if both results are right. The build runs it on the module
 * path and on the class path; users can run it the same way against their own path.
 */
public final class PluginCheck {

    private PluginCheck() {
    }

    /**
     * Runs the check; prints one line per mode and exits with 0 on success, 1 otherwise.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        boolean ok = EventFactory.getDefault().isHandlerAvailable(ExampleHandlers.SQUARE);
        EventBus bus = EventBus.getDefault();
        try {
            String sync = bus.publish(Event.builder(ExampleHandlers.SQUARE).mode(ExecutionMode.SYNC).data(7).build());
            String thread = bus.publish(Event.builder(ExampleHandlers.SQUARE).data(8).build());
            Map<String, EventResult> results = bus.getResults(List.of(sync, thread));
            System.out.println("module " + PluginCheck.class.getModule().getName());
            System.out.println("sync " + results.get(sync).data());
            System.out.println("thread " + results.get(thread).data());
            ok &= Integer.valueOf(49).equals(results.get(sync).data()) && Integer.valueOf(64).equals(
                    results.get(thread).data());
        } finally {
            bus.shutdown();
        }
        System.exit(ok ? 0 : 1);
    }
}
