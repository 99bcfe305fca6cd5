package dev.agentkernel.vm;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Tells, for each {@link Driver}, whether a kernel has it built in, as a module, or not at all: from
 * {@code modules.builtin} and {@code modules.dep} when the kernel's modules are installed, else from its
 * configuration; with neither, presence is unknown (assumed built in, as in kernels made for microVMs).
 */
public final class KernelInspector {
    private KernelInspector() {
    }

    public static KernelReport inspect(Kernel kernel) {
        KernelModules modules = KernelModules.read(kernel.modulesDir());
        KernelConfig config = KernelConfig.read(kernel.config());
        Map<Driver, Driver.Presence> drivers = new EnumMap<>(Driver.class);
        List<String> toLoad = new ArrayList<>();
        for (Driver driver : Driver.values()) {
            Driver.Presence presence = presence(driver, modules, config);
            drivers.put(driver, presence);
            if (presence == Driver.Presence.MODULE) {
                toLoad.add(driver.moduleName());
            }
        }
        return new KernelReport(kernel, drivers, toLoad.isEmpty() ? List.of() : modules.loadOrder(toLoad));
    }

    private static Driver.Presence presence(Driver driver, KernelModules modules, KernelConfig config) {
        if (modules.isBuiltIn(driver.moduleName())) {
            return Driver.Presence.BUILT_IN;
        }
        if (modules.hasModule(driver.moduleName())) {
            return Driver.Presence.MODULE;
        }
        String value = config.value(driver.configSymbol());
        if ("y".equals(value)) {
            return Driver.Presence.BUILT_IN;
        }
        if (!config.isEmpty() || !modules.isEmpty()) {
            // configured as a module whose file is not installed counts as missing: nothing could load it
            return Driver.Presence.MISSING;
        }
        return Driver.Presence.UNKNOWN;
    }
}
