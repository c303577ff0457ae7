package dev.exxec.internal.seccomp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The system calls of one architecture, name to number, as the kernel headers that
 * scripts/syscall-tables.sh read listed them. The filter knows a system call only through its table:
 * a number the table lacks is one the filter answers {@code ENOSYS}.
 *
 * @param arch the architecture
 * @param numbers every system call's number, by name
 */
public record SyscallTable(SeccompArch arch, Map<String, Integer> numbers) {
    private static final Map<SeccompArch, SyscallTable> TABLES = new ConcurrentHashMap<>();

    public SyscallTable {
        numbers = Collections.unmodifiableMap(new LinkedHashMap<>(numbers));
    }

    /** The table of {@code arch}, read once from exxec-core's resources. */
    public static SyscallTable of(SeccompArch arch) {
        return TABLES.computeIfAbsent(arch, SyscallTable::read);
    }

    /** The number of {@code name}, if this architecture has that system call. */
    public Optional<Integer> number(String name) {
        return Optional.ofNullable(numbers.get(name));
    }

    /** Every number with its name, in order. */
    public SortedMap<Integer, String> byNumber() {
        SortedMap<Integer, String> out = new TreeMap<>();
        numbers.forEach((name, nr) -> {
            String previous = out.put(nr, name);
            if (previous != null) {
                throw new IllegalStateException(arch.table() + ": " + previous + " and " + name + " share " + nr);
            }
        });
        return out;
    }

    private static SyscallTable read(SeccompArch arch) {
        String resource = "/dev/exxec/seccomp/" + arch.table() + ".syscalls";
        try (InputStream in = SyscallTable.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("system call table missing from the class path: " + resource);
            }
            Map<String, Integer> numbers = new LinkedHashMap<>();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] fields = line.split("\t");
                if (fields.length != 2 || numbers.put(fields[0], Integer.parseInt(fields[1])) != null) {
                    throw new IllegalStateException(resource + ": bad line '" + line + "'");
                }
            }
            return new SyscallTable(arch, numbers);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
