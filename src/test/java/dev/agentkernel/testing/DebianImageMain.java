package dev.agentkernel.testing;

/** Prints the Debian test image's source ({@code oci:DIR:bookworm}), building it first if needed (benchmarks). */
public final class DebianImageMain {
    private DebianImageMain() {
    }

    public static void main(String[] args) {
        System.out.println(DebianImage.source());
    }
}
