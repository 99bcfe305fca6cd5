package dev.agentkernel.layer;

import dev.agentkernel.testing.OciLayoutWriter.Layer;
import dev.agentkernel.testing.TarLayerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Each case of OCI flattening, checked entry by entry against umoci unpacking the same image. */
class FlattenerUmociTest {
    @TempDir
    Path tmp;

    @Test
    void whiteoutHidesLowerFileAndDirectory() throws Exception {
        byte[] base = new TarLayerBuilder().dir("etc").file("etc/passwd", "root").file("etc/shadow", "secret")
                .dir("opt/app").file("opt/app/a", "a").file("opt/app/sub/b", "b").tar();
        byte[] upper = new TarLayerBuilder().whiteout("etc/shadow").whiteout("opt/app").tar();
        var ours = FlatTrees.assertSameAsUmoci(tmp, List.of(Layer.gzip(base), Layer.gzip(upper)));
        assertThat(ours.get("etc/shadow")).isNull();
        assertThat(ours.get("opt/app")).isNull();
        assertThat(ours.get("opt")).isNotNull();
    }
}
