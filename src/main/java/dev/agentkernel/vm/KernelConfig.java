package dev.agentkernel.vm;

import dev.agentkernel.errors.VmException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A kernel build configuration ({@code /boot/config-<release>}): symbol to {@code y}, {@code m} or a value. */
public final class KernelConfig {
    private final Map<String, String> values;

    private KernelConfig(Map<String, String> values) {
        this.values = values;
    }

    /** The configuration in {@code file}; null gives an empty one. */
    public static KernelConfig read(Path file) {
        Map<String, String> values = new HashMap<>();
        if (file != null) {
            try {
                for (String line : Files.readAllLines(file)) {
                    int eq = line.indexOf('=');
                    if (line.startsWith("CONFIG_") && eq > 0) {
                        values.put(line.substring(0, eq), line.substring(eq + 1).trim());
                    }
                }
            } catch (IOException e) {
                throw new VmException("cannot read kernel configuration " + file + ": " + e.getMessage(), e);
            }
        }
        return new KernelConfig(values);
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** {@code y}, {@code m}, another value, or null when the symbol is unset. */
    public String value(String symbol) {
        return values.get(symbol);
    }
}
