package dev.agentkernel.vm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What a kernel provides of the drivers a sandbox needs, and the module files that must be loaded first. */
public record KernelReport(Kernel kernel, Map<Driver, Driver.Presence> drivers, List<Path> modulesToLoad) {
    public KernelReport {
        drivers = Map.copyOf(drivers);
        modulesToLoad = List.copyOf(modulesToLoad);
    }

    public Driver.Presence presence(Driver driver) {
        return drivers.get(driver);
    }

    /** Whether the sandbox can boot: disk, virtio-mmio and ext4, and at least one transport for the agent. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        for (Driver required : List.of(Driver.VIRTIO_MMIO, Driver.VIRTIO_BLK, Driver.EXT4)) {
            if (presence(required) == Driver.Presence.MISSING) {
                problems.add(describeMissing(required));
            }
        }
        if (presence(Driver.VIRTIO_CONSOLE) == Driver.Presence.MISSING && presence(Driver.VSOCK) == Driver.Presence.MISSING) {
            problems.add(describeMissing(Driver.VIRTIO_CONSOLE) + " and " + describeMissing(Driver.VSOCK));
        }
        return problems;
    }

    /** Whether the agent can be reached the way a monitor offers it. */
    public boolean supports(Driver transport) {
        return presence(transport) != Driver.Presence.MISSING;
    }

    public boolean needsInitramfs() {
        return !modulesToLoad.isEmpty();
    }

    private static String describeMissing(Driver d) {
        return d.moduleName() + " (" + d.configSymbol() + ", for " + d.purpose() + ")";
    }
}
