package dev.eventbus.cmd.it;

import dev.eventbus.Event;
import dev.eventbus.EventContext;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;
import dev.eventbus.ExecutionMode;
import dev.eventbus.cmd.CmdRequest;
import dev.eventbus.cmd.CmdResult;
import dev.eventbus.spi.Attempt;
import dev.eventbus.spi.EventBusConfig;
import dev.eventbus.spi.ExecutionModeProvider;
import dev.eventbus.spi.ModeExecutor;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Launched by {@code ModulePathTest} in a JVM where {@code dev.eventbus} and {@code dev.eventbus.cmd} are on the module
 * path: finds the CMD mode through {@link ServiceLoader} and runs one command. Prints the provider's module and the
 * command's pid and process group.
 */
public final class ModulePathMain {

    private ModulePathMain() {
    }

    /**
     * Runs the check.
     *
     * @param args unused
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        ExecutionModeProvider provider = ServiceLoader.load(ExecutionModeProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.mode().equals(ExecutionMode.CMD)).findFirst()
                .orElseThrow();
        System.out.println("module=" + provider.getClass().getModule().getName());
        try (ModeExecutor executor = provider.create(EventBusConfig.defaults(new EventFactory()))) {
            // ps of our own command: its pid and process group (equal when it has a group of its own).
            Event event = Event.builder("ps").mode(ExecutionMode.CMD)
                    .data(CmdRequest.of("sh", "-c", "ps -o pid=,pgid= -p $$")).build();
            executor.validate(event);
            EventResult result = executor.execute(event, new OneAttempt());
            CmdResult cmd = (CmdResult) result.data();
            String[] ids = cmd.stdout().trim().split("\\s+");
            System.out.println("ownGroup=" + ids[0].equals(ids[1]));
        }
    }

    private static final class OneAttempt implements Attempt {
        @Override
        public int number() {
            return 1;
        }

        @Override
        public Duration timeout() {
            return Duration.ofSeconds(30);
        }

        @Override
        public EventContext context() {
            return new EventContext() {
                @Override
                public Map<String, Object> threadLocalData() {
                    return Map.of();
                }

                @Override
                public long threadId() {
                    return Thread.currentThread().threadId();
                }

                @Override
                public long processId() {
                    return ProcessHandle.current().pid();
                }

                @Override
                public Instant timestamp() {
                    return Instant.now();
                }
            };
        }

        @Override
        public void restartClock() {
        }

        @Override
        public void onStop(Runnable action) {
        }

        @Override
        public boolean isStopped() {
            return false;
        }
    }
}
