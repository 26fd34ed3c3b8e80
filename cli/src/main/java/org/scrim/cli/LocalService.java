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
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.imageio.ImageFormat;
import org.scrim.engine.protect.ProgressListener;
import org.scrim.engine.protect.ProtectRequest;
import org.scrim.engine.usecase.FileProtector;
import picocli.CommandLine;

/**
 * The HTTP side of {@code scrim serve}: one loaded model answering protect requests from local programs (the Krita
 * bridge), so an export pays neither a JVM start nor a model load. Loopback only, a bearer token on every request,
 * a cap on body size and on jobs at once; a bad request or a vanished client costs that request, never the service.
 * A job the client names ({@code job=ID}) shows its progress at {@code GET /jobs/ID} and stops at
 * {@code DELETE /jobs/ID}, between two optimisation steps, freeing its slot for the next export. Any job whose client
 * closes the connection stops the same way: nobody is left to take its answer.
 */
final class LocalService implements AutoCloseable {
    /** Query keys of {@code POST /protect}: {@code scrim protect}'s options of the same names, plus the format. */
    static final Set<String> PROTECT_KEYS = Set.of("mode", "preset", "max-visibility", "effort", "decoy",
            "decoy-image", "anchor", "seed", "steps", "work-size", "no-verify", "no-tags", "data-mining", "creator",
            "rights", "web-statement", "constraints", "force");
    /** Query keys that are flags: present and not "false" means on. */
    private static final Set<String> FLAG_KEYS = Set.of("no-verify", "no-tags", "force");
    /** Query keys that name images on the service's side: read only from its --images-dir (ImagesFolder). */
    private static final Set<String> PATH_KEYS = Set.of("decoy-image", "anchor");
    static final String REPORT_HEADER = "X-Scrim-Report";
    static final String JOBS_PATH = "/jobs/";
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    /** How often a running job looks whether its client is still connected: a step takes longer. */
    static final long CLIENT_CHECK_MILLIS = 250;

    /** A local client sends its request headers in milliseconds; a longer wait is a client that stalls. */
    static final long HEADER_MILLIS = 5_000;
    /**
     * Time to write an answer that needs no job (health, shutdown, a refusal). It covers what the JDK server does
     * after the answer, too: it reads up to 64 KiB of a body nobody read before it reuses the connection, so a
     * client that declares a body and sends none is cut off after this.
     */
    private static final long ANSWER_MILLIS = 1_000;
    /**
     * Connections served at once. The JDK server reads a request's headers on the executor's thread, so each client
     * that stalls holds one until its header deadline: a thread per connection, made when needed and let go when
     * idle, keeps health checks and protections answered beside hundreds of stalled clients (with a fixed pool of
     * 32, 40 such clients delayed /health by seconds). Past this many, a new connection is closed at once.
     */
    static final int MAX_CONNECTIONS = 1024;
    /**
     * Uploads at once beyond the jobs: bodies arrive without a job slot, so this bounds the temp space they take
     * (each up to --max-body) while slow clients still leave the slots to others.
     */
    private static final int UPLOADS_BEYOND_JOBS = 4;
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private final ReportingProtector protector;
    private final String model;
    private final ImagesFolder images;
    private final int maxJobs;
    private final long maxBody;
    private final long readTimeoutMillis;
    /** 256 random bits, new at every start: only programs that can read the state file know it. */
    private final String token = HexFormat.of().formatHex(randomBytes());
    private final Semaphore slots;
    private final Semaphore uploads;
    private final HttpServer server;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService watchdog;
    private final RequestGuard guard;
    private final Path temp;
    private final CountDownLatch shutdownAsked = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Running jobs the client named, by id: their progress, and the flag that stops them. */
    private final Map<String, Job> namedJobs = new ConcurrentHashMap<>();

    LocalService(ReportingProtector protector, String model, ImagesFolder images, int port, int maxJobs,
            long maxBody, long readTimeoutMillis) throws IOException {
        this.protector = protector;
        this.model = model;
        this.images = images;
        this.maxJobs = maxJobs;
        this.maxBody = maxBody;
        this.readTimeoutMillis = readTimeoutMillis;
        this.slots = new Semaphore(maxJobs);
        this.uploads = new Semaphore(maxJobs + UPLOADS_BEYOND_JOBS);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 0);
        this.temp = Files.createTempDirectory("scrim-serve-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        // a connection past the bound is refused by the executor, and the JDK server closes it
        this.workers = new ThreadPoolExecutor(0, MAX_CONNECTIONS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                daemon("scrim-serve"));
        this.watchdog = Executors.newSingleThreadScheduledExecutor(daemon("scrim-serve-timeout"));
        this.guard = new RequestGuard(token, server.getAddress().getPort(), HEADER_MILLIS, watchdog);
        server.setExecutor(guard.executor(workers));
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
            if (!guard.headersReceived()) {
                log(what + ": headers took over " + HEADER_MILLIS + " ms; connection closed");
                return;
            }
            Refusal refused = guard.refusal(ex);
            if (refused != null) {
                throw refused;
            }
            String path = ex.getRequestURI().getPath();
            if (path.startsWith(JOBS_PATH)) {
                job(ex, path.substring(JOBS_PATH.length()));
                return;
            }
            switch (what) {
                case "GET /health" -> {
                    guard.within(ANSWER_MILLIS);
                    json(ex, 200, health());
                }
                case "POST /protect" -> protect(ex);
                case "POST /shutdown" -> {
                    guard.within(ANSWER_MILLIS);
                    json(ex, 200, Map.of("status", "shutting down"));
                    requestShutdown();
                }
                default -> throw new Refusal(404, "no such endpoint: " + what + "; the service answers GET /health, "
                        + "POST /protect, GET and DELETE /jobs/ID and POST /shutdown");
            }
        } catch (Refusal r) {
            log(what + " " + r.status + ": " + r.getMessage());
            guard.within(ANSWER_MILLIS);
            error(ex, r.status, r.getMessage());
        } catch (IOException e) {
            log(what + ": the client went away (" + e.getMessage() + ")");
        } catch (RuntimeException e) {
            log(what + " 500: " + e);
            guard.within(ANSWER_MILLIS);
            error(ex, 500, "internal error: " + e);
        } finally {
            ex.close();
        }
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

