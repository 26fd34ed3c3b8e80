package org.scrim.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;
import org.scrim.engine.optout.OptOutGuide;
import org.scrim.engine.optout.OptOutKit;
import org.scrim.engine.optout.SiteOptOut;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code scrim optout}: the site-level signals that ask AI crawlers and dataset builders to stay away. */
@Command(name = "optout", mixinStandardHelpOptions = true,
        description = {"Opt a website out of AI training: robots.txt rules for AI crawlers, Spawning's ai.txt and "
                + "/.well-known/tdmrep.json (W3C TDMRep), plus HTML <meta> and nginx/Apache header snippets.",
                "With --site the files are merged into the site's root folder (your own rules are kept; running "
                        + "again changes nothing). Without it everything is printed."})
public class OptOutCommand implements Callable<Integer> {

    @Option(names = "--site", paramLabel = "DIR", description = "Root folder of the website to update.")
    Path site;

    @Option(names = "--tdm-policy", paramLabel = "URL",
            description = "URL of your TDM licensing policy, advertised with the reservation.")
    String tdmPolicy;

    @Option(names = "--guide", description = "Print the opt-out steps beyond your own site instead: a GDPR / UK "
            + "GDPR Art. 21 objection letter, where the big platforms take objections, Spawning's Do Not Train "
            + "registry. Filled with --name, --email and --url when given. Nothing is sent.")
    boolean guide;

    @Option(names = "--name", paramLabel = "NAME", description = "Your name, for --guide.")
    String name;

    @Option(names = "--email", paramLabel = "EMAIL", description = "Your e-mail address, for --guide.")
    String email;

    @Option(names = "--url", paramLabel = "URL", description = "Where your work is published, for --guide; repeat.")
    List<String> urls;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (guide) {
            if (site != null || tdmPolicy != null) {
                throw new ParameterException(spec.commandLine(), "--guide prints text only: drop --site/--tdm-policy");
            }
            spec.commandLine().getOut().print(new OptOutGuide(name, email, urls, LocalDate.now()).text());
            spec.commandLine().getOut().flush();
            return 0;
        }
        OptOutKit kit = OptOutKit.standard();
        if (tdmPolicy != null) {
            try {
                kit = kit.withTdmPolicy(new URI(tdmPolicy));
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--tdm-policy: " + e.getMessage());
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        try {
            if (site != null) {
                List<Path> changed = SiteOptOut.apply(site, kit);
                out.println(changed.isEmpty() ? "# " + site + " already opted out; nothing changed"
                        : "# updated " + changed.stream().map(Path::toString).reduce((a, b) -> a + ", " + b)
                                .orElseThrow());
            } else {
                section(out, "robots.txt (append to your site's /robots.txt)", kit.mergeRobotsTxt(""));
                section(out, "ai.txt (put at /ai.txt)", kit.mergeAiTxt(""));
                section(out, ".well-known/tdmrep.json", kit.mergeTdmRep(""));
            }
        } catch (IOException e) {
            spec.commandLine().getErr().println("scrim optout: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 1;
        }
        // Headers and <meta> lines belong in server configuration and page templates, never in the site folder.
        section(out, "HTML: inside <head> of every page", kit.htmlMeta());
        section(out, "nginx", kit.nginx());
        section(out, "Apache", kit.apache());
        out.flush();
        return 0;
    }

    private static void section(PrintWriter out, String title, String body) {
        out.println("#### " + title);
        out.println(body.stripTrailing());
        out.println();
    }
}
