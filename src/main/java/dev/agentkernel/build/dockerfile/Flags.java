package dev.agentkernel.build.dockerfile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An instruction's {@code --flags}, as the reference reads them: {@code --name=value} for strings (repeatable
 * where declared so), {@code --name} or {@code --name=true|false} for booleans; an undeclared flag, a repeated
 * one or a missing value is an error. Declare the instruction's flags, then {@link #parse}.
 */
final class Flags {
    private enum Kind { BOOL, STRING, STRINGS }

    private final Line line;
    private final String instruction;
    private final List<String> given;
    private final Map<String, Kind> declared = new LinkedHashMap<>();
    private final Map<String, List<String>> values = new LinkedHashMap<>();

    Flags(Line line, String instruction, List<String> given) {
        this.line = line;
        this.instruction = instruction;
        this.given = given;
    }

    Flags bool(String name) {
        declared.put(name, Kind.BOOL);
        return this;
    }

    Flags string(String name) {
        declared.put(name, Kind.STRING);
        return this;
    }

    Flags strings(String name) {
        declared.put(name, Kind.STRINGS);
        return this;
    }

    Flags parse() {
        for (String arg : given) {
            if (arg.equals("--")) {
                return this;
            }
            if (!arg.startsWith("--")) {
                throw line.error("flag should start with -- : " + arg);
            }
            int eq = arg.indexOf('=');
            String flagName = eq < 0 ? arg : arg.substring(0, eq);
            String name = flagName.substring(2);
            Kind kind = declared.get(name);
            if (kind == null) {
                throw line.error("unknown flag " + flagName + " for " + instruction
                        + (declared.isEmpty() ? " (it takes no flags)" : " (it takes --" + String.join(", --", declared.keySet()) + ")"));
            }
            if (values.containsKey(name) && kind != Kind.STRINGS) {
                throw line.error("duplicate flag specified: " + flagName);
            }
            String value = eq < 0 ? null : arg.substring(eq + 1);
            switch (kind) {
                case BOOL -> {
                    if (value != null && value.isEmpty()) {
                        throw line.error("missing a value on flag: " + flagName);
                    }
                    String v = value == null ? "true" : value.toLowerCase(java.util.Locale.ROOT);
                    if (!v.equals("true") && !v.equals("false")) {
                        throw line.error("expecting boolean value for flag " + flagName + ", not: " + value);
                    }
                    values.put(name, List.of(v));
                }
                case STRING, STRINGS -> {
                    if (value == null) {
                        throw line.error("missing a value on flag: " + flagName);
                    }
                    values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
                }
            }
        }
        return this;
    }

    Optional<String> value(String name) {
        List<String> v = values.get(name);
        return v == null ? Optional.empty() : Optional.of(v.get(v.size() - 1));
    }

    List<String> all(String name) {
        return List.copyOf(values.getOrDefault(name, List.of()));
    }

    boolean isTrue(String name) {
        return value(name).map("true"::equals).orElse(false);
    }

    Optional<Boolean> optionalBool(String name) {
        return value(name).map("true"::equals);
    }
}
