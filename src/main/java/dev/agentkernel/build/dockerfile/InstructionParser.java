package dev.agentkernel.build.dockerfile;

import dev.agentkernel.build.dockerfile.Instruction.ArgDefinition;
import dev.agentkernel.build.dockerfile.Instruction.InlineSource;
import dev.agentkernel.build.dockerfile.Instruction.KeyValue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Turns one logical line into a typed {@link Instruction}, checking its arguments and flags as the reference does. */
final class InstructionParser {
    private static final Pattern STAGE_NAME = Pattern.compile("^[a-z][a-z0-9-_.]*$");
    private static final Pattern ONBUILD_PREFIX = Pattern.compile("(?i)^\\s*ONBUILD\\s*");

    private final char escape;

    InstructionParser(char escape) {
        this.escape = escape;
    }

    Instruction parse(SourceReader.LogicalLine logical) {
        Line line = new Line(logical.start(), logical.end(), logical.text().strip());
        return parse(line, logical.text(), logical.heredocs());
    }

    private Instruction parse(Line line, String text, List<Heredoc> heredocs) {
        Words.Head head = Words.splitCommand(text, escape);
        String keyword = head.command().toLowerCase(Locale.ROOT);
        String rest = head.rest();
        Flags flags = new Flags(line, head.command().toUpperCase(Locale.ROOT), head.flags());
        return switch (keyword) {
            case "from" -> from(line, flags, rest);
            case "run" -> run(line, flags, rest, heredocs);
            case "cmd" -> new Instruction.Cmd(line, command(line, flags.parse(), rest, "CMD"));
            case "entrypoint" -> new Instruction.Entrypoint(line, command(line, flags.parse(), rest, "ENTRYPOINT"));
            case "env" -> {
                flags.parse();
                yield new Instruction.Env(line, keyValues(line, rest, "ENV"));
            }
            case "label" -> {
                flags.parse();
                yield new Instruction.Label(line, keyValues(line, rest, "LABEL"));
            }
            case "arg" -> arg(line, flags.parse(), rest);
            case "expose" -> {
                List<String> ports = Words.whitespaceSeparated(rest);
                if (ports.isEmpty()) {
                    throw line.error("EXPOSE requires at least one argument");
                }
                flags.parse();
                yield new Instruction.Expose(line, ports);
            }
            case "user" -> new Instruction.User(line, single(line, flags.parse(), rest, "USER"));
            case "workdir" -> new Instruction.Workdir(line, single(line, flags.parse(), rest, "WORKDIR"));
            case "stopsignal" -> new Instruction.StopSignal(line, single(line, flags.parse(), rest, "STOPSIGNAL"));
            case "maintainer" -> new Instruction.Maintainer(line, single(line, flags.parse(), rest, "MAINTAINER"));
            case "volume" -> volume(line, flags.parse(), rest);
            case "copy" -> copy(line, flags, rest, heredocs);
            case "add" -> add(line, flags, rest, heredocs);
            case "shell" -> shell(line, flags.parse(), rest);
            case "healthcheck" -> healthcheck(line, flags, rest);
            case "onbuild" -> onbuild(line, flags.parse(), rest, heredocs);
            default -> throw line.error("unknown instruction: " + head.command().toUpperCase(Locale.ROOT));
        };
    }

    private Instruction from(Line line, Flags flags, String rest) {
        List<String> args = Words.whitespaceSeparated(rest);
        flags.string("platform").parse();
        String name = null;
        if (args.size() == 3 && args.get(1).equalsIgnoreCase("as")) {
            name = args.get(2).toLowerCase(Locale.ROOT);
            if (!STAGE_NAME.matcher(name).matches()) {
                throw line.error("invalid name for build stage: \"" + args.get(2)
                        + "\", name can't start with a number or contain symbols");
            }
        } else if (args.size() != 1) {
            throw line.error("FROM requires either one or three arguments: FROM [--platform=P] IMAGE [AS NAME]");
        }
        return new Instruction.From(line, args.get(0), Optional.ofNullable(name), flags.value("platform"));
    }

