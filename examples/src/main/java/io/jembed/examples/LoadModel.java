package io.jembed.examples;

import io.jembed.EmbeddingModel;
import io.jembed.ModelInfo;

/**
 * Lesson 1: load a model and look at it, like {@code model =
 * SentenceTransformer("all-MiniLM-L6-v2"); print(model)}.
 */
public final class LoadModel {
  private LoadModel() {}

  /** What the lesson shows: the pipeline and the facts that matter for the vectors. */
  public record Result(String pipeline, ModelInfo info) {}

  public static Result run(EmbeddingModel model) {
    return new Result(model.toString(), model.info());
  }

  public static void main(String[] args) {
    try (EmbeddingModel model = EmbeddingModel.load("all-MiniLM-L6-v2")) {
      Result r = run(model);
      System.out.println(r.pipeline());
      System.out.println("dimension:       " + r.info().dimension());
      System.out.println("max_seq_length:  " + r.info().maxSeqLength());
      System.out.println("normalized:      " + r.info().normalized());
      System.out.println("similarity:      " + r.info().similarity().externalName());
    }
  }
}
