package dev.eventbus.runtime;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Records what the bus logs to one {@code java.util.logging} logger (the default backend of {@code System.Logger};
 * reached by reflection, as this module does not read {@code java.logging}), as "LEVEL message" lines, through a
 * filter that lets every record pass (or fails on some). Close it to restore the logger's filter.
 */
final class LogCapture implements AutoCloseable {

    private final List<String> records = Collections.synchronizedList(new ArrayList<>());
    private final Object logger;
    private final Object previousFilter;
    private final Method setFilter;

    LogCapture(String loggerName) throws ReflectiveOperationException {
        this(loggerName, record -> false);
    }

    /**
     * Records as {@link #LogCapture(String)} does, and makes the logging backend throw (as a failing filter or
     * handler does) on the records that {@code fails} picks, after recording them.
     */
    LogCapture(String loggerName, java.util.function.Predicate<String> fails) throws ReflectiveOperationException {
        Class<?> loggerClass = Class.forName("java.util.logging.Logger");
        Class<?> filterClass = Class.forName("java.util.logging.Filter");
        logger = loggerClass.getMethod("getLogger", String.class).invoke(null, loggerName);
        previousFilter = loggerClass.getMethod("getFilter").invoke(logger);
        setFilter = loggerClass.getMethod("setFilter", filterClass);
        Object recording = Proxy.newProxyInstance(filterClass.getClassLoader(), new Class<?>[] {filterClass},
                (proxy, method, args) -> {
                    if (!method.getName().equals("isLoggable")) {
                        return method.invoke(this, args); // toString, hashCode, equals: not called by the logger
                    }
                    Object level = args[0].getClass().getMethod("getLevel").invoke(args[0]);
                    Object message = args[0].getClass().getMethod("getMessage").invoke(args[0]);
                    String record = level + " " + message;
                    records.add(record);
                    if (fails.test(record)) {
                        throw new IllegalStateException("the logging backend fails (simulated)");
                    }
                    return true;
                });
        setFilter.invoke(logger, recording);
    }

    /** The records so far, oldest first. */
    List<String> records() {
        synchronized (records) {
            return List.copyOf(records);
        }
    }

    @Override
    public void close() throws ReflectiveOperationException {
        setFilter.invoke(logger, previousFilter);
    }
}
