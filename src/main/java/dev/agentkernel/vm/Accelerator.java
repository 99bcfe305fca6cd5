package dev.agentkernel.vm;

import java.util.Locale;

/** How QEMU runs the guest's CPU: KVM when it works on this host, else TCG (emulation, slower). */
public enum Accelerator {
    KVM, TCG;

    public String qemuName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Accelerator parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new dev.agentkernel.errors.UserInputException("unknown accelerator '" + text + "' (kvm or tcg)");
        }
    }
}
