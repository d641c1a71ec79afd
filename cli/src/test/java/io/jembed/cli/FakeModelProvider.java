package io.jembed.cli;

import io.jembed.EmbeddingModel;
import io.jembed.Embeddings;
import io.jembed.EncodeOptions;
import io.jembed.LoadOptions;
import io.jembed.ModelInfo;
import io.jembed.ModelNotFoundException;
import io.jembed.Precision;
import io.jembed.SimilarityFunction;
import io.jembed.Vectors;
import io.jembed.spi.EmbeddingModelProvider;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * "fake:bow-N" models for CLI tests: hashed bag of words in N dimensions (default 32), unit length,
 * at most 16 words (longer texts are truncated), a "query" prompt. Deterministic and instant, so
 * the commands can be tested without the ONNX engine.
 */
public final class FakeModelProvider implements EmbeddingModelProvider {
  static final int MAX_WORDS = 16;

  @Override
  public Set<String> schemes() {
    return Set.of("fake");
  }

  @Override
  public EmbeddingModel load(String scheme, String model, LoadOptions options) {
    if (!model.startsWith("bow")) {
      throw new ModelNotFoundException(
          "fake model '" + model + "' does not exist: try fake:bow", java.util.List.of("fake:bow"));
    }
    int dim = model.startsWith("bow-") ? Integer.parseInt(model.substring(4)) : 32;
    return new BagOfWords(dim);
  }

  static final class BagOfWords implements EmbeddingModel {
    final ModelInfo info;

    BagOfWords(int dim) {
      info =
          new ModelInfo(
              "fake",
              "bow-" + dim,
              "1",
              dim,
              MAX_WORDS,
              true,
              SimilarityFunction.COSINE,
              Map.of("query", "query: "),
              null);
    }

    @Override
    public ModelInfo info() {
      return info;
    }

    @Override
    public Embeddings encode(List<String> texts, EncodeOptions options) {
      int n = texts.size();
      ModelInfo out = info.withOptions(options);
      float[][] v = new float[n][];
      boolean[] truncated = new boolean[n];
      int[] tokens = new int[n];
      String prompt =
          options.prompt() != null
              ? options.prompt()
              : options.promptName() == null ? "" : info.prompts().get(options.promptName());
      if (prompt == null) {
        throw new IllegalArgumentException("unknown prompt name '" + options.promptName() + "'");
      }
      for (int i = 0; i < n; i++) {
        String[] words = (prompt + texts.get(i)).toLowerCase(Locale.ROOT).split("\\W+");
        truncated[i] = words.length > MAX_WORDS;
        String[] kept = Arrays.copyOf(words, Math.min(words.length, MAX_WORDS));
        tokens[i] = kept.length;
        float[] x = new float[info.dimension()];
        for (String w : kept) {
          if (!w.isEmpty()) {
            x[Math.floorMod(w.hashCode(), x.length)] += 1;
          }
        }
        x[0] += 0.5f; // no zero vectors
        x = Arrays.copyOf(x, out.dimension());
        v[i] = out.normalized() ? Vectors.normalized(x) : x;
      }
      Precision p = options.precision();
      byte[][] q = null;
      if (p != Precision.FLOAT32) {
        q = new byte[n][];
        for (int i = 0; i < n; i++) {
          q[i] = new byte[v[i].length];
          for (int j = 0; j < v[i].length; j++) {
            int x = Math.round(v[i][j] * 127);
            q[i][j] = (byte) (p == Precision.UINT8 ? x + 128 : x);
          }
        }
      }
      if (options.progressListener() != null) {
        options.progressListener().progress(n, n);
      }
      return new Embeddings(out, v, p, q, tokens, truncated, 0, null);
    }

    @Override
    public int countTokens(String text) {
      return text.split("\\W+").length;
    }

    @Override
    public void close() {}

    @Override
    public String toString() {
      return "BagOfWords(dimension=" + info.dimension() + ")";
    }
  }
}
