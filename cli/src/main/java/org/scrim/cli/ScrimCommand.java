package org.scrim.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code scrim} command: protect images from AI training, check the protection, tag files, opt out sites. */
@Command(name = "scrim", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Protects your images from generative-AI mimicry and training.",
                "",
                "Start with:  scrim protect my-painting.png",
                "Then check:  scrim verify my-painting.png my-painting.protected.png"},
        subcommands = {ProtectCommand.class, VerifyCommand.class, TagCommand.class, OptOutCommand.class,
                ModelsCommand.class, EncodeCommand.class, DecodeCommand.class, ServeCommand.class,
                InfoCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 done, 1 some files failed, 2 bad usage, 3 a model or its device could not be loaded."})
public final class ScrimCommand {
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;
    /** A model, or the OpenCL device it should run on, could not be loaded. */
    public static final int EXIT_MODEL = 3;

    /** A usage mistake found while running (a bad option value, an output that would replace an input): exit 2. */
    public static final class UsageException extends IllegalArgumentException {
        public UsageException(String message) {
            super(message);
        }
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new ScrimCommand()).setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("scrim: " + ex.getMessage());
            if (ex instanceof UsageException) {
                return EXIT_USAGE;
            }
            return ex instanceof org.scrim.engine.modelio.CheckpointException
                    || ex instanceof ModelOptions.ModelLoadException
                    || ex instanceof org.scrim.engine.runtime.opencl.OpenClException
                    || ex instanceof org.scrim.engine.runtime.DeviceMemoryException ? EXIT_MODEL : EXIT_FAILED;
        });
        return cl;
    }
}
