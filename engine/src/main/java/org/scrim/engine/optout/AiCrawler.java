package org.scrim.engine.optout;

import java.util.List;

/**
 * A crawler (or a robots.txt control token) that gathers web content for AI training.
 *
 * @param userAgent the robots.txt product token
 * @param operator  who runs it
 */
public record AiCrawler(String userAgent, String operator) {

    /**
     * Crawlers and control tokens published for AI-training collection, as of 2024-2025. Sources: the operators'
     * crawler pages (OpenAI "Overview of OpenAI Crawlers", Anthropic "Does Anthropic crawl data from the web",
     * Google "Google's common crawlers" for Google-Extended, Apple "About Applebot" for Applebot-Extended, Common
     * Crawl "CCBot", Meta "Meta Web Crawlers", Perplexity "Perplexity Crawlers"), and compiled tables at
     * https://agentspop.com/blog/known-ai-crawlers.html, https://changegamer.ai/resources/ai-crawler-policy and
     * https://www.vibereference.com/marketing-and-seo/ai-crawlers-robots-txt. img2dataset is the downloader that
     * built LAION, the image set diffusion models were trained on. User-triggered fetchers (ChatGPT-User,
     * Claude-User) are left out: they are a person's browser, not training collection.
     */
    public static final List<AiCrawler> TRAINING = List.of(
            new AiCrawler("GPTBot", "OpenAI"),
            new AiCrawler("ClaudeBot", "Anthropic"),
            new AiCrawler("anthropic-ai", "Anthropic (older token)"),
            new AiCrawler("CCBot", "Common Crawl"),
            new AiCrawler("Google-Extended", "Google (Gemini training token)"),
            new AiCrawler("Applebot-Extended", "Apple (Apple Intelligence training token)"),
            new AiCrawler("Bytespider", "ByteDance"),
            new AiCrawler("PerplexityBot", "Perplexity"),
            new AiCrawler("meta-externalagent", "Meta"),
            new AiCrawler("FacebookBot", "Meta (older token)"),
            new AiCrawler("Amazonbot", "Amazon"),
            new AiCrawler("cohere-ai", "Cohere"),
            new AiCrawler("cohere-training-data-crawler", "Cohere"),
            new AiCrawler("AI2Bot", "Allen Institute for AI"),
            new AiCrawler("Diffbot", "Diffbot"),
            new AiCrawler("ImagesiftBot", "ImageSift"),
            new AiCrawler("Timpibot", "Timpi"),
            new AiCrawler("omgili", "Webz.io"),
            new AiCrawler("YouBot", "You.com"),
            new AiCrawler("img2dataset", "LAION dataset downloader"));

    public AiCrawler {
        if (!userAgent.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("'" + userAgent + "' is not a robots.txt product token");
        }
    }
}
