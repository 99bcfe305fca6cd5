package dev.agentkernel.layer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the layers read so far (the upper ones) say about paths, by their names alone. Used while reading a
 * lower layer to skip the bytes of files an upper layer certainly replaces or deletes. Symlinked parent
 * directories are not considered here: the exact merge ({@link TreeBuilder}) decides, discarding content
 * that turns out hidden and re-reading the rare content that was skipped but survives.
 */
final class UpperPaths {
    private final Node root = new Node();

    private static final class Node {
        Map<String, Node> children;
        boolean hidesBelow; // a non-directory, a whiteout or an opaque directory: nothing lower survives under it

        Node child(String name) {
            if (children == null) {
                children = new HashMap<>();
            }
            return children.computeIfAbsent(name, n -> new Node());
        }
    }

    /** Whether a regular file of a lower layer at {@code path} is replaced or deleted by an upper layer. */
    boolean hidesFile(String path) {
        if (root.hidesBelow) {
            return true;
        }
        Node node = root;
        String[] parts = path.split("/");
        for (int i = 0; i < parts.length; i++) {
            node = node.children == null ? null : node.children.get(parts[i]);
            if (node == null) {
                return false;
            }
            if (i < parts.length - 1 && node.hidesBelow) {
                return true;
            }
        }
        return true; // an upper layer has this path, or something under it (so a directory here)
    }

    /** Records a whole layer, once it has been read: its entries only hide the layers below it. */
    void addLayer(List<LayerEntry> entries) {
        for (LayerEntry e : entries) {
            Node node = e.path().isEmpty() ? root : walk(e.path());
            switch (e.kind()) {
                case DIRECTORY -> { }
                case OPAQUE, WHITEOUT -> node.hidesBelow = true;
                default -> node.hidesBelow |= !e.path().isEmpty();
            }
        }
    }

    private Node walk(String path) {
        Node node = root;
        for (String part : path.split("/")) {
            node = node.child(part);
        }
        return node;
    }
}
