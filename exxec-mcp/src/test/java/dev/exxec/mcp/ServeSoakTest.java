package dev.exxec.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code exxec serve --http} under many clients for a while, in a child JVM (two-carrier virtual-thread
 * scheduler, 256 MB heap) whose threads, descriptors, memory and child processes are read from
 * {@code /proc}: one-shot calls with deadlines (many of which fire), named sessions, background
 * processes, cancellations, and sessions that are deleted or abandoned to idle expiry. Afterwards
 * every deadline fired within 2 s (the kit holds one call to 1 s), the server answers, and what it
 * holds is back near where it started. Loopback only; about two minutes.
 */
@Tag("slow")
class ServeSoakTest {
    private static final int CLIENTS = 24;
    private static final Duration LOAD = Duration.ofSeconds(Long.getLong("exxec.soak.seconds", 80));
    private static final Duration SESSION_IDLE = Duration.ofSeconds(3);

    /** Tolerances of "back near the start". */
    private static final int THREADS_TOLERANCE = 12;

    private static final int FDS_TOLERANCE = 16;
    private static final long HEAP_TOLERANCE = 48L << 20;
    private static final long RSS_TOLERANCE = 256L << 20;

    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private final List<String> unexpected = new CopyOnWriteArrayList<>();
    private final LongAccumulator maxOvershootMs = new LongAccumulator(Math::max, Long.MIN_VALUE);
    private final LongAccumulator maxClientOvershootMs = new LongAccumulator(Math::max, Long.MIN_VALUE);
    private final Set<Path> workspaces = ConcurrentHashMap.newKeySet();
    private final BlockingQueue<String> childLines = new LinkedBlockingQueue<>();

    private void count(String what) {
        counts.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
    }

    private void unexpected(String what, Object detail) {
        count("unexpected");
        if (unexpected.size() < 20) {
            unexpected.add(what + ": " + detail);
        }
    }

    record Figures(int threads, int fds, long rssKb, long heap, long children, Map<String, Long> threadNames) {
        @Override
        public String toString() {
            return "threads " + threads + ", fds " + fds + ", RSS " + rssKb / 1024 + " MB, heap after GC "
                    + heap / (1 << 20) + " MB, child processes " + children + " (threads by name " + threadNames + ")";
        }
    }

