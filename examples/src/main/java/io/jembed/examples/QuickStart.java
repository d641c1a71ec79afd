package io.jembed.examples;

import io.jembed.EmbeddingModel;
import io.jembed.toolkit.Hit;
import io.jembed.toolkit.SemanticSearch;
import java.util.List;

/** The README's quick start: load, encode, similarity, search. */
public final class QuickStart {
  private QuickStart() {}

  public static void main(String[] args) {
    try (EmbeddingModel model = EmbeddingModel.load("all-MiniLM-L6-v2")) {
      List<String> docs =
          List.of(
              "Configure nginx as a reverse proxy.",
              "Docker packages apps with their dependencies.",
              "Tune PostgreSQL's work_mem.");
      float[][] embeddings = model.encode(docs); // 3 x 384, unit length
      float[][] similarities = model.similarity(embeddings, embeddings); // 3 x 3 cosine
      List<Hit> hits =
          SemanticSearch.search(
              model.encodeQuery("how do I run a website behind nginx?"),
              embeddings,
              2,
              model.similarityFunction());
      System.out.printf("similarity(doc 0, doc 1) = %.3f%n", similarities[0][1]);
      hits.forEach(h -> System.out.printf("%.3f  %s%n", h.score(), docs.get(h.corpusId())));
    }
  }
}