    private Instruction run(Line line, Flags flags, String rest, List<Heredoc> heredocs) {
        flags.strings("mount").string("network").string("security").parse();
        List<String> mounts = flags.all("mount");
        for (String mount : mounts) {
            try {
                RunMount.parse(mount, null);
            } catch (IllegalArgumentException e) {
                throw line.error("--mount=" + mount + ": " + e.getMessage(), e);
            }
        }
        Instruction.Network network = flags.value("network").map(v -> switch (v) {
            case "default" -> Instruction.Network.DEFAULT;
            case "none" -> Instruction.Network.NONE;
            case "host" -> Instruction.Network.HOST;
            default -> throw line.error("invalid network mode \"" + v + "\" (one of default, none, host)");
        }).orElse(Instruction.Network.DEFAULT);
        Instruction.Security security = flags.value("security").map(v -> switch (v) {
            case "sandbox" -> Instruction.Security.SANDBOX;
            case "insecure" -> Instruction.Security.INSECURE;
            default -> throw line.error("security \"" + v + "\" is not valid (one of sandbox, insecure)");
        }).orElse(Instruction.Security.SANDBOX);
        CommandLine command = command(line, flags, rest, "RUN");
        return new Instruction.Run(line, command, heredocs, mounts, network, security);
    }

    /** The exec or the shell form of a command; an empty shell form is an empty command. */
    private CommandLine command(Line line, Flags flags, String rest, String instruction) {
        if (rest.isEmpty()) {
            return CommandLine.shell("");
        }
        try {
            List<String> json = JsonArgs.parse(rest);
            return json != null ? CommandLine.exec(json) : CommandLine.shell(rest);
        } catch (JsonArgs.NotStrings e) {
            throw line.error(instruction + ": " + e.getMessage(), e);
        }
    }

    private List<String> maybeJsonList(Line line, String rest, String instruction) {
        try {
            List<String> json = JsonArgs.parse(rest);
            return json != null ? json : Words.whitespaceSeparated(rest);
        } catch (JsonArgs.NotStrings e) {
            throw line.error(instruction + ": " + e.getMessage(), e);
        }
    }

    private static String single(Line line, Flags flags, String rest, String instruction) {
        if (rest.isEmpty()) {
            throw line.error(instruction + " requires exactly one argument");
        }
        return rest;
    }

    /** ENV and LABEL: {@code k=v ...} (quote-aware words), or the legacy {@code k v...} when the first word has no {@code =}. */
    private List<KeyValue> keyValues(Line line, String rest, String instruction) {
        List<String> words = Words.quotedWords(rest, escape);
        if (words.isEmpty()) {
            throw line.error(instruction + " requires at least one argument");
        }
        List<KeyValue> pairs = new ArrayList<>();
        if (!words.get(0).contains("=")) {
            String[] parts = Words.WHITESPACE.split(rest, 2);
            if (parts.length < 2) {
                throw line.error(instruction + " must have two arguments");
            }
            pairs.add(new KeyValue(parts[0], parts[1]));
        } else {
            for (String word : words) {
                int eq = word.indexOf('=');
                if (eq < 0) {
                    throw line.error("syntax error - can't find = in \"" + word + "\". Must be of the form: name=value");
                }
                pairs.add(new KeyValue(word.substring(0, eq), word.substring(eq + 1)));
            }
        }
        for (KeyValue kv : pairs) {
            if (kv.key().isEmpty()) {
                throw line.error(instruction + " names can not be blank");
            }
        }
        return List.copyOf(pairs);
    }

