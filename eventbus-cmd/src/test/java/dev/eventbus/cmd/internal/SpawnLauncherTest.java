package dev.eventbus.cmd.internal;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs every {@link CmdExecutorTest} check with the {@code posix_spawn} launcher. Surefire grants this JVM native
 * access ({@code --enable-native-access=ALL-UNNAMED}), so the launcher must be available here.
 */
@Timeout(60)
class SpawnLauncherTest extends CmdExecutorTest {

    @BeforeAll
    static void launcherIsAvailable() {
        assertTrue(SpawnLauncher.available(), "posix_spawn launcher: " + SpawnLauncher.unavailableReason());
    }

    @Override
    Launcher launcher() {
        return new SpawnLauncher();
    }

    @Test
    void theLauncherIsChosenByDefaultWhenAvailable() {
        assertEquals("posix_spawn", Launchers.preferred().name());
    }
}
