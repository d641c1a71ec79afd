package io.jembed.toolkit.eval;

import io.jembed.EmbeddingModel;
import io.jembed.Embeddings;
import io.jembed.EncodeOptions;
import io.jembed.SimilarityFunction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Semantic textual similarity evaluation, as sentence-transformers' EmbeddingSimilarityEvaluator:
 * encode both sentences of every pair, score them with cosine similarity, and correlate the scores
 * with the gold labels.
 */
public final class StsEvaluator {
  private StsEvaluator() {}

  /** Evaluates the model on an STS file with the given batch size. */
  public static StsResult evaluate(EmbeddingModel model, Path file, int batchSize) {
    return evaluate(
        model,
        StsDataset.read(file),
        EncodeOptions.builder().batchSize(batchSize).build(),
        SimilarityFunction.COSINE);
  }

  /**
   * Evaluates the model on sentence pairs. Each distinct sentence is encoded once.
   *
   * @param options encode options (batch size, prompt, progress bar ...)
   * @param similarity how to score a pair (STS-B results are usually reported for cosine)
   */
  public static StsResult evaluate(
      EmbeddingModel model,
      List<StsPair> pairs,
      EncodeOptions options,
      SimilarityFunction similarity) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(similarity, "similarity");
    if (pairs.size() < 2) {
      throw new IllegalArgumentException(
          "STS evaluation needs at least 2 pairs, got " + pairs.size());
    }
    long start = System.nanoTime();
    Map<String, Integer> index = new LinkedHashMap<>();
    for (StsPair p : pairs) {
      index.putIfAbsent(p.sentence1(), index.size());
      index.putIfAbsent(p.sentence2(), index.size());
    }
    List<String> sentences = new ArrayList<>(index.keySet());
    Embeddings embeddings = model.encode(sentences, options);
    float[][] v = embeddings.vectors();
    double[] predicted = new double[pairs.size()];
    double[] gold = new double[pairs.size()];
    for (int i = 0; i < pairs.size(); i++) {
      StsPair p = pairs.get(i);
      predicted[i] = similarity.score(v[index.get(p.sentence1())], v[index.get(p.sentence2())]);
      gold[i] = p.score();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new StsResult(
        model.info().id(),
        similarity.externalName(),
        Correlation.spearman(predicted, gold),
        Correlation.pearson(predicted, gold),
        pairs.size(),
        sentences.size(),
        seconds,
        embeddings.truncatedCount());
  }
}
