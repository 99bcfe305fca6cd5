package dev.agentkernel.layer;

import dev.agentkernel.errors.ImageException;
import dev.agentkernel.errors.Quote;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The exact merge: applies the layers' entries oldest first, as an unpacker applies them to a directory
 * (containerd, umoci), but on metadata only. Parent directories that are symlinks are followed inside the
 * root; whiteouts and opaque markers remove what lower layers put there, never what their own layer did; a
 * path taken by another type is replaced; a directory over a directory updates its metadata; hard links share
 * the inode of the entry they name at the time they are applied.
 */
final class TreeBuilder {
    private static final int MAX_SYMLINKS = 255;

    private final Node root = new Node(new Inode(null), 0, true);
    private final List<String> layerNames;

    /** A name in the tree. Hard links are several nodes sharing one {@link Inode}. */
    static final class Node {
        Inode inode;
        final TreeMap<String, Node> children; // non-null for directories
        int layer; // the newest layer that created, updated or (for directories) put something in it

        Node(Inode inode, int layer, boolean directory) {
            this.inode = inode;
            this.layer = layer;
            this.children = directory ? new TreeMap<>() : null;
        }

        boolean isDirectory() {
            return children != null;
        }

        boolean isSymlink() {
            return inode.entry != null && inode.entry.kind() == LayerEntry.Kind.SYMLINK;
        }
    }

    /** The object hard links share; {@code entry} is null for a directory no layer described. */
    static final class Inode {
        final LayerEntry entry;

        Inode(LayerEntry entry) {
            this.entry = entry;
        }
    }

    /** A surviving name, in tree order. */
    record Placed(String path, Node node) {
    }

    TreeBuilder(List<String> layerNames) {
        this.layerNames = layerNames;
    }

    void apply(LayerEntry e) {
        String path = e.path();
        String parentPath = LayerEntry.parentOf(path);
        String name = LayerEntry.baseName(path);
        int layer = e.layer();
        switch (e.kind()) {
            case OPAQUE -> {
                Node dir = resolve(path, layer, false, e);
                if (dir != null) {
                    pruneLower(dir, layer);
                }
            }
            case WHITEOUT -> {
                Node parent = resolve(parentPath, layer, false, e);
                Node hidden = parent == null ? null : parent.children.get(name);
                if (hidden == null) {
                    return;
                }
                if (hidden.layer < layer) {
                    parent.children.remove(name);
                } else if (hidden.isDirectory()) {
                    pruneLower(hidden, layer); // this layer's own directory stays; only the lower content goes
                }
            }
            case DIRECTORY -> {
                if (path.isEmpty()) {
                    root.inode = new Inode(e);
                    root.layer = layer;
                    return;
                }
                Node parent = resolve(parentPath, layer, true, e);
                Node existing = parent.children.get(name);
                if (existing != null && existing.isDirectory()) {
                    existing.inode = new Inode(e);
                    existing.layer = layer;
                } else {
                    parent.children.put(name, new Node(new Inode(e), layer, true));
                }
            }
            case HARDLINK -> {
                Node targetParent = resolve(LayerEntry.parentOf(e.link()), layer, false, e);
                Node target = targetParent == null ? null
                        : targetParent.children.get(LayerEntry.baseName(e.link()));
                if (target == null || target.isDirectory() || e.link().isEmpty()) {
                    throw new ImageException(layerNames.get(layer) + " has a hard link " + Quote.name(path) + " to " + Quote.name(e.link())
                            + ", which " + (target == null ? "does not exist" : "is a directory"));
                }
                Node parent = resolve(parentPath, layer, true, e);
                Node existing = parent.children.get(name);
                if (existing == target || existing != null && existing.isDirectory() && contains(existing, target)) {
                    // an unpacker removes what is at the link's path first, and with it the link's target
                    throw new ImageException(layerNames.get(layer) + " has a hard link " + Quote.name(path) + " to " + Quote.name(e.link())
                            + ", which replaces its own target");
                }
                parent.children.put(name, new Node(target.inode, layer, false));
            }
            default -> {
                if (path.isEmpty()) {
                    throw new ImageException(layerNames.get(layer) + " replaces the root directory by a "
                            + kindName(e.kind()));
                }
                Node parent = resolve(parentPath, layer, true, e);
                parent.children.put(name, new Node(new Inode(e), layer, false));
            }
        }
    }

