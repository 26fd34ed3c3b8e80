package org.scrim.engine.models;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.scrim.engine.config.UserFolders;
import org.scrim.engine.modelio.StateDict;

/**
 * Finds model weights: an explicit path, then {@code $SCRIM_MODELS}, then the user cache
 * ({@code ~/.cache/scrim/models}), else a download from the pinned upstream URL into the cache. Known files are always
 * checked against their sha256, so a corrupt or substituted file is refused wherever it was found.
 */
public final class ModelStore {
    /** A weight file Scrim knows by name: where it comes from and what it must hash to. */
    public record KnownFile(String fileName, String sha256, String url) {}

    /** A model Scrim knows by name: its encoder and decoder files (decoder null where none is published). */
    public record KnownModel(String name, String description, KnownFile encoder, KnownFile decoder) {
        /** The files to fetch and check: the encoder, and the decoder where there is one. */
        public List<KnownFile> files() {
            return decoder == null ? List.of(encoder) : List.of(encoder, decoder);
        }
    }

    public static final String DEFAULT_MODEL = "taef2";
    private static final String TAESD_COMMIT = "5cccb12dc72074a4be35680c3b108548a7c69978";

    public static final KnownModel TAEF2 = new KnownModel(DEFAULT_MODEL,
            "TAEF2, the tiny distilled autoencoder of the FLUX.2 VAE (MIT, madebyollin/taesd)",
            taesd("taef2_encoder.pth", "10a4e1021e89d7551eaf161352da8dbd0b1aa83872ae28b150c1df1ce2f147b6"),
            taesd("taef2_decoder.pth", "0a44a31e1ae59eb9dbf9359d24942fd3ef5928162c1800d97a28c61d51be0ab5"));

    /**
     * TAESana: another model family (Sana's DC-AE, 32x downsampling), so a protection pulled on both is not tuned to
     * one encoder's quirks. Its decoder is not published beside it.
     */
    public static final KnownModel TAESANA = new KnownModel("taesana",
            "TAESana, the tiny distilled encoder of Sana's DC-AE (MIT, madebyollin/taesd)",
            taesd("taesana_encoder.pth", "858f4e4cc293f88efaf58107f4154b960b9ced0cb5d9c050dad11f926b618c1f"), null);

    /** The encoders a protection pulls on unless told otherwise: one of each family. */
    public static final List<String> DEFAULT_ENCODERS = List.of(TAEF2.name(), TAESANA.name());

    /** The model whose decoder renders the "AI view". */
    public static final KnownModel AI_VIEW_MODEL = TAEF2;

    public static final Map<String, KnownModel> KNOWN = orderedByName(TAEF2, TAESANA);

    private final List<Path> searchDirs;
    private final Path cacheDir;
    private final boolean allowDownload;

    public ModelStore(List<Path> searchDirs, Path cacheDir, boolean allowDownload) {
        this.searchDirs = List.copyOf(searchDirs);
        this.cacheDir = cacheDir;
        this.allowDownload = allowDownload;
    }

    /** The store as a user has it: {@code extraDir} (may be null), {@code $SCRIM_MODELS}, the cache; downloads on. */
    public static ModelStore standard(Path extraDir) {
        List<Path> dirs = new ArrayList<>();
        if (extraDir != null) {
            dirs.add(extraDir);
        }
        String env = System.getenv("SCRIM_MODELS");
        if (env != null && !env.isBlank()) {
            dirs.add(Path.of(env));
        }
        Path cache = UserFolders.modelCache();
        dirs.add(cache);
        return new ModelStore(dirs, cache, true);
    }

    /**
     * This store, looking in the same places but never downloading: for machines that must not reach out (a
     * cluster's executors), where a missing file is an error naming the folders searched.
     */
    public ModelStore withoutDownloads() {
        return new ModelStore(searchDirs, cacheDir, false);
    }

    public static KnownModel known(String name) {
        KnownModel m = KNOWN.get(name);
        if (m == null) {
            throw unknownModel(name);
        }
        return m;
    }

    private static IllegalArgumentException unknownModel(String name) {
        return new IllegalArgumentException("unknown model '" + name + "'; known models: " + KNOWN.keySet()
                + " (or give a path to a .pth/.safetensors/.onnx encoder file, such as ./" + name + ".pth)");
    }

