package org.scrim.engine.optout;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.util.List;

/**
 * The site-level "do not train on this" signals: robots.txt rules for AI crawlers, Spawning's ai.txt, the W3C
 * TDMRep file, and the HTML and HTTP-header snippets a site owner pastes into templates and server configuration.
 * The merge methods take a file's current text and return the new text; re-running gives the same text.
 *
 * @param crawlers  the user agents to disallow in robots.txt
 * @param tdmPolicy optional URL of a TDM licensing policy (TDMRep {@code tdm-policy}); null for none
 */
public record OptOutKit(List<AiCrawler> crawlers, URI tdmPolicy) {
    /** Image and media types listed in ai.txt, for readers that only look at file types. */
    private static final List<String> MEDIA_TYPES = List.of("jpg", "jpeg", "png", "gif", "webp", "avif", "tif",
            "tiff", "bmp", "svg", "heic", "psd", "kra", "mp4", "webm", "mov");
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    public OptOutKit {
        crawlers = List.copyOf(crawlers);
        if (crawlers.isEmpty()) {
            throw new IllegalArgumentException("no crawlers to opt out of");
        }
        if (tdmPolicy != null && !("https".equals(tdmPolicy.getScheme()) || "http".equals(tdmPolicy.getScheme()))) {
            throw new IllegalArgumentException("TDM policy '" + tdmPolicy + "' must be an http(s) URL");
        }
    }

    /** All known AI-training crawlers, no TDM policy. */
    public static OptOutKit standard() {
        return new OptOutKit(AiCrawler.TRAINING, null);
    }

    public OptOutKit withTdmPolicy(URI policy) {
        return new OptOutKit(crawlers, policy);
    }

    /** One robots.txt group naming every AI crawler; other crawlers (search engines) are not affected. */
    public String robotsBlock() {
        StringBuilder sb = new StringBuilder("# Crawlers that collect content for AI training may not fetch anything.\n");
        crawlers.forEach(c -> sb.append("User-agent: ").append(c.userAgent()).append('\n'));
        return sb.append("Disallow: /\n").toString();
    }

    public String mergeRobotsTxt(String existing) throws IOException {
        return MarkedBlock.merge(existing, robotsBlock(), "robots.txt");
    }

    /** Spawning's ai.txt: robots.txt grammar, read by dataset tools such as img2dataset's Spawning integration. */
    public String aiTxtBlock() {
        StringBuilder sb = new StringBuilder("# No file on this site may be used to train AI models.\n"
                + "User-Agent: *\nDisallow: /\n");
        MEDIA_TYPES.forEach(t -> sb.append("Disallow: *.").append(t).append('\n'));
        return sb.toString();
    }

    public String mergeAiTxt(String existing) throws IOException {
        return MarkedBlock.merge(existing, aiTxtBlock(), "ai.txt");
    }

    /**
     * The TDMRep well-known file with a rule reserving TDM rights for the whole site ({@code location "/"}). An
     * existing "/" rule is updated in place; the owner's other rules, which may grant TDM on narrower paths, are
     * kept in front of it.
     */
    public String mergeTdmRep(String existingJson) throws IOException {
        JsonArray rules;
        if (existingJson == null || existingJson.isBlank()) {
            rules = new JsonArray();
        } else {
            try {
                JsonElement parsed = JsonParser.parseString(existingJson);
                if (!parsed.isJsonArray()) {
                    throw new IOException("tdmrep.json: expected a JSON array of rules, found " + parsed);
                }
                rules = parsed.getAsJsonArray();
            } catch (JsonParseException e) {
                throw new IOException("tdmrep.json is not valid JSON: " + e.getMessage(), e);
            }
        }
        JsonObject root = null;
        for (JsonElement r : rules) {
            if (r.isJsonObject() && r.getAsJsonObject().has("location")
                    && "/".equals(r.getAsJsonObject().get("location").getAsString())) {
                root = r.getAsJsonObject();
            }
        }
        if (root == null) {
            root = new JsonObject();
            root.addProperty("location", "/");
            rules.add(root);
        }
        root.addProperty("tdm-reservation", 1);
        if (tdmPolicy != null) {
            root.addProperty("tdm-policy", tdmPolicy.toString());
        }
        return GSON.toJson(rules) + "\n";
    }

    /** Lines for the {@code <head>} of every page. */
    public String htmlMeta() {
        return "<!-- Scrim: no AI training on this page or its images -->\n"
                + "<meta name=\"robots\" content=\"noai, noimageai\">\n"
                + "<meta name=\"tdm-reservation\" content=\"1\">\n"
                + (tdmPolicy == null ? "" : "<meta name=\"tdm-policy\" content=\"" + html(tdmPolicy) + "\">\n");
    }

    /** nginx directives for a {@code server} block (add_header is not inherited by blocks that set their own). */
    public String nginx() {
        return "# Scrim: no AI training. Put in the server block; repeat in any location block that has its own\n"
                + "# add_header lines, since nginx does not inherit them there.\n"
                + "add_header X-Robots-Tag \"noai, noimageai\" always;\n"
                + "add_header tdm-reservation \"1\" always;\n"
                + (tdmPolicy == null ? "" : "add_header tdm-policy \"" + tdmPolicy.toASCIIString() + "\" always;\n");
    }

    /** Apache directives for the server config, a virtual host or .htaccess (needs mod_headers). */
    public String apache() {
        return "# Scrim: no AI training. Needs mod_headers (a2enmod headers).\n"
                + "<IfModule mod_headers.c>\n"
                + "  Header always set X-Robots-Tag \"noai, noimageai\"\n"
                + "  Header always set tdm-reservation \"1\"\n"
                + (tdmPolicy == null ? "" : "  Header always set tdm-policy \"" + tdmPolicy.toASCIIString() + "\"\n")
                + "</IfModule>\n";
    }

    private static String html(URI uri) {
        return uri.toASCIIString().replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;");
    }
}
