package dev.eventbus.runtime;

import java.io.IOException;
import java.nio.channels.spi.AbstractInterruptibleChannel;
import java.util.concurrent.CountDownLatch;

/**
 * An interruptible channel whose close runs the given code: {@code Thread.interrupt()} runs that close in the
 * interrupting thread (the bus's stopper) when the target is blocked in one of the channel's operations, so a test can
 * make the interrupt throw or block there.
 */
final class BlockingChannel extends AbstractInterruptibleChannel {

    private final Runnable onClose;

    BlockingChannel(Runnable onClose) {
        this.onClose = onClose;
    }

    @Override
    protected void implCloseChannel() {
        onClose.run();
    }

    /** Blocks "in an I/O operation" of this channel until the thread is interrupted. */
    void blockUntilInterrupted() throws IOException, InterruptedException {
        boolean completed = false;
        begin();
        try {
            new CountDownLatch(1).await();
            completed = true;
        } finally {
            end(completed);
        }
    }
}
