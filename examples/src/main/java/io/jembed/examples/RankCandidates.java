package io.jembed.examples;

import io.jembed.EmbeddingModel;
import io.jembed.toolkit.Hit;
import io.jembed.toolkit.SemanticSearch;
import java.util.List;

/**
 * Lesson 5: rank candidate answers for a question, best first: the ones about Python and databases
 * rise to the top, the off-topic ones sink.
 */
public final class RankCandidates {
  static final String QUESTION = "How do I connect Python to a database?";
  static final List<String> CANDIDATES =
      List.of(
          "Python list comprehensions make loops shorter.",
          "Use psycopg2 to open a connection from Python to PostgreSQL.",
          "Our bakery sells sourdough bread every morning.",
          "SQLAlchemy lets Python programs talk to SQL databases.",
          "Databases store records in tables with rows and columns.");

  private RankCandidates() {}

  /** Candidates with their scores, best first. */
  public record Result(String question, List<String> ranked, List<Float> scores) {}

  public static Result run(EmbeddingModel model) {
    float[][] candidates = model.encode(CANDIDATES);
    List<Hit> hits =
        SemanticSearch.search(
            model.encodeQuery(QUESTION), candidates, CANDIDATES.size(), model.similarityFunction());
    return new Result(
        QUESTION,
        hits.stream().map(h -> CANDIDATES.get(h.corpusId())).toList(),
        hits.stream().map(Hit::score).toList());
  }

  public static void main(String[] args) {
    try (EmbeddingModel model = EmbeddingModel.load("all-MiniLM-L6-v2")) {
      Result r = run(model);
      System.out.println("Question: " + r.question());
      for (int i = 0; i < r.ranked().size(); i++) {
        System.out.printf("  %d. %.4f  %s%n", i + 1, r.scores().get(i), r.ranked().get(i));
      }
    }
  }
}
