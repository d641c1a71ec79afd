package io.jembed.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jembed.LoadOptions;
import io.jembed.SentenceTransformer;
import io.jembed.engine.graph.BertFusion;
import io.jembed.engine.graph.ProtoMessage;
import io.jembed.model.CacheFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
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
          .startsWith("fused 6 attention, 12 skip-layernorm, unpadded batches");
      assertThat(Files.readAllLines(fused.resolveSibling("source.txt")))
          .containsExactly(original.toRealPath().toString(), CacheFolder.fileStamp(original));
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
    // never delete what prepare returns unchecked: when fusion fails it is the model itself
    assertThat(fused).startsWith(cache);
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

  @Test
  void theFusedGraphTakesNoMaskAndRefusesPaddedBatches(@TempDir Path cache) {
    Path fused = FusedModels.prepare(int8, cache);
    try (OnnxTransformer original = OnnxTransformer.open(int8, 1, "cpu", Map.of());
        OnnxTransformer unpadded = OnnxTransformer.open(fused, 1, "cpu", Map.of())) {
      assertThat(original.acceptsPadding()).isTrue();
      assertThat(unpadded.acceptsPadding()).isFalse();
      long[] ids = {101, 2000, 102, 101, 102, 0};
      long[] mask = {1, 1, 1, 1, 1, 0};
      assertThatThrownBy(() -> unpadded.run(ids, new long[6], mask, 2, 3))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("padded batch (row 1 ends at token 2 of 3)");
      assertThat(original.run(ids, new long[6], mask, 2, 3).batch()).isEqualTo(2);
    }
  }

  @Test
  void whereTheMaskIsStillReadTheFusedBlocksKeepIt(@TempDir Path tmp) throws Exception {
    Path optimized = tmp.resolve("optimized.onnx");
    FusedModels.saveOptimized(int8, optimized, "optimized.onnx.data");
    byte[] bytes = Files.readAllBytes(optimized);
    assertThat(BertFusion.fuse(bytes).unpaddedOnly()).isTrue();

    // another reader of attention_mask: an extra graph output copying it
    ProtoMessage model = ProtoMessage.parse(bytes);
    ProtoMessage graph = ProtoMessage.parse(model.bytes(7));
    graph.addMessage(
        1,
        new ProtoMessage()
            .addString(1, "attention_mask")
            .addString(2, "mask_copy")
            .addString(4, "Identity"));
    graph.addMessage(12, new ProtoMessage().addString(1, "mask_copy"));
    model.replaceMessages(7, java.util.List.of(graph));
    BertFusion.Result result = BertFusion.fuse(model.toByteArray());
    assertThat(result.attentions()).isEqualTo(6);
    assertThat(result.unpaddedOnly()).isFalse();
    assertThat(new String(result.model(), java.nio.charset.StandardCharsets.ISO_8859_1))
        .contains("jembed_key_padding_mask_int32");
  }

  @Test
  void buildingAnEntryDeletesStaleOnes(@TempDir Path cache) throws Exception {
    Path root = cache.resolve("onnx-fused");
    String source = int8.toRealPath().toString();
    String stamp = CacheFolder.fileStamp(int8);
    Path olderVersion = entry(root, "older", source + "\n" + source + "|1|1\n");
    Path unstamped = entry(root, "unstamped", source);
    // this very file, built by other ONNX Runtime or fusion versions: the newest one stays
    Path otherBuildOld = entry(root, "other-build-old", source + "\n" + stamp + "\n");
    Path otherBuildNew = entry(root, "other-build-new", source + "\n" + stamp + "\n");
    Files.setLastModifiedTime(
        otherBuildOld.resolve("source.txt"), FileTime.fromMillis(1_000_000_000_000L));
    Path otherModel = entry(root, "other", float32.toRealPath().toString());
    Path sourceGone = entry(root, "gone", cache.resolve("deleted/model.onnx").toString());
    Path unrecorded = entry(root, "unrecorded", null);
    Path beingBuilt = Files.createDirectories(root.resolve("incomplete"));
    Path temp = Files.createDirectories(root.resolve(".tmp-x"));

    Path fused = FusedModels.prepare(int8, cache);

    assertThat(fused).exists();
    assertThat(olderVersion).doesNotExist();
    assertThat(unstamped).doesNotExist();
    assertThat(otherBuildOld).doesNotExist();
    assertThat(otherBuildNew).exists();
    assertThat(sourceGone).doesNotExist();
    assertThat(unrecorded).doesNotExist();
    assertThat(otherModel).exists();
    assertThat(beingBuilt).exists();
    assertThat(temp).exists();
  }

  private static Path entry(Path root, String name, String source) throws Exception {
    Path dir = root.resolve(name);
    CacheFolder.create(
        dir,
        tmp -> {
          Files.writeString(tmp.resolve("model.onnx"), "x");
          if (source != null) {
            Files.writeString(tmp.resolve("source.txt"), source);
          }
          return "fused 6 attention, 12 skip-layernorm";
        });
    return dir;
  }
}