    /**
     * One job's progress, read by GET /jobs/ID when the client named it, and what stops it, read by the engine
     * between steps: a DELETE, or its client going away.
     */
    private static final class Job implements ProgressListener {
        final String id;
        volatile boolean cancelled;
        volatile boolean clientGone;
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
            return cancelled || clientGone;
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

    /** What a /protect query asks for: the output format, scrim protect's options and the request they make. */
    record ProtectQuery(String format, String jobId, ProtectCommand choices, ProtectRequest request) {
        /**
         * Parses a raw (still URL-encoded) query; bad keys and values are refused with 400 and the reason. The images
         * a query names are taken from {@code images} alone.
         */
        static ProtectQuery parse(String rawQuery, ImagesFolder images) throws Refusal {
            List<String> args = new ArrayList<>();
            String format = null;
            String jobId = null;
            Set<String> seen = new HashSet<>();
            for (String[] kv : query(rawQuery)) {
                if (List.of("job", "format").contains(kv[0]) && !seen.add(kv[0])) {
                    throw new Refusal(400, kv[0] + " is given twice; give it once");
                }
                if (kv[0].equals("job")) {
                    if (!JOB_ID.matcher(kv[1]).matches()) {
                        throw new Refusal(400, "job: '" + kv[1] + "' is not 1 to 64 letters, digits, '-' or '_'");
                    }
                    jobId = kv[1];
                } else if (kv[0].equals("format")) {
                    format = kv[1].toLowerCase(Locale.ROOT);
                    if (!ImageFormat.writableExtensions().contains(format)) {
                        throw new Refusal(400, "format: '" + kv[1] + "' is not one of " + String.join(", ",
                                ImageFormat.writableExtensions()) + " (the formats Scrim writes)");
                    }
                } else if (!PROTECT_KEYS.contains(kv[0])) {
                    throw new Refusal(400, "unknown parameter '" + kv[0] + "'; known: format, job, "
                            + String.join(", ", PROTECT_KEYS.stream().sorted().toList()));
                } else if (FLAG_KEYS.contains(kv[0])) {
                    if (!kv[1].equals("false")) {
                        args.add("--" + kv[0]);
                    }
                } else if (PATH_KEYS.contains(kv[0])) {
                    for (Path image : images.images(kv[0], kv[1])) {
                        args.add("--" + kv[0] + "=" + image);
                    }
                } else {
                    args.add("--" + kv[0] + "=" + kv[1]);
                }
            }
            // scrim protect's own options parse the query, so both accept the same values with the same messages.
            ProtectCommand choices = new ProtectCommand();
            args.add("body");
            try {
                new CommandLine(choices).setCaseInsensitiveEnumValuesAllowed(true)
                        .parseArgs(args.toArray(String[]::new));
            } catch (CommandLine.ParameterException e) {
                throw new Refusal(400, e.getMessage());
            }
            try {
                return new ProtectQuery(format, jobId, choices, choices.request());
            } catch (IOException | IllegalArgumentException e) {
                throw new Refusal(400, e.getMessage());
            }
        }
    }

