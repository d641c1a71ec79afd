package io.jembed.examples;

import io.jembed.EmbeddingModel;
import io.jembed.toolkit.Hit;
import io.jembed.toolkit.SemanticSearch;
import java.util.List;

/**
 * Lesson 4: semantic search over five documents, like {@code util.semantic_search(query_emb,
 * corpus_emb, top_k=3)}: the nginx document answers the nginx question though they share few words.
 */
public final class SemanticSearchExample {
  static final List<String> DOCUMENTS =
      List.of(
          "How to generate SSH keys and add them to your GitHub account.",
          "Docker containers package an application together with its dependencies.",
          "Configure nginx as a reverse proxy that forwards requests to your web app.",
          "Tuning PostgreSQL: shared_buffers, work_mem and autovacuum settings.",
          "AWS Lambda runs your code without provisioning or managing servers.");
  static final String QUERY = "how do I run a website behind nginx?";

  private SemanticSearchExample() {}

  /** The ranked documents for the query. */
  public record Result(String query, List<String> documents, List<Hit> hits) {}

  public static Result run(EmbeddingModel model, int topK) {
    float[][] corpus = model.encode(DOCUMENTS);
    float[] query = model.encodeQuery(QUERY);
    List<Hit> hits = SemanticSearch.search(query, corpus, topK, model.similarityFunction());
    return new Result(QUERY, DOCUMENTS, hits);
  }

  public static void main(String[] args) {
    try (EmbeddingModel model = EmbeddingModel.load("all-MiniLM-L6-v2")) {
      Result r = run(model, 3);
      System.out.println("Query: " + r.query());
      for (Hit h : r.hits()) {
        System.out.printf("  %.4f  %s%n", h.score(), r.documents().get(h.corpusId()));
      }
    }
  }
}
