package dev.eventbus.corelet.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The wire protocol between the parent and a worker JVM: length-delimited frames.
 *
 * <pre>
 * int magic, byte version, byte kind, string eventId, int payloadLength, byte[payloadLength] payload
 * </pre>
 *
 * Strings are an int byte count and UTF-8 bytes (-1 for null). Payloads are plain {@link DataOutputStream} data;
 * the event's data and a business result's data are encoded by {@link DataCodec}: common JDK values directly, others
 * Java-serialized (and filtered on the parent's side).
 * Stateless; the streams passed in must not be shared between threads.
 */
final class Frames {

    static final int MAGIC = 0x45424331; // "EBC1"
    /** 3: a {@link #RETURNED_EXCEPTION} reply carries the result's data after the exception. */
    static final byte VERSION = 3;

    /** Worker → parent, once: token and pid. */
    static final byte HELLO = 1;
    /** Parent → worker: run an event. */
    static final byte REQUEST = 2;
    /** Worker → parent: the handler returned a business result (success flag, serialized data). */
    static final byte RESULT = 3;
    /** Worker → parent: the handler threw (retried). */
    static final byte THREW = 4;
    /** Worker → parent: the handler returned an exception result (final): the exception, then its serialized data. */
    static final byte RETURNED_EXCEPTION = 5;
    /** Worker → parent: the handler could not be found or is not a handler (final). */
    static final byte LOAD_FAILED = 6;

    /** The longest event id a reader accepts unless told more: what an event's own id needs, see {@link #maxIdBytes}. */
    private static final int MAX_ID_BYTES = 1024;
    private static final int MAX_CAUSES = 16;
    private static final int MAX_FRAMES = 4096;
    /**
     * The longest exception message sent, in chars; longer ones are cut, saying how much is left out. Without a cap an
     * exception whose message was larger than a whole reply ({@link ReplyFilter#MAX_REPLY_BYTES}) was not reported as
     * thrown at all: its oversized reply failed the event for good, and cost the healthy worker its life.
     */
    static final int MAX_MESSAGE_CHARS = 64 * 1024;

    private Frames() {
    }

    /** A received frame. */
    record Frame(byte kind, String eventId, byte[] payload) {
    }

    /** Thrown for a frame that is not ours, or too large to accept. */
    static final class ProtocolException extends IOException {
        private static final long serialVersionUID = 1L;

        ProtocolException(String message) {
            super(message);
        }
    }

    /** Thrown for a frame whose payload exceeds the reader's limit; nothing of the payload was read. */
    static final class OversizedFrameException extends IOException {
        private static final long serialVersionUID = 1L;
        final String eventId;
        final long length;

        OversizedFrameException(String eventId, long length, long limit) {
            super("frame of " + length + " bytes exceeds the limit of " + limit + " bytes");
            this.eventId = eventId;
            this.length = length;
        }
    }

    static void write(DataOutputStream out, byte kind, String eventId, byte[] payload) throws IOException {
        out.writeInt(MAGIC);
        out.writeByte(VERSION);
        out.writeByte(kind);
        writeString(out, eventId);
        out.writeInt(payload.length);
        out.write(payload);
        out.flush();
    }

    /**
     * Reads one frame whose event id is at most 1024 bytes long.
     *
     * @return the frame, or null at a clean end of stream (before the first byte of a frame)
     */
    static Frame read(DataInputStream in, int maxPayload) throws IOException {
        return read(in, maxPayload, MAX_ID_BYTES);
    }

    /**
     * The id limit for the frames of an event: 1024 bytes, or what its id takes in UTF-8 (at most 3 bytes a char) if
     * that is more. Any non-blank id is valid ({@code Event.Builder.id}): a limit of 1024 bytes on both sides made a
     * worker unable to read the request of an event with a longer one, and it exited.
     */
    static int maxIdBytes(String eventId) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(MAX_ID_BYTES, 3L * eventId.length()));
    }

    /**
     * Reads one frame.
     *
     * @param maxIdBytes the longest event id accepted, in bytes
     * @return the frame, or null at a clean end of stream (before the first byte of a frame)
     */
    static Frame read(DataInputStream in, int maxPayload, int maxIdBytes) throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        int magic = (first << 24) | (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8)
                | in.readUnsignedByte();
        if (magic != MAGIC) {
            throw new ProtocolException("bad frame magic 0x" + Integer.toHexString(magic));
        }
        byte version = in.readByte();
        if (version != VERSION) {
            throw new ProtocolException("unsupported protocol version " + version + " (expected " + VERSION + ")");
        }
        byte kind = in.readByte();
        String eventId = readString(in, maxIdBytes);
        int length = in.readInt();
        if (length < 0) {
            throw new ProtocolException("negative frame length " + length);
        }
        if (length > maxPayload) {
            throw new OversizedFrameException(eventId, length, maxPayload);
        }
        byte[] payload = new byte[length];
        in.readFully(payload);
        return new Frame(kind, eventId == null ? "" : eventId, payload);
    }

    static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static String readString(DataInputStream in, int maxBytes) throws IOException {
        int length = in.readInt();
        if (length == -1) {
            return null;
        }
        if (length < 0 || length > maxBytes) {
            throw new ProtocolException("bad string length " + length);
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        if (bytes == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(bytes.length);
            out.write(bytes);
        }
    }

    static byte[] readBytes(DataInputStream in, int maxBytes) throws IOException {
        int length = in.readInt();
        if (length == -1) {
            return null;
        }
        if (length < 0 || length > maxBytes) {
            throw new ProtocolException("bad byte array length " + length);
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    /**
     * A payload being written: a {@link DataOutputStream} into memory. A stream, not a callback taking one: the
     * worker's start path has no lambda (see {@link CoreletWorkerMain}).
     */
    static final class Payload extends DataOutputStream {
        Payload() {
            super(new ByteArrayOutputStream(256));
        }

        /** @return what was written so far (a {@code DataOutputStream} does not buffer) */
        byte[] bytes() {
            return ((ByteArrayOutputStream) out).toByteArray();
        }
    }

    static DataInputStream payloadReader(byte[] payload) {
        return new DataInputStream(new ByteArrayInputStream(payload));
    }

    /** An exception as sent over the wire: never Java-serialized, so the parent loads none of its classes. */
    record ExceptionInfo(String className, String message, StackTraceElement[] stackTrace, ExceptionInfo cause) {
    }

    /**
     * Describes a handler's exception for the wire. Every part of it is the user's code ({@code getMessage},
     * {@code getCause} and {@code getStackTrace} can all be overridden) and may throw: a part that does is replaced by
     * what can still be said, so the parent gets the exception instead of a dead worker (the worker ended when this
     * threw, and the event came back as a crash, after a fresh JVM for every retry).
     */
    static ExceptionInfo describe(Throwable t) {
        List<Throwable> chain = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable c = t; c != null && chain.size() < MAX_CAUSES && seen.add(c); c = causeOf(c)) {
            chain.add(c);
        }
        ExceptionInfo info = null;
        for (int i = chain.size() - 1; i >= 0; i--) {
            Throwable c = chain.get(i);
            info = new ExceptionInfo(c.getClass().getName(), messageOf(c), stackTraceOf(c), info);
        }
        return info;
    }

    /**
     * A user's exception for a message: its {@code toString()}, or its class name when that throws (as a user's may,
     * in any way: a recursive one overflows the stack). A message built with the throwing one threw in place of the
     * clear exception it was for.
     */
    static String text(Throwable t) {
        try {
            return t.toString();
        } catch (Throwable e) {
            return t.getClass().getName() + " (its toString() threw " + e.getClass().getName() + ")";
        }
    }

    private static String messageOf(Throwable t) {
        String message;
        try {
            message = t.getMessage();
        } catch (Throwable e) {
            return "(getMessage() threw " + e.getClass().getName() + ")";
        }
        if (message == null || message.length() <= MAX_MESSAGE_CHARS) {
            return message;
        }
        return message.substring(0, MAX_MESSAGE_CHARS) + "... (" + (message.length() - MAX_MESSAGE_CHARS)
                + " more characters)";
    }

    private static Throwable causeOf(Throwable t) {
        try {
            return t.getCause();
        } catch (Throwable e) {
            return null;
        }
    }

    private static StackTraceElement[] stackTraceOf(Throwable t) {
        try {
            StackTraceElement[] trace = t.getStackTrace();
            return trace == null ? new StackTraceElement[0]
                    : java.util.Arrays.stream(trace).filter(java.util.Objects::nonNull).toArray(StackTraceElement[]::new);
        } catch (Throwable e) {
            return new StackTraceElement[0];
        }
    }

    static void writeException(DataOutputStream out, ExceptionInfo info) throws IOException {
        int depth = 0;
        for (ExceptionInfo e = info; e != null; e = e.cause()) {
            depth++;
        }
        out.writeInt(depth);
        for (ExceptionInfo e = info; e != null; e = e.cause()) {
            writeString(out, e.className());
            writeString(out, e.message());
            StackTraceElement[] trace = e.stackTrace();
            int n = Math.min(trace.length, MAX_FRAMES);
            out.writeInt(n);
            for (int i = 0; i < n; i++) {
                StackTraceElement el = trace[i];
                writeString(out, el.getClassLoaderName());
                writeString(out, el.getModuleName());
                writeString(out, el.getModuleVersion());
                writeString(out, el.getClassName());
                writeString(out, el.getMethodName());
                writeString(out, el.getFileName());
                out.writeInt(el.getLineNumber());
            }
        }
    }

    static ExceptionInfo readException(DataInputStream in, int maxString) throws IOException {
        int depth = in.readInt();
        if (depth < 1 || depth > MAX_CAUSES) {
            throw new ProtocolException("bad exception depth " + depth);
        }
        List<String> names = new ArrayList<>(depth);
        List<String> messages = new ArrayList<>(depth);
        List<StackTraceElement[]> traces = new ArrayList<>(depth);
        for (int d = 0; d < depth; d++) {
            String className = readString(in, maxString);
            if (className == null) {
                throw new ProtocolException("exception without a class name");
            }
            names.add(className);
            messages.add(readString(in, maxString));
            int n = in.readInt();
            if (n < 0 || n > MAX_FRAMES) {
                throw new ProtocolException("bad stack depth " + n);
            }
            StackTraceElement[] trace = new StackTraceElement[n];
            for (int i = 0; i < n; i++) {
                String loader = readString(in, maxString);
                String module = readString(in, maxString);
                String moduleVersion = readString(in, maxString);
                String declaring = readString(in, maxString);
                String method = readString(in, maxString);
                String file = readString(in, maxString);
                int line = in.readInt();
                trace[i] = new StackTraceElement(loader, module, moduleVersion,
                        declaring == null ? "?" : declaring, method == null ? "?" : method, file, line);
            }
            traces.add(trace);
        }
        ExceptionInfo info = null;
        for (int d = depth - 1; d >= 0; d--) {
            info = new ExceptionInfo(names.get(d), messages.get(d), traces.get(d), info);
        }
        return info;
    }

    /** What the parent sends a worker to run one attempt of an event. */
    record Request(String type, long epochSecond, int nano, String name, int priority, long timeoutMillis,
            int maxRetries, int attemptNumber, String moduleName, String className, byte[] data) {

        byte[] encode() throws IOException {
            Payload out = new Payload();
            writeString(out, type);
            out.writeLong(epochSecond);
            out.writeInt(nano);
            writeString(out, name);
            out.writeInt(priority);
            out.writeLong(timeoutMillis);
            out.writeInt(maxRetries);
            out.writeInt(attemptNumber);
            writeString(out, moduleName);
            writeString(out, className);
            writeBytes(out, data);
            return out.bytes();
        }

        static Request decode(byte[] payload) throws IOException {
            DataInputStream in = payloadReader(payload);
            int max = payload.length;
            return new Request(readString(in, max), in.readLong(), in.readInt(), readString(in, max), in.readInt(),
                    in.readLong(), in.readInt(), in.readInt(), readString(in, max), readString(in, max),
                    readBytes(in, max));
        }
    }
}
