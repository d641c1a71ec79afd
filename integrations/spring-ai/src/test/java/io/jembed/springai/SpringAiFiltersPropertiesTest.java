package io.jembed.springai;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.springframework.ai.document.Document;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.SimpleVectorStore;
import org.springframework.ai.vectorstore.VectorStore;
import org.springframework.ai.vectorstore.filter.Filter.Expression;
import org.springframework.ai.vectorstore.filter.Filter.ExpressionType;
import org.springframework.ai.vectorstore.filter.Filter.Group;
import org.springframework.ai.vectorstore.filter.Filter.Key;
import org.springframework.ai.vectorstore.filter.Filter.Operand;
import org.springframework.ai.vectorstore.filter.Filter.Value;

/**
 * Random filters in Spring AI's AST find the same documents in a jembed index as in Spring AI's own
 * in-memory store (its reference semantics), on the same random documents. Every document has every
 * field, and a field no document has ("missing") is compared with every operator but {@code <} and
 * {@code <=}: there Spring AI's in-memory store orders the missing value first, jembed (as SQL)
 * says false (see {@link JembedVectorStoreTest}).
 */
class SpringAiFiltersPropertiesTest {
  private static final String[] GENRES = {"a", "b", "B", "c d", ""};
  private static final double[] RATINGS = {-1.5, 0.0, 2.25, 3.5};
  private static final int DOCUMENTS = 40;

  private static Path folder;
  private static JembedVectorStore jembed;
  private static SimpleVectorStore reference;

  @BeforeContainer
  static void fill() throws Exception {
    folder = Files.createTempDirectory("spring-filters");
    jembed = JembedVectorStore.builder(TestModels.miniLm()).path(folder.resolve("index")).build();
    reference = SimpleVectorStore.builder(TestModels.miniLm()).build();
    Random r = new Random(42);
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < DOCUMENTS; i++) {
      docs.add(
          Document.builder()
              .id("d" + i)
              .text("document number " + i)
              .metadata(
                  Map.of(
                      "genre",
                      GENRES[r.nextInt(GENRES.length)],
                      "year",
                      2018 + r.nextInt(7),
                      "rating",
                      RATINGS[r.nextInt(RATINGS.length)],
                      "draft",
                      r.nextBoolean()))
              .build());
    }
    jembed.add(docs);
    reference.add(docs);
  }

  @AfterContainer
  static void close() {
    jembed.close();
  }

  @Property(tries = 300)
  void sameMatchesAsSpringAisInMemoryStore(@ForAll long seed) {
    Expression filter = filter(new Random(seed), 3);
    assertThat(ids(jembed, filter)).as(filter.toString()).isEqualTo(ids(reference, filter));
  }

  private static Set<String> ids(VectorStore store, Expression filter) {
    Set<String> ids = new TreeSet<>();
    store
        .similaritySearch(
            SearchRequest.builder()
                .query("document number")
                .topK(DOCUMENTS)
                .similarityThresholdAll()
                .filterExpression(filter)
                .build())
        .forEach(d -> ids.add(d.getId()));
    return ids;
  }

  static Expression filter(Random r, int depth) {
    if (depth > 0 && r.nextInt(3) == 0) {
      return switch (r.nextInt(3)) {
        case 0 -> new Expression(ExpressionType.AND, operand(r, depth), operand(r, depth));
        case 1 -> new Expression(ExpressionType.OR, operand(r, depth), operand(r, depth));
        default -> new Expression(ExpressionType.NOT, operand(r, depth));
      };
    }
    String field = new String[] {"genre", "year", "rating", "draft", "missing"}[r.nextInt(5)];
    ExpressionType[] ops =
        field.equals("missing")
            ? new ExpressionType[] {
              ExpressionType.EQ, ExpressionType.NE, ExpressionType.GT, ExpressionType.GTE,
              ExpressionType.IN, ExpressionType.NIN, ExpressionType.ISNULL, ExpressionType.ISNOTNULL
            }
            : new ExpressionType[] {
              ExpressionType.EQ, ExpressionType.NE, ExpressionType.GT, ExpressionType.GTE,
              ExpressionType.LT, ExpressionType.LTE, ExpressionType.IN, ExpressionType.NIN,
              ExpressionType.ISNULL, ExpressionType.ISNOTNULL
            };
    ExpressionType op = ops[r.nextInt(ops.length)];
    Key key = new Key(r.nextInt(4) == 0 ? "'" + field + "'" : field);
    return switch (op) {
      case ISNULL, ISNOTNULL -> new Expression(op, key);
      case IN, NIN -> new Expression(op, key, new Value(List.of(value(r, field), value(r, field))));
      default -> new Expression(op, key, new Value(value(r, field)));
    };
  }

  private static Operand operand(Random r, int depth) {
    Expression e = filter(r, depth - 1);
    return r.nextBoolean() ? new Group(e) : e;
  }

  private static Object value(Random r, String field) {
    return switch (field) {
      case "year" -> r.nextBoolean() ? 2018 + r.nextInt(7) : 2020.5;
      case "rating" -> r.nextBoolean() ? RATINGS[r.nextInt(RATINGS.length)] : (Object) 2;
      case "draft" -> r.nextBoolean();
      default -> GENRES[r.nextInt(GENRES.length)];
    };
  }
}
