package dev.agentkernel.store;

/** Sample records for tests of other packages. */
public final class ImageStoreTestRecords {
    private ImageStoreTestRecords() {
    }

    public static ImageRecord built(String name) {
        return ImageStoreTest.built(name);
    }

    public static ImageRecord pulled(String name) {
        return ImageStoreTest.pulled(name);
    }
}
