package dev.eventbus.cmd.internal;

import dev.eventbus.Event;
import dev.eventbus.EventFactory;
import dev.eventbus.ExecutionMode;
import dev.eventbus.InvalidEventException;
import dev.eventbus.cmd.CmdRequest;
import dev.eventbus.spi.EventBusConfig;
import dev.eventbus.spi.ExecutionModeProvider;
import dev.eventbus.spi.ModeExecutor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

@Timeout(10)
class CmdModeProviderTest {

    @Test
    void serviceLoaderFindsTheCmdModeOnTheClassPath() {
        List<ExecutionMode> modes = ServiceLoader.load(ExecutionModeProvider.class).stream()
                .map(p -> p.get().mode()).toList();
        assertEquals(1, modes.stream().filter(ExecutionMode.CMD::equals).count(), "modes found: " + modes);
    }

    @Test
    void theProviderCreatesAnExecutorForTheBus() {
        try (ModeExecutor executor = new CmdModeProvider().create(EventBusConfig.defaults(new EventFactory()))) {
            assertInstanceOf(CmdExecutor.class, executor);
            assertEquals(false, executor.runsInPublishingThread());
            executor.validate(event(CmdRequest.of("true")));
            executor.validate(event(Map.of("executable", "true")));
        }
    }

    static Event event(Object data) {
        return Event.builder("any-type").mode(ExecutionMode.CMD).data(data).build();
    }

    static Stream<Arguments> invalidData() {
        Map<String, Object> nullExecutable = new HashMap<>();
        nullExecutable.put("executable", null);
        return Stream.of(
                Arguments.of("no data", null, "CMD event of type 'any-type' has no data: give a CmdRequest or a Map"
                        + " with at least the key 'executable'"),
                Arguments.of("a string", "ls -l", "CMD event data must be a CmdRequest or a Map, got"
                        + " java.lang.String for event type 'any-type'"),
                Arguments.of("a list", List.of("ls"), "CMD event data must be a CmdRequest or a Map, got "
                        + List.of("ls").getClass().getName() + " for event type 'any-type'"),
                Arguments.of("no executable", Map.of("args", List.of("-l")), "Invalid CMD data for event type"
                        + " 'any-type': CMD data needs the key 'executable' (the program to run), got the keys"
                        + " [args]"),
                Arguments.of("a null executable", nullExecutable, "Invalid CMD data for event type 'any-type': CMD"
                        + " data key 'executable' must be a non-blank String, got null"),
                Arguments.of("a blank executable", Map.of("executable", " "), "Invalid CMD data for event type"
                        + " 'any-type': CMD data key 'executable' must be a non-blank String, got ' '"
                        + " (java.lang.String)"),
                Arguments.of("an executable that is not a string", Map.of("executable", 5), "Invalid CMD data for"
                        + " event type 'any-type': CMD data key 'executable' must be a non-blank String, got 5"
                        + " (java.lang.Integer)"),
                Arguments.of("args as a string", Map.of("executable", "ls", "args", "-l -a"), "Invalid CMD data"
                        + " for event type 'any-type': CMD data key 'args' must be a List of String, got '-l -a'"
                        + " (java.lang.String)"),
                Arguments.of("an argument that is not a string", Map.of("executable", "ls", "args",
                        List.of("-l", 3)), "Invalid CMD data for event type 'any-type': CMD data key 'args' must be"
                        + " a List of String, but args[1] is 3 (java.lang.Integer)"),
                Arguments.of("an unknown key", Map.of("executable", "ls", "command", "ls"), "Invalid CMD data for"
                        + " event type 'any-type': Unknown CMD data key 'command' (java.lang.String); the keys are"
                        + " args, cwd, env, executable, stderr_file, stdin, stdout_file"),
                Arguments.of("a cwd that is not a path", Map.of("executable", "ls", "cwd", 7), "Invalid CMD data"
                        + " for event type 'any-type': CMD data key 'cwd' must be a non-blank String or a Path, got 7"
                        + " (java.lang.Integer)"),
                Arguments.of("env as a list", Map.of("executable", "ls", "env", List.of("A=1")), "Invalid CMD"
                        + " data for event type 'any-type': CMD data key 'env' must be a Map of String to String,"
                        + " got [A=1] (" + List.of("A=1").getClass().getName() + ")"),
                Arguments.of("an env value that is not a string", Map.of("executable", "ls", "env",
                        Map.of("A", 1)), "Invalid CMD data for event type 'any-type': CMD data key 'env' must be a"
                        + " Map of String to String, but has the entry 'A' (java.lang.String) -> 1"
                        + " (java.lang.Integer)"),
                Arguments.of("a bad env name", Map.of("executable", "ls", "env", Map.of("A=B", "1")), "Invalid"
                        + " CMD data for event type 'any-type': Environment variable name must be non-empty and"
                        + " without '=': 'A=B'"),
                Arguments.of("stdin as a number", Map.of("executable", "cat", "stdin", 12), "Invalid CMD data for"
                        + " event type 'any-type': CMD data key 'stdin' must be a String or a byte[], got 12"
                        + " (java.lang.Integer)"),
                Arguments.of("a blank stdout_file", Map.of("executable", "ls", "stdout_file", ""), "Invalid CMD"
                        + " data for event type 'any-type': CMD data key 'stdout_file' must be a non-blank String or"
                        + " a Path, got '' (java.lang.String)"),
                Arguments.of("a stderr_file that is not a path", Map.of("executable", "ls", "stderr_file",
                        Boolean.TRUE), "Invalid CMD data for event type 'any-type': CMD data key 'stderr_file' must"
                        + " be a non-blank String or a Path, got true (java.lang.Boolean)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidData")
    void invalidDataIsRejectedAtValidationNamingTheKeyAndValue(String what, Object data, String message) {
        try (ModeExecutor executor = new CmdModeProvider().create(EventBusConfig.defaults(new EventFactory()))) {
            InvalidEventException e = assertThrows(InvalidEventException.class, () -> executor.validate(event(data)));
            assertEquals(message, e.getMessage());
        }
    }

    @Test
    void aNonStringMapKeyIsRejected() {
        Map<Object, Object> data = new HashMap<>();
        data.put("executable", "ls");
        data.put(1, "x");
        try (ModeExecutor executor = new CmdModeProvider().create(EventBusConfig.defaults(new EventFactory()))) {
            InvalidEventException e = assertThrows(InvalidEventException.class, () -> executor.validate(event(data)));
            assertEquals("Invalid CMD data for event type 'any-type': Unknown CMD data key 1 (java.lang.Integer);"
                    + " the keys are " + String.join(", ", Arrays.asList("args", "cwd", "env", "executable",
                    "stderr_file", "stdin", "stdout_file")), e.getMessage());
        }
    }
}
