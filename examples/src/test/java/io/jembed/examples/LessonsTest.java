package io.jembed.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jembed.EmbeddingModel;
import io.jembed.SimilarityFunction;
import io.jembed.Vectors;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each lesson runs with the real default model and keeps the promise its text makes. */
class LessonsTest {
  static EmbeddingModel model;

  @BeforeAll
  static void load() {
    model = EmbeddingModel.load("all-MiniLM-L6-v2");
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void loadModel() {
    LoadModel.Result r = LoadModel.run(model);
    assertThat(r.info().dimension()).isEqualTo(384);
    assertThat(r.info().normalized()).isTrue();
    assertThat(r.info().similarity()).isEqualTo(SimilarityFunction.COSINE);
    assertThat(r.info().maxSeqLength()).isPositive();
    assertThat(r.pipeline()).isNotBlank();
  }

  @Test
  void encodeText() {
    EncodeText.Result r = EncodeText.run(model);
    assertThat(r.vector()).hasSize(384);
    assertThat(r.norm()).isCloseTo(1.0, within(1e-4));
    assertThat(r.firstValues(5)).hasSize(5).isEqualTo(java.util.Arrays.copyOf(r.vector(), 5));
    assertThat(r.batch()).hasNumberOfRows(3);
    for (float[] v : r.batch()) {
      assertThat(v).hasSize(384);
      assertThat(Vectors.norm(v)).isCloseTo(1.0, within(1e-4));
    }
    // a batch gives each text the vector it gets alone
    float[] alone = model.encode(EncodeText.BATCH.get(1));
    assertThat(SimilarityFunction.COSINE.score(alone, r.batch()[1])).isGreaterThan(0.9999f);
  }

  @Test
  void similarityMatrix() {
    float[][] s = SimilarityMatrix.run(model).scores();
    for (int i = 0; i < 3; i++) {
      assertThat(s[i][i]).isCloseTo(1f, within(1e-4f));
      for (int j = 0; j < 3; j++) {
        assertThat(s[i][j]).isCloseTo(s[j][i], within(1e-6f));
      }
    }
    // cat/mat and dog/rug are related; neither is related to LLM training
    assertThat(s[0][1]).isGreaterThan(s[0][2]).isGreaterThan(0f);
    assertThat(s[0][1]).isGreaterThan(s[1][2]);
  }

  @Test
  void semanticSearch() {
    SemanticSearchExample.Result r = SemanticSearchExample.run(model, 3);
    assertThat(r.hits()).hasSize(3);
    assertThat(r.documents().get(r.hits().get(0).corpusId())).contains("nginx");
    assertThat(r.hits().get(0).score()).isGreaterThan(r.hits().get(1).score() + 0.1f);
  }

  @Test
  void rankCandidates() {
    RankCandidates.Result r = RankCandidates.run(model);
    assertThat(r.ranked()).hasSize(5);
    assertThat(r.ranked().subList(0, 2))
        .allSatisfy(c -> assertThat(c).containsAnyOf("psycopg2", "SQLAlchemy"));
    assertThat(r.ranked().get(4)).contains("bakery");
    for (int i = 1; i < r.scores().size(); i++) {
      assertThat(r.scores().get(i)).isLessThanOrEqualTo(r.scores().get(i - 1));
    }
  }

  @Test
  void everyMainRunsAndPrints() {
    PrintStream previous = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      LoadModel.main(new String[0]);
      EncodeText.main(new String[0]);
      SimilarityMatrix.main(new String[0]);
      SemanticSearchExample.main(new String[0]);
      RankCandidates.main(new String[0]);
      QuickStart.main(new String[0]);
    } finally {
      System.setOut(previous);
    }
    String out = buffer.toString(StandardCharsets.UTF_8);
    assertThat(out)
        .contains("dimension:       384")
        .contains("shape: (384,)")
        .contains("batch shape: (3, 384)");
    assertThat(out).contains("Query: how do I run a website behind nginx?");
    assertThat(out).contains("Question: How do I connect Python to a database?");
  }
}
