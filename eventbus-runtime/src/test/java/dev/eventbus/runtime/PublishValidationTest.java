package dev.eventbus.runtime;

import dev.eventbus.Event;
import dev.eventbus.EventBus;
import dev.eventbus.EventBusShutdownException;
import dev.eventbus.EventResult;
import dev.eventbus.ExecutionMode;
import dev.eventbus.InvalidEventException;
import dev.eventbus.NoHandlerAvailableException;
import dev.eventbus.spi.EventBusConfig;
import dev.eventbus.spi.ExecutionModeProvider;
import dev.eventbus.spi.ModeExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PublishValidationTest {

    private static RuntimeEventBus bus() {
        return TestBuses.bus(1, TestBuses.factory("ok", () -> (event, context) ->
                EventResult.businessResult(event.id(), true, null)));
    }

    @Test
    void nullArgumentsAreRejected() {
        try (RuntimeEventBus bus = bus()) {
            assertEquals("event", assertThrows(NullPointerException.class, () -> bus.publish(null)).getMessage());
            assertEquals("event", assertThrows(NullPointerException.class, () -> bus.submit(null)).getMessage());
            assertEquals("eventIds", assertThrows(NullPointerException.class,
                    () -> bus.getResults(null, false)).getMessage());
            assertEquals("timeout", assertThrows(NullPointerException.class, () -> bus.join(null)).getMessage());
        }
    }

    @Test
    void unknownTypeIsRejectedAtPublishWithTheGuidesMessage() {
        try (RuntimeEventBus bus = bus()) {
            for (ExecutionMode mode : List.of(ExecutionMode.SYNC, ExecutionMode.THREAD)) {
                NoHandlerAvailableException e = assertThrows(NoHandlerAvailableException.class,
                        () -> bus.publish(Event.builder("nope").mode(mode).build()));
                assertEquals("No handler available for event type: nope", e.getMessage());
                assertEquals("nope", e.eventType());
            }
        }
    }

    /** DESIGN.md: a bus sees types registered after it was built, in both local modes. */
    @Test
    void aTypeRegisteredAfterTheBusWasBuiltIsRefusedBeforeAndRunsAfter() throws Exception {
        try (RuntimeEventBus bus = bus()) {
            for (ExecutionMode mode : List.of(ExecutionMode.SYNC, ExecutionMode.THREAD)) {
                assertThrows(NoHandlerAvailableException.class,
                        () -> bus.publish(Event.builder("late-" + mode.name()).mode(mode).build()));
                bus.factory().registerEventType("late-" + mode.name(), () -> (event, context) ->
                        EventResult.businessResult(event.id(), true, "late " + event.mode()));
                EventResult result = bus.submit(Event.builder("late-" + mode.name()).mode(mode).build())
                        .get(30, TimeUnit.SECONDS);
                assertEquals(EventResult.businessResult(result.eventId(), true, "late " + mode), result);
            }
        }
    }

    @Test
    void missingModeModuleIsRejectedNamingTheArtifactToAdd() {
        try (RuntimeEventBus bus = bus()) {
            InvalidEventException corelet = assertThrows(InvalidEventException.class,
                    () -> bus.publish(Event.builder("ok").mode(ExecutionMode.CORELET).build()));
            assertTrue(corelet.getMessage().contains("dev.eventbus:eventbus-corelet"), corelet.getMessage());
            InvalidEventException cmd = assertThrows(InvalidEventException.class,
                    () -> bus.publish(Event.builder("ok").mode(ExecutionMode.CMD).build()));
            assertTrue(cmd.getMessage().contains("dev.eventbus:eventbus-cmd"), cmd.getMessage());
        }
    }

    @Test
    void unknownModeIsRejectedNamingIt() {
        try (RuntimeEventBus bus = bus()) {
            InvalidEventException e = assertThrows(InvalidEventException.class,
                    () -> bus.publish(Event.builder("ok").mode(new ExecutionMode("quantum")).build()));
            assertTrue(e.getMessage().contains("QUANTUM") && e.getMessage().contains("'quantum'"), e.getMessage());
        }
    }

    @Test
    void publishAfterShutdownIsRefused() {
        RuntimeEventBus bus = bus();
        bus.shutdown();
        EventBusShutdownException e = assertThrows(EventBusShutdownException.class,
                () -> bus.publish(Event.of("ok")));
        assertEquals("The EventBus is shut down: it accepts no more events", e.getMessage());
    }

    /** A third-party mode, registered through the same SPI as SYNC and THREAD. */
    static final class EchoMode implements ExecutionModeProvider {
        @Override
        public ExecutionMode mode() {
            return new ExecutionMode("echo");
        }

        @Override
        public ModeExecutor create(EventBusConfig config) {
            return new ModeExecutor() {
                @Override
                public void validate(Event event) {
                    if (event.data() == null) {
                        throw new InvalidEventException("echo needs data");
                    }
                }

                @Override
                public EventResult execute(Event event, dev.eventbus.spi.Attempt attempt) {
                    return EventResult.businessResult(event.id(), true, event.data());
                }

                @Override
                public void close() {
                }
            };
        }
    }

    @Test
    void aThirdPartyModeRunsThroughTheSameMachinery() {
        List<ExecutionModeProvider> providers = List.of(new SyncModeProvider(), new ThreadModeProvider(),
                new EchoMode());
        RuntimeEventBus bus = new RuntimeEventBus(EventBusConfig.defaults(new dev.eventbus.EventFactory()), providers);
        try {
            ExecutionMode echo = new ExecutionMode("echo");
            String id = bus.publish(Event.builder("anything").mode(echo).data("hi").build());
            assertEquals("hi", bus.getResults(List.of(id)).get(id).data());
            assertEquals("echo needs data", assertThrows(InvalidEventException.class,
                    () -> bus.publish(Event.builder("anything").mode(echo).build())).getMessage());
        } finally {
            bus.shutdown();
        }
    }

    /** A mode whose executor records how the bus closed it. */
    static final class ClosingMode implements ExecutionModeProvider {
        final List<String> closes = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public ExecutionMode mode() {
            return new ExecutionMode("closing");
        }

        @Override
        public ModeExecutor create(EventBusConfig config) {
            return new ModeExecutor() {
                @Override
                public void validate(Event event) {
                }

                @Override
                public EventResult execute(Event event, dev.eventbus.spi.Attempt attempt) {
                    return EventResult.businessResult(event.id(), true, null);
                }

                @Override
                public void close() {
                    closes.add("close()");
                }

                @Override
                public void close(boolean immediately) {
                    closes.add("close(" + immediately + ")");
                }
            };
        }
    }

    @Test
    void executorsAreToldWhetherTheShutdownIsImmediate() {
        for (boolean immediately : new boolean[] {false, true}) {
            ClosingMode mode = new ClosingMode();
            RuntimeEventBus bus = new RuntimeEventBus(EventBusConfig.defaults(new dev.eventbus.EventFactory()),
                    List.of(new SyncModeProvider(), new ThreadModeProvider(), mode));
            String id = bus.publish(Event.builder("anything").mode(mode.mode()).build());
            assertTrue(bus.getResults(List.of(id)).get(id).success());

            bus.shutdown(immediately);

            assertEquals(List.of("close(" + immediately + ")"), mode.closes);
        }
    }

    @Test
    void twoProvidersForOneModeAreRejectedNamingBoth() {
        ExecutionModeProvider impostor = new ExecutionModeProvider() {
            @Override
            public ExecutionMode mode() {
                return ExecutionMode.THREAD;
            }

            @Override
            public ModeExecutor create(EventBusConfig config) {
                throw new AssertionError("never created");
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new ModeRegistry(
                List.of(new ThreadModeProvider(), impostor), EventBusConfig.defaults(new dev.eventbus.EventFactory())));
        assertTrue(e.getMessage().contains(ThreadModeProvider.class.getName())
                && e.getMessage().contains(impostor.getClass().getName()), e.getMessage());
    }

    @Test
    void busFoundThroughTheServiceLoaderHasTheBuiltInModes() {
        try (EventBus bus = EventBus.builder().threads(1).factory(TestBuses.factory("ok", () -> (event, context) ->
                EventResult.businessResult(event.id(), true, event.mode().name()))).build()) {
            String sync = bus.publish(Event.builder("ok").mode(ExecutionMode.SYNC).build());
            String thread = bus.publish(Event.of("ok"));
            var results = bus.getResults(List.of(sync, thread));
            assertEquals("sync", results.get(sync).data());
            assertEquals("thread", results.get(thread).data());
        }
    }
}
