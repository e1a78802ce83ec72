package dev.eventbus.cmd.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What only the {@link ProcessBuilder} launcher does; {@link CmdExecutorTest} runs the shared checks with it. */
@Timeout(60)
class JdkLauncherTest {

    @Test
    void aStartThatRunsOutOfMemoryForTheInputLeavesNoProcessBehind() throws Exception {
        // A 24 MiB input beside a 20 MiB ballast in a heap of about 60 MiB for large arrays: the request was built,
        // but one more copy of its input does not fit. The launcher may fail, but not after it started the command,
        // which nobody would then track, time out or kill.
        String classPath = String.join(File.pathSeparator, location(dev.eventbus.Event.class),
                location(dev.eventbus.cmd.CmdRequest.class), location(HugeStdinMain.class));
        Process jvm = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "-Xmx64m", "-Xmn4m", "-XX:+UseSerialGC", "-cp", classPath, HugeStdinMain.class.getName(), "24", "20")
                .redirectErrorStream(true).start();
        jvm.getOutputStream().close();
        String out = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(jvm.waitFor(30, TimeUnit.SECONDS), out);
        assertEquals(0, jvm.exitValue(), out);
        assertEquals("OutOfMemoryError\nchildren left: []\nballast 20\n", out);
    }

    private static String location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
