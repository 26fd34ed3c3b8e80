package org.scrim.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.scrim.engine.protect.ProgressListener;
import org.scrim.engine.protect.ProtectRequest;
import picocli.CommandLine;

/**
 * The HTTP side of {@code scrim serve}: one loaded model answering protect requests from local programs (the Krita
 * bridge), so an export pays neither a JVM start nor a model load. Loopback only, a bearer token on every request,
 * a cap on body size and on jobs at once; a bad request or a vanished client costs that request, never the service.
 * A job the client names ({@code job=ID}) shows its progress at {@code GET /jobs/ID} and stops at
 * {@code DELETE /jobs/ID}, between two optimisation steps, freeing its slot for the next export.
 */
final class LocalService implements AutoCloseable {
    /** Query keys of {@code POST /protect}: {@code scrim protect}'s options of the same names, plus the format. */
    static final Set<String> PROTECT_KEYS = Set.of("mode", "preset", "max-visibility", "decoy", "decoy-image",
            "anchor", "seed", "steps", "work-size", "no-verify", "no-tags", "data-mining", "creator", "rights",
            "web-statement", "constraints");
    static final Map<String, String> FORMATS = Map.of("png", "image/png", "jpeg", "image/jpeg", "jpg", "image/jpeg",
            "tiff", "image/tiff", "tif", "image/tiff", "webp", "image/webp");
    static final String REPORT_HEADER = "X-Scrim-Report";
    static final String JOBS_PATH = "/jobs/";
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private static final String MAX_REQUEST_SECONDS = "sun.net.httpserver.maxReqTime";
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private final FileProtection protection;
    private final String model;
    private final int maxJobs;
    private final long maxBody;
    private final long readTimeoutMillis;
    /** 256 random bits, new at every start: only programs that can read the state file know it. */
    private final String token = HexFormat.of().formatHex(randomBytes());
    private final Semaphore slots;
    private final HttpServer server;
    private final ExecutorService workers;
    private final ScheduledExecutorService watchdog;
    private final Path temp;
    private final CountDownLatch shutdownAsked = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Running jobs the client named, by id: their progress, and the flag that stops them. */
    private final Map<String, Job> namedJobs = new ConcurrentHashMap<>();

    LocalService(FileProtection protection, String model, int port, int maxJobs, long maxBody, long readTimeoutMillis)
            throws IOException {
        this.protection = protection;
        this.model = model;
        this.maxJobs = maxJobs;
        this.maxBody = maxBody;
        this.readTimeoutMillis = readTimeoutMillis;
        this.slots = new Semaphore(maxJobs);
        // The JDK server's own request timer covers what the body watchdog cannot: headers that never end, and the
        // unread body of a refused request, which the server drains after answering. It is one JVM-wide setting,
        // read when the first server starts, so it is set only when nobody has set it.
        if (System.getProperty(MAX_REQUEST_SECONDS) == null) {
            System.setProperty(MAX_REQUEST_SECONDS, String.valueOf(Math.max(1, (readTimeoutMillis + 999) / 1000)));
        }
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 0);
        this.temp = Files.createTempDirectory("scrim-serve-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        // A few threads beyond the jobs, so health checks and refusals are answered while every job slot works.
        this.workers = Executors.newFixedThreadPool(maxJobs + 8, daemon("scrim-serve"));
        this.watchdog = Executors.newSingleThreadScheduledExecutor(daemon("scrim-serve-timeout"));
        server.setExecutor(workers);
        server.createContext("/", this::handle);
        server.start();
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    String token() {
        return token;
    }

    int jobsRunning() {
        return maxJobs - slots.availablePermits();
    }

    /** Blocks until {@link #requestShutdown} (or a client's {@code POST /shutdown}). */
    void awaitShutdownRequest() throws InterruptedException {
        shutdownAsked.await();
    }

    void requestShutdown() {
        shutdownAsked.countDown();
    }

    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.stop(1);
        workers.shutdownNow();
        watchdog.shutdownNow();
        deleteTree(temp);
    }

    /** An answer that ends a request early, with the status and the sentence for the client. */
    static final class Refusal extends Exception {
        final int status;

