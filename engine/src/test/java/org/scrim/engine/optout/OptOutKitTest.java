package org.scrim.engine.optout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import crawlercommons.robots.SimpleRobotRules;
import crawlercommons.robots.SimpleRobotRulesParser;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OptOutKitTest {
    private static final String EXISTING_ROBOTS = """
            # The owner's own rules
            User-agent: *
            Disallow: /private/

            User-agent: BadBot
            Disallow: /
            Sitemap: https://example.org/sitemap.xml""";

    @TempDir
    Path site;

    @Test
    void robotsTxtBlocksEveryAiCrawlerAndKeepsTheOwnersRules() throws IOException {
        String robots = OptOutKit.standard().mergeRobotsTxt(EXISTING_ROBOTS);
        assertTrue(robots.startsWith(EXISTING_ROBOTS), robots);
        for (AiCrawler c : AiCrawler.TRAINING) {
            assertFalse(rules(robots, c.userAgent()).isAllowed("https://example.org/gallery/a.png"),
                    c.userAgent() + " is not disallowed");
        }
        // The brief's named crawlers are all in the list.
        List<String> named = List.of("GPTBot", "ClaudeBot", "CCBot", "Google-Extended", "Applebot-Extended",
                "Bytespider", "PerplexityBot", "meta-externalagent");
        assertTrue(AiCrawler.TRAINING.stream().map(AiCrawler::userAgent).toList().containsAll(named));

        SimpleRobotRules googlebot = rules(robots, "Googlebot");
        assertTrue(googlebot.isAllowed("https://example.org/gallery/a.png"), "search engines must stay allowed");
        assertFalse(googlebot.isAllowed("https://example.org/private/x"), "the owner's * group must still apply");
        assertFalse(rules(robots, "BadBot").isAllowed("https://example.org/"), "the owner's BadBot group is kept");
        assertTrue(rules(robots, "Googlebot").getSitemaps().contains("https://example.org/sitemap.xml"));
    }

    @Test
    void mergingIsIdempotentAndReplacesOnlyScrimsBlock() throws IOException {
        OptOutKit kit = OptOutKit.standard();
        String once = kit.mergeRobotsTxt(EXISTING_ROBOTS);
        assertEquals(once, kit.mergeRobotsTxt(once));
        // An older Scrim block (fewer crawlers) is replaced where it stands; the owner's later lines stay.
        OptOutKit older = new OptOutKit(List.of(new AiCrawler("GPTBot", "OpenAI")), null);
        String withOld = older.mergeRobotsTxt(EXISTING_ROBOTS) + "\nUser-agent: Later\nDisallow: /x\n";
        String updated = kit.mergeRobotsTxt(withOld);
        assertEquals(1, updated.split(java.util.regex.Pattern.quote(MarkedBlock.BEGIN), -1).length - 1);
        assertTrue(updated.contains("User-agent: CCBot") && updated.endsWith("User-agent: Later\nDisallow: /x\n"),
                updated);
        assertEquals(updated, kit.mergeRobotsTxt(updated));

        String broken = once.replace(MarkedBlock.END, "");
        IOException e = assertThrows(IOException.class, () -> kit.mergeRobotsTxt(broken));
        assertTrue(e.getMessage().contains("robots.txt"), e.getMessage());
    }

    @Test
    void aiTxtDisallowsEverythingForEveryAgent() throws IOException {
        String ai = OptOutKit.standard().mergeAiTxt("");
        SimpleRobotRules r = rules(ai, "img2dataset");
        assertFalse(r.isAllowed("https://example.org/art/piece.png"));
        assertTrue(ai.contains("User-Agent: *") && ai.contains("Disallow: *.png"), ai);
    }

    @Test
    void tdmRepKeepsExistingRulesAndAddsOrUpdatesTheSiteRule() throws IOException {
        OptOutKit kit = OptOutKit.standard().withTdmPolicy(URI.create("https://example.org/tdm-policy.json"));
        String existing = "[{\"location\":\"/open-data/*\",\"tdm-reservation\":0}]";
        JsonArray rules = JsonParser.parseString(kit.mergeTdmRep(existing)).getAsJsonArray();
        assertEquals(2, rules.size());
        assertEquals("/open-data/*", rules.get(0).getAsJsonObject().get("location").getAsString());
        JsonObject root = rules.get(1).getAsJsonObject();
        assertEquals("/", root.get("location").getAsString());
        assertEquals(1, root.get("tdm-reservation").getAsInt());
        assertEquals("https://example.org/tdm-policy.json", root.get("tdm-policy").getAsString());

        String again = kit.mergeTdmRep(kit.mergeTdmRep(existing));
        assertEquals(kit.mergeTdmRep(existing), again);

        JsonArray updated = JsonParser.parseString(OptOutKit.standard()
                .mergeTdmRep("[{\"location\":\"/\",\"tdm-reservation\":0,\"note\":\"mine\"}]")).getAsJsonArray();
        assertEquals(1, updated.size());
        assertEquals(1, updated.get(0).getAsJsonObject().get("tdm-reservation").getAsInt());
        assertEquals("mine", updated.get(0).getAsJsonObject().get("note").getAsString());

        assertThrows(IOException.class, () -> kit.mergeTdmRep("{not json"));
        assertThrows(IOException.class, () -> kit.mergeTdmRep("{\"location\":\"/\"}"));
    }

    @Test
    void siteFolderIsUpdatedInPlaceAndASecondRunChangesNothing() throws IOException {
        Files.writeString(site.resolve("robots.txt"), EXISTING_ROBOTS);
        OptOutKit kit = OptOutKit.standard();
        List<Path> changed = SiteOptOut.apply(site, kit);
        assertEquals(List.of(site.resolve("robots.txt"), site.resolve("ai.txt"),
                site.resolve(".well-known/tdmrep.json")), changed);
        assertTrue(Files.readString(site.resolve("robots.txt")).startsWith(EXISTING_ROBOTS));
        assertEquals(List.of(), SiteOptOut.apply(site, kit));
        IOException e = assertThrows(IOException.class, () -> SiteOptOut.apply(site.resolve("nope"), kit));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
    }

    @Test
    void snippetsCarryTheSignalsAndThePolicy() {
        OptOutKit kit = OptOutKit.standard().withTdmPolicy(URI.create("https://example.org/p?a=1&b=2"));
        assertTrue(kit.htmlMeta().contains("<meta name=\"robots\" content=\"noai, noimageai\">"));
        assertTrue(kit.htmlMeta().contains("content=\"https://example.org/p?a=1&amp;b=2\""), kit.htmlMeta());
        assertTrue(kit.nginx().contains("add_header X-Robots-Tag \"noai, noimageai\" always;"));
        assertTrue(kit.nginx().contains("add_header tdm-policy \"https://example.org/p?a=1&b=2\" always;"));
        assertTrue(kit.apache().contains("Header always set tdm-reservation \"1\""));
        assertFalse(OptOutKit.standard().apache().contains("tdm-policy"));
        assertThrows(IllegalArgumentException.class, () -> kit.withTdmPolicy(URI.create("ftp://x/y")));
    }

    private static SimpleRobotRules rules(String robotsTxt, String agent) {
        return new SimpleRobotRulesParser().parseContent("https://example.org/robots.txt",
                robotsTxt.getBytes(StandardCharsets.UTF_8), "text/plain", List.of(agent.toLowerCase()));
    }
}
