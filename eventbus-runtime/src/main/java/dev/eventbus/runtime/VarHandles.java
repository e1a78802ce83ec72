package dev.eventbus.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** Finds the {@link VarHandle}s of the runtime's lock-free fields, failing class initialization if one is missing. */
final class VarHandles {

    private VarHandles() {
    }

    /**
     * Returns the handle of a field.
     *
     * @param lookup a lookup with access to the field ({@code MethodHandles.lookup()} in its class)
     * @param owner the class declaring the field
     * @param name the field's name
     * @param type the field's type
     * @return the handle
     */
    static VarHandle field(MethodHandles.Lookup lookup, Class<?> owner, String name, Class<?> type) {
        try {
            return lookup.findVarHandle(owner, name, type);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
