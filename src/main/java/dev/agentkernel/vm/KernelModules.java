package dev.agentkernel.vm;

import dev.agentkernel.errors.VmException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A kernel's module index: {@code modules.dep} (module file and the files it needs) and
 * {@code modules.builtin} (drivers compiled in). Module names compare with {@code -} and {@code _} equal,
 * as modprobe does.
 */
public final class KernelModules {
    private final Path dir;
    private final Map<String, String> fileByName = new HashMap<>();
    private final Map<String, List<String>> depsByFile = new HashMap<>();
    private final Set<String> builtIn = new HashSet<>();

    private KernelModules(Path dir) {
        this.dir = dir;
    }

    /** Reads the index under {@code /lib/modules/<release>}; an absent directory gives an empty index. */
    public static KernelModules read(Path modulesDir) {
        KernelModules modules = new KernelModules(modulesDir);
        if (modulesDir == null) {
            return modules;
        }
        try {
            Path dep = modulesDir.resolve("modules.dep");
            if (Files.isRegularFile(dep)) {
                for (String line : Files.readAllLines(dep)) {
                    int colon = line.indexOf(':');
                    if (colon <= 0) {
                        continue;
                    }
                    String file = line.substring(0, colon).trim();
                    String rest = line.substring(colon + 1).trim();
                    modules.depsByFile.put(file, rest.isEmpty() ? List.of() : List.of(rest.split("\\s+")));
                    modules.fileByName.put(nameOf(file), file);
                }
            }
            Path builtin = modulesDir.resolve("modules.builtin");
            if (Files.isRegularFile(builtin)) {
                for (String line : Files.readAllLines(builtin)) {
                    if (!line.isBlank()) {
                        modules.builtIn.add(nameOf(line.trim()));
                    }
                }
            }
        } catch (IOException e) {
            throw new VmException("cannot read the module index in " + modulesDir + ": " + e.getMessage(), e);
        }
        return modules;
    }

    public boolean isEmpty() {
        return fileByName.isEmpty() && builtIn.isEmpty();
    }

    public boolean isBuiltIn(String name) {
        return builtIn.contains(normalize(name));
    }

    public boolean hasModule(String name) {
        return fileByName.containsKey(normalize(name));
    }

    /**
     * The module files to load for {@code names}, dependencies first, each once (absolute paths).
     */
    public List<Path> loadOrder(List<String> names) {
        LinkedHashSet<String> ordered = new LinkedHashSet<>();
        for (String name : names) {
            String file = fileByName.get(normalize(name));
            if (file == null) {
                throw new VmException("module " + name + " is not in " + dir.resolve("modules.dep"));
            }
            visit(file, ordered, new HashSet<>());
        }
        List<Path> paths = new ArrayList<>();
        for (String file : ordered) {
            paths.add(dir.resolve(file));
        }
        return paths;
    }

    private void visit(String file, LinkedHashSet<String> ordered, Set<String> inProgress) {
        if (ordered.contains(file) || !inProgress.add(file)) {
            return;
        }
        for (String dep : depsByFile.getOrDefault(file, List.of())) {
            visit(dep, ordered, inProgress);
        }
        ordered.add(file);
    }

    /** {@code kernel/drivers/block/virtio_blk.ko.xz} gives {@code virtio_blk}. */
    static String nameOf(String file) {
        String base = file.substring(file.lastIndexOf('/') + 1);
        int ko = base.indexOf(".ko");
        return normalize(ko >= 0 ? base.substring(0, ko) : base);
    }

    private static String normalize(String name) {
        return name.replace('-', '_');
    }
}
