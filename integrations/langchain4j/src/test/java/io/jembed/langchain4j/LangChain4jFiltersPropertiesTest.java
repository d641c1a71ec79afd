package io.jembed.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.filter.Filter;
import dev.langchain4j.store.embedding.filter.comparison.ContainsString;
import dev.langchain4j.store.embedding.filter.comparison.IsEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThan;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThanOrEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsIn;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThan;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThanOrEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsNotEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsNotIn;
import dev.langchain4j.store.embedding.filter.logical.And;
import dev.langchain4j.store.embedding.filter.logical.Not;
import dev.langchain4j.store.embedding.filter.logical.Or;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.junit.jupiter.api.Test;

/**
 * Random LangChain4j filters find in a jembed index exactly the entries LangChain4j's own {@code
 * Filter.test} accepts, on random metadata with missing keys (and a key no entry has).
 */
class LangChain4jFiltersPropertiesTest {
  private static final String[] TEXTS = {"a", "b", "B", "c d", " "};
  private static final double[] DOUBLES = {-1.5, 0.0, 2.25, 3.5};
  private static final UUID[] UUIDS = {new UUID(1, 2), new UUID(3, 4)};
  private static final int ENTRIES = 40;

  private static JembedEmbeddingStore store;
  private static final List<Metadata> metadata = new ArrayList<>();

  @BeforeContainer
  static void fill() throws Exception {
    Path folder = Files.createTempDirectory("lc4j-filters");
    store =
        JembedEmbeddingStore.builder()
            .path(folder.resolve("index"))
            .embeddingModel(TestModels.miniLm())
            .build();
    Random r = new Random(7);
    List<String> ids = new ArrayList<>();
    List<Embedding> vectors = new ArrayList<>();
    List<TextSegment> segments = new ArrayList<>();
    Embedding one = TestModels.miniLm().embed("entry").content();
    for (int i = 0; i < ENTRIES; i++) {
      Metadata m = new Metadata();
      if (r.nextInt(4) > 0) m.put("s", TEXTS[r.nextInt(TEXTS.length)]);
      if (r.nextInt(4) > 0) m.put("i", r.nextInt(5) - 2);
      if (r.nextInt(4) > 0) m.put("d", DOUBLES[r.nextInt(DOUBLES.length)]);
      if (r.nextInt(4) > 0) m.put("u", UUIDS[r.nextInt(UUIDS.length)]);
      metadata.add(m);
      ids.add("e" + i);
      vectors.add(one);
      segments.add(TextSegment.from("entry " + i, m));
    }
    store.addAll(ids, vectors, segments);
  }

  @AfterContainer
  static void close() {
    store.close();
  }

  @Property(tries = 300)
  void sameMatchesAsLangChain4jsOwnTest(@ForAll long seed) {
    Filter filter = filter(new Random(seed), 3);
    Set<String> expected = new TreeSet<>();
    for (int i = 0; i < ENTRIES; i++) {
      if (filter.test(metadata.get(i))) {
        expected.add("e" + i);
      }
    }
    Set<String> found = new TreeSet<>();
    store
        .search(
            EmbeddingSearchRequest.builder()
                .queryEmbedding(TestModels.miniLm().embed("entry").content())
                .maxResults(ENTRIES)
                .filter(filter)
                .build())
        .matches()
        .forEach(m -> found.add(m.embeddingId()));
    assertThat(found).as(filter.toString()).isEqualTo(expected);
  }

  @Test
  void filtersJembedCannotRunAreRefusedByName() {
    Filter custom = object -> true;
    assertThatThrownBy(() -> LangChain4jFilters.toJembed(custom))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("has no jembed equivalent");
    assertThatThrownBy(() -> LangChain4jFilters.toJembed(new IsGreaterThan("u", UUIDS[0])))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("IsGreaterThan")
        .hasMessageContaining("UUID");
  }

  static Filter filter(Random r, int depth) {
    if (depth > 0 && r.nextInt(3) == 0) {
      return switch (r.nextInt(3)) {
        case 0 -> new And(filter(r, depth - 1), filter(r, depth - 1));
        case 1 -> new Or(filter(r, depth - 1), filter(r, depth - 1));
        default -> new Not(filter(r, depth - 1));
      };
    }
    String key = new String[] {"s", "i", "d", "u", "never"}[r.nextInt(5)];
    Object v = value(r, key);
    int op = r.nextInt(key.equals("u") ? 4 : 9);
    return switch (op) {
      case 0 -> new IsEqualTo(key, v);
      case 1 -> new IsNotEqualTo(key, v);
      case 2 -> new IsIn(key, List.of(v, value(r, key)));
      case 3 -> new IsNotIn(key, List.of(v));
      case 4 -> new IsGreaterThan(key, (Comparable<?>) v);
      case 5 -> new IsGreaterThanOrEqualTo(key, (Comparable<?>) v);
      case 6 -> new IsLessThan(key, (Comparable<?>) v);
      case 7 -> new IsLessThanOrEqualTo(key, (Comparable<?>) v);
      default ->
          key.equals("s") || key.equals("never")
              ? new ContainsString(key, r.nextBoolean() ? "a" : " ")
              : new IsEqualTo(key, v);
    };
  }

  private static Object value(Random r, String key) {
    return switch (key) {
      case "i" ->
          r.nextBoolean() ? (Object) (r.nextInt(5) - 2) : (Object) (long) (r.nextInt(5) - 2);
      case "d" -> r.nextBoolean() ? DOUBLES[r.nextInt(DOUBLES.length)] : (Object) 2;
      case "u" -> UUIDS[r.nextInt(UUIDS.length)];
      default -> TEXTS[r.nextInt(TEXTS.length)];
    };
  }
}
