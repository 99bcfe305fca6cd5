package dev.agentkernel.store;

import dev.agentkernel.errors.StoreException;
import dev.agentkernel.image.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlobStoreTest {
    @TempDir
    Path home;

    private BlobStore store() {
        return BlobStore.of(AgentkernelHome.at(home));
    }

    @Test
    void storesContentUnderItsDigest() {
        byte[] content = "hello blobs".getBytes(StandardCharsets.UTF_8);
        Digest digest = store().put(content);
        assertThat(digest).isEqualTo(Digest.sha256(content));
        assertThat(home.resolve("blobs/sha256/" + digest.hex())).hasBinaryContent(content);
        assertThat(store().contains(digest)).isTrue();
        assertThat(store().size(digest)).isEqualTo(content.length);
        assertThat(store().read(digest)).isEqualTo(content);
        assertThat(store().list()).containsExactly(digest);
    }

    @Test
    void refusesContentThatDoesNotMatchItsDigestAndKeepsNothing() throws IOException {
        Digest wrong = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> store().put(wrong, "content".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(BlobStore.BlobMismatchException.class)
                .hasMessageContaining(wrong.toString()).hasMessageContaining("not stored");
        assertThat(store().contains(wrong)).isFalse();
        assertThat(store().list()).isEmpty();
        try (var files = Files.walk(home.resolve("blobs"))) {
            assertThat(files.filter(Files::isRegularFile)).isEmpty();
        }
    }

    @Test
    void refusesAWrongSize() throws IOException {
        byte[] content = "twelve bytes".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(content);
        try (BlobStore.PendingBlob pending = store().begin(digest, content.length + 1)) {
            pending.output().write(content);
            assertThatThrownBy(pending::commit).hasMessageContaining("expected 13 bytes, got 12");
        }
        assertThat(store().contains(digest)).isFalse();
    }

    @Test
    void resumesAPartialBlobAndVerifiesTheWhole() throws IOException {
        byte[] content = new byte[300_000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31 + i / 7);
        }
        Digest digest = Digest.sha256(content);
        try (BlobStore.PendingBlob first = store().begin(digest, content.length)) {
            assertThat(first.resumeFrom()).isZero();
            first.output().write(content, 0, 123_456);
            // Interrupted: closed without commit.
        }
        assertThat(store().contains(digest)).isFalse();
        try (BlobStore.PendingBlob second = store().begin(digest, content.length)) {
            assertThat(second.resumeFrom()).isEqualTo(123_456);
            second.output().write(content, 123_456, content.length - 123_456);
            second.commit();
        }
        assertThat(store().read(digest)).isEqualTo(content);
    }

    @Test
    void aResumedBlobWithAWrongPrefixIsRejected() throws IOException {
        byte[] content = "the real content of the blob".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(content);
        try (BlobStore.PendingBlob first = store().begin(digest, content.length)) {
            first.output().write("XXX".getBytes(StandardCharsets.UTF_8));
        }
        try (BlobStore.PendingBlob second = store().begin(digest, content.length)) {
            second.output().write(content, 3, content.length - 3);
            assertThatThrownBy(second::commit).isInstanceOf(BlobStore.BlobMismatchException.class);
        }
        try (BlobStore.PendingBlob third = store().begin(digest, content.length)) {
            assertThat(third.resumeFrom()).as("the wrong partial was deleted").isZero();
        }
    }

    @Test
    void removesPartialDownloadsAbandonedLongEnoughButNotOneInProgress() throws Exception {
        Digest old = Digest.sha256(new byte[] {1});
        Digest fresh = Digest.sha256(new byte[] {2});
        Digest busy = Digest.sha256(new byte[] {3});
        for (Digest d : List.of(old, fresh, busy)) {
            try (BlobStore.PendingBlob pending = store().begin(d, 10)) {
                pending.output().write(new byte[] {9, 9, 9}); // a download cut short: closed without commit
            }
        }
        Path partials = home.resolve("blobs").resolve(".partial");
        Instant now = Instant.now();
        Files.setLastModifiedTime(partials.resolve("sha256-" + old.hex()), FileTime.from(now.minus(Duration.ofDays(2))));
        Files.setLastModifiedTime(partials.resolve("sha256-" + busy.hex()), FileTime.from(now.minus(Duration.ofDays(2))));

        ExecutorService downloader = Executors.newSingleThreadExecutor();
        CountDownLatch downloading = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        try {
            Future<?> download = downloader.submit(() -> {
                try (BlobStore.PendingBlob pending = store().begin(busy, 10)) { // holds the blob's lock
                    downloading.countDown();
                    done.await();
                }
                return null;
            });
            downloading.await();
            assertThat(store().removePartialsOlderThan(now.minus(Duration.ofDays(1)))).isEqualTo(1);
            done.countDown();
            download.get();
        } finally {
            downloader.shutdownNow();
        }
        assertThat(partials.resolve("sha256-" + old.hex())).doesNotExist();
        assertThat(partials.resolve("sha256-" + fresh.hex())).exists();
        assertThat(partials.resolve("sha256-" + busy.hex())).as("in progress: skipped").exists();
        try (BlobStore.PendingBlob resumed = store().begin(fresh, 10)) {
            assertThat(resumed.resumeFrom()).isEqualTo(3);
        }
    }

    @Test
    void aMissingBlobIsAClearError() {
        Digest missing = Digest.sha256(new byte[] {9});
        assertThatThrownBy(() -> store().open(missing)).isInstanceOf(StoreException.class)
                .hasMessageContaining(missing + " is not in the blob store");
    }

    @Test
    void aCorruptStoredBlobIsNoticedOnRead() throws IOException {
        Digest digest = store().put("manifest".getBytes(StandardCharsets.UTF_8));
        Files.writeString(store().path(digest), "tampered");
        assertThatThrownBy(() -> store().read(digest)).hasMessageContaining("is corrupt");
    }

    @Test
    void concurrentWritersOfOneBlobLeaveOneGoodCopy() throws Exception {
        byte[] content = new byte[1 << 20];
        java.util.Arrays.fill(content, (byte) 7);
        Digest digest = Digest.sha256(content);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                futures.add(pool.submit(() -> store().put(digest, content)));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store().read(digest)).isEqualTo(content);
    }
}
