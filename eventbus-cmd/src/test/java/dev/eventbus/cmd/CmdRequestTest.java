package dev.eventbus.cmd;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class CmdRequestTest {

    @Test
    void builderDefaultsToNoArgumentsTheInheritedEnvironmentAndTheBusCap() {
        CmdRequest r = CmdRequest.builder("ls").build();
        assertEquals("ls", r.executable());
        assertEquals(List.of(), r.args());
        assertNull(r.cwd());
        assertEquals(Map.of(), r.env());
        assertEquals(Set.of(), r.unsetEnv());
        assertTrue(r.inheritEnv());
        assertNull(r.stdin());
        assertNull(r.stdinFile());
        assertNull(r.stdoutFile());
        assertNull(r.stderrFile());
        assertEquals(0, r.outputCap());
        assertEquals(List.of("ls"), r.commandLine());
    }

    @Test
    void builderSetsEveryOption() {
        CmdRequest r = CmdRequest.builder("tool").args(List.of("a", "b")).cwd(Path.of("/tmp")).env("K", "v")
                .unsetEnv("HOME").stdinFile(Path.of("in")).stdoutFile(Path.of("out")).stderrFile(Path.of("err"))
                .outputCap(10).build();
        assertEquals(List.of("tool", "a", "b"), r.commandLine());
        assertEquals(Path.of("/tmp"), r.cwd());
        assertEquals(Map.of("K", "v"), r.env());
        assertEquals(Set.of("HOME"), r.unsetEnv());
        assertEquals(Path.of("in"), r.stdinFile());
        assertEquals(Path.of("out"), r.stdoutFile());
        assertEquals(Path.of("err"), r.stderrFile());
        assertEquals(10, r.outputCap());
        assertFalse(CmdRequest.builder("x").clearEnv().build().inheritEnv());
    }

    @Test
    void collectionsAreCopiedInAndUnmodifiableOut() {
        List<String> args = new ArrayList<>(List.of("a"));
        CmdRequest r = CmdRequest.builder("echo").args(args).build();
        args.add("b");
        assertEquals(List.of("a"), r.args());
        assertThrows(UnsupportedOperationException.class, () -> r.args().add("c"));
        assertThrows(UnsupportedOperationException.class, () -> r.env().put("K", "v"));
    }

    @Test
    void stdinBytesAreCopiedInAndOut() {
        byte[] bytes = {1, 2, 3};
        CmdRequest r = CmdRequest.builder("cat").stdin(bytes).build();
        bytes[0] = 9;
        r.stdin()[1] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, r.stdin());
    }

    @Test
    void pathsOfAnotherFileSystemAreRejected(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        // The command sees the operating system's files only: a zip (or in-memory) file system's "/" is not "/", and
        // its path string would name a file of the host.
        try (java.nio.file.FileSystem zip = java.nio.file.FileSystems.newFileSystem(dir.resolve("fs.zip"),
                Map.of("create", "true"))) {
            Path inZip = zip.getPath("/out.log");
            String expected = "stdoutFile must be a path of the default file system, got " + inZip + " in "
                    + zip.provider().getScheme() + ":";
            assertEquals(expected, assertThrows(IllegalArgumentException.class,
                    () -> CmdRequest.builder("echo").stdoutFile(inZip).build()).getMessage());
            assertEquals(expected.replace("stdoutFile", "cwd"), assertThrows(IllegalArgumentException.class,
                    () -> CmdRequest.builder("echo").cwd(inZip).build()).getMessage());
            assertEquals(expected.replace("stdoutFile", "stdinFile"), assertThrows(IllegalArgumentException.class,
                    () -> CmdRequest.builder("echo").stdinFile(inZip).build()).getMessage());
            assertEquals(expected.replace("stdoutFile", "stderrFile"), assertThrows(IllegalArgumentException.class,
                    () -> CmdRequest.fromMap(Map.of("executable", "echo", "stderr_file", inZip))).getMessage());
        }
    }

    @Test
    void equalRequestsAreEqualIncludingTheirStdinBytes() {
        CmdRequest a = CmdRequest.builder("cat").stdin(new byte[] {1}).build();
        CmdRequest b = CmdRequest.builder("cat").stdin(new byte[] {1}).build();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, CmdRequest.builder("cat").stdin(new byte[] {2}).build());
        assertEquals("CmdRequest[cat], stdin=1 bytes", a.toString());
    }

    @Test
    void aBlankExecutableIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CmdRequest.builder(" "));
        assertEquals("executable must not be blank: ' '", e.getMessage());
        NullPointerException n = assertThrows(NullPointerException.class, () -> CmdRequest.builder(null));
        assertEquals("executable", n.getMessage());
    }

    @Test
    void aNullArgumentIsRejectedNamingItsIndex() {
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> CmdRequest.builder("echo").args("a", null));
        assertEquals("args[1]", e.getMessage());
    }

    @Test
    void aNulCharacterInAnArgumentIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CmdRequest.of("echo", "a\0b"));
        assertEquals("args[0] must not contain a NUL character: 'a\\0b'", e.getMessage());
    }

    @Test
    void theBuilderRejectsABadValueWhereItIsGivenNotAtBuild(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        // builder(...) checked only blankness and env(...) only the name: a NUL character passed both and failed at
        // build(), away from the call that gave it (args(...) already failed at once).
        assertEquals("executable must not contain a NUL character: 'a\\0b'",
                assertThrows(IllegalArgumentException.class, () -> CmdRequest.builder("a\0b")).getMessage());
        assertEquals("env value of K must not contain a NUL character: 'v\\0w'",
                assertThrows(IllegalArgumentException.class,
                        () -> CmdRequest.builder("echo").env("K", "v\0w")).getMessage());
        try (java.nio.file.FileSystem zip = java.nio.file.FileSystems.newFileSystem(dir.resolve("fs.zip"),
                Map.of("create", "true"))) {
            Path inZip = zip.getPath("/f");
            String tail = " must be a path of the default file system, got " + inZip + " in "
                    + zip.provider().getScheme() + ":";
            CmdRequest.Builder b = CmdRequest.builder("echo");
            assertEquals("cwd" + tail, assertThrows(IllegalArgumentException.class, () -> b.cwd(inZip)).getMessage());
            assertEquals("stdinFile" + tail,
                    assertThrows(IllegalArgumentException.class, () -> b.stdinFile(inZip)).getMessage());
            assertEquals("stdoutFile" + tail,
                    assertThrows(IllegalArgumentException.class, () -> b.stdoutFile(inZip)).getMessage());
            assertEquals("stderrFile" + tail,
                    assertThrows(IllegalArgumentException.class, () -> b.stderrFile(inZip)).getMessage());
            assertEquals(CmdRequest.builder("echo").build(), b.build()); // a rejected value sets nothing
        }
    }

    @Test
    void settingAnOptionTwiceIsRejected() {
        CmdRequest.Builder b = CmdRequest.builder("echo").args("a").cwd(Path.of("/")).env("K", "v")
                .stdoutFile(Path.of("o")).stderrFile(Path.of("e")).outputCap(5).stdin(new byte[0]);
        assertEquals("args is already set: [a]", assertThrows(IllegalStateException.class,
                () -> b.args("b")).getMessage());
        assertEquals("cwd is already set: /", assertThrows(IllegalStateException.class,
                () -> b.cwd(Path.of("/tmp"))).getMessage());
        assertEquals("Environment variable 'K' is already set or unset", assertThrows(IllegalStateException.class,
                () -> b.env("K", "w")).getMessage());
        assertEquals("Environment variable 'K' is already set or unset", assertThrows(IllegalStateException.class,
                () -> b.unsetEnv("K")).getMessage());
        assertEquals("stdoutFile is already set: o", assertThrows(IllegalStateException.class,
                () -> b.stdoutFile(Path.of("x"))).getMessage());
        assertEquals("stderrFile is already set: e", assertThrows(IllegalStateException.class,
                () -> b.stderrFile(Path.of("x"))).getMessage());
        assertEquals("outputCap is already set: 5", assertThrows(IllegalStateException.class,
                () -> b.outputCap(6)).getMessage());
        assertEquals("stdin is already set: 0 bytes", assertThrows(IllegalStateException.class,
                () -> b.stdinFile(Path.of("in"))).getMessage());
        assertEquals("clearEnv is already set: false", assertThrows(IllegalStateException.class,
                () -> CmdRequest.builder("x").clearEnv().clearEnv()).getMessage());
    }

    @Test
    void badEnvironmentNamesAreRejected() {
        assertEquals("Environment variable name must be non-empty and without '=': 'A=B'",
                assertThrows(IllegalArgumentException.class, () -> CmdRequest.builder("x").env("A=B", "v"))
                        .getMessage());
        assertEquals("Environment variable name must be non-empty and without '=': ''",
                assertThrows(IllegalArgumentException.class, () -> CmdRequest.builder("x").unsetEnv(""))
                        .getMessage());
    }

    @Test
    void aNonPositiveOutputCapIsRejected() {
        assertEquals("outputCap must be > 0: 0", assertThrows(IllegalArgumentException.class,
                () -> CmdRequest.builder("x").outputCap(0)).getMessage());
        assertEquals("outputCap must be > 0, or 0 for the bus's cmdOutputCap: -1",
                assertThrows(IllegalArgumentException.class, () -> new CmdRequest("x", List.of(), null, Map.of(),
                        Set.of(), true, null, null, null, null, -1)).getMessage());
    }

    @Test
    void theCanonicalConstructorRejectsContradictions() {
        assertEquals("Give stdin bytes or a stdinFile, not both (stdinFile: in)",
                assertThrows(IllegalArgumentException.class, () -> new CmdRequest("x", List.of(), null, Map.of(),
                        Set.of(), true, new byte[0], Path.of("in"), null, null, 0)).getMessage());
        assertEquals("Environment variable 'K' is both set and unset",
                assertThrows(IllegalArgumentException.class, () -> new CmdRequest("x", List.of(), null,
                        Map.of("K", "v"), Set.of("K"), true, null, null, null, null, 0)).getMessage());
    }

    @Test
    void aMapWithTheGuidesKeysBecomesARequest() {
        CmdRequest r = CmdRequest.fromMap(Map.of("executable", "python", "args", List.of("script.py", "--in"),
                "cwd", "/work", "env", Map.of("K", "v"), "stdin", "text", "stdout_file", "/tmp/o.log",
                "stderr_file", Path.of("/tmp/e.log")));
        assertEquals(CmdRequest.builder("python").args("script.py", "--in").cwd(Path.of("/work")).env("K", "v")
                .stdin("text".getBytes(java.nio.charset.StandardCharsets.UTF_8)).stdoutFile(Path.of("/tmp/o.log"))
                .stderrFile(Path.of("/tmp/e.log")).build(), r);
        assertArrayEquals(new byte[] {7}, CmdRequest.fromMap(Map.of("executable", "x", "stdin", new byte[] {7}))
                .stdin());
    }

    @Test
    void cmdResultValidatesItsFields() {
        CmdResult ok = new CmdResult(0, "out", "", Duration.ofMillis(3), false);
        assertTrue(ok.succeeded());
        assertFalse(new CmdResult(1, "", "", Duration.ZERO, true).succeeded());
        assertEquals("stdout", assertThrows(NullPointerException.class,
                () -> new CmdResult(0, null, "", Duration.ZERO, false)).getMessage());
        assertEquals("duration must not be negative: PT-1S", assertThrows(IllegalArgumentException.class,
                () -> new CmdResult(0, "", "", Duration.ofSeconds(-1), false)).getMessage());
    }
}
