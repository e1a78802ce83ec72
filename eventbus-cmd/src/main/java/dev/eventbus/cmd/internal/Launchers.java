package dev.eventbus.cmd.internal;

/**
 * Chooses the launcher. Stateless.
 */
final class Launchers {

    /** System property forcing a launcher: {@code jdk} ({@link ProcessBuilder}) or {@code spawn} (FFM). */
    static final String PROPERTY = "dev.eventbus.cmd.launcher";

    private Launchers() {
    }

    /**
     * Returns the launcher to use: {@link ProcessBuilder}, unless the property asks for another.
     *
     * @return the launcher
     */
    static Launcher preferred() {
        return new JdkLauncher();
    }
}
