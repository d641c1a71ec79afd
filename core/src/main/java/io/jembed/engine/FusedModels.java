package io.jembed.engine;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.jembed.EmbeddingModel;
import io.jembed.engine.graph.BertFusion;
import io.jembed.model.CacheFolder;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Prepares, once per model file, a graph with the encoder layers fused ({@link BertFusion}) and
 * keeps it in the cache ({@code <cache>/onnx-fused/<key>/model.onnx}, weights beside it in
 * model.onnx.data). The first load saves ONNX Runtime's own optimized graph, fuses it, and checks
 * that the fused graph gives the same token embeddings as the original on a test batch before
 * keeping it; later loads find it by the file's path, size and time and the ONNX Runtime version.
 * Anything that does not fuse or does not match is remembered too, and the original file is used.
 * Each entry names its source file and that file's size and time; building one deletes the entries
 * of older versions of the same file and of files that are gone, and keeps at most one other entry
 * of the same file (built by another ONNX Runtime or fusion version, so that two jembed versions in
 * turn do not rebuild each other's), so the cache holds one or two entries per model file.
 */
public final class FusedModels {
  private static final System.Logger LOG = System.getLogger(EmbeddingModel.class.getName());

  /** Bump when the fusion's output changes, so old cached graphs are not reused. */
  private static final int FUSION_VERSION = 2;

  private static final String FUSED = "fused";
  private static final String UNCHANGED = "unchanged";
  private static final String DATA_FILE = "model.onnx.data";
  private static final String SOURCE_FILE = "source.txt";
  private static final double MIN_TOKEN_COSINE = 0.99999;

  private FusedModels() {}

  /**
   * The file to load for {@code onnxFile} on the CPU: the cached fused graph, or {@code onnxFile}
   * itself when the graph has nothing to fuse, the fused graph does not match, or the cache cannot
   * be written (then the reason is logged and nothing fails).
   */
  public static Path prepare(Path onnxFile, Path cacheRoot) {
    try {
      Path root = cacheRoot.resolve("onnx-fused");
      // one look at the file: its real path, size and time name the entry and are recorded in it
      String stamp = CacheFolder.fileStamp(onnxFile);
      Path dir = root.resolve(key(stamp));
      if (!CacheFolder.isComplete(dir)) {
        String source = onnxFile.toRealPath().toString();
        CacheFolder.create(
            dir,
            tmp -> {
              Files.writeString(
                  tmp.resolve(SOURCE_FILE), source + "\n" + stamp + "\n", StandardCharsets.UTF_8);
              return build(onnxFile, tmp);
            });
        pruneStale(root, dir, source, stamp);
      }
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

  /**
   * Deletes, best effort: entries of older versions of {@code source} (another size or time, or
   * none recorded), entries whose source file is gone (models loaded from temporary folders) or
   * unrecorded (older jembed versions), and all but the newest other entry of this very file (built
   * by another ONNX Runtime or fusion version). An entry another process is still loading stays
   * readable on Linux and macOS; where deleting fails, it is left for later.
   */
  static void pruneStale(Path root, Path keep, String source, String stamp) {
    List<Path> sameFile = new ArrayList<>();
    try (Stream<Path> entries = Files.list(root)) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        if (entry.equals(keep)
            || entry.getFileName().toString().startsWith(".")
            || !CacheFolder.isComplete(entry)) {
          continue; // being built by someone
        }
        Path recorded = entry.resolve(SOURCE_FILE);
        List<String> lines =
            Files.isRegularFile(recorded)
                ? Files.readAllLines(recorded, StandardCharsets.UTF_8)
                : List.of();
        String from = lines.isEmpty() ? null : lines.get(0).strip();
        String fromStamp = lines.size() < 2 ? null : lines.get(1).strip();
        if (from != null && from.equals(source) && stamp.equals(fromStamp)) {
          sameFile.add(entry);
        } else if (from == null || from.equals(source) || !Files.exists(Path.of(from))) {
          delete(entry);
        }
      }
      sameFile.sort(Comparator.comparing(FusedModels::builtAt, Comparator.reverseOrder()));
      sameFile.stream().skip(1).forEach(FusedModels::delete);
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "cannot prune " + root + ": " + e.getMessage());
    }
  }

  private static FileTime builtAt(Path entry) {
    try {
      return Files.getLastModifiedTime(entry.resolve(SOURCE_FILE));
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }

  private static void delete(Path entry) {
    LOG.log(System.Logger.Level.DEBUG, "deleting stale fused graph " + entry);
    CacheFolder.deleteTree(entry);
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
        + " skip-layernorm"
        + (result.unpaddedOnly() ? ", unpadded batches" : "");
  }

  /** ONNX Runtime's extended (hardware-independent) optimizations, weights to a side file. */
  static void saveOptimized(Path onnxFile, Path target, String dataFile) {
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
   * The smallest cosine between the original's and the fused graph's token embeddings, over every
   * token of a batch of two 12-token rows and of a single 7-token row, and, when the fused graph
   * still takes an attention mask, of a padded batch (so the mask is exercised).
   */
  static double minTokenCosine(Path original, Path fused) {
    try (OnnxTransformer a = OnnxTransformer.open(original, 1, "cpu", Map.of());
        OnnxTransformer b = OnnxTransformer.open(fused, 1, "cpu", Map.of())) {
      double min = Math.min(compare(a, b, 12, 12), compare(a, b, 7, 0));
      return b.acceptsPadding() ? Math.min(min, compare(a, b, 12, 7)) : min;
    }
  }

  /** One row of {@code first} tokens and, unless 0, a second row of {@code second} tokens. */
  private static double compare(OnnxTransformer a, OnnxTransformer b, int first, int second) {
    int rows = second == 0 ? 1 : 2;
    int seq = Math.max(first, second);
    long[] ids = new long[rows * seq];
    long[] typeIds = new long[rows * seq];
    long[] mask = new long[rows * seq];
    for (int i = 0; i < first; i++) {
      ids[i] = 100 + 37L * i % 900;
      mask[i] = 1;
    }
    for (int i = 0; i < second; i++) {
      ids[seq + i] = 100 + 53L * i % 900;
      mask[seq + i] = 1;
    }
    OnnxTransformer.Output x = a.run(ids, typeIds, mask, rows, seq);
    OnnxTransformer.Output y = b.run(ids, typeIds, mask, rows, seq);
    if (x.seq() != y.seq() || x.hidden() != y.hidden() || x.batch() != y.batch()) {
      return Double.NaN;
    }
    double min = 1;
    for (int row = 0; row < rows; row++) {
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

  /** Identifies the source file (its {@link CacheFolder#fileStamp}) and what shapes the result. */
  private static String key(String fileStamp) {
    return CacheFolder.nameFor(
        fileStamp
            + "|ort "
            + OrtEnvironment.getEnvironment().getVersion()
            + "|fusion "
            + FUSION_VERSION);
  }
}
