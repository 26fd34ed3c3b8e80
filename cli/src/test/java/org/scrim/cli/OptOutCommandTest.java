package org.scrim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import crawlercommons.robots.SimpleRobotRules;
import crawlercommons.robots.SimpleRobotRulesParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class OptOutCommandTest {
    @TempDir
    Path site;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return new CommandLine(new OptOutCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(args);
    }

    @Test
    void siteFilesAreMergedAndASecondRunChangesNothing() throws Exception {
        Files.writeString(site.resolve("robots.txt"), "User-agent: *\nDisallow: /drafts/\n");
        Files.createDirectories(site.resolve(".well-known"));
        Files.writeString(site.resolve(".well-known/tdmrep.json"), "[{\"location\":\"/cc0/*\",\"tdm-reservation\":0}]");

        assertEquals(0, run("--site", site.toString(), "--tdm-policy", "https://example.org/policy"));
        String robots = Files.readString(site.resolve("robots.txt"));
        assertFalse(rules(robots, "gptbot").isAllowed("https://example.org/art.png"));
        assertFalse(rules(robots, "google-extended").isAllowed("https://example.org/"));
        assertTrue(rules(robots, "googlebot").isAllowed("https://example.org/art.png"));
        assertFalse(rules(robots, "googlebot").isAllowed("https://example.org/drafts/x"));
        var tdm = JsonParser.parseString(Files.readString(site.resolve(".well-known/tdmrep.json"))).getAsJsonArray();
        assertEquals(2, tdm.size());
        assertEquals("https://example.org/policy", tdm.get(1).getAsJsonObject().get("tdm-policy").getAsString());
        assertTrue(Files.readString(site.resolve("ai.txt")).contains("User-Agent: *"));
        assertTrue(out.toString().contains("X-Robots-Tag"), "snippets are printed: " + out);

        List<byte[]> before = List.of(Files.readAllBytes(site.resolve("robots.txt")),
                Files.readAllBytes(site.resolve(".well-known/tdmrep.json")));
        assertEquals(0, run("--site", site.toString(), "--tdm-policy", "https://example.org/policy"));
        assertTrue(out.toString().contains("nothing changed"), out.toString());
        assertEquals(new String(before.get(0)), Files.readString(site.resolve("robots.txt")));
        assertEquals(new String(before.get(1)), Files.readString(site.resolve(".well-known/tdmrep.json")));
    }

    @Test
    void withoutASitePrintsEverything() {
        assertEquals(0, run());
        String text = out.toString();
        for (String s : List.of("User-agent: GPTBot", "User-Agent: *", "\"tdm-reservation\": 1",
                "<meta name=\"tdm-reservation\" content=\"1\">", "add_header X-Robots-Tag",
                "Header always set X-Robots-Tag")) {
            assertTrue(text.contains(s), "missing " + s + " in\n" + text);
        }
    }

    @Test
    void badInputsFailClearly() {
        assertEquals(2, run("--tdm-policy", "not a url"));
        assertTrue(err.toString().contains("--tdm-policy"), err.toString());
        assertEquals(1, run("--site", site.resolve("missing").toString()));
        assertTrue(err.toString().contains("missing: site folder does not exist"), err.toString());
    }

    private static SimpleRobotRules rules(String robots, String agent) {
        return new SimpleRobotRulesParser().parseContent("https://example.org/robots.txt",
                robots.getBytes(StandardCharsets.UTF_8), "text/plain", List.of(agent));
    }

    @Test
    void guideIsFilledWithTheArtistsDetailsAndWritesNothing() throws Exception {
        assertEquals(0, run("--guide", "--name", "Ann Artist", "--email", "ann@example.org", "--url",
                "https://ann.example/portfolio", "--url", "https://instagram.com/ann"));
        String guide = out.toString();
        assertTrue(guide.contains("I, Ann Artist (ann@example.org), object under Article 21(1)"), guide);
        assertTrue(guide.contains("  https://ann.example/portfolio\n  https://instagram.com/ann"), guide);
        assertTrue(guide.contains("haveibeentrained.com") && guide.contains("Do Not Train registry"), guide);
        assertFalse(guide.contains("[YOUR NAME]"), guide);
        try (var files = Files.list(site)) {
            assertEquals(0, files.count(), "--guide writes no files");
        }

        out.getBuffer().setLength(0);
        assertEquals(0, run("--guide"));
        assertTrue(out.toString().contains("I, [YOUR NAME] ([YOUR EMAIL])"), out.toString());
        assertEquals(2, run("--guide", "--site", site.toString()), "text only");
    }
}
