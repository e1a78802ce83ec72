package dev.eventbus.corelet.internal;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DataCodecTest {

    private static byte[] encode(Object value) throws IOException {
        return DataCodec.encode(value, ObjectOutputStream::new);
    }

    private static Object decode(byte[] bytes) throws Exception {
        return DataCodec.decode(bytes, ObjectInputStream::new);
    }

    @Test
    void directValuesRoundTripWithTheirOwnTagAndNoJavaSerialization() throws Exception {
        Map<Object, Byte> tags = Map.ofEntries(
                Map.entry("plain ascii", DataCodec.LATIN1_STRING),
                Map.entry("", DataCodec.LATIN1_STRING),
                Map.entry("café ÿ", DataCodec.LATIN1_STRING),
                Map.entry("snowman ☃ and clef 𝄞", DataCodec.UTF16_STRING),
                Map.entry("unpaired \uD800 and \uDC00 surrogates", DataCodec.UTF16_STRING),
                Map.entry(Integer.MIN_VALUE, DataCodec.INTEGER),
                Map.entry(Long.MAX_VALUE, DataCodec.LONG),
                Map.entry(-0.0d, DataCodec.DOUBLE),
                Map.entry(Double.NaN, DataCodec.DOUBLE),
                Map.entry(true, DataCodec.BOOLEAN),
                Map.entry(false, DataCodec.BOOLEAN));
        for (Map.Entry<Object, Byte> e : tags.entrySet()) {
            byte[] bytes = DataCodec.encode(e.getKey(), out -> {
                throw new AssertionError("Java serialization used for " + e.getKey());
            });
            assertEquals(e.getValue(), bytes[0], "tag of " + e.getKey());
            assertEquals(e.getKey(), DataCodec.decode(bytes, in -> {
                throw new AssertionError("Java deserialization used for " + e.getKey());
            }));
        }
    }

    @Test
    void byteArraysAreCopiedBothWays() throws Exception {
        byte[] original = {0, -1, 127, -128};
        byte[] encoded = encode(original);
        original[0] = 42;
        byte[] decoded = (byte[]) decode(encoded);
        assertArrayEquals(new byte[] {0, -1, 127, -128}, decoded);
        assertEquals(0, ((byte[]) decode(encode(new byte[0]))).length);
    }

    @Test
    void otherValuesAreJavaSerializedThroughTheGivenStreams() throws Exception {
        List<Object> value = new ArrayList<>(List.of(1, "two", 3.0));
        byte[] bytes = encode(value);
        assertEquals(DataCodec.SERIALIZED, bytes[0]);
        assertEquals(value, decode(bytes));
        // the reader's own stream is used, so its filter applies
        IOException rejected = assertThrows(IOException.class, () -> DataCodec.decode(bytes, in -> {
            ObjectInputStream filtered = new ObjectInputStream(in);
            filtered.setObjectInputFilter(info -> java.io.ObjectInputFilter.Status.REJECTED);
            return filtered;
        }));
        assertInstanceOf(java.io.InvalidClassException.class, rejected);
    }

    @Test
    void aValueThatCannotBeSerializedFailsToEncode() {
        assertThrows(NotSerializableException.class, () -> encode(List.of(new Object())));
    }

    @Test
    void malformedEncodingsAreProtocolErrors() {
        record Bad(String why, byte[] bytes) {
        }
        for (Bad bad : List.of(
                new Bad("empty", new byte[0]),
                new Bad("unknown tag", new byte[] {99, 1}),
                new Bad("short int", new byte[] {DataCodec.INTEGER, 1, 2}),
                new Bad("long int", new byte[] {DataCodec.INTEGER, 1, 2, 3, 4, 5}),
                new Bad("short long", new byte[] {DataCodec.LONG, 1}),
                new Bad("empty boolean", new byte[] {DataCodec.BOOLEAN}),
                new Bad("odd UTF-16", new byte[] {DataCodec.UTF16_STRING, 0, 65, 0}))) {
            assertThrows(Frames.ProtocolException.class, () -> decode(bad.bytes()), bad.why());
        }
    }
}
