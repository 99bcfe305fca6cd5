package dev.agentkernel.copy;

import dev.agentkernel.errors.UserInputException;

/**
 * Where {@code docker cp} puts a source, decided from what the two paths name (its documented rules):
 * <pre>
 * source is a file (or a symlink, a device...):
 *   destination missing            → written as the destination (its parent must exist)
 *   destination missing, ends in / → error: the directory must exist
 *   destination is a file          → replaces it
 *   destination is a directory     → goes into it under the source's name
 * source is a directory:
 *   destination missing            → made as the destination, with the source's contents
 *   destination is a file          → error: cannot copy a directory to a file
 *   destination is a directory     → goes into it under the source's name; with SRC/. its contents merge
 *                                    into the destination itself
 * </pre>
 * A source that ends in {@code /} or {@code /.} must be a directory.
 */
public final class CopyRules {
    private CopyRules() {
    }

    /** What the destination path names before the copy. */
    public enum Existing { NOTHING, DIRECTORY, OTHER }

    /**
     * The path the copy's root becomes.
     *
     * @param sourceIsDir whether the source (as copied: a symlink is not followed) is a directory
     * @param destination the destination as the user wrote it, {@code destinationPath} its resolved form (the
     *                    host or guest path that the rules' "into it" joins names to)
     */
    public static String target(CopyPath source, boolean sourceIsDir, CopyPath destination, String destinationPath,
                                Existing existing) {
        return target(source, sourceIsDir, destination, destinationPath, existing, source.toString(),
                destination.toString());
    }

    /** As above, naming the two sides in messages as the user wrote them ({@code NAME:PATH}). */
    public static String target(CopyPath source, boolean sourceIsDir, CopyPath destination, String destinationPath,
                                Existing existing, String sourceLabel, String destinationLabel) {
        if (source.mustBeDirectory() && !sourceIsDir) {
            throw new UserInputException("source " + sourceLabel + " is not a directory");
        }
        if (!sourceIsDir) {
            return switch (existing) {
                case NOTHING -> {
                    if (destination.trailingSlash()) {
                        throw new UserInputException("destination directory " + destinationLabel + " does not exist");
                    }
                    yield destinationPath;
                }
                case OTHER -> {
                    if (destination.mustBeDirectory()) {
                        throw new UserInputException("destination " + destinationLabel + " is not a directory");
                    }
                    yield destinationPath;
                }
                case DIRECTORY -> into(destinationPath, source);
            };
        }
        return switch (existing) {
            case NOTHING -> destinationPath;
            case OTHER -> throw new UserInputException("cannot copy directory " + sourceLabel + " onto file " + destinationLabel);
            case DIRECTORY -> source.contents() ? destinationPath : into(destinationPath, source);
        };
    }

    private static String into(String directory, CopyPath source) {
        String name = source.baseName();
        if (name == null) {
            // "/" or "." copied into a directory: docker merges what it holds, as with SRC/.
            return directory;
        }
        return directory.equals("/") ? "/" + name : directory + "/" + name;
    }
}
