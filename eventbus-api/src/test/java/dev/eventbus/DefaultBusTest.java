package dev.eventbus;

import static dev.eventbus.MessageAssertions.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.eventbus.spi.EventBusConfig;
import dev.eventbus.spi.EventBusProvider;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the API finds the one runtime, through the package-private {@link DefaultBus#find(ServiceLoader)} seam fed by
 * a class loader that serves {@code META-INF/services} from a temporary directory. (The default-bus lifecycle itself
 * needs a runtime and is tested with it.)
 */
@Timeout(30)
class DefaultBusTest {

    /** A runtime stand-in: found, never asked to create a bus here. */
    public static final class StubRuntime implements EventBusProvider {
        @Override
        public EventBus create(EventBusConfig config) {
            throw new UnsupportedOperationException("stub");
        }
    }

    /** A second runtime stand-in. */
    public static final class OtherStubRuntime implements EventBusProvider {
        @Override
        public EventBus create(EventBusConfig config) {
            throw new UnsupportedOperationException("stub");
        }
    }

    /** A runtime whose constructor fails. */
    public static final class BrokenRuntime implements EventBusProvider {
        public BrokenRuntime() {
            throw new IllegalStateException("cannot start");
        }

        @Override
        public EventBus create(EventBusConfig config) {
            throw new UnsupportedOperationException("never");
        }
    }

    @Test
    void theOneRuntimeOnThePathIsFound(@TempDir Path dir) throws IOException {
        EventBusProvider found = find(dir, StubRuntime.class.getName());

        assertInstanceOf(StubRuntime.class, found);
    }

    @Test
    void noRuntimeGivesAnErrorNamingTheArtifactToAdd(@TempDir Path dir) {
        var e = assertThrows(IllegalStateException.class, () -> find(dir));

        assertMessageNames(e, "dev.eventbus:eventbus-runtime");
    }

    @Test
    void twoRuntimesGiveAnErrorNamingBoth(@TempDir Path dir) {
        var e = assertThrows(IllegalStateException.class,
                () -> find(dir, StubRuntime.class.getName(), OtherStubRuntime.class.getName()));

        assertMessageNames(e, StubRuntime.class.getName(), OtherStubRuntime.class.getName(), "only one");
    }

    @Test
    void runtimesThatCannotBeLoadedAreSkipped(@TempDir Path dir) throws IOException {
        EventBusProvider found = find(dir, "com.acme.MissingRuntime", BrokenRuntime.class.getName(),
                StubRuntime.class.getName());

        assertInstanceOf(StubRuntime.class, found);
    }

    @Test
    void onlyBrokenRuntimesCountAsNoRuntime(@TempDir Path dir) {
        var e = assertThrows(IllegalStateException.class,
                () -> find(dir, "com.acme.MissingRuntime", BrokenRuntime.class.getName()));

        assertMessageNames(e, "eventbus-runtime");
    }

    private static EventBusProvider find(Path dir, String... providerClassNames) throws IOException {
        Path services = dir.resolve("META-INF/services");
        Files.createDirectories(services);
        Files.write(services.resolve(EventBusProvider.class.getName()), List.of(providerClassNames));
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
                DefaultBusTest.class.getClassLoader())) {
            return DefaultBus.find(ServiceLoader.load(EventBusProvider.class, loader));
        }
    }
}
