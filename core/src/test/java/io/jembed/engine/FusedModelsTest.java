package io.jembed.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.jembed.LoadOptions;
import io.jembed.SentenceTransformer;
import io.jembed.engine.graph.BertFusion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fused encoder graph of the bundled models, built, checked and cached. */
class FusedModelsTest {
  static Path float32;
  static Path int8;

  @BeforeAll
  static void modelFiles() {
    float32 = onnxFile("all-MiniLM-L6-v2");
    int8 = onnxFile("all-MiniLM-L6-v2-int8");
  }

  private static Path onnxFile(String name) {
    try (SentenceTransformer model =
        SentenceTransformer.load(
            name,
            LoadOptions.builder()
                .property("workers", "1")
                .property("graphFusion", "false")
                .build())) {
      return model.directory().resolve("onnx/model.onnx");
    }
  }

  @Test
  void bothBundledExportsFuseEveryLayerWithTheSameTokenEmbeddings(@TempDir Path cache)
      throws Exception {
    for (Path original : new Path[] {float32, int8}) {
      Path fused = FusedModels.prepare(original, cache);
      assertThat(fused).startsWith(cache).hasFileName("model.onnx");
      assertThat(Files.readString(fused.resolveSibling(".complete")))
          .startsWith("fused 6 attention, 12 skip-layernorm");
      assertThat(FusedModels.minTokenCosine(original, fused)).isGreaterThanOrEqualTo(0.99999);
      // nothing is left to fuse: the fusion found every layer the first time
      assertThat(BertFusion.fuse(Files.readAllBytes(fused)).changed()).isFalse();
    }
  }

  @Test
  void theCheckTellsDifferentGraphsApart() {
    // int8 weights give token embeddings close to, but not the same as, the float32 ones
    double cosine = FusedModels.minTokenCosine(float32, int8);
    assertThat(cosine).isLessThan(0.99999).isGreaterThan(0.5);
  }

  @Test
  void aSecondLoadReusesTheCachedGraph(@TempDir Path cache) throws Exception {
    Path first = FusedModels.prepare(int8, cache);
    FileTime written = Files.getLastModifiedTime(first);
    Path second = FusedModels.prepare(int8, cache);
    assertThat(second).isEqualTo(first);
    assertThat(Files.getLastModifiedTime(second)).isEqualTo(written);
  }

  @Test
  void aDamagedCacheEntryFallsBackToTheOriginal(@TempDir Path cache) throws Exception {
    Path fused = FusedModels.prepare(int8, cache);
    Files.delete(fused);
    assertThat(FusedModels.prepare(int8, cache)).isEqualTo(int8);
  }

  @Test
  void anUnwritableCacheFallsBackToTheOriginal(@TempDir Path tmp) throws Exception {
    Path notAFolder = Files.writeString(tmp.resolve("file"), "x");
    assertThat(FusedModels.prepare(int8, notAFolder)).isEqualTo(int8);
  }

  @Test
  void aGraphWithoutTheAttentionPatternIsLeftAlone(@TempDir Path cache) throws Exception {
    Path fused = FusedModels.prepare(int8, cache);
    // feeding the fused graph back in: nothing matches, the file itself is used
    Path again = FusedModels.prepare(fused, cache.resolve("second"));
    assertThat(again).isEqualTo(fused);
    try (var entries = Files.list(cache.resolve("second").resolve("onnx-fused"))) {
      Path entry =
          entries
              .filter(p -> !p.getFileName().toString().startsWith("."))
              .findFirst()
              .orElseThrow();
      assertThat(Files.readString(entry.resolve(".complete"))).startsWith("unchanged");
      assertThat(entry.resolve("model.onnx.data")).doesNotExist();
    }
  }
}