        Refusal(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private void handle(HttpExchange ex) {
        String what = ex.getRequestMethod() + " " + ex.getRequestURI().getPath();
        try {
            if (!authorized(ex)) {
                throw new Refusal(401, "missing or wrong token: send 'Authorization: Bearer TOKEN' with the token "
                        + "from the service's state file");
            }
            String path = ex.getRequestURI().getPath();
            if (path.startsWith(JOBS_PATH)) {
                job(ex, path.substring(JOBS_PATH.length()));
                return;
            }
            switch (what) {
                case "GET /health" -> json(ex, 200, health());
                case "POST /protect" -> protect(ex);
                case "POST /shutdown" -> {
                    json(ex, 200, Map.of("status", "shutting down"));
                    requestShutdown();
                }
                default -> throw new Refusal(404, "no such endpoint: " + what + "; the service answers GET /health, "
                        + "POST /protect, GET and DELETE /jobs/ID and POST /shutdown");
            }
        } catch (Refusal r) {
            log(what + " " + r.status + ": " + r.getMessage());
            error(ex, r.status, r.getMessage());
        } catch (IOException e) {
            log(what + ": the client went away (" + e.getMessage() + ")");
        } catch (RuntimeException e) {
            log(what + " 500: " + e);
            error(ex, 500, "internal error: " + e);
        } finally {
            ex.close();
        }
    }

    private boolean authorized(HttpExchange ex) {
        String given = ex.getRequestHeaders().getFirst("Authorization");
        byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        return given != null && MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8));
    }