    private Instruction arg(Line line, Flags flags, String rest) {
        List<String> words = Words.quotedWords(rest, escape);
        if (words.isEmpty()) {
            throw line.error("ARG requires at least one argument");
        }
        List<ArgDefinition> defs = new ArrayList<>();
        for (String word : words) {
            int eq = word.indexOf('=');
            if (eq == 0) {
                throw line.error("ARG names can not be blank");
            }
            defs.add(eq < 0 ? new ArgDefinition(word, Optional.empty())
                    : new ArgDefinition(word.substring(0, eq), Optional.of(word.substring(eq + 1))));
        }
        return new Instruction.Arg(line, List.copyOf(defs));
    }

    private Instruction volume(Line line, Flags flags, String rest) {
        List<String> paths = maybeJsonList(line, rest, "VOLUME");
        if (paths.isEmpty()) {
            throw line.error("VOLUME requires at least one argument");
        }
        List<String> out = new ArrayList<>();
        for (String p : paths) {
            String v = p.strip();
            if (v.isEmpty()) {
                throw line.error("VOLUME specified can not be an empty string");
            }
            out.add(v);
        }
        return new Instruction.Volume(line, List.copyOf(out));
    }

    private record SourcesAndDest(List<String> sources, List<InlineSource> inline, String destination) {
    }

    private SourcesAndDest sourcesAndDest(Line line, String rest, List<Heredoc> heredocs, String instruction) {
        List<String> args = maybeJsonList(line, rest, instruction);
        if (args.size() < 2) {
            throw line.error(instruction + " requires at least two arguments, but only " + args.size()
                    + " was provided. Destination could not be determined");
        }
        String dest = args.get(args.size() - 1);
        if (SourceReader.heredocMarker(dest) != null) {
            throw line.error(instruction + " cannot accept a heredoc as a destination");
        }
        Map<String, Heredoc> byName = new HashMap<>();
        for (Heredoc h : heredocs) {
            byName.put(h.name(), h);
        }
        List<String> sources = new ArrayList<>();
        List<InlineSource> inline = new ArrayList<>();
        for (String src : args.subList(0, args.size() - 1)) {
            Heredoc marker = SourceReader.heredocMarker(src);
            if (marker != null) {
                Heredoc doc = byName.get(marker.name());
                String body = doc == null ? "" : doc.body();
                String content = marker.chomp() ? body.replaceAll("(?m)^\t+", "") : body;
                inline.add(new InlineSource(marker.name(), content, marker.expand()));
            } else {
                sources.add(src);
            }
        }
        return new SourcesAndDest(List.copyOf(sources), List.copyOf(inline), dest);
    }

    private Instruction copy(Line line, Flags flags, String rest, List<Heredoc> heredocs) {
        flags.string("chown").string("from").string("chmod").bool("link").strings("exclude").bool("parents").parse();
        SourcesAndDest sd = sourcesAndDest(line, rest, heredocs, "COPY");
        Optional<String> from = flags.value("from");
        if (from.isPresent() && from.get().isEmpty()) {
            throw line.error("COPY --from needs a stage name, a stage index or an image");
        }
        return new Instruction.Copy(line, sd.sources(), sd.inline(), sd.destination(), from,
                flags.value("chown"), flags.value("chmod"), flags.isTrue("link"), flags.all("exclude"),
                flags.isTrue("parents"));
    }

    private Instruction add(Line line, Flags flags, String rest, List<Heredoc> heredocs) {
        flags.string("chown").string("chmod").bool("link").bool("keep-git-dir").string("checksum").bool("unpack")
                .strings("exclude").parse();
        SourcesAndDest sd = sourcesAndDest(line, rest, heredocs, "ADD");
        return new Instruction.Add(line, sd.sources(), sd.inline(), sd.destination(), flags.value("chown"),
                flags.value("chmod"), flags.isTrue("link"), flags.all("exclude"), flags.optionalBool("keep-git-dir"),
                flags.value("checksum"), flags.optionalBool("unpack"));
    }

