package dev.agentkernel.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The Debian archive this machine's APT uses, read from {@code /etc/apt/sources.list} (one-line {@code deb URI
 * SUITE COMPONENT...} entries) and {@code /etc/apt/sources.list.d/*.list} and {@code *.sources} (deb822
 * stanzas): the URI of the first {@code deb} entry with component {@code main} and the wanted suite, else of
 * the first with {@code main} for a release suite (no {@code -updates}, {@code -security}, ...).
 */
final class DebianMirror {
    /** One {@code deb} entry: its URIs, suites and components. */
    record Entry(List<String> uris, List<String> suites, List<String> components) {
    }

    private DebianMirror() {
    }

    /** The mirror for {@code suite} on this machine, if its APT sources name one. */
    static Optional<String> find(Path aptDir, String suite) {
        List<Entry> entries = entries(aptDir);
        return pick(entries, suite).or(() -> entries.stream()
                .filter(e -> e.components().contains("main") && e.suites().stream().anyMatch(s -> !s.contains("-")
                        && !s.contains("/")))
                .flatMap(e -> e.uris().stream()).filter(DebianMirror::usable).findFirst());
    }

    private static Optional<String> pick(List<Entry> entries, String suite) {
        return entries.stream().filter(e -> e.components().contains("main") && e.suites().contains(suite))
                .flatMap(e -> e.uris().stream()).filter(DebianMirror::usable).findFirst();
    }

    private static boolean usable(String uri) {
        return uri.startsWith("http://") || uri.startsWith("https://");
    }

    static List<Entry> entries(Path aptDir) {
        List<Entry> all = new ArrayList<>();
        Path list = aptDir.resolve("sources.list");
        if (Files.isRegularFile(list)) {
            all.addAll(oneLine(read(list)));
        }
        Path dir = aptDir.resolve("sources.list.d");
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.sorted().toList()) {
                    String name = f.getFileName().toString();
                    if (name.endsWith(".list")) {
                        all.addAll(oneLine(read(f)));
                    } else if (name.endsWith(".sources")) {
                        all.addAll(deb822(read(f)));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return all;
    }

    /** {@code deb [options] URI SUITE COMPONENT...} lines. */
    static List<Entry> oneLine(String text) {
        List<Entry> entries = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.replaceAll("#.*", "").replaceAll("\\[[^]]*]", " ").trim();
            String[] words = line.split("\\s+");
            if (words.length >= 4 && words[0].equals("deb")) {
                entries.add(new Entry(List.of(words[1]), List.of(words[2]),
                        List.of(Arrays.copyOfRange(words, 3, words.length))));
            }
        }
        return entries;
    }

    /** deb822 stanzas (Types, URIs, Suites, Components, Enabled), separated by blank lines. */
    static List<Entry> deb822(String text) {
        List<Entry> entries = new ArrayList<>();
        for (String stanza : text.split("\n\\s*\n")) {
            Map<String, String> fields = new LinkedHashMap<>();
            String last = null;
            for (String line : stanza.split("\n")) {
                if (line.startsWith("#")) {
                    continue;
                }
                if ((line.startsWith(" ") || line.startsWith("\t")) && last != null) {
                    fields.merge(last, " " + line.trim(), String::concat);
                } else if (line.contains(":")) {
                    last = line.substring(0, line.indexOf(':')).trim().toLowerCase(Locale.ROOT);
                    fields.put(last, line.substring(line.indexOf(':') + 1).trim());
                }
            }
            if (words(fields.get("types")).contains("deb")
                    && !"no".equalsIgnoreCase(fields.getOrDefault("enabled", "yes").trim())) {
                entries.add(new Entry(words(fields.get("uris")), words(fields.get("suites")),
                        words(fields.get("components"))));
            }
        }
        return entries;
    }

    private static List<String> words(String value) {
        return value == null || value.isBlank() ? List.of() : List.of(value.trim().split("\\s+"));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
