package dev.eventbus.cmd.internal;

import java.lang.System.Logger.Level;

/**
 * Chooses the launcher: {@code posix_spawn} through FFM where it is available (Linux, native access enabled), else
 * {@link ProcessBuilder}. Stateless.
 */
final class Launchers {

    /**
     * System property forcing a launcher: {@code jdk} ({@link ProcessBuilder}) or {@code spawn} ({@code posix_spawn},
     * falling back to {@code jdk} with a warning when not available). Unset: {@code spawn} when available.
     */
    static final String PROPERTY = "dev.eventbus.cmd.launcher";

    private static final System.Logger LOG = System.getLogger("dev.eventbus.cmd");

    private Launchers() {
    }

    /**
     * Returns the launcher to use.
     *
     * @return the launcher
     */
    static Launcher preferred() {
        String choice = System.getProperty(PROPERTY, "auto");
        switch (choice) {
            case "jdk" -> {
                return new JdkLauncher();
            }
            case "spawn" -> {
                if (SpawnLauncher.available()) {
                    return new SpawnLauncher();
                }
                LOG.log(Level.WARNING, () -> PROPERTY + "=spawn but posix_spawn is not available ("
                        + SpawnLauncher.unavailableReason() + "); using ProcessBuilder");
                return new JdkLauncher();
            }
            default -> {
                if (!choice.equals("auto")) {
                    LOG.log(Level.WARNING, () -> "Unknown " + PROPERTY + "=" + choice + " (jdk or spawn); choosing"
                            + " automatically");
                }
                if (SpawnLauncher.available()) {
                    return new SpawnLauncher();
                }
                LOG.log(Level.DEBUG, () -> "CMD commands start with ProcessBuilder: posix_spawn is not available ("
                        + SpawnLauncher.unavailableReason() + ")");
                return new JdkLauncher();
            }
        }
    }
}
