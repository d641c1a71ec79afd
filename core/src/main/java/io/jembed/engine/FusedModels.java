package io.jembed.engine;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.jembed.EmbeddingModel;
import io.jembed.engine.graph.BertFusion;
import io.jembed.model.CacheFolder;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Prepares, once per model file, a graph with the encoder layers fused ({@link BertFusion}) and
 * keeps it in the cache ({@code <cache>/onnx-fused/<key>/model.onnx}, weights beside it in
 * model.onnx.data). The first load saves ONNX Runtime's own optimized graph, fuses it, and checks
 * that the fused graph gives the same token embeddings as the original on a padded batch before
 * keeping it; later loads find it by the file's path, size and time and the ONNX Runtime version.
 * Anything that does not fuse or does not match is remembered too, and the original file is used.
 */
public final class FusedModels {
  private static final System.Logger LOG = System.getLogger(EmbeddingModel.class.getName());

  /** Bump when the fusion's output changes, so old cached graphs are not reused. */
  private static final int FUSION_VERSION = 1;

  private static final String FUSED = "fused";
  private static final String UNCHANGED = "unchanged";
  private static final String DATA_FILE = "model.onnx.data";
  private static final double MIN_TOKEN_COSINE = 0.99999;

  private FusedModels() {}

  /**
   * The file to load for {@code onnxFile} on the CPU: the cached fused graph, or {@code onnxFile}
   * itself when the graph has nothing to fuse, the fused graph does not match, or the cache cannot
   * be written (then the reason is logged and nothing fails).
   */
  public static Path prepare(Path onnxFile, Path cacheRoot) {
    try {
      Path dir = cacheRoot.resolve("onnx-fused").resolve(key(onnxFile));
      CacheFolder.create(dir, tmp -> build(onnxFile, tmp));
      Path fused = dir.resolve("model.onnx");
      return CacheFolder.marker(dir).startsWith(FUSED) && Files.isRegularFile(fused)
          ? fused
          : onnxFile;
    } catch (IOException | RuntimeException e) {
      LOG.log(
          System.Logger.Level.DEBUG,
          "graph fusion skipped for " + onnxFile + ": " + e.getMessage(),
          e);
      return onnxFile;
    }
  }

  /** Writes the fused model into {@code tmp} and returns the state to remember. */
  private static String build(Path onnxFile, Path tmp) throws IOException {
    Path optimized = tmp.resolve("optimized.onnx");
    saveOptimized(onnxFile, optimized, DATA_FILE);
    BertFusion.Result result = BertFusion.fuse(Files.readAllBytes(optimized));
    Files.delete(optimized);
    if (!result.changed()) {
      LOG.log(System.Logger.Level.DEBUG, "graph fusion: nothing to fuse in " + onnxFile);
      Files.deleteIfExists(tmp.resolve(DATA_FILE));
      return UNCHANGED + " (no pattern)";
    }
    Path fused = tmp.resolve("model.onnx");
    Files.write(fused, result.model());
    double cosine = minTokenCosine(onnxFile, fused);
    if (!(cosine >= MIN_TOKEN_COSINE)) {
      LOG.log(
          System.Logger.Level.WARNING,
          "graph fusion of "
              + onnxFile
              + " changed the token embeddings (min cosine "
              + cosine
              + "); using the original graph");
      Files.delete(fused);
      Files.deleteIfExists(tmp.resolve(DATA_FILE));
      return UNCHANGED + " (mismatch, min cosine " + cosine + ")";
    }
    LOG.log(
        System.Logger.Level.DEBUG,
        "graph fusion of "
            + onnxFile
            + ": "
            + result.attentions()
            + " attention blocks, "
            + result.skipLayerNorms()
            + " skip layer norms, min token cosine "
            + cosine);
    return FUSED
        + " "
        + result.attentions()
        + " attention, "
        + result.skipLayerNorms()
        + " skip-layernorm";
  }

  /** ONNX Runtime's extended (hardware-independent) optimizations, weights to a side file. */
  private static void saveOptimized(Path onnxFile, Path target, String dataFile) {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.EXTENDED_OPT);
      options.setOptimizedModelFilePath(target.toString());
      options.addConfigEntry("session.optimized_model_external_initializers_file_name", dataFile);
      // small constants (shapes, biases) stay inline, where the fusion can read them
      options.addConfigEntry(
          "session.optimized_model_external_initializers_min_size_in_bytes", "16384");
      env.createSession(onnxFile.toString(), options).close();
    } catch (OrtException e) {
      throw new IllegalStateException("cannot optimize " + onnxFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * The smallest cosine between the original's and the fused graph's token embeddings, over the
   * real tokens of a batch of two rows, the second padded (so the mask is exercised).
   */
  static double minTokenCosine(Path original, Path fused) {
    int seq = 12;
    int valid1 = 7;
    long[] ids = new long[2 * seq];
    long[] typeIds = new long[2 * seq];
    long[] mask = new long[2 * seq];
    for (int i = 0; i < seq; i++) {
      ids[i] = 100 + 37L * i % 900;
      mask[i] = 1;
      if (i < valid1) {
        ids[seq + i] = 100 + 53L * i % 900;
        mask[seq + i] = 1;
      }
    }
    try (OnnxTransformer a = OnnxTransformer.open(original, 1, "cpu", Map.of());
        OnnxTransformer b = OnnxTransformer.open(fused, 1, "cpu", Map.of())) {
      OnnxTransformer.Output x = a.run(ids, typeIds, mask, 2, seq);
      OnnxTransformer.Output y = b.run(ids, typeIds, mask, 2, seq);
      if (x.seq() != y.seq() || x.hidden() != y.hidden() || x.batch() != y.batch()) {
        return Double.NaN;
      }
      double min = 1;
      for (int row = 0; row < 2; row++) {
        for (int t = 0; t < x.seq(); t++) {
          if (mask[row * seq + t] == 1) {
            min =
                Math.min(
                    min,
                    cosine(x.values(), y.values(), (row * x.seq() + t) * x.hidden(), x.hidden()));
          }
        }
      }
      return min;
    }
  }

  private static double cosine(FloatBuffer a, FloatBuffer b, int offset, int n) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = offset; i < offset + n; i++) {
      dot += (double) a.get(i) * b.get(i);
      na += (double) a.get(i) * a.get(i);
      nb += (double) b.get(i) * b.get(i);
    }
    return dot / Math.sqrt(na * nb);
  }

  /** Identifies the source file and everything that shapes the result. */
  static String key(Path onnxFile) throws IOException {
    return CacheFolder.nameFor(
        CacheFolder.fileStamp(onnxFile)
            + "|ort "
            + OrtEnvironment.getEnvironment().getVersion()
            + "|fusion "
            + FUSION_VERSION);
  }
}
