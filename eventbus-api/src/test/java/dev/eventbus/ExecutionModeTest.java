package dev.eventbus;

import static dev.eventbus.MessageAssertions.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class ExecutionModeTest {

    @Test
    void builtInConstantsHaveTheContractNames() {
        assertAll(
                () -> assertEquals("sync", ExecutionMode.SYNC.name()),
                () -> assertEquals("thread", ExecutionMode.THREAD.name()),
                () -> assertEquals("corelet", ExecutionMode.CORELET.name()),
                () -> assertEquals("cmd", ExecutionMode.CMD.name()));
    }

    @Test
    void modesAreEqualByName() {
        assertEquals(ExecutionMode.THREAD, new ExecutionMode("thread"));
        assertEquals(new ExecutionMode("thread"), ExecutionMode.THREAD);
        assertEquals(ExecutionMode.THREAD.hashCode(), new ExecutionMode("thread").hashCode());
        assertEquals(new ExecutionMode("gpu"), new ExecutionMode("gpu"));
    }

    @Test
    void modesWithDifferentNamesDiffer() {
        assertNotEquals(ExecutionMode.SYNC, ExecutionMode.THREAD);
        assertNotEquals(ExecutionMode.CORELET, ExecutionMode.CMD);
        assertNotEquals(ExecutionMode.THREAD, new ExecutionMode("threads"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpu", "remote", "nats-jetstream", "my_mode", "a", "x86", "z09-_"})
    void pluginModeNamesAreAccepted(String name) {
        assertEquals(name, new ExecutionMode(name).name());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "THREAD", "Thread", "my mode", " thread", "thread ", "1mode", "-mode", "_mode",
            "mode.x", "mode/x", "mödus", "`mode", "{mode", "mode`", "mode{", "mode:", "mode@", "modeZ"})
    void invalidNamesAreRejectedNamingTheValue(String name) {
        var e = assertThrows(IllegalArgumentException.class, () -> new ExecutionMode(name));

        assertMessageNames(e, "'" + name + "'");
    }

    @Test
    void nullNameIsRejectedNamingTheField() {
        var e = assertThrows(NullPointerException.class, () -> new ExecutionMode(null));

        assertMessageNames(e, "name");
    }

    @Test
    void builtInModesNameTheArtifactThatProvidesThem() {
        assertAll(
                () -> assertEquals(Optional.of("eventbus-runtime"), ExecutionMode.SYNC.builtInArtifact()),
                () -> assertEquals(Optional.of("eventbus-runtime"), ExecutionMode.THREAD.builtInArtifact()),
                () -> assertEquals(Optional.of("eventbus-corelet"), ExecutionMode.CORELET.builtInArtifact()),
                () -> assertEquals(Optional.of("eventbus-cmd"), ExecutionMode.CMD.builtInArtifact()));
    }

    @Test
    void pluginModesHaveNoBuiltInArtifact() {
        assertEquals(Optional.empty(), new ExecutionMode("gpu").builtInArtifact());
    }

    @Test
    void toStringIsTheUpperCaseName() {
        assertEquals("THREAD", ExecutionMode.THREAD.toString());
        assertEquals("NATS-JETSTREAM", new ExecutionMode("nats-jetstream").toString());
    }
}
