package org.scrim.cli;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.scrim.engine.config.UserFolders;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code scrim serve}: keeps the model loaded and protects images sent over HTTP by local programs. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a local protection service for programs such as the Krita plugin: the model is loaded "
                + "once, each image costs only its protection.",
                "",
                "Listens on 127.0.0.1 only. The port and a new random token go into the state file (readable by you "
                        + "alone), which is removed when the service stops. Every request needs the headers "
                        + "'Host: 127.0.0.1:PORT' and 'Authorization: Bearer TOKEN'.",
                "",
                "  GET  /health      version, model, jobs running",
                "  POST /protect?... the image as the body; answers the protected image (same",
                "                    format, tagged) with the figures as JSON in the header",
                "                    " + LocalService.REPORT_HEADER + ". Query: format (png, jpeg, tiff) and",
                "                    scrim protect's options by name: preset=low&decoy=mosaic",
                "                    (decoy-image= and anchor= name images inside --images-dir;",
                "                    force=true for an image Scrim protected already;",
                "                    job=ID names the job). A client that closes its",
                "                    connection stops its job.",
                "  GET  /jobs/ID     a named job's phase and steps",
                "  DELETE /jobs/ID   stop a named job between two steps",
                "  POST /shutdown    stop the service"},
        footer = {"", "Example:", "  scrim serve --max-jobs 2 &", "  S=~/.cache/scrim/service.json",
                "  curl -H \"Authorization: Bearer $(jq -r .token $S)\" \\",
                "       --data-binary @art.png \"$(jq -r .url $S)/protect?preset=low\" -o safe.png"})
public final class ServeCommand implements Callable<Integer> {
    /** A state file is a few hundred bytes; a larger file is not one. */
    private static final long MAX_STATE_BYTES = 4096;

    @Option(names = "--port", defaultValue = "0", description = "Port on 127.0.0.1 (0 = any free port). "
            + "Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--state-file", paramLabel = "FILE", description = "Where to write the port and token "
            + "(default: ~/.cache/scrim/service.json).")
    Path stateFile;

    @Option(names = "--max-body", paramLabel = "SIZE", defaultValue = "256M", converter = SizeConverter.class,
            description = "Largest image accepted, in bytes or with K, M or G. Default: ${DEFAULT-VALUE}.")
    long maxBody;

    @Option(names = "--max-jobs", paramLabel = "N", defaultValue = "1", description = "Protections at once; "
            + "further requests are answered 503 at once. Default: ${DEFAULT-VALUE}.")
    int maxJobs;

    @Option(names = "--read-timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "Longest time to receive an image before the connection is closed. Default: "
                    + "${DEFAULT-VALUE}.")
    double readTimeout;

    @Option(names = "--images-dir", paramLabel = "FOLDER", description = "The folder whose images a request may "
            + "name with decoy-image= or anchor= (inside it only, symbolic links resolved). Without it, requests "
            + "that name images are refused.")
    Path imagesDir;

    @Option(names = "--until-stdin-closes", description = "Also stop when standard input closes: a program that "
            + "starts the service keeps a pipe open to it, so the service ends with the program, however it ends.")
    boolean untilStdinCloses;

    @Mixin
    ModelOptions modelOptions;

