package dev.exxec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The command line does not look for classes that are not there: a class the class path does not
 * have is searched for in every jar on it, and the launcher's class path holds the GraalVM jars too
 * (tens of thousands of entries), so each such lookup costs a start-up tens of milliseconds.
 */
class ClassPathLookupsTest {

    /** Loads the CLI afresh (picocli's static set-up included) and records every class asked for. */
    private static final class Recording extends URLClassLoader {
        final Set<String> requested = ConcurrentHashMap.newKeySet();

        Recording(URL[] urls) {
            super(urls, ClassLoader.getPlatformClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            requested.add(name);
            return super.loadClass(name, resolve);
        }
    }

    private static Set<String> requestedBy(String... args) throws Exception {
        URL[] urls = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(p -> {
                    try {
                        return Path.of(p).toUri().toURL();
                    } catch (java.net.MalformedURLException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .toArray(URL[]::new);
        try (Recording loader = new Recording(urls)) {
            Class<?> main = loader.loadClass(Main.class.getName());
            Method run = main.getMethod(
                    "run", String[].class, java.io.InputStream.class, PrintStream.class, PrintStream.class);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                    PrintStream e = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)) {
                run.invoke(null, args, new ByteArrayInputStream(new byte[0]), o, e);
            }
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("exxec");
            return loader.requested;
        }
    }

    @Test
    void picocliLooksForNeitherGroovyNorJansi() throws Exception {
        for (List<String> args : List.of(List.of("--version"), List.of("--help"))) {
            assertThat(requestedBy(args.toArray(String[]::new)))
                    .as("classes asked for by exxec %s", args)
                    .noneMatch(name -> name.startsWith("groovy.") || name.startsWith("org.fusesource.jansi."));
        }
    }

    /** picocli reads every command it is given (reflection, at each start): a run is given only run. */
    @Test
    void aSubcommandIsTheOnlyOneReadIn() throws Exception {
        Set<String> requested = requestedBy("run", "--help");
        assertThat(requested).contains(RunCommand.class.getName());
        assertThat(requested)
                .as("other commands loaded for exxec run")
                .doesNotContain(
                        ExecCommand.class.getName(),
                        ReplCommand.class.getName(),
                        ProvidersCommand.class.getName(),
                        ServeCommand.class.getName());
    }
}