    /** Where the file is now, verified, without downloading. */
    public Optional<Path> find(KnownFile f) throws IOException {
        for (Path dir : searchDirs) {
            Path p = dir.resolve(f.fileName());
            if (Files.isRegularFile(p)) {
                verify(p, f);
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * The surrogate encoder named by {@code modelOrFile}: a known model's encoder found (or fetched) through this
     * store, or a user's ONNX encoder or encoder weight file (.pth/.safetensors). A TAE encoder with a decoder
     * ({@link #decoderWeights}) comes with its rendering, which the protection pulls too.
     */
    public SurrogateEncoder surrogate(String modelOrFile) throws IOException {
        Path file = encoderFile(modelOrFile);
        if (!KNOWN.containsKey(modelOrFile) && modelOrFile.endsWith(".onnx")) {
            return SurrogateEncoder.onnx(file);
        }
        String name = KNOWN.containsKey(modelOrFile) ? modelOrFile
                : file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        SurrogateEncoder encoder = SurrogateEncoder.tae(name, StateDict.read(file));
        StateDict decoder = decoderWeights(modelOrFile);
        return decoder == null ? encoder : encoder.withRendering(decoder);
    }

    /**
     * The encoder file {@code modelOrFile} stands for. A known name always means the pinned, hash-checked model,
     * even when a file of that name is in the current folder (a substituted file would be attacked in its place);
     * anything else is taken as a file only when it looks like a path: it has a folder separator or an extension.
     */
    public Path encoderFile(String modelOrFile) throws IOException {
        KnownModel known = KNOWN.get(modelOrFile);
        return known != null ? resolve(known.encoder()) : userFile(modelOrFile);
    }

    /** Encoder weights of a known model, or of the weight file at that path. */
    public StateDict encoderWeights(String modelOrFile) throws IOException {
        return StateDict.read(encoderFile(modelOrFile));
    }

    /**
     * Decoder weights of a known model, or of the file beside a user's encoder file with "decoder" in place of
     * "encoder" in its name; null when there is no decoder (TAESana, a user's encoder without such a twin).
     */
    public StateDict decoderWeights(String modelOrFile) throws IOException {
        Path file = decoderFile(modelOrFile);
        return file == null ? null : StateDict.read(file);
    }

    /**
     * Of {@code models}, the one whose decoder renders the AI view: the first that has a decoder, else TAEF2 (the AI
     * view needs a decoder, and TAESana has none).
     */
    public String aiViewModel(List<String> models) throws IOException {
        for (String m : models) {
            if (decoderFile(m) != null) {
                return m;
            }
        }
        return AI_VIEW_MODEL.name();
    }

    /** A known model's decoder file (found or fetched), or the twin of a user's encoder file; null when none. */
    private Path decoderFile(String modelOrFile) throws IOException {
        KnownModel known = KNOWN.get(modelOrFile);
        if (known != null) {
            return known.decoder() == null ? null : resolve(known.decoder());
        }
        Path file = userFile(modelOrFile);
        Path twin = file.resolveSibling(file.getFileName().toString().replace("encoder", "decoder"));
        return !twin.equals(file) && Files.isRegularFile(twin) ? twin : null;
    }

    private static Path userFile(String modelOrFile) throws IOException {
        Path file = Path.of(modelOrFile);
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        boolean looksLikePath = modelOrFile.contains("/") || modelOrFile.contains(File.separator)
                || name.lastIndexOf('.') > 0;
        if (!looksLikePath) {
            throw unknownModel(modelOrFile);
        }
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(modelOrFile, null, "no such model file");
        }
        return file;
    }

    /** The verified local path of {@code f}, downloading it into the cache if it is nowhere yet. */
    public Path resolve(KnownFile f) throws IOException {
        Optional<Path> found = find(f);
        if (found.isPresent()) {
            return found.get();
        }
        if (!allowDownload) {
            throw new IOException(f.fileName() + " was not found in " + searchDirs
                    + " and downloads are off: put the file in one of those folders or set SCRIM_MODELS");
        }
        return download(f);
    }

    private Path download(KnownFile f) throws IOException {
        Files.createDirectories(cacheDir);
        Path target = cacheDir.resolve(f.fileName());
        Path partial = Files.createTempFile(cacheDir, f.fileName(), ".part");
        try {
            HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                    .connectTimeout(Duration.ofSeconds(20)).build();
            HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(URI.create(f.url()))
                    .timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                throw new IOException("download of " + f.url() + " answered HTTP " + response.statusCode());
            }
            try (InputStream in = response.body(); OutputStream out = Files.newOutputStream(partial)) {
                in.transferTo(out);
            }
            verify(partial, f);
            try {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("download of " + f.url() + " was interrupted", e);
        } catch (IOException e) {
            // A refused or unreachable connection comes without a message: say what it is rather than "null".
            String reason = e.getMessage() != null ? e.getMessage()
                    : e instanceof java.net.ConnectException ? "no network connection"
                    : e.getClass().getSimpleName();
            throw new ModelUnavailableException(f.fileName(), f.url(), reason, cacheDir, e);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /** Refuses a file whose sha256 is not the pinned one. */
    public static void verify(Path p, KnownFile f) throws IOException {
        String actual = sha256(p);
        if (!actual.equals(f.sha256())) {
            throw new IOException(p + " has sha256 " + actual + " but " + f.fileName() + " must have "
                    + f.sha256() + ": the file is corrupt or not the published one; delete it and fetch it again");
        }
    }

    public static String sha256(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-256", e);
        }
    }

    public List<Path> searchDirs() {
        return searchDirs;
    }

    private static Map<String, KnownModel> orderedByName(KnownModel... models) {
        Map<String, KnownModel> byName = new LinkedHashMap<>();
        for (KnownModel m : models) {
            byName.put(m.name(), m);
        }
        return Collections.unmodifiableMap(byName);
    }

    private static KnownFile taesd(String file, String sha256) {
        return new KnownFile(file, sha256,
                "https://github.com/madebyollin/taesd/raw/" + TAESD_COMMIT + "/" + file);
    }
}
