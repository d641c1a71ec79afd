package io.jembed.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jembed.JembedException;
import io.jembed.testing.HashingModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link VectorStore} meets, run unchanged by every backend: a backend's test
 * extends this class and says where a fresh store may be created ({@link #newLocation()}). Answers
 * are checked against references, not against another store: exact (brute-force) ranking for vector
 * search on a fixed corpus, {@link Filter#test} for filters, and the same words for every refusal.
 * So two stores that pass give the same answers for the same documents.
 *
 * <pre>{@code
 * class PgVectorStoreContractTest extends VectorStoreContract {
 *   protected StoreLocation newLocation() {
 *     return StoreLocation.parse("postgresql://localhost:5432/test?table=t" + counter++);
 *   }
 * }
 * }</pre>
 */
public abstract class VectorStoreContract {
  /** The model of every store here: deterministic, 64-d, normalized, cosine. */
  protected final HashingModel model = HashingModel.wholeWords("words-64", 64, 32);

  /** A location where no store exists yet: a new one at each call. */
  protected abstract StoreLocation newLocation();

  /**
   * Options of the stores under test. The default keeps float vectors, so that vector search on the
   * small corpus is exact; a backend may test its quantization in its own tests.
   */
  protected IndexOptions options() {
    return IndexOptions.builder().quantization(Quantization.NONE).build();
  }

  /**
   * A location for the copy of a store of this kind (another kind of store, if the module has one).
   */
  protected StoreLocation copyLocation() {
    return newLocation();
  }

  protected VectorStore createStore() {
    return VectorStores.create(newLocation(), model, options());
  }

  private VectorStore storeWithCorpus() {
    VectorStore store = createStore();
    store.upsert(FilterCases.corpus(model.info().dimension()));
    assertThat(store.commit()).isEqualTo(60);
    return store;
  }

  // --------------------------------------------------------------------- answers of vector search

  @Test
  void vectorSearchFindsTheExactTopK() {
    List<Document> corpus = FilterCases.corpus(model.info().dimension());
    try (VectorStore store = storeWithCorpus()) {
      Random random = new Random(99);
      for (int q = 0; q < 10; q++) {
        float[] query = FilterCases.randomUnit(random, model.info().dimension());
        List<SearchHit> hits = store.search(SearchRequest.builder().vector(query).k(10).build());
        List<String> exact =
            corpus.stream()
                .sorted(Comparator.comparingDouble((Document d) -> -dot(query, d.vector())))
                .limit(10)
                .map(Document::id)
                .toList();
        assertThat(hits).extracting(SearchHit::id).containsExactlyElementsOf(exact);
        Document best = corpus.stream().filter(d -> d.id().equals(exact.get(0))).findFirst().get();
        assertThat(hits.get(0).score())
            .isCloseTo(dot(query, best.vector()), org.assertj.core.data.Offset.offset(1e-4));
      }
    }
  }

  @Test
  void textIsChunkedEmbeddedAndGroupedPerDocument() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      text.append("Sentence ").append(i).append(" talks about rivers and boats. ");
    }
    text.append("The final sentence mentions a zebra.");
    String doc = text.toString();
    try (VectorStore store =
        VectorStores.create(
            newLocation(),
            model,
            IndexOptions.builder().quantization(Quantization.NONE).maxTokens(20).build())) {
      store.upsert(List.of(Document.of("long", doc), Document.of("short", "a zebra in the zoo")));
      store.commit();
      assertThat(store.stats().documents()).isEqualTo(2);
      assertThat(store.stats().chunks()).isGreaterThan(10);
      List<SearchHit> grouped = store.search(SearchRequest.of("zebra", 10));
      assertThat(grouped).extracting(SearchHit::id).containsExactlyInAnyOrder("long", "short");
      SearchHit longHit = grouped.stream().filter(h -> h.id().equals("long")).findFirst().get();
      assertThat(doc.substring(longHit.start(), longHit.end())).isEqualTo(longHit.text());
      assertThat(longHit.text()).contains("zebra");
      List<SearchHit> chunks =
          store.search(
              SearchRequest.builder().query("rivers boats").k(5).groupByDocument(false).build());
      assertThat(chunks).hasSize(5).allSatisfy(h -> assertThat(h.id()).isEqualTo("long"));
      assertThat(chunks).extracting(SearchHit::chunk).doesNotHaveDuplicates();
    }
  }

  @Test
  void keywordAndHybridSearchFindAnExactWord() {
    try (VectorStore store = storeWithCorpus()) {
      store.upsert(
          Document.builder("part")
              .text("replacement part XJ9000 for pumps")
              .vector(FilterCases.randomUnit(new Random(5), model.info().dimension()))
              .build());
      store.commit();
      SearchRequest.Builder r =
          SearchRequest.builder()
              .query("XJ9000")
              .vector(FilterCases.randomUnit(new Random(6), model.info().dimension()))
              .k(5);
      assertThat(store.search(r.mode(SearchMode.KEYWORD).build()))
          .extracting(SearchHit::id)
          .containsExactly("part");
      List<SearchHit> hybrid = store.search(r.mode(SearchMode.HYBRID).build());
      assertThat(hybrid).hasSize(5).extracting(SearchHit::id).contains("part");
    }
  }

  // --------------------------------------------------------------------------------- filters

  @Test
  void filtersMatchTheReferenceSemantics() {
    List<Document> corpus = FilterCases.corpus(model.info().dimension());
    try (VectorStore store = storeWithCorpus()) {
      for (Map.Entry<String, Integer> c : FilterCases.expressions().entrySet()) {
        Filter filter = Filter.parse(c.getKey());
        Set<String> expected = expected(corpus, filter);
        assertThat(expected).as(c.getKey()).hasSize(c.getValue());
        for (SearchMode mode : List.of(SearchMode.VECTOR, SearchMode.KEYWORD)) {
          assertThat(matching(store, filter, mode))
              .as(c.getKey() + " in " + mode + " search")
              .isEqualTo(expected);
        }
      }
    }
  }

  @Test
  void randomFiltersMatchTheReferenceSemantics() {
    Random random = new Random(2024);
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      docs.add(
          RandomFilters.document(
              random, "r" + i, FilterCases.randomUnit(random, model.info().dimension())));
    }
    try (VectorStore store = createStore()) {
      store.upsert(docs);
      store.commit();
      for (int i = 0; i < 300; i++) {
        Filter filter = RandomFilters.filter(random, 3);
        assertThat(matching(store, filter, SearchMode.VECTOR))
            .as(filter.toString())
            .isEqualTo(expected(docs, filter));
      }
    }
  }

  /** Ids of every document the store returns for the filter (k = all). */
  protected static Set<String> matching(VectorStore store, Filter filter, SearchMode mode) {
    SearchRequest.Builder r = SearchRequest.builder().k(10_000).mode(mode).filter(filter);
    if (mode == SearchMode.KEYWORD) {
      r.query("document text"); // every document has one of the words
    } else {
      r.vector(FilterCases.randomUnit(new Random(1), store.model().dimension()));
    }
    return store.search(r.build()).stream().map(SearchHit::id).collect(Collectors.toSet());
  }

  protected static Set<String> expected(List<Document> docs, Filter filter) {
    Set<String> ids = new HashSet<>();
    for (Document d : docs) {
      if (filter.test(d.metadata())) {
        ids.add(d.id());
      }
    }
    return ids;
  }

  // ------------------------------------------------------------------------ refusals, errors

  @Test
  void refusesAForeignModel() {
    StoreLocation location = newLocation();
    VectorStores.create(location, model, options()).close();
    HashingModel other = HashingModel.wholeWords("other-64", 64, 32);
    assertThatThrownBy(() -> VectorStores.open(location, other))
        .isInstanceOf(JembedException.class)
        .hasMessageContaining("index at " + location + " was built with model words-64")
        .hasMessageContaining("not comparable")
        .hasMessageContaining("jembed index reindex " + location + " --model other-64");
    assertThatThrownBy(() -> VectorStores.openReadOnly(location, other))
        .hasMessageContaining("was built with model words-64");
    // same id, another dimension: another identity too
    assertThatThrownBy(
            () -> VectorStores.open(location, HashingModel.wholeWords("words-64", 32, 32)))
        .hasMessageContaining("was built with model");
  }

  @Test
  void badInputGetsTheSameErrors() {
    try (VectorStore store = storeWithCorpus()) {
      assertThatThrownBy(
              () -> store.search(SearchRequest.builder().query("x").filter("nope == 1").build()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "no metadata field 'nope' in this index (fields: lang, price, published, seen,"
                  + " tags, title, year)");
      assertThatThrownBy(
              () ->
                  store.search(SearchRequest.builder().query("x").filter("year == 'abc'").build()))
          .hasMessage("filter on numeric field 'year' needs a number, got 'abc'");
      assertThatThrownBy(
              () ->
                  store.search(
                      SearchRequest.builder().query("x").filter("published < 'soon'").build()))
          .hasMessageContaining("filter on date field 'published' needs an ISO date");
      assertThatThrownBy(
              () ->
                  store.search(
                      SearchRequest.builder().query("x").filter("year CONTAINS '1'").build()))
          .hasMessage("CONTAINS needs a keyword field; 'year' holds numbers or dates");
      assertThatThrownBy(() -> store.upsert(Document.builder("v").vector(new float[3]).build()))
          .hasMessage("document 'v' has a 3-d vector; this index holds 64-d vectors of words-64");
      assertThatThrownBy(() -> store.upsert(Document.of("blank", "  ")))
          .hasMessage("document 'blank' has no text and no vector: nothing to index");
      assertThatThrownBy(() -> store.upsert(List.of(Document.of("a", "x"), Document.of("a", "y"))))
          .hasMessage("document id 'a' appears twice in one batch");
      assertThatThrownBy(() -> store.search(SearchRequest.builder().vector(new float[5]).build()))
          .hasMessage("query vector has 5 dimensions; this index holds 64");
      assertThatThrownBy(
              () -> store.upsert(Document.builder("y").text("x").metadata("year", "2020").build()))
          .hasMessage(
              "metadata 'year' of document 'y' is a keyword, but this index holds it as a number");
    }
  }

  @Test
  void readOnlyStoresRefuseWrites() {
    StoreLocation location = newLocation();
    try (VectorStore writer = VectorStores.create(location, model, options());
        VectorStore reader = VectorStores.openReadOnly(location, model)) {
      writer.upsert(Document.of("one", "first document"));
      assertThat(reader.contains("one")).isFalse();
      writer.commit();
      assertThat(reader.contains("one")).isTrue();
      assertThat(reader.isReadOnly()).isTrue();
      assertThatThrownBy(() -> reader.upsert(Document.of("x", "y")))
          .hasMessage("index at " + location + " is open read-only");
    }
  }

  // ------------------------------------------------------------------------------ durability

  @Test
  void writesAreVisibleAtCommitAndDroppedWithoutIt() {
    StoreLocation location = newLocation();
    try (VectorStore store = VectorStores.create(location, model, options())) {
      store.upsert(List.of(Document.of("a", "apples are red"), Document.of("b", "bananas")));
      assertThat(store.contains("a")).isFalse();
      assertThat(store.commit()).isEqualTo(2);
      store.upsert(Document.of("a", "oranges are orange"));
      store.delete("b");
      assertThat(store.search(SearchRequest.of("apples", 5)).get(0).text())
          .isEqualTo("apples are red");
      assertThat(store.commit()).isEqualTo(1);
      assertThat(store.search(SearchRequest.of("oranges", 5)))
          .extracting(SearchHit::text)
          .containsExactly("oranges are orange");
      store.upsert(Document.of("lost", "never committed"));
    }
    try (VectorStore store = VectorStores.open(location, model)) {
      assertThat(store.contains("a")).isTrue();
      assertThat(store.contains("lost")).isFalse();
      assertThat(store.stats().documents()).isEqualTo(1);
    }
  }

  // ------------------------------------------------------------------------- copy and reindex

  @Test
  void copyMovesEverythingWithoutEmbedding() {
    StoreLocation source = newLocation();
    try (VectorStore store = VectorStores.create(source, model, options())) {
      store.upsert(FilterCases.corpus(model.info().dimension()));
      store.upsert(Document.of("text", "a text the store embedded itself, in a few words"));
      store.commit();
    }
    StoreLocation target = copyLocation();
    int before = model.encodedTexts.get();
    long[] progress = new long[2];
    long copied =
        VectorStores.copy(
            source,
            target,
            null,
            (done, total) -> {
              progress[0] = done;
              progress[1] = total;
            });
    assertThat(copied).isEqualTo(61);
    assertThat(progress).containsExactly(61, 61);
    assertThat(model.encodedTexts.get()).isEqualTo(before);
    try (VectorStore a = VectorStores.openReadOnly(source, model);
        VectorStore b = VectorStores.openReadOnly(target, model)) {
      assertThat(b.metadata().model()).isEqualTo(a.metadata().model());
      assertThat(b.metadata().fields()).isEqualTo(a.metadata().fields());
      SearchRequest r =
          SearchRequest.builder()
              .query("document about topic 3")
              .k(20)
              .filter("lang != 'de'")
              .build();
      assertThat(b.search(r)).isEqualTo(a.search(r));
      Map<String, StoredDocument> exported = new java.util.HashMap<>();
      a.exportDocuments(d -> exported.put(d.id(), d));
      b.exportDocuments(
          d -> {
            StoredDocument o = exported.remove(d.id());
            assertThat(d.text()).isEqualTo(o.text());
            assertThat(d.metadata()).isEqualTo(o.metadata());
            assertThat(d.chunks()).hasSameSizeAs(o.chunks());
            for (int i = 0; i < d.chunks().size(); i++) {
              assertThat(d.chunks().get(i).vector()).containsExactly(o.chunks().get(i).vector());
              assertThat(d.chunks().get(i).text()).isEqualTo(o.chunks().get(i).text());
            }
          });
      assertThat(exported).isEmpty();
    }
    assertThatThrownBy(() -> VectorStores.copy(source, target, null, null))
        .hasMessageContaining("cannot copy into " + target);
  }

  @Test
  void reindexReembedsWithTheNewModel() {
    StoreLocation location = newLocation();
    try (VectorStore store = VectorStores.create(location, model, options())) {
      List<Document> docs = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        docs.add(
            Document.builder("d" + i)
                .text("document number " + i)
                .metadata("lang", FilterCases.LANGS[i % 3])
                .metadata("published", java.time.LocalDate.of(2020, 1, 1).plusDays(i))
                .build());
      }
      docs.add(
          Document.builder("vector-only")
              .vector(FilterCases.randomUnit(new Random(1), 64))
              .build());
      store.upsert(docs);
      store.commit();
    }
    HashingModel bigger = HashingModel.wholeWords("words-96", 96, 32);
    assertThat(VectorStores.reindex(location, bigger, "words-96", null)).isEqualTo(30);
    assertThatThrownBy(() -> VectorStores.open(location, model))
        .hasMessageContaining("was built with");
    try (VectorStore store = VectorStores.open(location, bigger)) {
      assertThat(store.metadata().modelName()).isEqualTo("words-96");
      assertThat(store.metadata().quantization()).isEqualTo(options().quantization());
      List<SearchHit> hits =
          store.search(
              SearchRequest.builder()
                  .query("document number 12")
                  .k(1)
                  .filter("lang == 'en'")
                  .build());
      assertThat(hits.get(0).id()).isEqualTo("d12");
      assertThat(hits.get(0).metadata()).containsEntry("published", "2020-01-13");
    }
  }

  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