    /**
     * The directory at {@code path}, following symlinks inside the root (absolute targets start at the root,
     * '..' stops there). With {@code create}, missing directories are implied; a non-directory in the way is an
     * error, as it is for containerd and umoci. Without {@code create}, such paths resolve to {@code null}.
     */
    private Node resolve(String path, int layer, boolean create, LayerEntry cause) {
        Deque<String> todo = new ArrayDeque<>();
        addComponents(todo, path);
        Deque<Node> parents = new ArrayDeque<>();
        Deque<String> names = new ArrayDeque<>();
        Node current = root;
        int links = 0;
        while (!todo.isEmpty()) {
            String part = todo.pop();
            if (part.equals("..")) {
                if (!parents.isEmpty()) {
                    current = parents.pop();
                    names.removeLast();
                }
                continue;
            }
            Node child = current.children.get(part);
            if (child != null && child.isSymlink()) {
                if (++links > MAX_SYMLINKS) {
                    throw new ImageException(layerNames.get(layer) + ": too many levels of symbolic links under "
                            + Quote.name(cause.path()));
                }
                String target = child.inode.entry.link();
                addComponents(todo, target);
                if (target.startsWith("/")) {
                    current = root;
                    parents.clear();
                    names.clear();
                }
                continue;
            }
            if (child != null && !child.isDirectory()) {
                if (!create) {
                    return null;
                }
                names.addLast(part);
                throw new ImageException(layerNames.get(layer) + " has an entry " + Quote.name(cause.path()) + " inside "
                        + Quote.name(String.join("/", names)) + ", which is not a directory");
            }
            if (child == null) {
                if (!create) {
                    return null;
                }
                child = new Node(new Inode(null), layer, true);
                current.children.put(part, child);
            }
            if (create) {
                child.layer = Math.max(child.layer, layer);
            }
            parents.push(current);
            names.addLast(part);
            current = child;
        }
        return current;
    }

    /** Pushes the components of {@code path} in front of {@code todo}, in order. */
    private static void addComponents(Deque<String> todo, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            if (!parts[i].isEmpty() && !parts[i].equals(".")) {
                todo.push(parts[i]);
            }
        }
    }

    /** Whether {@code wanted} is somewhere below {@code dir}. Iterative: a tree may be 10,000 levels deep. */
    private static boolean contains(Node dir, Node wanted) {
        Deque<Node> todo = new ArrayDeque<>();
        todo.push(dir);
        while (!todo.isEmpty()) {
            for (Node child : todo.pop().children.values()) {
                if (child == wanted) {
                    return true;
                }
                if (child.isDirectory()) {
                    todo.push(child);
                }
            }
        }
        return false;
    }

    private static String kindName(LayerEntry.Kind kind) {
        return switch (kind) {
            case REGULAR -> "regular file";
            case SYMLINK -> "symbolic link";
            case HARDLINK -> "hard link";
            case CHAR_DEVICE -> "character device";
            case BLOCK_DEVICE -> "block device";
            case FIFO -> "named pipe";
            default -> kind.name().toLowerCase();
        };
    }

    /** Removes what layers below {@code layer} left in {@code dir}, keeping what {@code layer} itself put. */
    private static void pruneLower(Node dir, int layer) {
        Deque<Node> todo = new ArrayDeque<>();
        todo.push(dir);
        while (!todo.isEmpty()) {
            Iterator<Map.Entry<String, Node>> it = todo.pop().children.entrySet().iterator();
            while (it.hasNext()) {
                Node child = it.next().getValue();
                if (child.layer < layer) {
                    it.remove();
                } else if (child.isDirectory()) {
                    todo.push(child);
                }
            }
        }
    }

    /** Every surviving name, depth first, siblings by name, the root first. Iterative, for any depth. */
    List<Placed> walk() {
        List<Placed> out = new ArrayList<>();
        Deque<Iterator<Map.Entry<String, Node>>> levels = new ArrayDeque<>();
        Deque<String> paths = new ArrayDeque<>();
        out.add(new Placed("", root));
        levels.push(root.children.entrySet().iterator());
        paths.push("");
        while (!levels.isEmpty()) {
            Iterator<Map.Entry<String, Node>> level = levels.peek();
            if (!level.hasNext()) {
                levels.pop();
                paths.pop();
                continue;
            }
            Map.Entry<String, Node> child = level.next();
            String path = LayerEntry.join(paths.peek(), child.getKey());
            out.add(new Placed(path, child.getValue()));
            if (child.getValue().isDirectory()) {
                levels.push(child.getValue().children.entrySet().iterator());
                paths.push(path);
            }
        }
        return out;
    }
}
