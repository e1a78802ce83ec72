package dev.eventbus.cmd.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Drains one output pipe of a command until end-of-file, keeping at most {@code cap} bytes and dropping the rest,
 * so the command never blocks on a full pipe however much it writes. Either runs in a thread of its own
 * ({@link #run()}), or is pumped by the thread that waits for the command, one read each time the pipe is ready
 * ({@link #readReady()}); the other methods may be called from any thread. The owner that stops waiting before
 * end-of-file calls {@link #cut()}: the capture then keeps what it read until then and reads as truncated.
 */
final class Capture implements Runnable {

    private static final int CHUNK = 64 * 1024;

    private final InputStream in;
    private final int cap;
    private final CountDownLatch done = new CountDownLatch(1);
    private byte[] bytes = new byte[0];
    private int size;
    private long total;
    /** End-of-file was read: the capture holds everything the pipe carried (up to the cap). Guarded by this. */
    private boolean ended;
    /** Reading stopped before end-of-file: what was read is all the result gets. Guarded by this. */
    private boolean cut;
    /** Set by {@link #run()} before it counts {@link #done} down, if it stopped on an exception or error of ours. */
    private volatile Throwable failure;
    /** The buffer of {@link #readReady()}, made on first use; touched by the pumping thread only. */
    private byte[] pumpChunk;

    Capture(InputStream in, int cap) {
        this.in = in;
        this.cap = cap;
    }

    @Override
    public void run() {
        byte[] chunk = new byte[CHUNK];
        try (in) {
            int n;
            while ((n = in.read(chunk)) >= 0) {
                append(chunk, n);
            }
            markEnded();
        } catch (IOException e) {
            // The pipe was closed under us (the run gave up waiting), or failed: keep what was read, which is not all.
            cut();
        } catch (RuntimeException | Error e) {
            // Our failure, not the pipe's (an OutOfMemoryError as the buffer grows): kept for the owner to throw, as
            // a pumping thread's read throws it, so that the event's result carries it instead of part of the output
            // passed for all of it.
            failure = e;
            cut();
        } finally {
            done.countDown();
        }
    }

    /**
     * Returns what made {@link #run()} stop reading, other than a failed read of the pipe.
     *
     * @return the exception or error, or null
     */
    Throwable failure() {
        return failure;
    }

    /**
     * Reads once from a pipe known to be readable (data waiting, or end-of-file), so the read does not block.
     * Called by one thread only, instead of {@link #run()}.
     *
     * @return false once end-of-file is reached (the stream is then closed)
     */
    boolean readReady() {
        if (done.getCount() == 0) {
            return false;
        }
        if (pumpChunk == null) {
            pumpChunk = new byte[CHUNK];
        }
        try {
            int n = in.read(pumpChunk);
            if (n >= 0) {
                append(pumpChunk, n);
                return true;
            }
            markEnded();
        } catch (IOException e) {
            // Closed under us, or failed: keep what was read, which is not all.
            cut();
        }
        finish();
        return false;
    }

    /**
     * Stops taking output, unless end-of-file was already read: from now on the capture keeps what it holds, reads
     * as {@link #truncated()}, and drops whatever a reader still appends (so the text and the flag stay consistent
     * while a reader thread runs on). Does not close the stream. Idempotent.
     */
    synchronized void cut() {
        if (!ended) {
            cut = true;
        }
    }

    private synchronized void markEnded() {
        if (!cut) {
            ended = true;
        }
    }

    /** Closes the stream and marks the capture done: what was read is what is kept. Idempotent. */
    void finish() {
        Redirects.closeQuietly(in);
        done.countDown();
    }

    /**
     * Returns whether end-of-file was reached (or the capture was finished).
     *
     * @return true once drained
     */
    boolean isDone() {
        return done.getCount() == 0;
    }

    private synchronized void append(byte[] chunk, int n) {
        if (cut) {
            return;
        }
        total += n;
        int keep = Math.min(n, cap - size);
        if (keep <= 0) {
            return;
        }
        if (size + keep > bytes.length) {
            bytes = Arrays.copyOf(bytes, (int) Math.min(cap, Math.max(size + keep, 2L * bytes.length + CHUNK)));
        }
        System.arraycopy(chunk, 0, bytes, size, keep);
        size += keep;
    }

    /**
     * Waits until the pipe reached end-of-file.
     *
     * @param timeout how long to wait
     * @param unit its unit
     * @return true if drained
     * @throws InterruptedException if interrupted while waiting
     */
    boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return done.await(timeout, unit);
    }

    /**
     * Returns whether the kept output is not all the command wrote: it wrote more than the cap, or reading stopped
     * before end-of-file ({@link #cut()}, or a failed read).
     *
     * @return true if output was dropped or never read
     */
    synchronized boolean truncated() {
        return total > cap || cut;
    }

    /**
     * Returns the kept bytes as UTF-8 text. When output was cut, at the cap or by {@link #cut()}, a character split by
     * the cut is dropped rather than turned into U+FFFD: its last bytes were dropped, or may never have been read.
     *
     * @return the text
     */
    synchronized String text() {
        int end = size;
        if (total > size || cut) {
            end = completeCharacters(bytes, size);
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    /** Returns the length of the longest prefix of {@code b[0..n)} that does not end inside a UTF-8 sequence. */
    static int completeCharacters(byte[] b, int n) {
        int i = n - 1;
        int back = 0;
        while (i >= 0 && back < 3 && (b[i] & 0xC0) == 0x80) {
            i--;
            back++;
        }
        if (i < 0) {
            return n;
        }
        int lead = b[i] & 0xFF;
        int length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        return length > back + 1 ? i : n;
    }
}
