package dev.agentkernel.ext4;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns the added entries into a tree of inodes: places each entry as it is added (creating parents that have
 * not arrived yet, which take the directory's metadata if it arrives later), and at {@link #build} resolves hard
 * links, adds lost+found, and numbers inodes breadth-first in name order (root 2, lost+found 11, then from 12),
 * so the result depends only on the entries, never on the order they arrived in. Not thread-safe.
 */
final class TreeBuilder {
    private static final String LOST_AND_FOUND = "lost+found";

    /** A name in the tree before numbering. */
    private static final class Node {
        Ext4Entry entry; // null for a directory created as a parent until its own entry arrives
        InodeSpec inode;
        final TreeMap<String, Node> children = new TreeMap<>();

        Node(Ext4Entry entry, InodeSpec inode) {
            this.entry = entry;
            this.inode = inode;
        }
    }

    /** The numbered tree. */
    record Tree(List<InodeSpec> inodes) {
    }

    private final Timestamp defaultTime;
    private final Map<String, Node> nodes = new HashMap<>();
    private final Node root;

    TreeBuilder(Timestamp defaultTime) {
        this.defaultTime = defaultTime;
        this.root = new Node(null, defaultDirectory(0755));
        nodes.put("", root);
    }

    /**
     * Places an entry. A path added twice is an IllegalArgumentException; an entry below a non-directory, or a
     * non-directory where entries already are below, an Ext4Exception. Either way the tree is left unchanged.
     */
    void add(Ext4Entry e) {
        String path = e.path();
        Node existing = nodes.get(path);
        if (existing != null) {
            if (existing.entry != null) {
                throw new IllegalArgumentException("path added twice: " + path);
            }
            // a directory created earlier as somebody's parent
            if (!(e instanceof Ext4Entry.Directory d)) {
                throw new Ext4Exception((path.isEmpty() ? "/" : path) + " has entries below it but is not a directory");
            }
            existing.entry = e;
            existing.inode = new InodeSpec(Features.S_IFDIR | d.metadata().mode(), d.metadata());
            return;
        }
        InodeSpec inode = inodeOf(e);
        int slash = path.lastIndexOf('/');
        Node parent = directory(slash < 0 ? "" : path.substring(0, slash)); // checked before anything changes
        Node node = new Node(e, inode);
        nodes.put(path, node);
        parent.children.put(path.substring(slash + 1), node);
    }

    /** Resolves hard links, adds lost+found if missing, and numbers the inodes. */
    Tree build() {
        if (!root.children.containsKey(LOST_AND_FOUND)) {
            root.children.put(LOST_AND_FOUND, new Node(null, defaultDirectory(0700)));
        }
        resolveHardLinks();
        return number(root);
    }

    /** The directory node at {@code path}, created with its missing parents (nothing is created if it throws). */
    private Node directory(String path) {
        Node node = nodes.get(path);
        if (node != null) {
            if (node.entry instanceof Ext4Entry.HardLink || !node.inode.isDirectory()) {
                throw new Ext4Exception(path + " has entries below it but is not a directory");
            }
            return node;
        }
        int slash = path.lastIndexOf('/');
        Node parent = directory(slash < 0 ? "" : path.substring(0, slash));
        node = new Node(null, defaultDirectory(0755));
        nodes.put(path, node);
        parent.children.put(path.substring(slash + 1), node);
        return node;
    }

    private InodeSpec inodeOf(Ext4Entry e) {
        if (e instanceof Ext4Entry.Directory d) {
            return new InodeSpec(Features.S_IFDIR | d.metadata().mode(), d.metadata());
        } else if (e instanceof Ext4Entry.RegularFile f) {
            InodeSpec spec = new InodeSpec(Features.S_IFREG | f.metadata().mode(), f.metadata());
            spec.content = f.content();
            return spec;
        } else if (e instanceof Ext4Entry.Symlink s) {
            InodeSpec spec = new InodeSpec(Features.S_IFLNK | s.metadata().mode(), s.metadata());
            spec.symlinkTarget = RawNames.encode(s.target());
            if (spec.symlinkTarget.length >= Geometry.BLOCK_SIZE) {
                throw new Ext4Exception("symlink target of " + e.path() + " is longer than 4095 bytes");
            }
            return spec;
        } else if (e instanceof Ext4Entry.Device d) {
            InodeSpec spec = new InodeSpec((d.block() ? Features.S_IFBLK : Features.S_IFCHR)
                    | d.metadata().mode(), d.metadata());
            spec.major = d.major();
            spec.minor = d.minor();
            return spec;
        } else if (e instanceof Ext4Entry.Fifo f) {
            return new InodeSpec(Features.S_IFIFO | f.metadata().mode(), f.metadata());
        } else if (e instanceof Ext4Entry.Socket s) {
            return new InodeSpec(Features.S_IFSOCK | s.metadata().mode(), s.metadata());
        }
        return null; // a hard link, resolved once every path is known
    }

    private void resolveHardLinks() {
        for (Node node : nodes.values()) {
            if (node.entry instanceof Ext4Entry.HardLink link) {
                node.inode = linkTarget(link);
            }
        }
    }

    private InodeSpec linkTarget(Ext4Entry.HardLink link) {
        String target = link.targetPath();
        for (int hops = 0; hops < 64; hops++) {
            Node node = nodes.get(target);
            if (node == null) {
                throw new Ext4Exception("hard link " + link.path() + " points to " + link.targetPath()
                        + ", which is not in the tree");
            }
            if (!(node.entry instanceof Ext4Entry.HardLink next)) {
                if (node.inode.isDirectory()) {
                    throw new Ext4Exception("hard link " + link.path() + " points to directory " + target);
                }
                return node.inode;
            }
            target = next.targetPath();
        }
        throw new Ext4Exception("hard link " + link.path() + " is part of a cycle of hard links");
    }

    private Tree number(Node root) {
        List<InodeSpec> inodes = new ArrayList<>();
        root.inode.number = Geometry.ROOT_INODE;
        root.inode.parent = root.inode;
        inodes.add(root.inode);
        int next = Geometry.FIRST_INODE;
        Node lostAndFound = root.children.get(LOST_AND_FOUND);
        if (lostAndFound.inode.isDirectory() && !(lostAndFound.entry instanceof Ext4Entry.HardLink)) {
            lostAndFound.inode.number = next++;
            lostAndFound.inode.minimumBlocks = Geometry.LOST_AND_FOUND_BLOCKS;
            inodes.add(lostAndFound.inode);
        }
        Deque<Node> queue = new ArrayDeque<>();
        queue.add(root);
        while (!queue.isEmpty()) {
            Node dir = queue.poll();
            for (Map.Entry<String, Node> e : dir.children.entrySet()) {
                InodeSpec child = e.getValue().inode;
                if (child.number == 0) {
                    child.number = next++;
                    inodes.add(child);
                }
                child.links++;
                dir.inode.children.add(new InodeSpec.Child(RawNames.encode(e.getKey()), child));
                if (child.isDirectory()) {
                    child.parent = dir.inode;
                    dir.inode.subdirectories++;
                    queue.add(e.getValue());
                }
            }
        }
        for (InodeSpec inode : inodes) {
            if (!inode.isDirectory() && inode.links > Features.EXT4_LINK_MAX) {
                throw new Ext4Exception("a file has " + inode.links + " hard links; ext4 allows "
                        + Features.EXT4_LINK_MAX);
            }
        }
        return new Tree(inodes);
    }

    private InodeSpec defaultDirectory(int mode) {
        return new InodeSpec(Features.S_IFDIR | mode, Metadata.of(mode, 0, 0, defaultTime));
    }
}
