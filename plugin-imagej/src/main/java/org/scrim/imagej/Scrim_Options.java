package org.scrim.imagej;

import ij.Prefs;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;

/** Plugins > Scrim > Scrim Options...: the models attacked, where its weights are, where it runs, CPU threads. */
public class Scrim_Options implements PlugIn {
    @Override
    public void run(String arg) {
        GenericDialog gd = new GenericDialog("Scrim options");
        gd.addStringField("Model encoders (known names or .pth/.safetensors files, joined by +)",
                EngineSettings.model(), 30);
        gd.addDirectoryField("Weights folder (optional)", EngineSettings.modelDir(), 30);
        gd.addChoice("Backend", new String[] {"auto", "cpu", "opencl"}, EngineSettings.backend());
        gd.addStringField("Device (OpenCL index or name; empty = first GPU)", EngineSettings.device(), 20);
        gd.addNumericField("Memory limit on the device, MiB (0 = none)", EngineSettings.deviceMemory(), 0);
        gd.addNumericField("Threads (0 = all cores)", EngineSettings.threads(), 0);
        gd.showDialog();
        if (gd.wasCanceled()) {
            return;
        }
        Prefs.set(EngineSettings.MODEL, gd.getNextString().trim());
        Prefs.set(EngineSettings.MODEL_DIR, gd.getNextString().trim());
        Prefs.set(EngineSettings.BACKEND, gd.getNextChoice());
        Prefs.set(EngineSettings.DEVICE, gd.getNextString().trim());
        Prefs.set(EngineSettings.DEVICE_MEMORY, Math.max(0, (int) gd.getNextNumber()));
        Prefs.set(EngineSettings.THREADS, Math.max(0, (int) gd.getNextNumber()));
    }
}
