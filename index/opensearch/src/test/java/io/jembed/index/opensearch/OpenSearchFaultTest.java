package io.jembed.index.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jembed.JembedException;
import io.jembed.index.Document;
import io.jembed.index.IndexMetadata;
import io.jembed.index.IndexOptions;
import io.jembed.index.Quantization;
import io.jembed.index.StoreLocation;
import io.jembed.index.StoredDocument;
import io.jembed.index.VectorStore;
import io.jembed.testing.HashingModel;
import io.jembed.testing.RequiresServers;
import io.jembed.testing.TestServer;
import io.jembed.testing.TestServers;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Faults between jembed and a real node: a node that is down, slow, overloaded, or that goes away
 * in the middle of an ingest. An {@link HttpFront} on 127.0.0.1 stands between them and makes the
 * fault; the node behind it is the real one.
 */
@RequiresServers(TestServer.OPENSEARCH)
class OpenSearchFaultTest {
  private final HashingModel model = HashingModel.wholeWords("words-64", 64, 32);
  private final TestServers.OpenSearch server;
  private final TestIndices indices;
  private final IndexOptions options =
      IndexOptions.builder().quantization(Quantization.NONE).maxTokens(12).build();

  OpenSearchFaultTest(TestServers.OpenSearch server) {
    this.server = server;
    this.indices = new TestIndices(server, "faults");
  }

  @AfterEach
  void deleteIndices() throws Exception {
    indices.deleteAll();
  }

  /** Quick retries, small bulk requests: several per commit. */
  private static OpenSearchSettings settings(Duration timeout) {
    return OpenSearchSettings.fromEnvironment()
        .withTimeouts(Duration.ofSeconds(5), timeout)
        .withRetries(2, Duration.ofMillis(50))
        .withBulkBytes(16 * 1024);
  }

