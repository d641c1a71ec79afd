package io.jembed.toolkit;

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
 * A deterministic test model: bag of hashed words, truncated to maxSeqLength tokens like a real
 * model. Token count: 2 special tokens plus one token per 5 characters of each word.
 */
final class HashingModel implements EmbeddingModel {
  final AtomicInteger encodedTexts = new AtomicInteger();
  private final ModelInfo info;

  HashingModel(String id, int dimension, int maxSeqLength) {
    this(id, dimension, maxSeqLength, true, Map.of());
  }

  HashingModel(
      String id, int dimension, int maxSeqLength, boolean normalized, Map<String, String> prompts) {
    this.info =
        new ModelInfo(
            "test",
            id,
            "",
            dimension,
            maxSeqLength,
            normalized,
            SimilarityFunction.COSINE,
            prompts,
            null);
  }

  static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (!w.isEmpty()) {
        for (int i = 0; i < w.length(); i += 5) {
          out.add(w.substring(i, Math.min(w.length(), i + 5)));
        }
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
      int keep = Math.min(words.size(), info.maxSeqLength() - 2);
      truncated[t] = keep < words.size();
      float[] v = new float[info.dimension()];
      for (int i = 0; i < keep; i++) {
        int h = words.get(i).hashCode() * 0x9E3779B1;
        v[Math.floorMod(h, info.dimension())] += (h & 0x10000) == 0 ? 1f : -1f;
      }
      v[0] += 0.01f;
      if (info.normalized()) {
        Vectors.normalizeInPlace(v);
      }
      vectors[t] = v;
    }
    return new Embeddings(
        info.withOptions(options), vectors, Precision.FLOAT32, null, null, truncated, 0, null);
  }

  @Override
  public void close() {}
}