    private Figures measure(Process child, OutputStream control) throws Exception {
        childLines.clear();
        control.write("gc\n".getBytes(StandardCharsets.UTF_8));
        control.flush();
        long heap = -1;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (heap < 0 && System.nanoTime() < end) {
            String line = childLines.poll(1, TimeUnit.SECONDS);
            if (line != null && line.startsWith("HEAP ")) {
                heap = Long.parseLong(line.substring(5).trim());
            }
        }
        assertThat(heap).as("the child reported its heap").isNotNegative();
        long pid = child.pid();
        int threads = 0;
        long rss = 0;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("Threads:")) {
                threads = Integer.parseInt(line.substring(8).trim());
            } else if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.substring(6).replace("kB", "").trim());
            }
        }
        int fds;
        try (var list = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            fds = (int) list.count();
        }
        long children =
                child.toHandle().descendants().filter(ProcessHandle::isAlive).count();
        Map<String, Long> names = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String name = Files.readString(t.resolve("comm")).trim().replaceAll("[0-9]+$", "N");
                    names.merge(name, 1L, Long::sum);
                } catch (IOException e) {
                    // the thread ended
                }
            }
        }
        return new Figures(threads, fds, rss, heap, children, names);
    }

    @Test
    void manyClientsForAWhileLeaveTheServerAsTheyFoundIt() throws Exception {
        Process child = new ProcessBuilder(StdioServerMain.command(
                        "http",
                        "perSession",
                        "sessionIdle=" + SESSION_IDLE.toSeconds(),
                        "processRetention=2",
                        "namedSessionIdle=3"))
                .start();
        try {
            Thread.ofPlatform().daemon().name("soak-child-stderr").start(() -> {
                try (BufferedReader r =
                        new BufferedReader(new InputStreamReader(child.getErrorStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        childLines.add(line);
                    }
                } catch (IOException e) {
                    // the child ended
                }
            });
            int port = -1;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (port < 0 && System.nanoTime() < end) {
                String line = childLines.poll(1, TimeUnit.SECONDS);
                if (line != null && line.startsWith("PORT ")) {
                    port = Integer.parseInt(line.substring(5).trim());
                }
            }
            assertThat(port).as("the server listens").isPositive();
            URI uri = URI.create("http://127.0.0.1:" + port + ExxecMcpServer.HTTP_PATH);
            OutputStream control = child.getOutputStream();

            // Warm up every path once, so that the start figures include what the JVM loads for good.
            oneSession(uri, 0, true, true);
            Thread.sleep(SESSION_IDLE.plusSeconds(3).toMillis());
            Figures start = measure(child, control);

            long loadEnd = System.nanoTime() + LOAD.toNanos();
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                int n = i;
                clients.add(Thread.ofPlatform().name("soak-client-" + i).start(() -> {
                    int round = 0;
                    while (System.nanoTime() < loadEnd) {
                        try {
                            oneSession(uri, n * 1000 + round++, false, false);
                        } catch (Exception e) {
                            unexpected("session", e);
                        }
                    }
                }));
            }
            for (Thread t : clients) {
                t.join(LOAD.plusMinutes(3).toMillis());
                assertThat(t.isAlive()).as("client %s ended", t.getName()).isFalse();
            }

            // Abandoned sessions expire; then everything should be back near the start.
            Figures after = null;
            // Idle pooled threads (the JDK's process reapers, Jetty's, the zygote's readers) go after 60 s.
            long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(75);
            Thread.sleep(SESSION_IDLE.plusSeconds(3).toMillis());
            while (System.nanoTime() < settle) {
                after = measure(child, control);
                if (after.threads() <= start.threads() + THREADS_TOLERANCE
                        && after.fds() <= start.fds() + FDS_TOLERANCE
                        && after.children() <= start.children()) {
                    break;
                }
                Thread.sleep(1000);
            }
            // The server still answers, at once.
            long t0 = System.nanoTime();
            RawHttpMcp last = RawHttpMcp.open(uri);
            JsonNode hi = last.call("run_command", "{\"command\":\"echo still here\",\"timeout\":5}");
            Duration answer = Duration.ofNanos(System.nanoTime() - t0);
            last.delete();
            List<Path> left = workspaces.stream().filter(Files::exists).toList();

            System.out.printf(
                    "%nSOAK %d clients, %d s: calls %s%nSOAK max deadline overshoot %d ms (server-measured),"
                            + " %d ms (client-measured, with the HTTP round trip)%nSOAK start: %s%nSOAK end:   %s%n"
                            + "SOAK tolerances: threads +%d, fds +%d, heap +%d MB, RSS +%d MB, child processes +0;"
                            + " workspaces left %d of %d; final answer in %d ms%n",
                    CLIENTS,
                    LOAD.toSeconds(),
                    new java.util.TreeMap<>(counts),
                    maxOvershootMs.get(),
                    maxClientOvershootMs.get(),
                    start,
                    after,
                    THREADS_TOLERANCE,
                    FDS_TOLERANCE,
                    HEAP_TOLERANCE >> 20,
                    RSS_TOLERANCE >> 20,
                    left.size(),
                    workspaces.size(),
                    answer.toMillis());

            assertThat(unexpected).as("unexpected outcomes").isEmpty();
            assertThat(counts.getOrDefault("deadline fired", new AtomicLong()).get())
                    .isGreaterThan(50);
            // Two seconds here, where the kit's DeadlineContract holds every provider to one: this is the
            // tail of hundreds of deadlines while 24 clients keep a 2-core machine busy (the server
            // measured 330-1110 ms in the last six CI runs). A deadline that did not fire at all, or a
            // kill that waited for the call's own end, shows as seconds more.
            assertThat(maxOvershootMs.get())
                    .as("every deadline fired within 2 s under the soak's load")
                    .isLessThanOrEqualTo(2000);
            assertThat(RawHttpMcp.structured(hi).path("stdout").asString()).isEqualTo("still here\n");
            assertThat(answer).isLessThan(Duration.ofSeconds(5));
            assertThat(after).isNotNull();
            assertThat(after.threads()).isLessThanOrEqualTo(start.threads() + THREADS_TOLERANCE);
            assertThat(after.fds()).isLessThanOrEqualTo(start.fds() + FDS_TOLERANCE);
            assertThat(after.children()).isLessThanOrEqualTo(start.children());
            assertThat(after.heap()).isLessThanOrEqualTo(start.heap() + HEAP_TOLERANCE);
            assertThat(after.rssKb() * 1024).isLessThanOrEqualTo(start.rssKb() * 1024 + RSS_TOLERANCE);
            assertThat(left).as("workspaces left behind").isEmpty();
        } finally {
            child.getOutputStream().close();
            if (!child.waitFor(20, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
    }

    /** One client session: a few random calls, then DELETE or (now and then) abandon it. */
    private void oneSession(URI uri, int n, boolean everything, boolean delete) throws Exception {
        RawHttpMcp c;
        try {
            c = RawHttpMcp.open(uri);
        } catch (RawHttpMcp.Refused e) {
            if (e.status == 503 && e.body.contains("maxSessions")) {
                count("refused: sessions cap");
                Thread.sleep(200);
                return;
            }
            throw e;
        }
        count("sessions");
        JsonNode pwd = c.call("run_command", "{\"command\":\"pwd\",\"timeout\":10}");
        String ws = RawHttpMcp.structured(pwd).path("stdout").asString().trim();
        if (ws.isEmpty()) {
            unexpected("pwd", pwd);
        } else {
            workspaces.add(Path.of(ws));
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int ops = everything ? 7 : 3 + random.nextInt(6);
        for (int i = 0; i < ops; i++) {
            int op = everything ? i : random.nextInt(7);
            switch (op) {
                case 0 ->
                    expectSuccess(
                            "one-shot command",
                            c.call("run_command", "{\"command\":\"echo " + n + "\",\"timeout\":10}"));
                case 1 -> deadline(c, "run_command", "{\"command\":\"sleep 30\",\"timeout\":%s}");
                case 2 ->
                    expectSuccess(
                            "one-shot code", c.call("execute_code", "{\"code\":\"_result = 6 * 7\",\"timeout\":20}"));
                case 3 -> deadline(c, "execute_code", "{\"code\":\"import time\\ntime.sleep(30)\",\"timeout\":%s}");
                case 4 -> namedSession(c);
                case 5 -> backgroundProcess(c, random.nextBoolean());
                default -> cancellation(c);
            }
        }
        if (delete || random.nextInt(10) < 7) {
            int status = c.delete();
            if (status != 200) {
                unexpected("delete", status);
            }
            count("deleted");
        } else {
            count("abandoned");
        }
    }

    private boolean refused(JsonNode r) {
        if ("LimitExceededError"
                .equals(RawHttpMcp.structured(r).path("errorType").asString(""))) {
            count("refused: "
                    + RawHttpMcp.structured(r).path("error").asString().replaceAll(".*the cap (\\w+).*", "$1"));
            return true;
        }
        return false;
    }

    private void expectSuccess(String what, JsonNode r) {
        if (r.has("error")) {
            unexpected(what, r);
        } else if (!refused(r)) {
            if (RawHttpMcp.structured(r).path("success").asBoolean(false)
                    || r.path("result").path("isError").asBoolean(true) == false) {
                count(what);
            } else {
                unexpected(what, r);
            }
        }
    }

    private void deadline(RawHttpMcp c, String tool, String argsFormat) throws Exception {
        // Deadlines of 1.5 to 3 s: longer than starting a process takes here under this load (a deadline
        // shorter than the start cannot be kept by killing: the process is not there yet).
        double timeout = 1.5 + ThreadLocalRandom.current().nextDouble(1.5);
        String t = String.format(java.util.Locale.ROOT, "%.3f", timeout);
        long start = System.nanoTime();
        JsonNode r = c.call(tool, argsFormat.formatted(t));
        long clientMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        if (r.has("error") || refused(r)) {
            if (r.has("error")) {
                unexpected("deadline " + tool, r);
            }
            return;
        }
        JsonNode s = RawHttpMcp.structured(r);
        if (!"TimeoutError".equals(s.path("errorType").asString(""))) {
            unexpected("deadline " + tool, r);
            return;
        }
        long timeoutMs = Math.round(Double.parseDouble(t) * 1000);
        long over = s.path("durationMs").asLong() - timeoutMs;
        maxOvershootMs.accumulate(over);
        if (over > 700) {
            count("overshoot > 700 ms: " + tool);
            System.out.println("SOAK overshoot " + over + " ms, client " + (clientMs - timeoutMs) + " ms: " + tool
                    + " timeout " + t);
        }
        maxClientOvershootMs.accumulate(clientMs - timeoutMs);
        count("deadline fired");
    }

    private void namedSession(RawHttpMcp c) throws Exception {
        JsonNode r = c.call(
                "execute_code",
                "{\"code\":\"n = globals().get('n', 0) + 1\\n_result = n\",\"session\":\"s\",\"timeout\":20}");
        if (r.has("error")) {
            unexpected("named session", r);
        } else if (!refused(r)) {
            if (RawHttpMcp.structured(r).path("result").asInt(0) >= 1) {
                count("named session call");
            } else {
                unexpected("named session", r);
            }
        }
    }

    private void backgroundProcess(RawHttpMcp c, boolean kill) throws Exception {
        JsonNode started = c.call("start_process", "{\"command\":\"echo up; exec sleep 60\"}");
        if (started.has("error")) {
            unexpected("start_process", started);
            return;
        }
        if (refused(started)) {
            return;
        }
        String id = RawHttpMcp.structured(started).path("process_id").asString();
        JsonNode out = c.call("process_output", "{\"process_id\":\"" + id + "\",\"wait\":0.2}");
        if (out.has("error") || !RawHttpMcp.structured(out).path("running").asBoolean(false)) {
            unexpected("process_output", out);
        }
        if (kill) {
            JsonNode killed = c.call("kill_process", "{\"process_id\":\"" + id + "\"}");
            if (killed.has("error")
                    || RawHttpMcp.structured(killed).path("running").asBoolean(true)) {
                unexpected("kill_process", killed);
            }
            count("process killed");
        } else {
            count("process left to its session");
        }
    }

    private void cancellation(RawHttpMcp c) throws Exception {
        int id = c.nextId();
        CompletableFuture<JsonNode> running =
                c.callAsync(id, "run_command", "{\"command\":\"sleep 30\",\"timeout\":25}");
        Thread.sleep(300);
        long start = System.nanoTime();
        c.cancel(id);
        JsonNode r;
        try {
            r = running.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            unexpected("cancellation", "no answer 10 s after notifications/cancelled");
            return;
        }
        if (r.has("error") || refused(r)) {
            if (r.has("error")) {
                unexpected("cancellation", r);
            }
            return;
        }
        String type = RawHttpMcp.structured(r).path("errorType").asString("");
        if (type.equals("CancelledError")) {
            count("cancelled");
            maxClientOvershootMs.accumulate(0); // keeps the figure defined
            if (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) > 2000) {
                unexpected("cancellation", "answered " + (System.nanoTime() - start) / 1_000_000 + " ms after");
            }
        } else {
            unexpected("cancellation", r);
        }
    }
}
