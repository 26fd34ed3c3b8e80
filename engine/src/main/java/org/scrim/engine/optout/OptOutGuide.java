package org.scrim.engine.optout;

import java.time.LocalDate;
import java.util.List;

/**
 * The opt-out steps that exist beyond an artist's own website: a data-protection objection (EU and UK GDPR Art. 21),
 * where the big platforms take one, and Spawning's registry. Plain text, filled with the artist's details; Scrim
 * sends nothing and looks nothing up. Each claim in the text names its source and that source's date in brackets, so
 * the artist can check it: platforms change these forms often. Written 2026-11-30 from those sources.
 *
 * @param name  the artist's name, or null for a placeholder
 * @param email the artist's email, or null for a placeholder
 * @param urls  where the artist's work is published (portfolio, profiles), possibly empty
 * @param today the date printed on the letter
 */
public record OptOutGuide(String name, String email, List<String> urls, LocalDate today) {

    public OptOutGuide {
        urls = urls == null ? List.of() : List.copyOf(urls);
    }

    public String text() {
        String who = name == null ? "[YOUR NAME]" : name;
        String mail = email == null ? "[YOUR EMAIL]" : email;
        String where = urls.isEmpty() ? "  [LINKS TO YOUR PROFILES, PORTFOLIO AND THE POSTS CONCERNED]"
                : "  " + String.join("\n  ", urls);
        StringBuilder t = new StringBuilder();
        t.append("""
                # Opting out of AI training beyond your own website
                # Prepared by Scrim on %s for %s. Scrim wrote this offline from what it knew at release:
                # check each link and date before relying on it. None of this is legal advice.

                ## 1. Object under data-protection law (EU GDPR and UK GDPR, Article 21)
                What it does: where a company uses your personal data (your name, face, profile, posts and images
                linked to you) for AI training on the ground of its "legitimate interests" (Art. 6(1)(f)), Art. 21(1)
                lets you object; it must then stop unless it shows compelling legitimate grounds that override
                yours. It must answer within one month, extendable by two (Art. 12(3)). The UK GDPR has the same
                articles. [Regulation (EU) 2016/679, eur-lex.europa.eu/eli/reg/2016/679/oj; UK GDPR as retained by
                the Data Protection Act 2018, legislation.gov.uk]
                What it does not do: it covers personal data only (artwork that does not identify you may fall
                outside it); it binds companies under EU or UK law, for people the law protects; it does not undo
                training already done (a model is not retrained without your data). If a company does not answer,
                you can complain to your data-protection authority (e.g. the Irish DPC for Meta, X and LinkedIn
                in the EU; the ICO in the UK).

                ---- letter (send from the address your account uses) ----
                To: the Data Protection Officer of [COMPANY]
                Subject: Objection under Article 21 GDPR / UK GDPR to the use of my personal data for AI training

                I, %s (%s), object under Article 21(1) of the GDPR (and of the UK GDPR) to the
                processing of my personal data, including my images, posts and profile, for training, fine-tuning
                or evaluating artificial-intelligence models, and to any such processing you base on legitimate
                interests. My work and profiles are at:
                %s
                Please stop this processing, confirm in writing within one month (Article 12(3)) that you have done
                so, tell me whether my data has already been used for AI training and, under Article 15, which of
                my data you hold for that purpose. Where my data is no longer needed after this objection, I ask
                for its erasure under Article 17(1)(c).

                %s, %s
                ---- end of letter ----

                """.formatted(today, who, who, mail, where, who, today));
        t.append("""
                ## 2. Where to object on the big platforms
                - Meta (Facebook, Instagram): from 27 May 2025 Meta trains its AI on public posts, photos and
                  comments of adult users in the EU; it offers an objection form per service in its Privacy Centre,
                  linked from the notice e-mail (Facebook: Privacy Centre > "AI at Meta" > object; Instagram: the
                  same from Settings > Privacy Centre). One objection covers both if the accounts are linked.
                  Meta confirms by e-mail that it "will honour" the objection; it applies from then on, not to
                  training already done. [Meta newsroom, "Making AI Work Harder for Europeans", 14 Apr 2025,
                  about.fb.com/news/2025/04/making-ai-work-harder-for-europeans/; klicksafe.eu, May 2025]
                  In the UK Meta offered the same form from Sept 2024 [ICO statement on Meta AI training, 13 Sep 2024,
                  ico.org.uk]; outside the EU and UK there is no legal right to object.
                - X (Twitter): in the EU, X agreed in Sept 2024 to stop using EU users' posts to train Grok [Irish
                  DPC statement, 4 Sep 2024, dataprotection.ie]; elsewhere: Settings > Privacy and safety > Grok &
                  third-party collaborators, untick the use of your posts for training. [X Help Center, "About
                  Grok", 2024]
                - LinkedIn: Settings > Data privacy > Data for Generative AI Improvement: switch off. From 3 Nov 2025
                  LinkedIn uses EU/EEA/UK/Swiss members' public data for generative AI unless switched off.
                  [LinkedIn Help, "LinkedIn and generative AI FAQs", 2025; LinkedIn Pressroom, Sept 2025]
                - Any other company: send the letter above to the address in its privacy policy ("data
                  protection officer" or "privacy").

                ## 3. Spawning: Do Not Train registry and Have I Been Trained
                - Have I Been Trained (haveibeentrained.com) searches the LAION-5B image dataset, which Stable
                  Diffusion and others were trained on, by image or text, and lets you mark your images and
                  domains "Do Not Train". [Spawning, haveibeentrained.com, 2022-2025]
                - The Do Not Train registry (spawning.ai) collects those opt-outs and serves them through an API
                  to AI developers that choose to honour them; Stability AI (for Stable Diffusion 3) and Hugging
                  Face said they would. [Spawning, spawning.ai, 2023; Stability AI on opt-outs, Dec 2022]
                What it does not do: it is voluntary (a developer that ignores the registry is not stopped), it
                covers only the datasets and partners that use it, and it does not remove images from models
                already trained.

                ## 4. What Scrim already does in your files
                Files Scrim saves say "no AI training" in IPTC XMP (plus:DataMining) and, for PNG and JPEG, in
                signed C2PA Content Credentials (cawg.training-mining: notAllowed). `scrim optout --site DIR`
                writes robots.txt, ai.txt and tdmrep.json for your own site. These are requests a crawler may
                ignore; the objection above is the one step with the law behind it.
                """);
        return t.toString();
    }
}
