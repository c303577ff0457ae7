package dev.exxec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.exxec.spi.Availability;
import dev.exxec.spi.ExecutionProvider;
import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Looking up one provider by id makes only the providers listed before it: each provider's class
 * loading and set-up is start-up time of a command line that uses one, and the search of the rest of
 * the class path for more service files (the GraalVM provider's jars hold tens of thousands of
 * entries) is too.
 */
class ProviderLookupTest {

    /** A provider listed first on this test class path. */
    public static final class First extends Named {
        public First() {
            super("first-test", Set.of("one-test"));
        }
    }

    /** A provider listed second, counting how often it is made. */
    public static final class Second extends Named {
        public static final AtomicInteger MADE = new AtomicInteger();

        public Second() {
            super("second-test", Set.of());
            MADE.incrementAndGet();
        }
    }

    abstract static class Named implements ExecutionProvider {
        private final String id;
        private final Set<String> aliases;

        Named(String id, Set<String> aliases) {
            this.id = id;
            this.aliases = aliases;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public Set<String> aliases() {
            return aliases;
        }

        @Override
        public String description() {
            return "a test provider";
        }

        @Override
        public List<ConfigKey> configKeys() {
            return List.of();
        }

        @Override
        public Availability availability() {
            return Availability.unavailable("a test provider", "none");
        }

        @Override
        public ExecutionEnvironment create(Map<String, ?> config) {
            throw new UnsupportedOperationException();
        }
    }

    /** Exxec and the test providers loaded afresh, so that no other test's lookups count. */
    private static final class Fresh extends URLClassLoader {
        Fresh() {
            super(
                    Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                            .map(p -> {
                                try {
                                    return Path.of(p).toUri().toURL();
                                } catch (java.net.MalformedURLException e) {
                                    throw new IllegalStateException(e);
                                }
                            })
                            .toArray(URL[]::new),
                    ClassLoader.getPlatformClassLoader());
        }

        Object call(String method, Object... args) throws Exception {
            Class<?>[] types = Arrays.stream(args).map(a -> String.class).toArray(Class<?>[]::new);
            Method m = loadClass(Exxec.class.getName()).getMethod(method, types);
            try {
                return m.invoke(null, args);
            } catch (InvocationTargetException e) {
                throw (Exception) e.getCause();
            }
        }

        int secondsMade() throws Exception {
            return ((AtomicInteger) loadClass(Second.class.getName())
                            .getDeclaredField("MADE")
                            .get(null))
                    .get();
        }
    }

    @Test
    void findingTheFirstProviderMakesNoOther() throws Exception {
        try (Fresh fresh = new Fresh()) {
            Object first = fresh.call("provider", "first-test");
            assertThat(first.getClass().getName()).isEqualTo(First.class.getName());
            assertThat(fresh.call("provider", "ONE-TEST"))
                    .as("by alias, ignoring case")
                    .isSameAs(first);
            assertThat(fresh.secondsMade())
                    .as("providers listed after it, made")
                    .isZero();

            Object second = fresh.call("provider", "second-test");
            assertThat(fresh.call("provider", "second-test")).as("made once").isSameAs(second);
            assertThat(fresh.secondsMade()).isEqualTo(1);
            assertThat(new java.util.ArrayList<Object>((List<?>) fresh.call("providers")))
                    .containsExactly(first, second);
            assertThat(fresh.secondsMade()).isEqualTo(1);
        }
    }

    @Test
    void anUnknownIdStillListsEveryProvider() throws Exception {
        try (Fresh fresh = new Fresh()) {
            fresh.call("provider", "first-test");
            assertThatThrownBy(() -> fresh.call("provider", "nope"))
                    .hasMessageContaining("unknown provider 'nope'")
                    .hasMessageContaining("first-test")
                    .hasMessageContaining("second-test");
        }
    }
}