    @Override
    public Integer call() throws Exception {
        if (maxJobs < 1 || maxBody < 1 || !(readTimeout > 0)) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--max-jobs, --max-body and --read-timeout must be above 0");
        }
        Path state = stateFile != null ? stateFile : UserFolders.serviceStateFile();
        refuseForeignStateFile(state);
        ImagesFolder images = imagesDir == null ? ImagesFolder.NONE : ImagesFolder.of(imagesDir);
        ReportingProtector protector = new ReportingProtector(modelOptions);
        try (LocalService service = new LocalService(protector, protector.model(), images, port, maxJobs, maxBody,
                Math.round(readTimeout * 1000))) {
            String written = writeState(state, service);
            Thread onSignal = new Thread(() -> stop(service, state, written));
            Runtime.getRuntime().addShutdownHook(onSignal);
            if (untilStdinCloses) {
                Thread watcher = new Thread(() -> {
                    try {
                        System.in.transferTo(OutputStream.nullOutputStream());
                    } catch (IOException e) {
                        // A broken pipe ends the owner's claim just as an end of file does.
                    }
                    service.requestShutdown();
                }, "scrim-serve-stdin");
                watcher.setDaemon(true);
                watcher.start();
            }
            System.err.println("scrim serve: listening on http://127.0.0.1:" + service.address().getPort()
                    + ", state in " + state);
            service.awaitShutdownRequest();
            stop(service, state, written);
            Runtime.getRuntime().removeShutdownHook(onSignal);
        }
        return 0;
    }

    /**
     * The state file is replaced at start and deleted at stop, so a file already there must be an earlier service's
     * (one that did not stop cleanly); anything else is the user's and stays untouched.
     */
    static void refuseForeignStateFile(Path state) {
        if (!Files.exists(state, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        JsonObject earlier = serviceState(state);
        if (earlier == null) {
            throw new ScrimCommand.UsageException("--state-file " + state + " exists and is not a Scrim service's "
                    + "state file: the service would replace it and delete it when it stops. Name a new file");
        }
        // A live service's file replaced would leave that service running where no client finds it.
        long pid = earlier.get("pid").getAsLong();
        String url = earlier.get("url").getAsString();
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                && answersHealth(url, earlier.get("token").getAsString())) {
            throw new ScrimCommand.UsageException("a Scrim service is already running with state file " + state
                    + " (process " + pid + ", " + url + "); use it, stop it first (POST /shutdown) or name another "
                    + "--state-file");
        }
    }

    /** The file's service state (url, token, pid), or null when it is not one. */
    private static JsonObject serviceState(Path file) {
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) > MAX_STATE_BYTES) {
                return null;
            }
            JsonObject doc = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
            return doc.has("url") && doc.has("token") && doc.has("pid") ? doc : null;
        } catch (IOException | RuntimeException notJson) {
            return null;
        }
    }

    /** Whether a service answers its health check at {@code url} with this token: a process id alone may be reused. */
    private static boolean answersHealth(String url, String token) {
        try {
            HttpResponse<Void> answer = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build().send(
                    HttpRequest.newBuilder(URI.create(url + "/health")).timeout(Duration.ofSeconds(2))
                            .header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.discarding());
            return answer.statusCode() == 200;
        } catch (IOException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Writes port and token readable by the owner only: created that way, then moved into place. */
    static String writeState(Path state, LocalService service) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("url", "http://127.0.0.1:" + service.address().getPort());
        doc.put("port", service.address().getPort());
        doc.put("token", service.token());
        doc.put("pid", ProcessHandle.current().pid());
        doc.put("version", Version.current());
        String json = new Gson().toJson(doc);
        Path dir = state.toAbsolutePath().getParent();
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        if (posix && !Files.exists(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        }
        Files.createDirectories(dir);
        Path staged = posix ? Files.createTempFile(dir, ".service-", ".json",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(dir, ".service-", ".json");
        Files.writeString(staged, json, StandardCharsets.UTF_8);
        Files.move(staged, state, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return json;
    }

    /** Stops the service and removes the state file, unless another service has written its own there since. */
    private static void stop(LocalService service, Path state, String written) {
        try {
            service.close();
            if (Files.exists(state) && Files.readString(state, StandardCharsets.UTF_8).equals(written)) {
                Files.delete(state);
            }
        } catch (IOException e) {
            System.err.println("scrim serve: while stopping: " + e.getMessage());
        }
    }

    /** Sizes such as 1048576, 512K, 256M or 1G. */
    static final class SizeConverter implements ITypeConverter<Long> {
        /** Larger than any image Scrim reads (200 megapixels of 16-bit RGBA, uncompressed, is 1.6 GB). */
        static final long MAX_SIZE = 64L << 30;

        @Override
        public Long convert(String value) {
            String v = value.trim().toUpperCase(Locale.ROOT);
            int shift = v.endsWith("K") ? 10 : v.endsWith("M") ? 20 : v.endsWith("G") ? 30 : 0;
            long number = Long.parseLong(shift == 0 ? v : v.substring(0, v.length() - 1));
            // a shift past the largest size would wrap around to a small or negative limit
            if (number > MAX_SIZE >> shift) {
                throw new IllegalArgumentException("'" + value + "' is more than the largest size, "
                        + (MAX_SIZE >> 30) + "G");
            }
            return number << shift;
        }
    }
}
