package dev.eventbus.chaos;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.Event;
import dev.eventbus.EventFactory;
import dev.eventbus.ExecutionMode;
import dev.eventbus.InvalidEventException;
import dev.eventbus.cmd.CmdRequest;
import dev.eventbus.spi.EventBusConfig;
import dev.eventbus.spi.ExecutionModeProvider;
import dev.eventbus.spi.ModeExecutor;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The CMD map form under random maps, through the CMD executor's publish-time validation: a map that a model of
 * DESIGN.md's rules calls valid is accepted and converted exactly; any other is rejected with an
 * InvalidEventException naming an offending key. Nothing is run.
 */
class CmdMapProperties {

    private static final List<String> KEYS = List.of("executable", "args", "cwd", "env", "stdin", "stdout_file",
            "stderr_file");
    private static ModeExecutor cmd;

    @BeforeContainer
    static void createExecutor() {
        ExecutionModeProvider provider = ServiceLoader.load(ExecutionModeProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.mode().equals(ExecutionMode.CMD)).findFirst()
                .orElseThrow();
        cmd = provider.create(EventBusConfig.defaults(new EventFactory()));
    }

    @AfterContainer
    static void closeExecutor() {
        cmd.close();
    }

    @Property(tries = 1000)
    void validMapsAreAcceptedAndInvalidOnesRejectedNamingTheKey(@ForAll("maps") Map<Object, Object> map) {
        Statistics.coverage(c -> {
            c.check("valid").percentage(p -> p > 15);
            c.check("invalid").percentage(p -> p > 15);
        });
        Event event = Event.builder("cmd-props").mode(ExecutionMode.CMD).data(map).build();
        List<String> invalid = invalidKeys(map);
        Statistics.collect(invalid.isEmpty() ? "valid" : "invalid");
        if (invalid.isEmpty()) {
            cmd.validate(event);
            assertConvertedExactly(map, CmdRequest.fromMap(map));
        } else {
            InvalidEventException e = assertThrows(InvalidEventException.class, () -> cmd.validate(event),
                    "invalid keys " + invalid + " in " + map);
            String message = e.getMessage().toLowerCase(Locale.ROOT);
            assertTrue(invalid.stream().anyMatch(k -> message.contains(k.toLowerCase(Locale.ROOT))
                    || k.equals("env") && message.contains("environment")),
                    "message must name one of " + invalid + ": " + e.getMessage());
        }
    }

    /** The model: DESIGN.md's CMD map rules. Returns the offending keys (as they should appear in a message). */
    static List<String> invalidKeys(Map<Object, Object> map) {
        List<String> invalid = new ArrayList<>();
        for (Object key : map.keySet()) {
            if (!(key instanceof String s) || !KEYS.contains(s)) {
                invalid.add(String.valueOf(key));
            }
        }
        if (!(map.get("executable") instanceof String exe) || exe.isBlank() || exe.indexOf('\0') >= 0) {
            invalid.add("executable");
        }
        if (map.containsKey("args") && !(map.get("args") instanceof List<?> list
                && list.stream().allMatch(a -> a instanceof String s && s.indexOf('\0') < 0))) {
            invalid.add("args");
        }
        for (String pathKey : List.of("cwd", "stdout_file", "stderr_file")) {
            if (map.containsKey(pathKey) && !(map.get(pathKey) instanceof Path
                    || map.get(pathKey) instanceof String s && !s.isBlank() && s.indexOf('\0') < 0)) {
                invalid.add(pathKey);
            }
        }
        if (map.containsKey("env") && !(map.get("env") instanceof Map<?, ?> env && env.entrySet().stream()
                .allMatch(e -> e.getKey() instanceof String name && !name.isEmpty() && name.indexOf('=') < 0
                        && name.indexOf('\0') < 0 && e.getValue() instanceof String value
                        && value.indexOf('\0') < 0))) {
            invalid.add("env");
        }
        if (map.containsKey("stdin") && !(map.get("stdin") instanceof String || map.get("stdin") instanceof byte[])) {
            invalid.add("stdin");
        }
        return invalid;
    }