  /** Documents of several chunks each (12-token chunks). */
  private static List<Document> documents(int n, String variant) {
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StringBuilder text = new StringBuilder();
      for (int s = 0; s < 4 + i % 3; s++) {
        text.append("sentence ")
            .append(s)
            .append(" of document ")
            .append(i)
            .append(' ')
            .append(variant)
            .append(" about rivers and boats. ");
      }
      docs.add(Document.builder("d" + i).text(text.toString()).metadata("n", i).build());
    }
    return docs;
  }

  @Test
  void aNodeThatIsDownIsNamedAtOpen() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    StoreLocation location = indices.at("127.0.0.1", port);
    OpenSearchStoreProvider provider = new OpenSearchStoreProvider(settings(Duration.ofSeconds(5)));
    assertThatThrownBy(() -> provider.open(location, model, false))
        .isInstanceOf(JembedException.class)
        .hasMessageContaining("OpenSearch at " + location + " is unreachable")
        .hasMessageContaining("is the node running");
    assertThatThrownBy(
            () ->
                provider.create(location, IndexMetadata.of(model.info(), options), model, options))
        .hasMessageContaining("unreachable");
  }

  @Test
  void aSlowNodeTimesOutWithAClearMessage() throws Exception {
    StoreLocation direct = indices.next();
    new OpenSearchStoreProvider(settings(Duration.ofSeconds(30)))
        .create(direct, IndexMetadata.of(model.info(), options), model, options)
        .close();
    try (HttpFront front = new HttpFront(server.baseUri())) {
      StoreLocation location = through(front, direct);
      OpenSearchStoreProvider provider =
          new OpenSearchStoreProvider(settings(Duration.ofSeconds(2)));
      try (VectorStore store = provider.open(location, model, false)) {
        store.upsert(documents(3, "a"));
        front.fault(
            (method, path, bulk) -> {
              if (path.endsWith("/_refresh") || bulk > 0) {
                Thread.sleep(6_000); // far beyond the timeout
              }
              return null;
            });
        long start = System.nanoTime();
        assertThatThrownBy(store::commit)
            .isInstanceOf(JembedException.class)
            .hasMessageContaining("OpenSearch at " + location + " did not answer")
            .hasMessageContaining("within 2 s")
            .hasMessageContaining("JEMBED_OPENSEARCH_TIMEOUT");
        // a timeout is not retried: the node is slow, not gone
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      }
    }
  }

  /** The same index, reached through the front. */
  private static StoreLocation through(HttpFront front, StoreLocation direct) {
    return new StoreLocation.OpenSearch(
        false, "127.0.0.1", front.port(), ((StoreLocation.OpenSearch) direct).index());
  }

  @Test
  void bulkItemsRejectedForLoadAreRetriedAndRefusedOnesNamed() throws Exception {
    try (HttpFront front = new HttpFront(server.baseUri())) {
      StoreLocation location = indices.at("127.0.0.1", front.port());
      OpenSearchStoreProvider provider =
          new OpenSearchStoreProvider(settings(Duration.ofSeconds(30)));
      try (VectorStore store =
          provider.create(location, IndexMetadata.of(model.info(), options), model, options)) {
        // the node's answer when its write queue is full: every item 429, nothing written
        front.fault(
            (method, path, bulk) -> {
              if (bulk == 1) {
                return new HttpFront.Answer(
                    429,
                    "{\"error\":{\"type\":\"es_rejected_execution_exception\",\"reason\":\"rejected execution of coordinating operation\"},\"status\":429}");
              }
              if (bulk == 2) {
                StringBuilder items = new StringBuilder();
                for (int i = 0; i < 3; i++) {
                  items
                      .append(i == 0 ? "" : ",")
                      .append("{\"index\":{\"_index\":\"x\",\"_id\":\"d")
                      .append(i)
                      .append(
                          "\",\"status\":429,\"error\":{\"type\":\"es_rejected_execution_exception\",\"reason\":\"rejected execution of primary operation\"}}}");
                }
                return new HttpFront.Answer(
                    200, "{\"took\":1,\"errors\":true,\"items\":[" + items + "]}");
              }
              return null;
            });
        store.upsert(documents(3, "a"));
        assertThat(store.commit()).isEqualTo(3);
        // the whole request refused, then its items, then through (and more if split in batches)
        assertThat(front.bulks()).isGreaterThanOrEqualTo(3);
        assertThat(store.contains("d0") && store.contains("d1") && store.contains("d2")).isTrue();

        front.fault((method, path, bulk) -> null);
        // refused for good by the real node: a keyword longer than Lucene's longest term
        store.upsert(
            List.of(
                Document.builder("fine").text("a fine document").metadata("tag", "ok").build(),
                Document.builder("huge")
                    .text("a document with a huge tag")
                    .metadata("tag", "x".repeat(40_000))
                    .build()));
        assertThatThrownBy(store::commit)
            .isInstanceOf(JembedException.class)
            .hasMessageContaining(
                "OpenSearch at " + location + " refused 1 of 2 documents (the others are written)")
            .hasMessageContaining("document 'huge': HTTP 400");
        assertThat(store.contains("fine")).isTrue();
        assertThat(store.contains("huge")).isFalse();
        assertThat(store.commit()).isEqualTo(4); // nothing left over from the refused one
      }
    }
  }

  @Test
  void aNodeThatGoesAwayMidIngestLeavesWholeDocumentsAndARerunConverges() throws Exception {
    StoreLocation direct = indices.next();
    List<Document> docs = documents(60, "v1");
    OpenSearchStoreProvider provider =
        new OpenSearchStoreProvider(settings(Duration.ofSeconds(30)));
    provider.create(direct, IndexMetadata.of(model.info(), options), model, options).close();
    try (HttpFront front = new HttpFront(server.baseUri())) {
      StoreLocation viaFront =
          new StoreLocation.OpenSearch(
              false, "127.0.0.1", front.port(), ((StoreLocation.OpenSearch) direct).index());
      front.fault(
          (method, path, bulk) -> {
            if (bulk == 3) {
              front.stop(); // the node goes away in the middle of the commit
              throw new IllegalStateException("gone");
            }
            return null;
          });
      try (VectorStore store = provider.open(viaFront, model, false)) {
        store.upsert(docs);
        assertThatThrownBy(store::commit)
            .isInstanceOf(JembedException.class)
            .hasMessageContaining("OpenSearch at " + viaFront)
            .hasMessageContaining("tried 3 times");
      }
    }
    indices.send("POST", "/" + ((StoreLocation.OpenSearch) direct).index() + "/_refresh");
    Map<String, Integer> expectedChunks = new HashMap<>();
    try (VectorStore store = provider.open(direct, model, false)) {
      // what landed is whole documents: some of the batch, each with every chunk
      Map<String, StoredDocument> landed = export(store);
      assertThat(landed.size()).isBetween(1, docs.size() - 1);
      store.upsert(docs);
      store.commit();
      Map<String, StoredDocument> all = export(store);
      all.forEach((id, d) -> expectedChunks.put(id, d.chunks().size()));
      landed.forEach((id, d) -> assertThat(d.chunks()).as(id).hasSize(expectedChunks.get(id)));
      // the same ingest again converges: the same documents, nothing twice
      assertThat(all).hasSize(docs.size());
      store.upsert(docs);
      assertThat(store.commit()).isEqualTo(docs.size());
      assertThat(store.stats().chunks())
          .isEqualTo(expectedChunks.values().stream().mapToLong(Integer::longValue).sum());
    }
  }

  private static Map<String, StoredDocument> export(VectorStore store) {
    Map<String, StoredDocument> docs = new HashMap<>();
    store.exportDocuments(d -> docs.put(d.id(), d));
    return docs;
  }
}
