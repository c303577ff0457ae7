package dev.exxec.ssh.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The keeper of an environment on the host ({@code keeper.sh}): one channel, opened first and
 * closed last, whose process makes the environment's directory, finds the interpreters, kills calls
 * on request (so a deadline costs no new channel, and no login shell), and, when its input ends,
 * kills what every call left and removes the directory. Its input also ends when the connection is
 * lost, so a JVM that dies leaves nothing behind on the host.
 */
public final class Keeper implements AutoCloseable {
    private final RemoteExec exec;
    private final BufferedReader lines;
    private final OutputStream input;
    private final Map<String, String> made = new LinkedHashMap<>();
    private final Map<Long, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    private Keeper(RemoteExec exec) {
        this.exec = exec;
        this.lines = new BufferedReader(new InputStreamReader(exec.stdout(), StandardCharsets.UTF_8));
        this.input = exec.stdin();
    }

    /**
     * Starts the keeper, which makes the directory; returns once it said where.
     *
     * @param script keeper.sh's text
     * @param keep whether the workspace stays when the environment ends
     */
    public static Keeper start(Link link, String script, String python, String node, boolean keep, Duration timeout)
            throws IOException {
        String line = "/bin/sh -c " + Shell.quote(script) + " "
                + Shell.join(List.of("exxec-keeper", python, node, keep ? "keep" : "-"));
        RemoteExec exec = RemoteExec.start(link, line, null, false, RemoteExec.Killer.NONE, timeout);
        Keeper keeper = new Keeper(exec);
        try {
            keeper.readUntil(timeout, "shell");
            return keeper;
        } catch (IOException | RuntimeException e) {
            keeper.close();
            throw e;
        }
    }

    /** What the keeper said about the directory ({@code root}, {@code path}, {@code shell}). */
    public Map<String, String> made() {
        return Map.copyOf(made);
    }

    /** Lets the keeper find the interpreters, once the scripts are in place; returns what it found. */
    public Map<String, String> probe(Duration timeout) throws IOException {
        send("probe");
        Map<String, String> found = readUntil(timeout, null);
        Thread.ofVirtual().name("exxec-ssh-keeper").start(this::serve);
        return found;
    }

    /**
     * Reads {@code key=value} lines into {@link #made} (or a new map) up to the line whose key is
     * {@code last}, or up to "ready" when {@code last} is null.
     */
    private Map<String, String> readUntil(Duration timeout, String last) throws IOException {
        CompletableFuture<Map<String, String>> read = CompletableFuture.supplyAsync(
                () -> {
                    Map<String, String> into = last != null ? made : new LinkedHashMap<>();
                    try {
                        String line;
                        StringBuilder other = new StringBuilder();
                        while ((line = lines.readLine()) != null) {
                            if (last == null && line.equals("ready")) {
                                return into;
                            }
                            int eq = line.indexOf('=');
                            if (eq > 0) {
                                into.put(
                                        line.substring(0, eq),
                                        line.substring(eq + 1).trim());
                                if (line.substring(0, eq).equals(last)) {
                                    return into;
                                }
                            } else {
                                other.append(line).append('\n');
                            }
                        }
                        throw new java.io.UncheckedIOException(new IOException("the keeper ended"
                                + (other.isEmpty()
                                        ? ""
                                        : ": " + other.toString().trim()) + stderr()));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                },
                runnable -> Thread.ofVirtual().start(runnable));
        try {
            return read.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException("the keeper did not answer within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof java.io.UncheckedIOException u ? u.getCause() : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
    }

    private String stderr() {
        try (InputStream err = exec.stderr()) {
            byte[] b = err.readNBytes(4096);
            return b.length == 0 ? "" : " (" + new String(b, StandardCharsets.UTF_8).trim() + ")";
        } catch (IOException e) {
            return "";
        }
    }

    private void serve() {
        try {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("done ")) {
                    CompletableFuture<Void> done =
                            pending.remove(Long.parseLong(line.substring(5).trim()));
                    if (done != null) {
                        done.complete(null);
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            // the keeper is gone
        } finally {
            pending.values().forEach(f -> f.complete(null)); // nobody is left to answer
        }
    }

    private void send(String line) throws IOException {
        synchronized (input) {
            input.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            input.flush();
        }
    }

    /**
     * Has the keeper kill calls (their roots as {@code pid:start}) and waits until it did, at most
     * {@code timeout}. Does nothing once the keeper is gone.
     */
    public void kill(List<String> calls, Duration timeout) {
        if (calls.isEmpty()) {
            return;
        }
        request("kill " + String.join(" ", calls), timeout);
    }

    private void request(String request, Duration timeout) {
        long id = ids.incrementAndGet();
        CompletableFuture<Void> done = new CompletableFuture<>();
        pending.put(id, done);
        try {
            send(id + " " + request);
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (IOException | ExecutionException | TimeoutException e) {
            // the connection is gone, or the keeper busy: the environment's end kills them
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            pending.remove(id);
        }
    }

    /** Has the keeper send SIGINT to a process (a session's interpreter), and waits until it did. */
    public void interrupt(long pid, Duration timeout) {
        request("int " + pid, timeout);
    }

    /** Ends the keeper's input, so that it cleans up, and waits for that (bounded). */
    @Override
    public void close() {
        try {
            synchronized (input) {
                input.close();
            }
            exec.waitFor(Duration.ofSeconds(20));
        } catch (IOException e) {
            // the connection is gone: the keeper saw its input end and cleans up by itself
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            exec.closeStreams();
        }
    }
}