    private Map<String, Object> health() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("status", "ok");
        h.put("version", Version.current());
        h.put("model", model);
        h.put("jobs", jobsRunning());
        h.put("max_jobs", maxJobs);
        return h;
    }

    /** A job's progress (GET) or its cancellation (DELETE). */
    private void job(HttpExchange ex, String id) throws Refusal, IOException {
        Job job = namedJobs.get(id);
        if (job == null) {
            throw new Refusal(404, "no running job '" + id + "' (it has finished, or was never started with job="
                    + id + ")");
        }
        switch (ex.getRequestMethod()) {
            case "GET" -> json(ex, 200, job.state());
            case "DELETE" -> {
                job.cancelled = true;
                log("job " + id + ": cancel asked");
                json(ex, 200, Map.of("status", "cancelling", "job", id));
            }
            default -> throw new Refusal(405, ex.getRequestMethod() + " " + JOBS_PATH + "ID: use GET (progress) "
                    + "or DELETE (cancel)");
        }
    }

    /** One named job's progress, read by GET /jobs/ID, and its cancel flag, read by the engine between steps. */
    private static final class Job implements ProgressListener {
        final String id;
        volatile boolean cancelled;
        volatile String phase = "receiving";
        volatile int done;
        volatile int total;

        Job(String id) {
            this.id = id;
        }

        @Override
        public void phase(String name) {
            phase = name;
        }

        @Override
        public void step(int stepsDone, int stepsTotal) {
            done = stepsDone;
            total = stepsTotal;
        }

        @Override
        public boolean cancelled() {
            return cancelled;
        }

        Map<String, Object> state() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("job", id);
            m.put("phase", phase);
            m.put("step", done);
            m.put("total", total);
            m.put("cancelled", cancelled);
            return m;
        }
    }

    private void protect(HttpExchange ex) throws Refusal, IOException {
        List<String> args = new ArrayList<>();
        String format = "png";
        String jobId = null;
        for (String[] kv : query(ex.getRequestURI().getRawQuery())) {
            if (kv[0].equals("job")) {
                if (!JOB_ID.matcher(kv[1]).matches()) {
                    throw new Refusal(400, "job: '" + kv[1] + "' is not 1 to 64 letters, digits, '-' or '_'");
                }
                jobId = kv[1];
            } else if (kv[0].equals("format")) {
                format = kv[1].toLowerCase(Locale.ROOT);
                if (!FORMATS.containsKey(format)) {
                    throw new Refusal(400, "format: '" + kv[1] + "' is not one of png, jpeg, tiff, webp");
                }
            } else if (!PROTECT_KEYS.contains(kv[0])) {
                throw new Refusal(400, "unknown parameter '" + kv[0] + "'; known: format, job, "
                        + String.join(", ", PROTECT_KEYS.stream().sorted().toList()));
            } else if (kv[0].startsWith("no-")) {
                if (!kv[1].equals("false")) {
                    args.add("--" + kv[0]);
                }
            } else {
                args.add("--" + kv[0] + "=" + kv[1]);
            }
        }
        // scrim protect's own options parse the query, so both accept the same values with the same messages.
        ProtectCommand choices = new ProtectCommand();
        args.add("body");
        try {
            new CommandLine(choices).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new Refusal(400, e.getMessage());
        }
        ProtectRequest request;
        try {
            request = FileProtection.request(choices.mode, choices.preset, choices.maxVisibility, choices.decoy,
                    choices.decoyImage, choices.anchors, choices.seed, choices.workSize, choices.steps);
        } catch (IOException | IllegalArgumentException e) {
            throw new Refusal(400, e.getMessage());
        }
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null && parseLength(length) > maxBody) {
            throw new Refusal(413, tooLarge(length + " bytes"));
        }
        if (!slots.tryAcquire()) {
            int running = jobsRunning();
            throw new Refusal(503, "busy, " + running + (running == 1 ? " job" : " jobs") + " running (--max-jobs "
                    + maxJobs + "); try again when one has finished");
        }
        Job named = jobId == null ? null : new Job(jobId);
        if (named != null && namedJobs.putIfAbsent(jobId, named) != null) {
            slots.release();
            throw new Refusal(409, "a job named '" + jobId + "' is already running");
        }
        Path job = null;
        byte[] result;
        Map<String, Object> entry = new LinkedHashMap<>();
        try {
            job = Files.createTempDirectory(temp, "job-");
            Path in = job.resolve("image." + format);
            Path out = job.resolve("protected." + format);
            receive(ex, in, length == null ? -1 : parseLength(length));
            entry.put("ok", true);
            try {
                entry.putAll(protection.protect(in, out, request, choices.noTags ? null : choices.tagOptions,
                        !choices.noVerify, named == null ? ProgressListener.NONE : named));
            } catch (IOException | IllegalArgumentException e) {
                throw new Refusal(400, String.valueOf(e.getMessage()).replace(in.toString(), "the image"));
            } catch (CancellationException e) {
                throw new Refusal(409, "job '" + jobId + "' was cancelled");
            }
            result = Files.readAllBytes(out);
        } finally {
            if (named != null) {
                namedJobs.remove(jobId, named);
            }
            slots.release();
            if (job != null) {
                deleteTree(job);
            }
        }
        log(String.format(Locale.ROOT, "POST /protect 200: %d bytes in %.1f s, closeness %s", result.length,
                entry.get("seconds"), entry.getOrDefault("closeness", "not verified")));
        ex.getResponseHeaders().set("Content-Type", FORMATS.get(format));
        ex.getResponseHeaders().set(REPORT_HEADER, GSON.toJson(entry));
        ex.sendResponseHeaders(200, result.length);
        try (OutputStream body = ex.getResponseBody()) {
            body.write(result);
        }
    }

    /** Copies the body to {@code file}, refusing more than the cap, a short body, and a client that stalls. */
    private void receive(HttpExchange ex, Path file, long declared) throws Refusal, IOException {
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> timeout = watchdog.schedule(() -> {
            timedOut.set(true);
            ex.close();
        }, readTimeoutMillis, TimeUnit.MILLISECONDS);
        long total = 0;
        try (InputStream body = ex.getRequestBody(); OutputStream out = Files.newOutputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = body.read(buffer)) > 0; ) {
                total += n;
                if (total > maxBody) {
                    throw new Refusal(413, tooLarge("more than " + maxBody + " bytes"));
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            if (timedOut.get()) {
                throw new IOException("no body for " + readTimeoutMillis + " ms after " + total + " bytes; "
                        + "connection closed", e);
            }
            throw new Refusal(400, "the body ended after " + total + (declared < 0 ? "" : " of " + declared)
                    + " bytes (" + e.getMessage() + ")");
        } finally {
            timeout.cancel(false);
        }
        if (total == 0) {
            throw new Refusal(400, "no image in the request body");
        }
    }

    private String tooLarge(String size) {
        return "the body (" + size + ") is over the service's limit of " + maxBody + " bytes (--max-body)";
    }

    private static long parseLength(String value) throws Refusal {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new Refusal(400, "Content-Length '" + value + "' is not a number");
        }
    }

    private static List<String[]> query(String raw) throws Refusal {
        List<String[]> pairs = new ArrayList<>();
        if (raw == null || raw.isEmpty()) {
            return pairs;
        }
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            try {
                pairs.add(new String[] {
                        URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8),
                        eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8)});
            } catch (IllegalArgumentException e) {
                throw new Refusal(400, "malformed query '" + part + "': " + e.getMessage());
            }
        }
        return pairs;
    }

    private static void json(HttpExchange ex, int status, Object doc) throws IOException {
        byte[] bytes = GSON.toJson(doc).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream body = ex.getResponseBody()) {
            body.write(bytes);
        }
    }

    private static void error(HttpExchange ex, int status, String message) {
        try {
            json(ex, status, Map.of("error", message));
        } catch (IOException | RuntimeException e) {
            log("could not answer " + status + ": the client went away");
        }
    }

    private static void log(String line) {
        System.err.println("scrim serve: " + line);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
