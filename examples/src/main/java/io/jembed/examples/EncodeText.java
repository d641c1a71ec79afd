package io.jembed.examples;

import io.jembed.EmbeddingModel;
import io.jembed.Vectors;
import java.util.Arrays;
import java.util.List;

/**
 * Lesson 2: encode one string (its shape, first values and norm), then a batch of three, like
 * {@code model.encode("...")} and {@code model.encode([...])}.
 */
public final class EncodeText {
  static final String SENTENCE = "Embeddings turn text into vectors that capture meaning.";
  static final List<String> BATCH =
      List.of(
          "The cat sat on the mat.",
          "A dog rested on the rug.",
          "LLMs are trained on large text datasets.");

  private EncodeText() {}

  /**
   * @param vector the one sentence's embedding
   * @param batch the three sentences' embeddings, in input order
   */
  public record Result(float[] vector, float[][] batch) {
    public double norm() {
      return Vectors.norm(vector);
    }

    public float[] firstValues(int n) {
      return Arrays.copyOf(vector, Math.min(n, vector.length));
    }
  }

  public static Result run(EmbeddingModel model) {
    return new Result(model.encode(SENTENCE), model.encode(BATCH));
  }

  public static void main(String[] args) {
    try (EmbeddingModel model = EmbeddingModel.load("all-MiniLM-L6-v2")) {
      Result r = run(model);
      System.out.println("shape: (" + r.vector().length + ",)");
      System.out.println("first values: " + Arrays.toString(r.firstValues(5)));
      System.out.printf("norm: %.4f%n", r.norm());
      System.out.println("batch shape: (" + r.batch().length + ", " + r.batch()[0].length + ")");
      for (int i = 0; i < r.batch().length; i++) {
        System.out.printf(
            "  norm of %-45s %.4f%n", '"' + BATCH.get(i) + '"', Vectors.norm(r.batch()[i]));
      }
    }
  }
}
