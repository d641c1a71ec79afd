package io.jembed.index.lucene;

import static org.assertj.core.api.Assertions.assertThat;

import io.jembed.index.Document;
import io.jembed.index.Filter;
import io.jembed.index.IndexOptions;
import io.jembed.index.Quantization;
import io.jembed.index.RandomFilters;
import io.jembed.index.SearchHit;
import io.jembed.index.SearchRequest;
import io.jembed.testing.HashingModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Lucene's translation of random filters against {@link Filter#test} on random documents. */
class LuceneFilterPropertiesTest {
  static final HashingModel MODEL = HashingModel.wholeWords("words-8", 8, 32);
  static Path root;

  @BeforeContainer
  static void makeRoot() throws IOException {
    root = Files.createTempDirectory("jembed-filter-properties");
  }

  @AfterContainer
  static void removeRoot() throws IOException {
    try (var walk = Files.walk(root)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Property(tries = 150)
  void luceneMatchesTheReferenceOnRandomDocumentsAndFilters(
      @ForAll("seeds") long seed, @ForAll("filters") List<Filter> filters) {
    Random random = new Random(seed);
    List<Document> docs = new ArrayList<>();
    int n = 1 + random.nextInt(30);
    for (int i = 0; i < n; i++) {
      float[] v = new float[8];
      for (int j = 0; j < v.length; j++) {
        v[j] = (float) random.nextGaussian();
      }
      docs.add(RandomFilters.document(random, "r" + i, v));
    }
    Path dir = root.resolve("idx-" + Long.toHexString(seed) + "-" + System.nanoTime());
    try (LuceneVectorStore index =
        LuceneVectorStore.create(
            dir, MODEL, IndexOptions.builder().quantization(Quantization.NONE).build())) {
      index.upsert(docs);
      index.commit();
      for (Filter filter : filters) {
        Set<String> expected = new HashSet<>();
        for (Document d : docs) {
          if (filter.test(d.metadata())) {
            expected.add(d.id());
          }
        }
        Set<String> fields = index.metadata().fields().keySet();
        if (!fields.containsAll(fieldsOf(filter))) {
          continue; // a field no random document got: an error, the same for every store
        }
        List<SearchHit> hits =
            index.search(
                SearchRequest.builder()
                    .vector(new float[] {1, 0, 0, 0, 0, 0, 0, 0})
                    .k(100)
                    .filter(filter)
                    .build());
        assertThat(hits.stream().map(SearchHit::id).collect(Collectors.toSet()))
            .as(filter.toString())
            .isEqualTo(expected);
      }
    }
  }

  static Set<String> fieldsOf(Filter f) {
    return switch (f) {
      case Filter.Compare c -> Set.of(c.field());
      case Filter.In in -> Set.of(in.field());
      case Filter.NotIn nin -> Set.of(nin.field());
      case Filter.IsNull n -> Set.of(n.field());
      case Filter.IsNotNull n -> Set.of(n.field());
      case Filter.Contains c -> Set.of(c.field());
      case Filter.And and ->
          and.filters().stream().flatMap(x -> fieldsOf(x).stream()).collect(Collectors.toSet());
      case Filter.Or or ->
          or.filters().stream().flatMap(x -> fieldsOf(x).stream()).collect(Collectors.toSet());
      case Filter.Not not -> fieldsOf(not.filter());
    };
  }

  @Provide
  Arbitrary<Long> seeds() {
    return Arbitraries.longs();
  }

  @Provide
  Arbitrary<List<Filter>> filters() {
    return Arbitraries.randomValue(r -> RandomFilters.filter(r, 3))
        .list()
        .ofMinSize(1)
        .ofMaxSize(10);
  }
}
