package dev.agentkernel.builder;

import dev.agentkernel.build.dockerfile.DockerfileException;
import dev.agentkernel.errors.Quote;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An earlier stage's (or an image's) files as {@code COPY --from} sees them: a source is a path in that file
 * system (symlinks on the way followed inside it), globs allowed; entries keep their owner unless {@code --chown}
 * says otherwise, and their mode unless {@code --chmod} does.
 */
final class StageSource implements CopySource {
    private final StageFiles files;
    private final String name;

    StageSource(StageFiles files, String name) {
        this.files = files;
        this.name = name;
    }

    @Override
    public List<String> expand(String source, int line, String verb) {
        StateTree tree = files.tree();
        List<String> found = new ArrayList<>();
        if (!Globs.hasGlob(source)) {
            String resolved = tree.resolve("/" + source, true);
            if (tree.get(resolved).isPresent()) {
                found.add(resolved);
            }
        } else {
            Pattern[] parts = Globs.compile(Globs.cleanRelative(source, line, verb, "source's root"));
            for (String p : tree.paths()) {
                if (!p.isEmpty() && Globs.matches(parts, p)) {
                    found.add(p);
                }
            }
        }
        if (found.isEmpty()) {
            throw new DockerfileException(line, verb + " failed: " + Quote.name(source) + " is not in " + name);
        }
        return found;
    }

    @Override
    public boolean isDirectory(String rel) {
        return files.tree().isDirectory(rel);
    }

    @Override
    public List<String> children(String rel) {
        return files.tree().children(rel);
    }

    @Override
    public PlannedEntry entry(String rel, String target, Ownership owner) {
        TreeEntry e = files.tree().get(rel).orElse(null);
        if (e == null) {
            return null;
        }
        TreeEntry t = e.withPath(target);
        if (owner.explicit()) {
            t = t.withOwner(owner.uid(), owner.gid());
        }
        if (owner.mode() != null && (t.kind() == TreeEntry.Kind.FILE || t.kind() == TreeEntry.Kind.DIR)) {
            t = t.withMode(owner.mode());
        }
        return t.kind() == TreeEntry.Kind.FILE ? new PlannedEntry(t, files.content(rel)) : PlannedEntry.of(t);
    }
}
