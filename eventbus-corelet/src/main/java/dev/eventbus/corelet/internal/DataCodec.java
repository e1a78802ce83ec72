package dev.eventbus.corelet.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Encodes an event's data and a result's data for the wire. The values most events carry (a {@link String}, an
 * {@link Integer}, {@link Long}, {@link Double} or {@link Boolean}, a {@code byte[]}) are written directly after a
 * one-byte tag; anything else is Java-serialized after its own tag.
 *
 * <p>Why: Java serialization costs a new object stream with its header and class descriptors on each side of each
 * crossing; without it two busy workers went from 50-56 to 38-42 µs per event on a 2-core VM. The direct forms also
 * load no class by name, so there is nothing for the parent's reply filter to judge. Strings are encoded losslessly
 * (Latin-1 when every char fits, else UTF-16 chars), unpaired surrogates included, as Java serialization keeps them.
 *
 * <p>Stateless and thread-safe.
 */
final class DataCodec {

    static final byte SERIALIZED = 0;
    static final byte LATIN1_STRING = 1;
    static final byte UTF16_STRING = 2;
    static final byte INTEGER = 3;
    static final byte LONG = 4;
    static final byte DOUBLE = 5;
    static final byte BOOLEAN = 6;
    static final byte BYTES = 7;

    /** Opens the stream that Java-serializes a value that has no direct form. */
    @FunctionalInterface
    interface SerializingStream {
        ObjectOutputStream open(ByteArrayOutputStream bytes) throws IOException;
    }

    /** Opens the stream that reads a Java-serialized value back (with whatever filter the reader needs). */
    @FunctionalInterface
    interface DeserializingStream {
        ObjectInputStream open(ByteArrayInputStream bytes) throws IOException;
    }

    /**
     * Plain {@code java.io} object streams, unfiltered: the worker's, which trusts its parent. A class, not method
     * references: the worker's start path has no lambda (see {@link CoreletWorkerMain}).
     */
    static final class PlainStreams implements SerializingStream, DeserializingStream {
        @Override
        public ObjectOutputStream open(ByteArrayOutputStream bytes) throws IOException {
            return new ObjectOutputStream(bytes);
        }

        @Override
        public ObjectInputStream open(ByteArrayInputStream bytes) throws IOException {
            return new ObjectInputStream(bytes);
        }
    }

    /** The one {@link PlainStreams}. */
    static final PlainStreams PLAIN = new PlainStreams();

    private DataCodec() {
    }

    /**
     * Encodes a value.
     *
     * @param data the value, not null
     * @param serializing the stream for values without a direct form
     * @return the tagged bytes
     * @throws IOException if Java serialization fails (for example {@link java.io.NotSerializableException})
     */
    static byte[] encode(Object data, SerializingStream serializing) throws IOException {
        // instanceof, not a pattern switch over the types: the first run of a type switch generates a class at run
        // time (SwitchBootstraps), 15 ms of every CORELET worker's cold start.
        if (data instanceof String s) {
            return string(s);
        }
        if (data instanceof Integer i) {
            return ByteBuffer.allocate(5).put(INTEGER).putInt(i).array();
        }
        if (data instanceof Long l) {
            return ByteBuffer.allocate(9).put(LONG).putLong(l).array();
        }
        if (data instanceof Double d) {
            return ByteBuffer.allocate(9).put(DOUBLE).putLong(Double.doubleToRawLongBits(d)).array();
        }
        if (data instanceof Boolean b) {
            return new byte[] {BOOLEAN, (byte) (b ? 1 : 0)};
        }
        if (data instanceof byte[] bytes) {
            byte[] tagged = new byte[bytes.length + 1];
            tagged[0] = BYTES;
            System.arraycopy(bytes, 0, tagged, 1, bytes.length);
            return tagged;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        bytes.write(SERIALIZED);
        try (ObjectOutputStream out = serializing.open(bytes)) {
            out.writeObject(data);
        }
        return bytes.toByteArray();
    }

    private static byte[] string(String s) {
        int n = s.length();
        boolean latin1 = true;
        for (int i = 0; i < n && latin1; i++) {
            latin1 = s.charAt(i) < 0x100;
        }
        if (latin1) {
            byte[] chars = s.getBytes(StandardCharsets.ISO_8859_1); // exact: every char is below 0x100
            byte[] tagged = new byte[n + 1];
            tagged[0] = LATIN1_STRING;
            System.arraycopy(chars, 0, tagged, 1, n);
            return tagged;
        }
        ByteBuffer buffer = ByteBuffer.allocate(1 + 2 * n).put(UTF16_STRING);
        for (int i = 0; i < n; i++) {
            buffer.putChar(s.charAt(i));
        }
        return buffer.array();
    }

    /**
     * Decodes what {@link #encode} wrote.
     *
     * @param bytes the tagged bytes
     * @param deserializing the stream for Java-serialized values
     * @return the value
     * @throws IOException if the bytes are malformed or Java deserialization fails
     * @throws ClassNotFoundException if a serialized class cannot be found
     */
    static Object decode(byte[] bytes, DeserializingStream deserializing) throws IOException, ClassNotFoundException {
        if (bytes.length == 0) {
            throw new Frames.ProtocolException("empty data encoding");
        }
        int length = bytes.length - 1;
        ByteBuffer body = ByteBuffer.wrap(bytes, 1, length);
        return switch (bytes[0]) {
            case LATIN1_STRING -> new String(bytes, 1, length, StandardCharsets.ISO_8859_1);
            case UTF16_STRING -> {
                if (length % 2 != 0) {
                    throw new Frames.ProtocolException("odd UTF-16 string length " + length);
                }
                char[] chars = new char[length / 2];
                body.asCharBuffer().get(chars);
                yield new String(chars);
            }
            case INTEGER -> fixed(body, 4).getInt();
            case LONG -> fixed(body, 8).getLong();
            case DOUBLE -> Double.longBitsToDouble(fixed(body, 8).getLong());
            case BOOLEAN -> fixed(body, 1).get() != 0;
            case BYTES -> Arrays.copyOfRange(bytes, 1, bytes.length);
            case SERIALIZED -> {
                try (ObjectInputStream in = deserializing.open(new ByteArrayInputStream(bytes, 1, length))) {
                    yield in.readObject();
                }
            }
            default -> throw new Frames.ProtocolException("unknown data encoding " + bytes[0]);
        };
    }

    private static ByteBuffer fixed(ByteBuffer body, int size) throws Frames.ProtocolException {
        if (body.remaining() != size) {
            throw new Frames.ProtocolException("a " + size + "-byte value encoded in " + body.remaining() + " bytes");
        }
        return body;
    }
}
