package dev.eventbus.corelet.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The worker's own pid and its parent's, as the parent-death watch and the hello use them. */
class OwnProcessTest {

    @Test
    void pidAndParentPidAreTheOnesProcessHandleSees() {
        ProcessHandle self = ProcessHandle.current();

        assertEquals(self.pid(), OwnProcess.pid());
        assertEquals(self.parent().orElseThrow().pid(), OwnProcess.parentPid());
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void onLinuxTheyComeFromProcSelfStat() {
        assertArrayEquals(new long[] {OwnProcess.pid(), OwnProcess.parentPid()},
                OwnProcess.parseStat(readProcSelfStat()));
    }

    private static String readProcSelfStat() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theFieldsAfterTheCommandNameAreFoundWhateverTheNameHolds() {
        assertArrayEquals(new long[] {4321, 17}, OwnProcess.parseStat("4321 (java) S 17 4321 17 0 -1 4194560"));
        assertArrayEquals(new long[] {5, 1}, OwnProcess.parseStat("5 (a) (b) c) R 1 5 5 0"));
        assertArrayEquals(new long[] {6, 2}, OwnProcess.parseStat("6 () S 2"));
        assertArrayEquals(new long[] {7, 0}, OwnProcess.parseStat("7 (with spaces ) Z 0 0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "garbage", "12 java S 1", "(java) S 1", "x (java) S 1", "12 (java) S", "12 (java) S ",
            "12 (java) S x 3", "12 (java) SS 1", "12 (java)"})
    void aLineOfAnotherFormIsNull(String line) {
        assertNull(OwnProcess.parseStat(line));
    }
}
