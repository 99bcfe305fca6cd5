package dev.agentkernel.cli;

import picocli.CommandLine.Command;

/** {@code agentkernel images list}: the same as {@code images}. */
@Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List stored images.")
final class ImagesListCommand extends ImageListingCommand {
}