    private Instruction shell(Line line, Flags flags, String rest) {
        List<String> json;
        try {
            json = rest.isEmpty() ? null : JsonArgs.parse(rest);
        } catch (JsonArgs.NotStrings e) {
            throw line.error("SHELL: " + e.getMessage(), e);
        }
        if (rest.isEmpty() || (json != null && json.isEmpty())) {
            throw line.error("SHELL requires at least one argument");
        }
        if (json == null) {
            throw line.error("SHELL requires the arguments to be in JSON form, e.g. SHELL [\"/bin/bash\", \"-c\"]");
        }
        return new Instruction.Shell(line, json);
    }

    private Instruction healthcheck(Line line, Flags flags, String rest) {
        int sep = 0;
        while (sep < rest.length() && !WordExpander.isSpace(rest.charAt(sep))) {
            sep++;
        }
        if (sep == 0) {
            throw line.error("HEALTHCHECK requires at least one argument");
        }
        String type = rest.substring(0, sep).toUpperCase(Locale.ROOT);
        String commandText = rest.substring(sep).strip();
        if (type.equals("NONE")) {
            if (!commandText.isEmpty()) {
                throw line.error("HEALTHCHECK NONE takes no arguments");
            }
            flags.parse();
            return new Instruction.Healthcheck(line, HealthcheckConfig.none());
        }
        flags.string("interval").string("timeout").string("start-period").string("start-interval").string("retries")
                .parse();
        if (!type.equals("CMD")) {
            throw line.error("unknown type \"" + type + "\" in HEALTHCHECK (try CMD)");
        }
        CommandLine command = command(line, flags, commandText, "HEALTHCHECK");
        if (command.args().isEmpty()) {
            throw line.error("missing command after HEALTHCHECK CMD");
        }
        List<String> test = new ArrayList<>();
        test.add(command.shellForm() ? "CMD-SHELL" : "CMD");
        test.addAll(command.args());
        int retries = 0;
        if (flags.value("retries").isPresent()) {
            String r = flags.value("retries").get();
            try {
                retries = Integer.parseInt(r);
            } catch (NumberFormatException e) {
                throw line.error("--retries must be a number, not \"" + r + "\"");
            }
            if (retries < 0) {
                throw line.error("--retries cannot be negative (" + retries + ")");
            }
        }
        return new Instruction.Healthcheck(line, new HealthcheckConfig(test, interval(line, flags, "interval"),
                interval(line, flags, "timeout"), interval(line, flags, "start-period"),
                interval(line, flags, "start-interval"), retries));
    }

    private static Duration interval(Line line, Flags flags, String name) {
        Optional<String> v = flags.value(name);
        if (v.isEmpty() || v.get().isEmpty()) {
            return Duration.ZERO;
        }
        Duration d;
        try {
            d = GoDuration.parse(v.get());
        } catch (IllegalArgumentException e) {
            throw line.error("--" + name + ": " + e.getMessage(), e);
        }
        if (d.isZero()) {
            return d;
        }
        if (d.compareTo(Duration.ofMillis(1)) < 0) {
            throw line.error("--" + name + " cannot be less than 1ms");
        }
        return d;
    }

    private Instruction onbuild(Line line, Flags flags, String rest, List<Heredoc> heredocs) {
        if (rest.isEmpty()) {
            throw line.error("ONBUILD requires at least one argument");
        }
        String triggerWord = Words.splitCommand(rest, escape).command().toUpperCase(Locale.ROOT);
        switch (triggerWord) {
            case "ONBUILD" -> throw line.error("chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
            case "MAINTAINER", "FROM" -> throw line.error(triggerWord + " isn't allowed as an ONBUILD trigger");
            default -> {
            }
        }
        Instruction trigger = parse(line, rest, heredocs);
        StringBuilder expression = new StringBuilder(ONBUILD_PREFIX.matcher(line.text()).replaceFirst(""));
        for (Heredoc h : heredocs) {
            expression.append('\n').append(h.body()).append(h.name());
        }
        return new Instruction.Onbuild(line, trigger, expression.toString());
    }
}
