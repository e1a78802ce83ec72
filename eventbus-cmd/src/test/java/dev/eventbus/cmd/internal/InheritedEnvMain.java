package dev.eventbus.cmd.internal;

import dev.eventbus.cmd.CmdRequest;

import java.nio.charset.StandardCharsets;

/**
 * Run by {@link SpawnLauncherTest} in a JVM whose environment holds {@code EVB_LATIN1}: prints, for each launcher,
 * the bytes of that variable as a command started by it sees them, in hexadecimal.
 */
public final class InheritedEnvMain {

    private InheritedEnvMain() {
    }

    public static void main(String[] args) throws Exception {
        for (Launcher launcher : new Launcher[] {new JdkLauncher(), new SpawnLauncher()}) {
            Child child = launcher.start(CmdRequest.of("sh", "-c", "printf %s \"$EVB_LATIN1\" | od -An -tx1"),
                    "env-test");
            String seen = new String(child.stdout().readAllBytes(), StandardCharsets.UTF_8).strip();
            int code = child.exitCode().get();
            child.release();
            System.out.println(launcher.name() + " " + seen + " " + code);
        }
    }
}
