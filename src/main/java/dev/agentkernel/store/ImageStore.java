package dev.agentkernel.store;

import dev.agentkernel.errors.StoreException;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.store.json.ImageRecordTranslator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Image metadata, one JSON file per image in {@code images/}. Writes go to a temporary sibling and are renamed
 * into place while holding the store's file lock, so readers never see half a file and concurrent writers
 * (threads or processes) never lose an entry. A file that cannot be read or parsed is reported by name and
 * skipped; it never hides the other images.
 *
 * <p>File names: a name made only of {@code [a-z0-9._-]} (every {@link ImageName}) is stored as
 * {@code <name>.json}; any other character (the {@code /}, {@code :} and {@code @} of pulled references) and a
 * leading dot are percent-encoded, so every name maps to exactly one safe file name.
 */
public final class ImageStore {
    /** Longest file name most file systems accept, minus room for the temporary sibling's suffix. */
    private static final int MAX_FILE_NAME = 200;
    private static final String SUFFIX = ".json";

    private final AgentkernelHome home;

    public ImageStore(AgentkernelHome home) {
        this.home = home;
    }

    /** A metadata file that could not be used, and why. */
    public record Problem(Path file, String reason) {
        @Override
        public String toString() {
            return file + ": " + reason;
        }
    }

    /** All readable records (sorted by name) and the files that were skipped. */
    public record Listing(List<ImageRecord> images, List<Problem> problems) {
        public Listing {
            images = List.copyOf(images);
            problems = List.copyOf(problems);
        }
    }

    public AgentkernelHome home() {
        return home;
    }

    /** Reads every record; unreadable ones become {@link Problem}s instead of failing the listing. */
    public Listing list() {
        Path dir = home.images();
        if (!Files.isDirectory(dir)) {
            return new Listing(List.of(), List.of());
        }
        List<Path> files;
        try (Stream<Path> entries = Files.list(dir)) {
            files = entries.filter(ImageStore::isRecordFile).sorted().toList();
        } catch (IOException e) {
            throw new StoreException("could not list " + dir + ": " + e.getMessage(), e);
        }
        List<ImageRecord> images = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        for (Path file : files) {
            try {
                images.add(read(file).orElseThrow(() -> new IOException("disappeared while listing")));
            } catch (IOException | ImageRecordTranslator.MalformedRecordException e) {
                problems.add(new Problem(file, describe(e)));
            }
        }
        images.sort(Comparator.comparing(ImageRecord::name));
        return new Listing(images, problems);
    }

    /**
     * The record of {@code name}, or empty when there is none.
     *
     * @throws StoreException when its file exists but cannot be read or is corrupt (naming the file)
     */
    public Optional<ImageRecord> get(String name) {
        Path file = fileOf(name);
        try {
            return read(file);
        } catch (IOException | ImageRecordTranslator.MalformedRecordException e) {
            throw new StoreException("image metadata " + file + " is unusable (" + describe(e)
                    + "); remove it with 'agentkernel images rm " + name + "'", e);
        }
    }

    /** Whether a metadata file exists for {@code name}, readable or not. */
    public boolean contains(String name) {
        return Files.exists(fileOf(name));
    }

    /** Stores {@code record}, replacing any record of the same name, atomically and under the store lock. */
    public void put(ImageRecord record) {
        Path file = fileOf(record.name());
        byte[] bytes = ImageRecordTranslator.toBytes(record);
        try (FileLocks.Held ignored = lock()) {
            AtomicFiles.write(file, bytes);
        }
    }

    /**
     * Deletes the metadata of {@code name}, readable or corrupt, under the store lock.
     *
     * @return whether there was a file to delete
     */
    public boolean delete(String name) {
        Path file = fileOf(name);
        try (FileLocks.Held ignored = lock()) {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new StoreException("could not delete " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * What an engine knows {@code name} by: a locally built {@code my-tools} is {@code agentkernel-my-tools};
     * anything else (pulled, imported, unknown, or unreadable metadata) stays as given.
     */
    public String resolveEngineReference(String name) {
        try {
            return get(name).map(ImageRecord::engineReference).orElse(name);
        } catch (StoreException unreadable) {
            return name;
        }
    }

    /**
     * The store-wide write lock. {@link #put} and {@link #delete} take it themselves; callers that read, decide
     * and then act on several records at once (a blob collector deciding what is still in use) may hold it
     * around their reads, but must not call {@code put} or {@code delete} while holding it.
     */
    public FileLocks.Held lock() {
        return FileLocks.exclusive(home.locks().resolve("images.lock"));
    }

    /**
     * A lock for one image name, held by operations that must not overlap on the same name (a build and an
     * {@code rm} of it, two builds of it). Independent of {@link #lock()}.
     */
    public FileLocks.Held lockName(String name) {
        return FileLocks.exclusive(home.locks().resolve("image-" + fileNameOf(name) + ".lock"));
    }

    /** The metadata file of {@code name} (which need not exist). */
    public Path fileOf(String name) {
        return home.images().resolve(fileNameOf(name) + SUFFIX);
    }

    static String fileNameOf(String name) {
        if (name == null || name.isEmpty()) {
            throw new UserInputException("image name must not be empty");
        }
        StringBuilder out = new StringBuilder();
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            boolean plain = (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' || b == '_'
                    || (b == '.' && i > 0);
            if (plain) {
                out.append((char) b);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        if (out.length() > MAX_FILE_NAME) {
            throw new UserInputException("image name is too long to store: " + name);
        }
        return out.toString();
    }

    private static boolean isRecordFile(Path p) {
        String file = p.getFileName().toString();
        // Temporary siblings of AtomicFiles start with a dot; they are never records.
        return file.endsWith(SUFFIX) && !file.startsWith(".") && Files.isRegularFile(p);
    }

    private Optional<ImageRecord> read(Path file) throws IOException, ImageRecordTranslator.MalformedRecordException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        ImageRecord record = ImageRecordTranslator.fromBytes(bytes);
        String expected = fileNameOf(record.name()) + SUFFIX;
        if (!file.getFileName().toString().equals(expected)) {
            throw new ImageRecordTranslator.MalformedRecordException(
                    "it describes image '" + record.name() + "', which belongs in " + expected, null);
        }
        return Optional.of(record);
    }

    private static String describe(Exception e) {
        if (e instanceof NoSuchFileException) {
            return "disappeared while reading";
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
