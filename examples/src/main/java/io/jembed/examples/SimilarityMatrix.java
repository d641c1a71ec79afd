package io.jembed.examples;

import io.jembed.EmbeddingModel;
import java.util.List;

/**
 * Lesson 3: the similarity matrix of three sentences, like {@code model.similarity(embeddings,
 * embeddings)}: the two about resting pets are close, the one about LLMs is not.
 */
public final class SimilarityMatrix {
  static final List<String> SENTENCES = EncodeText.BATCH;

  private SimilarityMatrix() {}

  /** {@code scores[i][j]}: similarity of sentence i and sentence j. */
  public record Result(List<String> sentences, float[][] scores) {}

  public static Result run(EmbeddingModel model) {
    float[][] embeddings = model.encode(SENTENCES);
    return new Result(SENTENCES, model.similarity(embeddings, embeddings));
  }

  public static void main(String[] args) {
    try (EmbeddingModel model = EmbeddingModel.load("all-MiniLM-L6-v2")) {
      Result r = run(model);
      for (int i = 0; i < r.sentences().size(); i++) {
        StringBuilder row = new StringBuilder();
        for (float s : r.scores()[i]) {
          row.append(String.format("%8.4f", s));
        }
        System.out.printf("%-45s%s%n", r.sentences().get(i), row);
      }
    }
  }
}
