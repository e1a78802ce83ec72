package dev.eventbus.corelet.internal;

import dev.eventbus.ExecutionMode;
import dev.eventbus.runtime.EventBusBehaviourSuite;
import dev.eventbus.runtime.TestAttempt;
import org.junit.jupiter.api.AfterAll;

import java.util.List;

/** The runtime's mode-parameterized behaviour suite, run in CORELET mode through a real bus and real workers. */
class CoreletBehaviourTest extends EventBusBehaviourSuite {

    @Override
    protected List<ExecutionMode> modes() {
        return List.of(ExecutionMode.CORELET);
    }

    @AfterAll
    static void noWorkerLeft() {
        TestAttempt.assertNoChildProcessLeft();
    }
}
