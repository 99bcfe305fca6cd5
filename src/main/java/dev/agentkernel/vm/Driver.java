package dev.agentkernel.vm;

/** The kernel drivers a sandbox needs, with their config symbol and module name. */
public enum Driver {
    VIRTIO_MMIO("CONFIG_VIRTIO_MMIO", "virtio_mmio", "virtio devices of the microVM machine"),
    VIRTIO_BLK("CONFIG_VIRTIO_BLK", "virtio_blk", "the root disk"),
    VIRTIO_CONSOLE("CONFIG_VIRTIO_CONSOLE", "virtio_console", "the agent's virtio-serial port (QEMU)"),
    VSOCK("CONFIG_VIRTIO_VSOCKETS", "vmw_vsock_virtio_transport", "the agent's vsock (Firecracker)"),
    VIRTIO_NET("CONFIG_VIRTIO_NET", "virtio_net", "the sandbox's network interface"),
    EXT4("CONFIG_EXT4_FS", "ext4", "the root file system"),
    OVERLAY("CONFIG_OVERLAY_FS", "overlay", "the native builder's RUN steps (not needed to boot)");

    private final String configSymbol;
    private final String moduleName;
    private final String purpose;

    Driver(String configSymbol, String moduleName, String purpose) {
        this.configSymbol = configSymbol;
        this.moduleName = moduleName;
        this.purpose = purpose;
    }

    public String configSymbol() {
        return configSymbol;
    }

    public String moduleName() {
        return moduleName;
    }

    public String purpose() {
        return purpose;
    }

    /** How a kernel provides a driver. */
    public enum Presence { BUILT_IN, MODULE, MISSING, UNKNOWN }
}