    private void protect(HttpExchange ex) throws Refusal, IOException {
        ProtectQuery query = ProtectQuery.parse(ex.getRequestURI().getRawQuery(), images);
        String format = query.format();
        ProtectCommand choices = query.choices();
        ProtectRequest request = query.request();
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null && parseLength(length) > maxBody) {
            throw new Refusal(413, tooLarge(length + " bytes"));
        }
        // A named job is known at once, so its client can cancel it while the image is still arriving.
        Job named = query.jobId() == null ? null : new Job(query.jobId());
        if (named != null && namedJobs.putIfAbsent(named.id, named) != null) {
            throw new Refusal(409, "a job named '" + named.id + "' is already running");
        }
        Job listener = named != null ? named : new Job(null);
        Path job = null;
        // the answer's bytes stay in a file until they are sent: an image as large as --max-body is never held
        Path result;
        Map<String, Object> entry = new LinkedHashMap<>();
        try {
            job = Files.createTempDirectory(temp, "job-");
            Path upload = job.resolve("upload");
            // The slot is taken once the body is here: a slow upload holds a thread, never a job slot.
            if (!uploads.tryAcquire()) {
                throw new Refusal(503, "busy, " + (maxJobs + UPLOADS_BEYOND_JOBS) + " uploads arriving (--max-jobs "
                        + "+ " + UPLOADS_BEYOND_JOBS + "); try again when one has arrived");
            }
            try {
                receive(ex, upload, length == null ? -1 : parseLength(length));
            } finally {
                uploads.release();
            }
            // Without format=, the answer is in the image's own format where Scrim writes it (WebP comes back PNG).
            ImageFormat sent = ImageFiles.formatOf(upload).orElse(null);
            if (format == null) {
                format = sent != null && sent.writable() ? sent.extensions().get(0) : "png";
            }
            Path in = Files.move(upload, job.resolve("image." + (sent == null ? "bin" : sent.extensions().get(0))));
            Path out = job.resolve("protected." + format);
            String earlier = null;
            try {
                earlier = choices.force ? null : FileProtector.protectedAlready(in);
            } catch (IOException | IllegalArgumentException unreadable) {
                // no provenance to honour; the decoder below says what is wrong with the file
            }
            if (earlier != null) {
                throw new Refusal(409, "the image: " + earlier + ", or send force=true");
            }
            if (!slots.tryAcquire()) {
                int running = jobsRunning();
                throw new Refusal(503, "busy, " + running + (running == 1 ? " job" : " jobs") + " running "
                        + "(--max-jobs " + maxJobs + "); try again when one has finished");
            }
            ScheduledFuture<?> watch = watchClient(ex, listener);
            try {
                entry.put("ok", true);
                entry.putAll(protector.protect(in, out, request, choices.noTags ? null : choices.tagOptions,
                        !choices.noVerify, listener));
                result = Files.move(out, Files.createTempFile(temp, "answer-", ""),
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException | IllegalArgumentException e) {
                throw new Refusal(400, withoutJobPaths(e, in, out));
            } catch (CancellationException e) {
                if (listener.clientGone) {
                    throw new IOException("job stopped, nobody is left to take its answer");
                }
                throw new Refusal(409, "job '" + query.jobId() + "' was cancelled");
            } finally {
                watch.cancel(false);
                slots.release();
            }
        } finally {
            if (named != null) {
                namedJobs.remove(named.id, named);
            }
            if (job != null) {
                deleteTree(job);
            }
        }
        try {
            long size = Files.size(result);
            log(String.format(Locale.ROOT, "POST /protect 200: %d bytes in %.1f s, closeness %s", size,
                    entry.get("seconds"), entry.getOrDefault("closeness", "not verified")));
            ex.getResponseHeaders().set("Content-Type", ImageFormat.forExtension(format).orElseThrow().mediaType());
            ex.getResponseHeaders().set(REPORT_HEADER, GSON.toJson(entry));
            guard.within(readTimeoutMillis);
            ex.sendResponseHeaders(200, size);
            try (OutputStream body = ex.getResponseBody()) {
                Files.copy(result, body);
            }
        } finally {
            Files.deleteIfExists(result);
        }
    }

    /** Marks {@code job} as abandoned once its client closes the connection, so the engine stops it. */
    private ScheduledFuture<?> watchClient(HttpExchange ex, Job job) {
        ClientConnection client = new ClientConnection(ex.getLocalAddress(), ex.getRemoteAddress());
        return watchdog.scheduleWithFixedDelay(() -> {
            if (!job.clientGone && !client.open()) {
                job.clientGone = true;
                log("job " + (job.id == null ? "" : job.id + " ") + "cancelled: its client closed the connection");
            }
        }, CLIENT_CHECK_MILLIS, CLIENT_CHECK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The engine's message for the client, which knows neither the service's temp folder nor its file names. */
    private static String withoutJobPaths(Exception e, Path in, Path out) {
        return String.valueOf(e.getMessage()).replace(in.toString(), "the image").replace(out.toString(),
                "the answer");
    }

    /** Copies the body to {@code file}, refusing more than the cap, a short body, and a client that stalls. */
    private void receive(HttpExchange ex, Path file, long declared) throws Refusal, IOException {
        guard.within(readTimeoutMillis);
        long total = 0;
        IOException failure = null;
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
            failure = e;
        }
        // checked even after a whole body: a deadline that ran out as the last byte came has closed the connection
        if (guard.expired()) {
            throw new IOException("the body took over " + readTimeoutMillis + " ms (--read-timeout), " + total
                    + " bytes came; connection closed", failure);
        }
        if (failure != null) {
            throw new Refusal(400, "the body ended after " + total + (declared < 0 ? "" : " of " + declared)
                    + " bytes (" + failure.getMessage() + ")");
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
