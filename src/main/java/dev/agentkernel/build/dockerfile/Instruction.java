package dev.agentkernel.build.dockerfile;

import java.util.List;
import java.util.Optional;

/**
 * One Dockerfile instruction as written: arguments are kept unexpanded (with their quotes, where the reference
 * keeps them for the expansion to remove), so that {@link StageEvaluator} can expand them in the scope each is
 * evaluated in. Flags are parsed and checked here: an unknown or malformed flag fails the parse.
 */
public sealed interface Instruction {
    /** Where the instruction is and what it says. */
    Line line();

    /** The instruction's keyword, upper case ({@code RUN}, {@code COPY}, ...). */
    default String keyword() {
        return getClass().getSimpleName().toUpperCase(java.util.Locale.ROOT);
    }

    /** A key and a value of ENV or LABEL, unexpanded. */
    record KeyValue(String key, String value) {
    }

    /** A name declared by ARG and its default value, if it has one (unexpanded). */
    record ArgDefinition(String name, Optional<String> defaultValue) {
    }

    /** A COPY or ADD source given inline by a here-document, named by its delimiter. */
    record InlineSource(String name, String content, boolean expand) {
    }

    /** The network a RUN step gets ({@code --network}). */
    enum Network { DEFAULT, NONE, HOST }

    /** The privileges a RUN step gets ({@code --security}). */
    enum Security { SANDBOX, INSECURE }

    /** {@code FROM [--platform=P] IMAGE [AS name]}; the stage name is lower-cased, as the reference does. */
    record From(Line line, String image, Optional<String> stageName, Optional<String> platform) implements Instruction {
    }

    /** {@code RUN [--mount=...] [--network=...] [--security=...] command}, with its here-documents. */
    record Run(Line line, CommandLine command, List<Heredoc> heredocs, List<String> mounts, Network network,
               Security security) implements Instruction {
    }

    record Cmd(Line line, CommandLine command) implements Instruction {
    }

    record Entrypoint(Line line, CommandLine command) implements Instruction {
    }

    /** {@code ENV k=v ...} or the legacy {@code ENV k v}. */
    record Env(Line line, List<KeyValue> pairs) implements Instruction {
    }

    record Arg(Line line, List<ArgDefinition> definitions) implements Instruction {
    }

    record Label(Line line, List<KeyValue> pairs) implements Instruction {
    }

    record Expose(Line line, List<String> ports) implements Instruction {
    }

    record User(Line line, String user) implements Instruction {
    }

    record Workdir(Line line, String path) implements Instruction {
    }

    record Volume(Line line, List<String> paths) implements Instruction {
    }

    /** {@code COPY [--from] [--chown] [--chmod] [--link] [--exclude]... [--parents] SRC... DEST}. */
    record Copy(Line line, List<String> sources, List<InlineSource> inline, String destination,
                Optional<String> from, Optional<String> chown, Optional<String> chmod, boolean link,
                List<String> excludes, boolean parents) implements Instruction {
    }

    /**
     * {@code ADD [--chown] [--chmod] [--link] [--exclude]... [--keep-git-dir] [--checksum] [--unpack] SRC... DEST}.
     */
    record Add(Line line, List<String> sources, List<InlineSource> inline, String destination,
               Optional<String> chown, Optional<String> chmod, boolean link, List<String> excludes,
               Optional<Boolean> keepGitDir, Optional<String> checksum, Optional<Boolean> unpack)
            implements Instruction {
    }

    /** {@code SHELL ["executable", "parameters"]} (the exec form is the only form). */
    record Shell(Line line, List<String> shell) implements Instruction {
    }

    record StopSignal(Line line, String signal) implements Instruction {
        @Override
        public String keyword() {
            return "STOPSIGNAL";
        }
    }

    /** {@code HEALTHCHECK NONE} or {@code HEALTHCHECK [options] CMD command}. */
    record Healthcheck(Line line, HealthcheckConfig config) implements Instruction {
    }

    /** {@code ONBUILD INSTRUCTION}: the trigger, parsed, and its text as it goes into the image's config. */
    record Onbuild(Line line, Instruction trigger, String expression) implements Instruction {
    }

    record Maintainer(Line line, String name) implements Instruction {
    }
}
