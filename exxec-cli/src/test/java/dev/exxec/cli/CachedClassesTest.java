package dev.exxec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every {@code exxec} start loads can be held by the launcher's AOT cache: the JVM leaves out
 * class files older than Java 6 (major version 50), and then loads and verifies them from the jar at
 * each start with the old verifier. picocli's published jar is Java 5 class files (its 170-odd
 * classes were a quarter of a short run's CPU time), so the build compiles it from its sources.
 */
class CachedClassesTest {

    private static int majorVersion(Class<?> type) throws IOException {
        String resource = "/" + type.getName().replace('.', '/') + ".class";
        try (InputStream in = type.getResourceAsStream(resource)) {
            assertThat(in).as("the class file of %s", type.getName()).isNotNull();
            DataInputStream data = new DataInputStream(in);
            assertThat(data.readInt()).as("the magic number of %s", resource).isEqualTo(0xCAFEBABE);
            data.readUnsignedShort(); // minor
            return data.readUnsignedShort();
        }
    }

    @Test
    void theCommandLineParsersClassesAreRecentEnoughForTheAotCache() throws IOException {
        for (Class<?> type : List.of(
                picocli.CommandLine.class,
                picocli.CommandLine.Model.CommandSpec.class,
                picocli.CommandLine.Help.class,
                Main.class)) {
            assertThat(majorVersion(type))
                    .as("the class file version of %s (50 is Java 6, the oldest an AOT cache holds)", type.getName())
                    .isGreaterThanOrEqualTo(50);
        }
    }
}
