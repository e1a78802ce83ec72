package dev.eventbus.corelet.internal;

/**
 * Every test of {@link CoreletFailureTest} again with the Unix-domain socket, the transport workers fall back to where
 * {@code mkfifo} cannot be run: crashes, timeouts, idle retirement and close end the same way over it.
 */
class CoreletSocketFallbackTest extends CoreletFailureTest {

    @Override
    WorkerProcess.Transport transport() {
        return WorkerProcess.Transport.SOCKET;
    }
}
