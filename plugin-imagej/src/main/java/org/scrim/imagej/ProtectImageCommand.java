package org.scrim.imagej;

import java.io.File;
import java.io.IOException;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scrim.engine.protect.Mode;
import org.scrim.engine.protect.ProgressListener;
import org.scrim.engine.protect.ProtectRequest;
import org.scrim.engine.protect.Strength;

/**
 * Protects an image file into another, tagged "no AI training": the SciJava form of the protect commands, for Fiji
 * scripts and headless runs ({@code CommandService.run(ProtectImageCommand.class, true, "input", f, ...)}).
 */
@Plugin(type = Command.class, headless = true, menuPath = "Plugins>Scrim>Protect Image File...",
        iconPath = "/icons/scrim-shield-16.png")
public class ProtectImageCommand implements Command {
    @Parameter(label = "Input image")
    private File input;

    @Parameter(label = "Output image", style = "save")
    private File output;

    @Parameter(label = "Mode", choices = {"mask", "poison", "both"})
    private String mode = "mask";

    @Parameter(label = "Preset", choices = {"low", "default", "high"})
    private String preset = "default";

    @Parameter(label = "Effort", choices = {"fast", "default", "max"},
            description = "More effort spends more steps for more protection at the same visibility, and takes longer")
    private String effort = "default";

    @Parameter(label = "Decoy style", description = "auto, posterize, mosaic, woodcut, sketch, pattern or hueshift")
    private String decoy = Requests.AUTO;

    @Parameter(label = "Anchors (poison)", required = false, style = "both")
    private File anchors;

    @Parameter(label = "Seed")
    private long seed = 1;

    @Parameter(label = "Steps (0 = the preset's at this effort)", min = "0")
    private int steps;

    @Parameter(label = "Work size", min = "64")
    private int workSize = ProtectRequest.DEFAULT_WORK_SIZE;

    @Parameter(label = "Write 'no AI training' tags")
    private boolean tags = true;

    @Parameter(type = ItemIO.OUTPUT, label = "Decoy used")
    private String decoyUsed;

    @Parameter
    private LogService log;

    @Override
    public void run() {
        try {
            Mode m = Requests.mode(mode);
            ProtectRequest request = Requests.request(m, Strength.of(Requests.preset(preset), null,
                    Requests.effort(effort), Requests.steps(steps)), decoy, "", anchors == null ? "" : anchors.getPath(),
                    seed, workSize);
            decoyUsed = EngineSettings.engine().protectFile(input.toPath(), output.toPath(), request, tags,
                    ProgressListener.NONE);
        } catch (IOException e) {
            log.error("Scrim: cannot protect " + input + ": " + e.getMessage(), e);
            throw new IllegalStateException("cannot protect " + input + ": " + e.getMessage(), e);
        }
    }
}
