package dev.agentkernel.build.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code RUN --mount=...} option, parsed as the reference parses it: comma-separated {@code key=value} fields
 * (CSV quoting allowed), {@code type} defaulting to {@code bind}, read-only by default except for cache and tmpfs.
 * The builder decides which types it supports; this class only checks that the option is well formed.
 */
public record RunMount(Type type, Optional<String> from, Optional<String> source, Optional<String> target,
                       boolean readOnly, OptionalLong sizeLimit, Optional<String> id, Optional<Sharing> sharing,
                       boolean required, Optional<String> env, OptionalLong mode, OptionalLong uid, OptionalLong gid) {

    public enum Type { BIND, CACHE, TMPFS, SECRET, SSH }

    public enum Sharing { SHARED, PRIVATE, LOCKED }

    private static final Pattern SIZE = Pattern.compile("(?i)^(\\d+(?:\\.\\d+)?)\\s*([kmgtp]?)(i?b)?$");

    /**
     * Parses a mount option. {@code expand} expands each value; with null (the parse-time check, before any scope
     * is known) values are taken as written, those that name a variable are skipped, and the checks that combine
     * fields are made only when none was skipped.
     */
    static RunMount parse(String spec, UnaryOperator<String> expand) {
        Builder b = new Builder();
        boolean readOnlyAuto = true;
        boolean skipped = false;
        for (String field : csvFields(spec)) {
            int eq = field.indexOf('=');
            String key = (eq < 0 ? field : field.substring(0, eq)).toLowerCase(Locale.ROOT);
            if (eq < 0) {
                switch (key) {
                    case "readonly", "ro" -> {
                        b.readOnly = true;
                        readOnlyAuto = false;
                    }
                    case "readwrite", "rw" -> {
                        b.readOnly = false;
                        readOnlyAuto = false;
                    }
                    case "required" -> {
                        if (b.type != Type.SECRET && b.type != Type.SSH) {
                            throw new IllegalArgumentException("unexpected key 'required' for mount type '" + name(b.type) + "'");
                        }
                        b.required = true;
                    }
                    default -> throw new IllegalArgumentException("invalid field '" + field + "' must be a key=value pair");
                }
                continue;
            }
            String value = field.substring(eq + 1);
            if (expand != null) {
                value = expand.apply(value);
            } else if (value.indexOf('$') >= 0) {
                int dollar = value.indexOf('$');
                if (key.equals("from") && dollar != value.length() - 1) {
                    throw new IllegalArgumentException("'from' doesn't support variable expansion, define alias stage instead");
                }
                skipped = true;
                continue;
            }
            switch (key) {
                case "type" -> b.type = parseEnum(Type.class, value, "mount type");
                case "from" -> b.from = value;
                case "source", "src" -> b.source = value;
                case "target", "dst", "destination" -> b.target = value;
                case "readonly", "ro" -> {
                    b.readOnly = parseBool(key, value);
                    readOnlyAuto = false;
                }
                case "readwrite", "rw" -> {
                    b.readOnly = !parseBool(key, value);
                    readOnlyAuto = false;
                }
                case "required" -> {
                    if (b.type != Type.SECRET && b.type != Type.SSH) {
                        throw new IllegalArgumentException("unexpected key 'required' for mount type '" + name(b.type) + "'");
                    }
                    b.required = parseBool(key, value);
                }
                case "size" -> {
                    if (b.type != Type.TMPFS) {
                        throw new IllegalArgumentException("unexpected key 'size' for mount type '" + name(b.type) + "'");
                    }
                    b.size = OptionalLong.of(parseSize(value));
                }
                case "id" -> b.id = value;
                case "sharing" -> b.sharing = parseEnum(Sharing.class, value, "sharing value");
                case "mode" -> b.mode = OptionalLong.of(parseUnsigned(value, 8, "mode"));
                case "uid" -> b.uid = OptionalLong.of(parseUnsigned(value, 10, "uid"));
                case "gid" -> b.gid = OptionalLong.of(parseUnsigned(value, 10, "gid"));
                case "env" -> b.env = value;
                default -> throw new IllegalArgumentException("unexpected key '" + key + "' in '" + field + "'");
            }
        }
        if (skipped) {
            return b.build(false);
        }
        boolean fileInfoAllowed = b.type == Type.SECRET || b.type == Type.SSH || b.type == Type.CACHE;
        if (!fileInfoAllowed) {
            for (var e : List.of(java.util.Map.entry("mode", b.mode), java.util.Map.entry("uid", b.uid),
                    java.util.Map.entry("gid", b.gid))) {
                if (e.getValue().isPresent()) {
                    throw new IllegalArgumentException(e.getKey() + " not allowed for \"" + name(b.type) + "\" type mounts");
                }
            }
        }
        if (readOnlyAuto) {
            b.readOnly = b.type != Type.CACHE && b.type != Type.TMPFS;
        }
        if (b.type == Type.SECRET) {
            if (b.from != null) {
                throw new IllegalArgumentException("secret mount should not have a from");
            }
            if (b.sharing != null) {
                throw new IllegalArgumentException("secret mount should not define sharing");
            }
            if (b.source == null && b.target == null && b.id == null) {
                throw new IllegalArgumentException("invalid secret mount. one of source, target required");
            }
            if (b.source != null && b.id != null) {
                throw new IllegalArgumentException("both source and id can't be set");
            }
        }
        if (b.sharing != null && b.type != Type.CACHE) {
            throw new IllegalArgumentException("invalid cache sharing set for " + name(b.type) + " mount");
        }
        return b.build(b.readOnly);
    }

    private static final class Builder {
        Type type = Type.BIND;
        String from;
        String source;
        String target;
        boolean readOnly;
        OptionalLong size = OptionalLong.empty();
        String id;
        Sharing sharing;
        boolean required;
        String env;
        OptionalLong mode = OptionalLong.empty();
        OptionalLong uid = OptionalLong.empty();
        OptionalLong gid = OptionalLong.empty();

        RunMount build(boolean ro) {
            return new RunMount(type, Optional.ofNullable(from), Optional.ofNullable(source), Optional.ofNullable(target),
                    ro, size, Optional.ofNullable(id), Optional.ofNullable(sharing), required, Optional.ofNullable(env),
                    mode, uid, gid);
        }
    }

    private static String name(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> type, String value, String what) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value)) {
                return e;
            }
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(name(e));
        }
        throw new IllegalArgumentException("unsupported " + what + " \"" + value + "\" (one of " + String.join(", ", names) + ")");
    }

    private static boolean parseBool(String key, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "1", "t", "true" -> true;
            case "0", "f", "false" -> false;
            default -> throw new IllegalArgumentException("invalid value for " + key + ": " + value);
        };
    }

    private static long parseUnsigned(String value, int radix, String what) {
        try {
            long v = Long.parseLong(value, radix);
            if (v < 0 || v > 0xFFFF_FFFFL) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid value " + value + " for " + what);
        }
    }

    /** Sizes as {@code 64m}, {@code 1g}, {@code 512kb}, {@code 1024}: binary multiples, as the reference's units. */
    static long parseSize(String value) {
        Matcher m = SIZE.matcher(value.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid value for size: " + value);
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            case "p" -> 50;
            default -> 0;
        };
        double bytes = Double.parseDouble(m.group(1)) * Math.pow(2, shift);
        if (bytes > Long.MAX_VALUE) {
            throw new IllegalArgumentException("invalid value for size: " + value);
        }
        return (long) bytes;
    }

    /** Comma-separated fields; a field may be double-quoted, with {@code ""} for a quote inside. */
    static List<String> csvFields(String spec) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int i = 0;
        int n = spec.length();
        while (i <= n) {
            if (i < n && spec.charAt(i) == '"' && field.length() == 0) {
                i++;
                while (true) {
                    if (i >= n) {
                        throw new IllegalArgumentException("failed to parse csv mounts: unterminated quote in " + spec);
                    }
                    char c = spec.charAt(i++);
                    if (c == '"') {
                        if (i < n && spec.charAt(i) == '"') {
                            field.append('"');
                            i++;
                            continue;
                        }
                        break;
                    }
                    field.append(c);
                }
                if (i < n && spec.charAt(i) != ',') {
                    throw new IllegalArgumentException("failed to parse csv mounts: extraneous text after a quoted field in " + spec);
                }
                continue;
            }
            if (i == n || spec.charAt(i) == ',') {
                fields.add(field.toString());
                field.setLength(0);
                i++;
                continue;
            }
            field.append(spec.charAt(i++));
        }
        return fields;
    }
}
