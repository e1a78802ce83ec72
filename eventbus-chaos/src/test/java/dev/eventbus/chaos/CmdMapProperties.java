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

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CMD map form under random maps, through the CMD executor's publish-time validation: a map that a model of
 * DESIGN.md's rules calls valid is accepted and converted exactly; any other is rejected with an
 * InvalidEventException naming an offending key. Nothing is run. Seeded random cases ({@link RandomCases}).
 */
class CmdMapProperties {

    private static final List<String> KEYS = List.of("executable", "args", "cwd", "env", "stdin", "stdout_file",
            "stderr_file");
    private static ModeExecutor cmd;

    @BeforeAll
    static void createExecutor() {
        ExecutionModeProvider provider = ServiceLoader.load(ExecutionModeProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.mode().equals(ExecutionMode.CMD)).findFirst()
                .orElseThrow();
        cmd = provider.create(EventBusConfig.defaults(new EventFactory()));
    }

    @AfterAll
    static void closeExecutor() {
        cmd.close();
    }

    @Test
    void validMapsAreAcceptedAndInvalidOnesRejectedNamingTheKey() {
        int[] validAndInvalid = new int[2];
        int checked = RandomCases.forAll("CMD map", 1000, CmdMapProperties::map, map -> {
            Event event = Event.builder("cmd-props").mode(ExecutionMode.CMD).data(map).build();
            List<String> invalid = invalidKeys(map);
            validAndInvalid[invalid.isEmpty() ? 0 : 1]++;
            if (invalid.isEmpty()) {
                cmd.validate(event);
                assertConvertedExactly(map, CmdRequest.fromMap(map));
            } else {
                InvalidEventException e = assertThrows(InvalidEventException.class, () -> cmd.validate(event),
                        "invalid keys " + invalid + " in " + RandomCases.describe(map));
                String message = e.getMessage().toLowerCase(Locale.ROOT);
                assertTrue(invalid.stream().anyMatch(k -> message.contains(k.toLowerCase(Locale.ROOT))
                        || k.equals("env") && message.contains("environment")),
                        "message must name one of " + invalid + ": " + e.getMessage());
            }
        });
        if (checked == 1000) { // coverage: both kinds of map are well represented (not when replaying one case)
            assertTrue(validAndInvalid[0] > 150 && validAndInvalid[1] > 150, "valid / invalid maps: "
                    + validAndInvalid[0] + " / " + validAndInvalid[1] + " (base seed " + RandomCases.BASE_SEED + ")");
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

    /**
     * First a few edge maps (empty, minimal, every key, a null or blank executable), then validish maps (3 in 5) or
     * random maps of up to 8 keys, mostly the known ones, with any values (2 in 5).
     */
    static Map<Object, Object> map(RandomCases.Draw d) {
        if (d.index < 6) {
            Map<Object, Object> edge = new HashMap<>();
            switch (d.index) {
                case 0 -> { }
                case 1 -> edge.put("executable", "true");
                case 2 -> {
                    edge.put("executable", "sh");
                    for (String k : KEYS.subList(1, KEYS.size())) {
                        edge.put(k, goodValue(d, k));
                    }
                }
                case 3 -> edge.put("executable", null);
                case 4 -> edge.put("executable", " ");
                default -> {
                    edge.put("executable", "sh");
                    edge.put("args", List.of());
                    edge.put("env", Map.of());
                    edge.put("stdin", new byte[0]);
                }
            }
            return edge;
        }
        if (d.weighted(3, 2) == 0) {
            return validish(d);
        }
        Map<Object, Object> map = new HashMap<>();
        int size = d.between(0, 8);
        for (int i = 0; i < size; i++) {
            Object key = switch (d.weighted(12, 1, 1, 1)) {
                case 0 -> d.of(KEYS);
                case 1 -> d.anyString(8);
                case 2 -> d.of(List.of("EXECUTABLE", "stdout", "argv", "Args"));
                default -> d.someInt();
            };
            map.put(key, value(d));
        }
        return map;
    }

    /** Maps with a plausible executable and plausible values, mutated now and then (2 in 10). */
    private static Map<Object, Object> validish(RandomCases.Draw d) {
        Map<Object, Object> m = new LinkedHashMap<>();
        m.put("executable", d.of(List.of("sh", "/bin/true", "true", "echo")));
        for (String k : d.subsetOf(KEYS.subList(1, KEYS.size()))) {
            m.put(k, goodValue(d, k));
        }
        if (d.between(0, 9) > 1) {
            return m;
        }
        Map<Object, Object> copy = new HashMap<>(m);
        copy.put(d.of(KEYS), value(d));
        return copy;
    }

    private static String text(RandomCases.Draw d) {
        String s;
        do {
            s = d.stringOf("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./ ", 1, 12);
        } while (s.isBlank());
        return s;
    }

    private static Object goodValue(RandomCases.Draw d, String key) {
        return switch (key) {
            case "args" -> {
                List<String> args = new ArrayList<>();
                for (int i = d.between(0, 4); i > 0; i--) {
                    args.add(text(d));
                }
                yield args;
            }
            case "env" -> {
                Map<String, String> env = new HashMap<>();
                for (int i = d.between(0, 3); i > 0; i--) {
                    env.put(d.stringOf("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", 1, 6), text(d));
                }
                yield env;
            }
            case "stdin" -> d.nextBoolean() ? text(d) : d.bytes(0, 16);
            default -> d.nextBoolean() ? "/tmp/" + text(d) : Path.of(text(d));
        };
    }

    /** Any value at all: right and wrong types, blanks, NULs, nulls, nested wrong types (1 in 2 a nasty one). */
    private static Object value(RandomCases.Draw d) {
        if (d.nextBoolean()) {
            return d.anyString(10);
        }
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
        return d.of(nasties);
    }
}
