package io.jembed.index;

import io.jembed.EmbeddingModel;
import io.jembed.Embeddings;
import io.jembed.EncodeOptions;
import io.jembed.ModelInfo;
import io.jembed.Precision;
import io.jembed.SimilarityFunction;
import io.jembed.Vectors;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deterministic test model: hashed bag of words, unit length, truncated to maxSeqLength tokens.
 * Token count: 2 special tokens plus one per word. Public so the crash test's child JVM can use it.
 */
public final class WordsModel implements EmbeddingModel {
  final AtomicInteger encodedTexts = new AtomicInteger();
  private final ModelInfo info;

  public WordsModel(String id, int dimension, int maxSeqLength) {
    this.info =
        new ModelInfo(
            "test",
            id,
            "",
            dimension,
            maxSeqLength,
            true,
            SimilarityFunction.COSINE,
            Map.of("query", "query: "),
            null);
  }

  static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (!w.isEmpty()) {
        out.add(w);
      }
    }
    return out;
  }

  @Override
  public ModelInfo info() {
    return info;
  }

  @Override
  public int countTokens(String text) {
    return 2 + words(text).size();
  }

  @Override
  public Embeddings encode(List<String> texts, EncodeOptions options) {
    encodedTexts.addAndGet(texts.size());
    float[][] vectors = new float[texts.size()][];
    boolean[] truncated = new boolean[texts.size()];
    for (int t = 0; t < texts.size(); t++) {
      List<String> words = words(texts.get(t));
      words.remove("query"); // the query prompt must not move the vector
      int keep = Math.min(words.size(), info.maxSeqLength() - 2);
      truncated[t] = keep < words.size();
      float[] v = new float[info.dimension()];
      for (int i = 0; i < keep; i++) {
        int h = words.get(i).hashCode() * 0x9E3779B1;
        v[Math.floorMod(h, info.dimension())] += (h & 0x10000) == 0 ? 1f : -1f;
      }
      v[0] += 0.01f;
      Vectors.normalizeInPlace(v);
      vectors[t] = v;
    }
    return new Embeddings(
        info.withOptions(options), vectors, Precision.FLOAT32, null, null, truncated, 0, null);
  }

  @Override
  public void close() {}
}
