package dev.agentkernel.image.json;

import dev.agentkernel.errors.ImageException;
import dev.agentkernel.image.Digest;
import dev.agentkernel.image.ImageConfig;
import dev.agentkernel.image.Manifest;
import dev.agentkernel.image.MediaTypes;
import dev.agentkernel.image.Platform;
import dev.agentkernel.image.json.ImageJsonTranslator.ManifestDocument;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageJsonTranslatorTest {
    private static final String A = "sha256:" + "a".repeat(64);
    private static final String B = "sha256:" + "b".repeat(64);
    private static final String C = "sha256:" + "c".repeat(64);

    private static byte[] utf8(String s) {
        return s.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsDockerSchema2Manifest() {
        byte[] json = utf8("{'schemaVersion':2,'mediaType':'" + MediaTypes.DOCKER_MANIFEST + "',"
                + "'config':{'mediaType':'" + MediaTypes.DOCKER_CONFIG + "','digest':'" + A + "','size':7},"
                + "'layers':[{'mediaType':'" + MediaTypes.DOCKER_LAYER_GZIP + "','digest':'" + B + "','size':9,'x':1}],"
                + "'unknownField':true}");
        ManifestDocument doc = ImageJsonTranslator.manifestOrIndex(json, null, "m");
        assertThat(doc).isInstanceOf(ManifestDocument.Single.class);
        Manifest m = ((ManifestDocument.Single) doc).manifest();
        assertThat(m.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
        assertThat(m.config().digest()).isEqualTo(Digest.parse(A));
        assertThat(m.layers()).hasSize(1);
        assertThat(m.layers().get(0).size()).isEqualTo(9);
    }

    @Test
    void readsIndexWithPlatformsByItsFieldsWhenMediaTypeIsAbsent() {
        byte[] json = utf8("{'schemaVersion':2,'manifests':[{'mediaType':'" + MediaTypes.OCI_MANIFEST + "','digest':'"
                + A + "','size':1,'platform':{'os':'linux','architecture':'arm','variant':'v7'}}]}");
        ManifestDocument doc = ImageJsonTranslator.manifestOrIndex(json, null, "ix");
        assertThat(doc).isInstanceOf(ManifestDocument.Index.class);
        var ix = ((ManifestDocument.Index) doc).index();
        assertThat(ix.manifests().get(0).platform()).contains(Platform.parse("linux/arm/v7"));
    }

    @Test
    void roundTripsManifestThroughJson() {
        byte[] json = utf8("{'schemaVersion':2,'mediaType':'" + MediaTypes.OCI_MANIFEST + "',"
                + "'config':{'mediaType':'" + MediaTypes.OCI_CONFIG + "','digest':'" + A + "','size':7},"
                + "'layers':[{'mediaType':'" + MediaTypes.OCI_LAYER_ZSTD + "','digest':'" + B + "','size':9}]}");
        Manifest m = ImageJsonTranslator.manifest(json, null, "m");
        Manifest again = ImageJsonTranslator.manifest(ImageJson.write(ImageJsonTranslator.toJson(m)), null, "m2");
        assertThat(again).isEqualTo(m);
    }

    @Test
    void readsConfigDiffIdsAndRunSettings() {
        byte[] json = utf8("{'os':'linux','architecture':'x86_64','config':{'Env':['PATH=/bin'],'Cmd':['sh'],"
                + "'WorkingDir':'/app','Labels':{'a':'b'}},'rootfs':{'type':'layers','diff_ids':['" + B + "','" + C + "']}}");
        ImageConfig c = ImageJsonTranslator.config(json, "cfg");
        assertThat(c.platform()).contains(Platform.parse("linux/amd64"));
        assertThat(c.diffIds()).containsExactly(Digest.parse(B), Digest.parse(C));
        assertThat(c.env()).containsExactly("PATH=/bin");
        assertThat(c.cmd()).containsExactly("sh");
        assertThat(c.workingDir()).isEqualTo("/app");
        assertThat(c.labels()).containsEntry("a", "b");
    }

    @Test
    void clearErrorsForBrokenDocuments() {
        assertThatThrownBy(() -> ImageJsonTranslator.config(utf8("{'os':'linux'}"), "config X"))
                .isInstanceOf(ImageException.class).hasMessage("config X has no rootfs.diff_ids");
        assertThatThrownBy(() -> ImageJsonTranslator.manifest(utf8("{'schemaVersion':1}"), null, "manifest Y"))
                .isInstanceOf(ImageException.class).hasMessageContaining("manifest Y has schemaVersion 1");
        assertThatThrownBy(() -> ImageJsonTranslator.manifest(utf8("{'schemaVersion':2,'config':{'digest':'sha256:12',"
                + "'size':1},'layers':[]}"), null, "manifest Z"))
                .isInstanceOf(ImageException.class).hasMessageContaining("manifest Z config").hasMessageContaining("malformed");
        assertThatThrownBy(() -> ImageJsonTranslator.manifest("{not json".getBytes(StandardCharsets.UTF_8), null, "M"))
                .isInstanceOf(ImageException.class).hasMessageStartingWith("M is not valid JSON");
    }
}
