package dev.agentkernel.build.dockerfile;

import dev.agentkernel.build.dockerfile.Instruction.InlineSource;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One thing a builder does for a stage, with every value expanded. {@link #createdBy()} is the image history
 * entry's text; {@link #changesFilesystem()} says whether the step makes a layer (otherwise its history entry is
 * an {@code empty_layer}).
 */
public sealed interface Step {
    Line line();

    String createdBy();

    boolean changesFilesystem();

    /** A file a RUN step's command reads, from a here-document: the builder provides it at {@code path}. */
    record InlineFile(String path, String content, int mode) {
    }

    /**
     * Runs {@code argv} (the shell already prepended for the shell form) in {@code context}.
     *
     * @param files    here-document files the command needs in place (a heredoc with a {@code #!} line is run as
     *                 a script from {@code /dev/pipes/NAME}, as the reference does)
     * @param mountSources where each mount's {@code from} points (the build context for mounts without one)
     * @param proxyEnv {@code HTTP_PROXY} and the like, from {@code --build-arg} without an ARG: set for the
     *                 command but kept out of the history and the cache key
     */
    record Run(Line line, List<String> argv, List<InlineFile> files, List<RunMount> mounts,
               List<Source> mountSources, Instruction.Network network, Instruction.Security security,
               ExecContext context, Map<String, String> proxyEnv, String createdBy) implements Step {
        public Run {
            argv = List.copyOf(argv);
            files = List.copyOf(files);
            mounts = List.copyOf(mounts);
            mountSources = List.copyOf(mountSources);
            proxyEnv = Map.copyOf(proxyEnv);
        }

        @Override
        public boolean changesFilesystem() {
            return true;
        }
    }

    /** Where COPY/ADD read their sources from. */
    sealed interface Source {
        /** The build context (filtered by {@code .dockerignore}). */
        record Context() implements Source {
        }

        /** An earlier stage's result, by index. */
        record Stage(int index) implements Source {
        }

        /** An image's filesystem. */
        record Image(String reference) implements Source {
        }
    }

    /**
     * COPY or ADD ({@code add}): {@code sources} are paths (context-relative, or in the source stage or image),
     * or for ADD also URLs; {@code inline} are here-document sources (already expanded where their delimiter was
     * unquoted). {@code destination} is absolute, resolved against the working directory; a trailing {@code /}
     * is kept because it means "into this directory".
     */
    record Copy(Line line, boolean add, Source source, List<String> sources, List<InlineSource> inline,
                String destination, Optional<String> chown, Optional<String> chmod, boolean link,
                List<String> excludes, boolean parents, Optional<Boolean> keepGitDir, Optional<String> checksum,
                Optional<Boolean> unpack, ExecContext context, String createdBy) implements Step {
        public Copy {
            sources = List.copyOf(sources);
            inline = List.copyOf(inline);
            excludes = List.copyOf(excludes);
        }

        @Override
        public boolean changesFilesystem() {
            return true;
        }
    }

    /** WORKDIR: the directory is created (as {@code user}, like the reference) if it does not exist. */
    record Workdir(Line line, String path, String user, String createdBy) implements Step {
        @Override
        public boolean changesFilesystem() {
            return true;
        }
    }

    /** An instruction that only changes the config (ENV, LABEL, CMD, ...), already applied to the stage's config. */
    record Config(Line line, String createdBy) implements Step {
        @Override
        public boolean changesFilesystem() {
            return false;
        }
    }
}
