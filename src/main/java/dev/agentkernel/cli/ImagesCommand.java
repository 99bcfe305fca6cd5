package dev.agentkernel.cli;

import picocli.CommandLine.Command;

/** {@code agentkernel images}: lists the stored images (as {@code images list} does); sub-commands manage them. */
@Command(name = "images", mixinStandardHelpOptions = true,
        description = "List stored images (built, pulled, imported); see the sub-commands to inspect and remove them.",
        subcommands = {
                ImagesListCommand.class,
                ImagesInspectCommand.class,
                ImagesRmCommand.class,
                ImagesSyncCommand.class,
                ImagesSaveCommand.class,
        })
final class ImagesCommand extends ImageListingCommand {
}
