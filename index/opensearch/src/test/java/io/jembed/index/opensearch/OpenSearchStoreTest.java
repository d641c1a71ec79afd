package io.jembed.index.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jembed.JembedException;
import io.jembed.index.Document;
import io.jembed.index.IndexMetadata;
import io.jembed.index.IndexOptions;
import io.jembed.index.Quantization;
import io.jembed.index.SearchHit;
import io.jembed.index.SearchRequest;
import io.jembed.index.StoreLocation;
import io.jembed.index.VectorStore;
import io.jembed.index.VectorStores;
import io.jembed.testing.HashingModel;
import io.jembed.testing.RequiresServers;
import io.jembed.testing.TestServer;
import io.jembed.testing.TestServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the contract does not cover: the mapping, quantization, names, visibility, aliases. */
@RequiresServers(TestServer.OPENSEARCH)
class OpenSearchStoreTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HashingModel model = HashingModel.wholeWords("words-64", 64, 32);
  private final TestIndices indices;

  OpenSearchStoreTest(TestServers.OpenSearch server) {
    this.indices = new TestIndices(server, "store");
  }

  @AfterEach
  void deleteIndices() throws Exception {
    indices.deleteAll();
  }

  private static String name(StoreLocation l) {
    return ((StoreLocation.OpenSearch) l).index();
  }

  private static float[] unit(Random r) {
    float[] v = new float[64];
    double n = 0;
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
      n += v[i] * v[i];
    }
    for (int i = 0; i < v.length; i++) {
      v[i] /= (float) Math.sqrt(n);
    }
    return v;
  }

  @Test
  void int8IsTheLuceneScalarQuantizerAndRescoringGivesExactScores() throws Exception {
    StoreLocation location = indices.next();
    Random random = new Random(3);
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      docs.add(Document.builder("v" + i).vector(unit(random)).build());
    }
    try (VectorStore store = VectorStores.create(location, model, IndexOptions.defaults())) {
      store.upsert(docs);
      store.commit();
      JsonNode mapping =
          JSON.readTree(indices.send("GET", "/" + name(location) + "/_mapping")).elements().next();
      JsonNode vector = mapping.at("/mappings/properties/chunks/properties/vector");
      assertThat(vector.path("type").asText()).isEqualTo("knn_vector");
      // the model's vectors are unit length: cosine is their inner product
      assertThat(vector.path("space_type").asText()).isEqualTo("innerproduct");
      assertThat(vector.at("/method/engine").asText()).isEqualTo("lucene");
      assertThat(vector.at("/method/parameters/encoder/name").asText()).isEqualTo("sq");
      assertThat(mapping.at("/mappings/_meta/jembed/model/id").asText()).isEqualTo("words-64");
      assertThat(mapping.at("/mappings/_meta/jembed/quantization").asText()).isEqualTo("int8");
      // the single test node holds no replica: the index is green, not yellow
      JsonNode health =
          JSON.readTree(indices.send("GET", "/_cluster/health/" + name(location) + "?timeout=5s"));
      assertThat(health.path("status").asText()).isEqualTo("green");

      float[] query = unit(random);
      SearchHit best =
          store.search(SearchRequest.builder().vector(query).k(1).rescore(true).build()).get(0);
      float[] v = docs.get(Integer.parseInt(best.id().substring(1))).vector();
      double dot = 0;
      for (int i = 0; i < v.length; i++) {
        dot += v[i] * query[i];
      }
      assertThat(best.score()).isCloseTo(dot, org.assertj.core.data.Offset.offset(1e-5));
    }
  }

  @Test
  void metadataNamesWithDotsLongIdsAndTheirFilters() {
    String longId = "doc/" + "x".repeat(700);
    try (VectorStore store =
        VectorStores.create(
            indices.next(),
            model,
            IndexOptions.builder().quantization(Quantization.NONE).build())) {
      store.upsert(
          List.of(
              Document.builder(longId)
                  .text("a long id")
                  .metadata("a", "top")
                  .metadata("a.b", 5)
                  .build(),
              Document.builder("#short").text("a hash id").metadata("a.b", 7).build()));
      store.commit();
      assertThat(store.contains(longId)).isTrue();
      assertThat(store.contains("#short")).isTrue();
      List<SearchHit> hits =
          store.search(
              SearchRequest.builder().query("id").k(5).filter("a.b >= 5 AND a == 'top'").build());
      assertThat(hits).extracting(SearchHit::id).containsExactly(longId);
      assertThat(hits.get(0).metadata()).containsEntry("a", "top").containsEntry("a.b", 5L);
      store.delete(longId);
      store.commit();
      assertThat(store.contains(longId)).isFalse();
      assertThat(store.stats().documents()).isEqualTo(1);
    }
  }

  @Test
  void anIndexThatIsNotJembedsIsRefused() throws Exception {
    StoreLocation location = indices.next();
    indices.send("PUT", "/" + name(location));
    assertThatThrownBy(() -> VectorStores.open(location, model))
        .isInstanceOf(JembedException.class)
        .hasMessageContaining("index at " + location + " is not a jembed index");
    assertThatThrownBy(() -> VectorStores.create(location, model, IndexOptions.defaults()))
        .hasMessageContaining("has an index or alias named '" + name(location) + "' already");
    StoreLocation missing = indices.next();
    assertThatThrownBy(() -> VectorStores.describe(missing))
        .hasMessageContaining("no index at " + missing)
        .hasMessageContaining("jembed index create " + missing);
  }

  @Test
  void aCommitBecomesVisibleAsAWhole() throws Exception {
    StoreLocation location = indices.next();
    OpenSearchStoreProvider provider =
        new OpenSearchStoreProvider(OpenSearchSettings.fromEnvironment().withBulkBytes(8 * 1024));
    IndexOptions options =
        IndexOptions.builder().quantization(Quantization.NONE).maxTokens(10).build();
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      docs.add(
          Document.of(
              "d" + i, ("words about rivers and boats in document " + i + ". ").repeat(3 + i % 4)));
    }
    try (VectorStore writer =
            provider.create(location, IndexMetadata.of(model.info(), options), model, options);
        VectorStore reader = provider.open(location, model, true)) {
      Set<Long> seen = new ConcurrentSkipListSet<>();
      AtomicBoolean done = new AtomicBoolean();
      Thread watcher =
          Thread.ofPlatform()
              .start(
                  () -> {
                    while (!done.get()) {
                      seen.add(reader.stats().documents());
                    }
                  });
      writer.upsert(docs);
      long total = writer.commit(); // many bulk requests (8 KiB each)
      done.set(true);
      watcher.join(Duration.ofSeconds(30));
      assertThat(total).isEqualTo(150);
      assertThat(seen).isSubsetOf(0L, 150L);
      long chunks = 0;
      for (SearchHit h :
          reader.search(
              SearchRequest.builder().query("rivers").k(1000).groupByDocument(false).build())) {
        chunks++;
      }
      assertThat(chunks).isEqualTo(reader.stats().chunks());
    }
  }

  @Test
  void reindexMovesTheNameToTheNewIndexInOneAliasUpdate() throws Exception {
    StoreLocation location = indices.next();
    try (VectorStore store =
        VectorStores.create(
            location, model, IndexOptions.builder().quantization(Quantization.NONE).build())) {
      store.upsert(Document.of("a", "first document"));
      store.commit();
    }
    HashingModel second = HashingModel.wholeWords("words-96", 96, 32);
    HashingModel third = HashingModel.wholeWords("words-32", 32, 32);
    assertThat(VectorStores.reindex(location, second, "words-96", null)).isEqualTo(1);
    assertThat(VectorStores.reindex(location, third, "words-32", null)).isEqualTo(1);
    JsonNode aliases = JSON.readTree(indices.send("GET", "/" + name(location) + "*/_alias"));
    List<String> concrete = new ArrayList<>();
    aliases.fieldNames().forEachRemaining(concrete::add);
    assertThat(concrete).hasSize(1); // the old indices are gone
    assertThat(aliases.get(concrete.get(0)).path("aliases").has(name(location))).isTrue();
    try (VectorStore store = VectorStores.open(location, third)) {
      assertThat(store.metadata().modelName()).isEqualTo("words-32");
      assertThat(store.search(SearchRequest.of("first", 1)).get(0).id()).isEqualTo("a");
    }
  }
}
