package org.scrim.imagej;

import org.scrim.engine.protect.Strength;

/**
 * The Help button text of each dialog (ImageJ shows an "&lt;html&gt;" string in its own window): what the fields mean,
 * in the words of the {@code scrim} command's help.
 */
final class Help {
    private Help() {}

    static final String PROTECT = page("Scrim: protect",
            "<b>Strength</b>: the most visible the change may be, as the SSIMULACRA metric scores it. The presets "
            + "are " + Strength.boundsInWords() + "; a strength between them takes the nearest one's per-pixel "
            + "cap and steps, as <tt>scrim protect --max-visibility</tt> does. <b>Effort</b>: more steps for more "
            + "protection at the same visibility (max takes about twice the default's time). <b>Preview</b> shows a fast protection (few steps; on the centre of a large image, "
            + "at 1:1) that follows the strength; Cancel gives the image back as it was.",
            "The result opens as a new image, <i>NAME (protected)</i>, so Verify Protection has both; "
            + "<b>In place</b> changes the image itself (Edit &gt; Undo undoes it).",
            "<b>Decoy style</b> (mask): the restyling the AI encoder is pulled toward; <i>auto</i> tries each on a "
            + "small copy and keeps the one that is far and reachable. A <b>style image</b> replaces it.",
            "<b>Anchors</b> (poison): an image or a folder of images of another concept; their latents are averaged.",
            "<b>More options</b> (a second dialog): <b>Seed</b>: the same seed gives the same result. <b>Steps</b>: "
            + "0 takes the strength's at this effort. <b>Work size</b>: the long side at which the protection is computed (trainers "
            + "use 512 or 1024). <b>Models</b>: the encoders protected against, joined by + (default: Scrim "
            + "Options).",
            "A selection limits the change to its inside. Esc cancels. Then use <i>Verify Protection...</i> to "
            + "measure it and <i>Save Protected As...</i> to save it with the \"no AI training\" statement.");

    static final String PROTECT_FOLDER = page("Scrim: protect folder",
            "Protects every PNG, JPEG, TIFF and WebP image of the input folder into the output folder under the same "
            + "names, with the \"no AI training\" statement, like <i>scrim protect --out-dir</i>. The output folder "
            + "must be another folder; a file already there is left as it is.",
            "<b>Strength</b>, <b>effort</b>, <b>decoy</b> and <b>anchors</b> (needed for poison) are those of the "
            + "protect commands. "
            + "A file that cannot be protected is named in the Log with the reason and the others go on; Esc stops "
            + "after the current step.");

    static final String VERIFY = page("Scrim: verify protection",
            "Closeness: how far the AI encoder's view of the protected image moved toward the protection's target "
            + "(1 = all the way, 0 = not at all), plainly and after JPEG 75 and 90, halving the size, noise and "
            + "blur. PSNR, SSIM and visibility (SSIMULACRA) say how visible the change is.",
            "Mode, decoy, anchors and seed must be those the image was protected with. <i>as recorded</i> and an "
            + "empty seed take what Scrim recorded: on the image when it was protected in this session, else in the "
            + "file it was opened from (saved by Scrim or Save Protected As...).");

    static final String AI_VIEW = page("Scrim: AI view",
            "The model's decoder renders the latent of the image: roughly what a generator trained on it learns. "
            + "Compare with the original to see what the protection changed for the model. Display only.");

    static final String TAGS = page("Scrim: add NoAI tags",
            "Writes the IPTC/PLUS \"Data Mining\" statement (XMP plus:DataMining) and the creator and rights into "
            + "PNG, JPEG, TIFF and WebP files without touching their pixels. Copies go to the output folder unless "
            + "\"Rewrite the files in place\" is ticked.");

    private static String page(String title, String... paragraphs) {
        StringBuilder html = new StringBuilder("<html><h3>").append(title).append("</h3>");
        for (String p : paragraphs) {
            html.append("<p>").append(p).append("</p>");
        }
        return html.append("</html>").toString();
    }
}
