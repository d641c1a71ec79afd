package io.jembed.testing;

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
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deterministic test model for the modules above core: a bag of hashed word pieces, truncated to
 * maxSeqLength tokens like a real model. Token count: 2 special tokens plus one per piece. Public
 * (with a public constructor) so a child JVM in a crash test can build it.
 */
public final class HashingModel implements EmbeddingModel {
  /** How many texts were encoded: tests check what a cache spared. */
  public final AtomicInteger encodedTexts = new AtomicInteger();

  private final ModelInfo info;
  private final int pieceLength;
  private final Set<String> ignoredWords;

  /** Words cut into pieces of 5 characters, normalized, no prompts. */
  public HashingModel(String id, int dimension, int maxSeqLength) {
    this(id, dimension, maxSeqLength, true, Map.of());
  }

  public HashingModel(
      String id, int dimension, int maxSeqLength, boolean normalized, Map<String, String> prompts) {
    this(id, dimension, maxSeqLength, normalized, prompts, 5, Set.of());
  }

  private HashingModel(
      String id,
      int dimension,
      int maxSeqLength,
      boolean normalized,
      Map<String, String> prompts,
      int pieceLength,
      Set<String> ignoredWords) {
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
    this.pieceLength = pieceLength;
    this.ignoredWords = ignoredWords;
  }

  /**
   * One token per whole word, with a "query: " prompt that does not move the vector (its word is
   * ignored), so query and document vectors of the same words are equal.
   */
  public static HashingModel wholeWords(String id, int dimension, int maxSeqLength) {
    return new HashingModel(
        id,
        dimension,
        maxSeqLength,
        true,
        Map.of("query", "query: "),
        Integer.MAX_VALUE,
        Set.of("query"));
  }

  private List<String> pieces(String text) {
    List<String> out = new ArrayList<>();
    for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (w.isEmpty() || ignoredWords.contains(w)) {
        continue;
      }
      for (int i = 0; i < w.length(); i += pieceLength) {
        out.add(w.substring(i, (int) Math.min(w.length(), (long) i + pieceLength)));
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
    return 2 + pieces(text).size();
  }

  @Override
  public Embeddings encode(List<String> texts, EncodeOptions options) {
    encodedTexts.addAndGet(texts.size());
    float[][] vectors = new float[texts.size()][];
    boolean[] truncated = new boolean[texts.size()];
    for (int t = 0; t < texts.size(); t++) {
      List<String> pieces = pieces(texts.get(t));
      int keep = Math.min(pieces.size(), info.maxSeqLength() - 2);
      truncated[t] = keep < pieces.size();
      float[] v = new float[info.dimension()];
      for (int i = 0; i < keep; i++) {
        int h = pieces.get(i).hashCode() * 0x9E3779B1;
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
