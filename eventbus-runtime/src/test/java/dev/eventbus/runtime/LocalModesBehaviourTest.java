package dev.eventbus.runtime;

import dev.eventbus.ExecutionMode;

import java.util.List;

/** The behaviour suite in the runtime's own modes. */
class LocalModesBehaviourTest extends EventBusBehaviourSuite {

    @Override
    protected List<ExecutionMode> modes() {
        return List.of(ExecutionMode.SYNC, ExecutionMode.THREAD);
    }
}
