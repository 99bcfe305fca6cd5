package dev.agentkernel.build.dockerfile;

import dev.agentkernel.errors.UserInputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A parsed Dockerfile: its parser directives, its instructions in order (unexpanded), and the parser's warnings.
 * Parsing checks syntax, instruction names, argument counts and flags; everything that depends on values
 * (variables, stages, base images) is {@link StageEvaluator}'s job.
 */
public record Dockerfile(Directives directives, List<Instruction> instructions, List<String> warnings) {
    /** Larger files are refused rather than read: no real Dockerfile comes near this. */
    public static final int MAX_BYTES = 16 * 1024 * 1024;

    public Dockerfile {
        instructions = List.copyOf(instructions);
        warnings = List.copyOf(warnings);
    }

    /** A stage: its FROM and the instructions up to the next FROM. */
    public record Stage(int index, Instruction.From from, List<Instruction> instructions) {
        public Stage {
            instructions = List.copyOf(instructions);
        }
    }

    /** Parses Dockerfile text; any syntax error is a {@link DockerfileException} naming its line. */
    public static Dockerfile parse(String text) {
        SourceReader.Source source = SourceReader.read(text);
        InstructionParser parser = new InstructionParser(source.directives().escape());
        List<Instruction> instructions = new ArrayList<>();
        for (SourceReader.LogicalLine line : source.lines()) {
            instructions.add(parser.parse(line));
        }
        List<String> warnings = new ArrayList<>(source.warnings());
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Instruction i : instructions) {
            if (i instanceof Instruction.From f && f.stageName().isPresent() && !names.add(f.stageName().get())) {
                warnings.add("Dockerfile line " + f.line().start() + ": duplicate stage name \"" + f.stageName().get()
                        + "\", stage names should be unique (the last one is used)");
            }
        }
        Dockerfile file = new Dockerfile(source.directives(), instructions, warnings);
        file.stages(); // checks that every instruction but ARG comes after a FROM
        return file;
    }

    /** Reads and parses a Dockerfile (UTF-8, at most {@link #MAX_BYTES}). */
    public static Dockerfile read(Path file) {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (IOException e) {
            throw new UserInputException("cannot read Dockerfile " + file + ": " + e.getMessage(), e);
        }
        if (bytes.length > MAX_BYTES) {
            throw new UserInputException("Dockerfile " + file + " is larger than " + MAX_BYTES / (1024 * 1024)
                    + " MiB; that is not a Dockerfile");
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            return parse(text);
        } catch (CharacterCodingException e) {
            throw new UserInputException("Dockerfile " + file + " is not UTF-8 text", e);
        }
    }

    /** The ARG instructions before the first FROM: the global scope, visible to FROM lines. */
    public List<Instruction.Arg> globalArgs() {
        List<Instruction.Arg> args = new ArrayList<>();
        for (Instruction i : instructions) {
            if (i instanceof Instruction.From) {
                break;
            }
            args.add((Instruction.Arg) i);
        }
        return List.copyOf(args);
    }

    /** The build stages in order. */
    public List<Stage> stages() {
        List<Stage> stages = new ArrayList<>();
        Instruction.From from = null;
        List<Instruction> body = new ArrayList<>();
        for (Instruction i : instructions) {
            if (i instanceof Instruction.From f) {
                if (from != null) {
                    stages.add(new Stage(stages.size(), from, body));
                }
                from = f;
                body = new ArrayList<>();
            } else if (from == null) {
                if (!(i instanceof Instruction.Arg)) {
                    throw i.line().error(i.keyword() + " before the first FROM: only ARG may come before FROM");
                }
            } else {
                body.add(i);
            }
        }
        if (from == null) {
            Instruction last = instructions.get(instructions.size() - 1);
            throw last.line().error("the Dockerfile has no FROM, so no stage to build");
        }
        stages.add(new Stage(stages.size(), from, body));
        return List.copyOf(stages);
    }

    /**
     * The stage named {@code name} (stage names are case-insensitive), if any; of stages sharing a name, the last,
     * as the reference resolves it.
     */
    public Optional<Stage> stage(String name) {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        Stage found = null;
        for (Stage s : stages()) {
            if (s.from().stageName().filter(lower::equals).isPresent()) {
                found = s;
            }
        }
        return Optional.ofNullable(found);
    }
}
