package dev.exxec.docker.internal;

import com.github.dockerjava.api.DockerClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * exxec's killer in a container: one exec of {@code killer.sh} as root, started with the
 * environment and kept while it lives, that runs {@code kill.sh} for the calls it is sent and answers
 * when that is done. A sweep then costs a line each way instead of an exec. If the killer is gone
 * (code running as root can kill it), the next request starts another; the caller runs {@code
 * kill.sh} in an exec of its own when none can be reached. What a kill achieved is never taken from the killer's answer:
 * see {@link ContainerExec}.
 */
public final class ContainerKiller {
    private final DockerClient client;
    private final String containerId;
    private final String script;
    private final AtomicLong ids = new AtomicLong();
    private @Nullable Channel channel;

    /**
     * @param script the path of killer.sh in the container
     */
    public ContainerKiller(DockerClient client, String containerId, String script) {
        this.client = client;
        this.containerId = containerId;
        this.script = script;
    }

    /**
     * Has the killer end {@code calls} ({pid, start time} each) and waits for its answer, at most
     * {@code timeout}.
     *
     * @return whether the request reached a killer (false: none could be started or it was gone, so
     *     the caller must kill another way); true also when the answer did not come in time, since an
     *     exec of kill.sh would then hang the same way
     */
    public boolean kill(List<long[]> calls, Duration timeout) {
        Channel killer = channel();
        if (killer == null) {
            return false;
        }
        StringBuilder line = new StringBuilder();
        long id = ids.incrementAndGet();
        line.append(id);
        for (long[] call : calls) {
            line.append(' ').append(call[0]).append(' ').append(call[1]);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        killer.pending.put(id, done);
        try {
            killer.send(line.append('\n').toString());
            done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (IOException | ExecutionException e) {
            forget(killer);
            return false;
        } catch (TimeoutException e) {
            forget(killer); // stuck in kill.sh: the next request gets a new killer
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        } finally {
            killer.pending.remove(id);
        }
    }

    /**
     * Starts the killer now, before any code runs: a fork bomb can take every process slot of the
     * container, and then neither a killer nor an exec of kill.sh could start any more, while a
     * running killer kills without forking. Returns whether it runs.
     */
    public boolean start() {
        return channel() != null;
    }

    private synchronized @Nullable Channel channel() {
        if (channel != null && !channel.ended.isDone()) {
            return channel;
        }
        try {
            ContainerExec exec = ContainerExec.start(
                    client,
                    containerId,
                    List.of("/bin/sh", script),
                    List.of(),
                    "/",
                    "0",
                    false,
                    false,
                    ContainerExec.Killer.NONE);
            channel = new Channel(exec);
            return channel;
        } catch (RuntimeException e) {
            return null; // the container is gone or refuses execs
        }
    }

    private synchronized void forget(Channel killer) {
        if (channel == killer) {
            channel = null;
        }
        killer.exec.closeStreams();
    }

    /** One killer exec: its input, and a reader of its answers. */
    private static final class Channel {
        final ContainerExec exec;
        final OutputStream input;
        final Map<Long, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
        final CompletableFuture<Void> ended = new CompletableFuture<>();

        Channel(ContainerExec exec) {
            this.exec = exec;
            this.input = exec.stdin();
            Thread.ofVirtual().name("exxec-docker-killer").start(this::read);
            // Docker handles an exec's exit only once its output is read: its errors are read too.
            Thread.ofVirtual().name("exxec-docker-killer-err").start(() -> {
                try {
                    exec.stderr().transferTo(OutputStream.nullOutputStream());
                } catch (IOException e) {
                    // closed
                }
            });
        }

        private void read() {
            try (BufferedReader lines =
                    new BufferedReader(new InputStreamReader(exec.stdout(), StandardCharsets.US_ASCII))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.startsWith("done ")) {
                        CompletableFuture<Void> done =
                                pending.get(Long.parseLong(line.substring(5).trim()));
                        if (done != null) {
                            done.complete(null);
                        }
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // the killer is gone
            } finally {
                ended.complete(null);
                IOException gone = new IOException("exxec's killer in the container ended");
                pending.values().forEach(f -> f.completeExceptionally(gone));
            }
        }

        void send(String line) throws IOException {
            if (ended.isDone()) {
                throw new IOException("exxec's killer in the container ended");
            }
            synchronized (input) {
                input.write(line.getBytes(StandardCharsets.US_ASCII));
                input.flush();
            }
        }
    }
}