    private static void assertConvertedExactly(Map<Object, Object> map, CmdRequest request) {
        assertEquals(map.get("executable"), request.executable());
        assertEquals(map.containsKey("args") ? map.get("args") : List.of(), request.args());
        assertEquals(path(map.get("cwd")), request.cwd());
        assertEquals(path(map.get("stdout_file")), request.stdoutFile());
        assertEquals(path(map.get("stderr_file")), request.stderrFile());
        assertEquals(map.containsKey("env") ? map.get("env") : Map.of(), request.env());
        Object stdin = map.get("stdin");
        byte[] expected = stdin instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : (byte[]) stdin;
        assertArrayEquals(expected, request.stdin());
    }

    private static Path path(Object value) {
        return value == null ? null : value instanceof Path p ? p : Path.of((String) value);
    }

    @Provide
    Arbitrary<Map<Object, Object>> maps() {
        Arbitrary<Object> key = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(12, Arbitraries.of(KEYS).map(k -> (Object) k)),
                net.jqwik.api.Tuple.of(1, Arbitraries.strings().ofMaxLength(8).map(k -> (Object) k)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("EXECUTABLE", "stdout", "argv", "Args").map(k -> (Object) k)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().map(k -> (Object) k)));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, validish()),
                net.jqwik.api.Tuple.of(2, Arbitraries.maps(key, value()).ofMaxSize(8)
                        .map(m -> (Map<Object, Object>) new HashMap<>(m))));
    }

    /** Maps with a plausible executable and plausible values, mutated now and then. */
    private Arbitrary<Map<Object, Object>> validish() {
        return Arbitraries.subsetOf(KEYS.subList(1, KEYS.size())).flatMap(keys -> {
            Arbitrary<Map<Object, Object>> base = Arbitraries.of("sh", "/bin/true", "true", "echo").map(exe -> {
                Map<Object, Object> m = new LinkedHashMap<>();
                m.put("executable", exe);
                return m;
            });
            for (String k : keys) {
                Arbitrary<Object> v = goodValue(k);
                base = base.flatMap(m -> v.map(value -> {
                    Map<Object, Object> copy = new LinkedHashMap<>(m);
                    copy.put(k, value);
                    return copy;
                }));
            }
            return base;
        }).flatMap(m -> Arbitraries.integers().between(0, 9).flatMap(mutate -> mutate > 1 ? Arbitraries.just(m)
                : Arbitraries.of(KEYS).flatMap(k -> value().map(v -> {
                    Map<Object, Object> copy = new HashMap<>(m);
                    copy.put(k, v);
                    return copy;
                }))));
    }

    private static Arbitrary<Object> goodValue(String key) {
        Arbitrary<String> text = Arbitraries.strings().alpha().numeric().withChars("-_./ ").ofMinLength(1).ofMaxLength(12)
                .filter(s -> !s.isBlank());
        return switch (key) {
            case "args" -> text.list().ofMaxSize(4).map(l -> (Object) l);
            case "env" -> Arbitraries.maps(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(6), text)
                    .ofMaxSize(3).map(m -> (Object) m);
            case "stdin" -> Arbitraries.oneOf(text.map(s -> (Object) s),
                    Arbitraries.bytes().array(byte[].class).ofMaxSize(16).map(b -> (Object) b));
            default -> Arbitraries.oneOf(text.map(s -> (Object) ("/tmp/" + s)), text.map(s -> (Object) Path.of(s)));
        };
    }

    /** Any value at all: right and wrong types, blanks, NULs, nulls, nested wrong types. */
    private static Arbitrary<Object> value() {
        Arbitrary<String> any = Arbitraries.strings().ofMaxLength(10);
        List<Object> nasties = new ArrayList<>();
        nasties.add("");
        nasties.add("   ");
        nasties.add("a\0b");
        nasties.add(42);
        nasties.add(List.of(1, 2));
        nasties.add(new ArrayList<>(java.util.Arrays.asList("x", null)));
        nasties.add(List.of("ok", "n\0ul"));
        nasties.add(Map.of(1, "x"));
        nasties.add(Map.of("", "x"));
        nasties.add(Map.of("A=B", "x"));
        nasties.add(Map.of("A", "v\0"));
        nasties.add(new HashMap<>(java.util.Collections.singletonMap("A", null)));
        nasties.add(new byte[] {1, 2});
        nasties.add(Path.of("/tmp"));
        nasties.add(new String[] {"a"});
        nasties.add(List.of("a", "b"));
        nasties.add(Map.of("K", "V"));
        nasties.add(null);
        return Arbitraries.oneOf(any.map(s -> (Object) s), Arbitraries.of(nasties));
    }
}
