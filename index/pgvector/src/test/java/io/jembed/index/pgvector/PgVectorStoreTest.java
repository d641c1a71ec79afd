package io.jembed.index.pgvector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jembed.JembedException;
import io.jembed.index.Document;
import io.jembed.index.Filter;
import io.jembed.index.IndexOptions;
import io.jembed.index.IndexStats;
import io.jembed.index.Quantization;
import io.jembed.index.SearchHit;
import io.jembed.index.SearchRequest;
import io.jembed.index.StoreLocation;
import io.jembed.index.StoredDocument;
import io.jembed.index.VectorStore;
import io.jembed.index.VectorStores;
import io.jembed.testing.HashingModel;
import io.jembed.testing.RequiresServers;
import io.jembed.testing.TestServer;
import io.jembed.testing.TestServers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the contract does not see: the HNSW index and its quantized forms at work, the bulk path,
 * refusals of what pgvector cannot do and of tables made for something else, idempotent re-runs,
 * values that look like SQL, and the check of the database's own view.
 */
@RequiresServers(TestServer.POSTGRES)
class PgVectorStoreTest {
  private static final int DIM = 96;
  private static PgTables tables;
  private static TestServers.Postgres server;
  private final HashingModel model = HashingModel.wholeWords("words-96", DIM, 64);

  @BeforeAll
  static void tables(TestServers.Postgres postgres) {
    server = postgres;
    tables = new PgTables(postgres, "store");
  }

  @AfterAll
  static void dropTables() {
    if (tables != null) {
      tables.dropAll();
    }
  }

  private static IndexOptions quantization(Quantization q) {
    return IndexOptions.builder().quantization(q).build();
  }

  /** Clustered unit vectors: real embeddings have structure, and so must a recall test. */
  private static float[][] vectors(int n, long seed) {
    Random r = new Random(seed);
    float[][] centers = new float[20][DIM];
    for (float[] c : centers) {
      for (int j = 0; j < DIM; j++) {
        c[j] = (float) r.nextGaussian();
      }
    }
    float[][] out = new float[n][DIM];
    for (int i = 0; i < n; i++) {
      float[] c = centers[r.nextInt(centers.length)];
      double norm = 0;
      for (int j = 0; j < DIM; j++) {
        out[i][j] = c[j] + 0.6f * (float) r.nextGaussian();
        norm += out[i][j] * out[i][j];
      }
      for (int j = 0; j < DIM; j++) {
        out[i][j] /= (float) Math.sqrt(norm);
      }
    }
    return out;
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  @ParameterizedTest
  @EnumSource(
      value = Quantization.class,
      names = {"NONE", "INT8", "BINARY"})
  void theHnswIndexAnswersWithHighRecallInEveryStorage(Quantization q) throws Exception {
    int n = 3000;
    float[][] data = vectors(n, 7);
    float[][] queries = vectors(30, 8);
    StoreLocation.Postgres location = tables.next();
    try (VectorStore store = VectorStores.create(location, model, quantization(q))) {
      List<Document> docs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        docs.add(
            Document.builder("v" + i)
                .text("vector number " + i)
                .vector(data[i])
                .metadata("parity", i % 2 == 0 ? "even" : "odd")
                .build());
      }
      store.upsert(docs);
      assertThat(hnswIndexes(location)).isEmpty(); // built after the load
      store.commit();
      assertThat(hnswIndexes(location))
          .singleElement()
          .asString()
          .contains(
              switch (q) {
                case NONE -> "vector_ip_ops";
                case INT8 -> "halfvec_ip_ops";
                default -> "bit_hamming_ops";
              });
      long scansBefore = hnswScans(location);
      store.search(SearchRequest.builder().vector(queries[0]).k(10).numCandidates(40).build());
      awaitHnswScans(location, scansBefore); // a small search goes through the index
      double recall = 0;
      double filteredRecall = 0;
      for (float[] query : queries) {
        Set<String> exact = exactTop(data, query, 10, false);
        List<SearchHit> hits =
            store.search(
                SearchRequest.builder()
                    .vector(query)
                    .k(10)
                    .rescore(q == Quantization.BINARY)
                    .numCandidates(q == Quantization.BINARY ? 800 : 0)
                    .build());
        recall += hits.stream().filter(h -> exact.contains(h.id())).count() / 10.0;
        for (SearchHit h : hits) { // scores are exact, from the full vector
          int i = Integer.parseInt(h.id().substring(1));
          assertThat(h.score())
              .isCloseTo(dot(query, data[i]), org.assertj.core.data.Offset.offset(1e-5));
        }
        Set<String> exactEven = exactTop(data, query, 10, true);
        List<SearchHit> even =
            store.search(
                SearchRequest.builder()
                    .vector(query)
                    .k(10)
                    .filter("parity == 'even'")
                    .rescore(q == Quantization.BINARY)
                    .numCandidates(q == Quantization.BINARY ? 800 : 0)
                    .build());
        assertThat(even)
            .hasSize(10)
            .allSatisfy(h -> assertThat(h.metadata()).containsEntry("parity", "even"));
        filteredRecall += even.stream().filter(h -> exactEven.contains(h.id())).count() / 10.0;
      }
      // one bit a dimension keeps little: binary needs many candidates rescored with the floats
      double floor = q == Quantization.BINARY ? 0.8 : 0.9;
      assertThat(recall / queries.length).as("recall@10").isGreaterThan(floor);
      assertThat(filteredRecall / queries.length).as("filtered recall@10").isGreaterThan(floor);
      IndexStats stats = store.stats();
      assertThat(stats.documents()).isEqualTo(n);
      assertThat(stats.chunks()).isEqualTo(n);
      assertThat(stats.bytesByPart())
          .containsKeys(
              "HNSW graph ("
                  + (q == Quantization.NONE ? "vector" : q == Quantization.INT8 ? "halfvec" : "bit")
                  + ")",
              "full-text index (GIN)",
              "metadata index (GIN)",
              "primary key (id, chunk)",
              "rows (text, metadata, vectors)");
      assertThat(stats.bytesOnDisk()).isGreaterThan((long) n * DIM * 4);
    }
  }

  private static Set<String> exactTop(float[][] data, float[] query, int k, boolean even) {
    Set<String> out = new HashSet<>();
    IntStream.range(0, data.length)
        .filter(i -> !even || i % 2 == 0)
        .boxed()
        .sorted(Comparator.comparingDouble(i -> -dot(query, data[i])))
        .limit(k)
        .forEach(i -> out.add("v" + i));
    return out;
  }

  private static List<String> hnswIndexes(StoreLocation.Postgres location) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = server.connect();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT indexdef FROM pg_indexes WHERE tablename = ? AND indexdef LIKE '%hnsw%'")) {
      s.setString(1, location.table());
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.add(r.getString(1));
        }
      }
    }
    return out;
  }

  private static long hnswScans(StoreLocation.Postgres location) throws SQLException {
    try (Connection c = server.connect();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT coalesce(sum(s.idx_scan), 0) FROM pg_stat_user_indexes s JOIN pg_indexes i"
                    + " ON i.indexname = s.indexrelname WHERE s.relname = ? AND i.indexdef LIKE"
                    + " '%hnsw%'")) {
      s.setString(1, location.table());
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    }
  }

  /**
   * The searches went through the HNSW index. A backend publishes its statistics when it goes idle,
   * but at most once a second; one idle sooner publishes them 10 s later (PostgreSQL's
   * PGSTAT_IDLE_INTERVAL), so this waits up to 15 s.
   */
  private static void awaitHnswScans(StoreLocation.Postgres location, long before)
      throws Exception {
    for (int i = 0; i < 150 && hnswScans(location) <= before; i++) {
      Thread.sleep(100);
    }
    assertThat(hnswScans(location)).as("HNSW index scans").isGreaterThan(before);
  }

  @Test
  void whatPgvectorCannotIndexIsRefusedBeforeAnythingIsCreated() throws SQLException {
    StoreLocation.Postgres location = tables.next();
    assertThatThrownBy(() -> VectorStores.create(location, model, quantization(Quantization.INT4)))
        .isInstanceOf(JembedException.class)
        .hasMessage(
            "cannot create index at "
                + location
                + ": pgvector has no 4-bit vectors; use --quantization none (vector, 4 bytes a"
                + " dimension), int8 (halfvec, 2 bytes) or binary (bit, 1 bit, rescoring"
                + " recommended)");
    HashingModel wide = HashingModel.wholeWords("wide", 2048, 64);
    assertThatThrownBy(() -> VectorStores.create(location, wide, quantization(Quantization.NONE)))
        .hasMessageContaining(
            "pgvector's HNSW indexes vector up to 2000 dimensions and wide has 2048")
        .hasMessageContaining("use --quantization int8");
    assertThatThrownBy(
            () ->
                VectorStores.create(
                    location, model, IndexOptions.builder().hnswM(32).beamWidth(40).build()))
        .hasMessageContaining("ef_construction) from 2 * M = 64 to 1000, not 40");
    assertThat(VectorStores.provider(location).exists(location)).isFalse();
  }

  @Test
  void tablesMadeForSomethingElseAreRefusedWithBothNames() throws SQLException {
    StoreLocation.Postgres plain = tables.next();
    try (Connection c = server.connect();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE " + plain.table() + " (x int)");
    }
    assertThatThrownBy(() -> VectorStores.create(plain, model, IndexOptions.defaults()))
        .hasMessage(
            "cannot create index at "
                + plain
                + ": table \""
                + plain.table()
                + "\" exists already (it is not a jembed index)");
    assertThatThrownBy(() -> VectorStores.open(plain, model))
        .hasMessageContaining("is not a jembed index (it has no row in jembed_indexes)");

    StoreLocation.Postgres other = tables.next();
    VectorStores.create(other, model, IndexOptions.defaults()).close();
    try (Connection c = server.connect();
        Statement s = c.createStatement()) {
      s.execute("ALTER TABLE " + other.table() + " ALTER COLUMN embedding TYPE vector(32)");
    }
    assertThatThrownBy(() -> VectorStores.open(other, model))
        .hasMessage(
            "index at "
                + other
                + " records model words-96 with 96-d vectors, but table \""
                + other.table()
                + "\" holds 32-d vectors: it was made for another model. Use another table");
    assertThatThrownBy(() -> VectorStores.create(other, model, IndexOptions.defaults()))
        .hasMessageContaining("exists already and holds an index");
    assertThatThrownBy(() -> VectorStores.describe(tables.location("t_never_made", "")))
        .hasMessageContaining("no index at")
        .hasMessageContaining("table \"t_never_made\" does not exist");
  }

  @Test
  void theSameIngestTwiceConvergesAndCheckFindsMissingChunks() throws SQLException {
    StoreLocation.Postgres location = tables.next();
    IndexOptions options =
        IndexOptions.builder().quantization(Quantization.NONE).maxTokens(6).build();
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      docs.add(
          Document.builder("d" + i)
              .text("one two three four five six seven eight nine ten eleven " + i)
              .metadata("day", LocalDate.of(2024, 1, 1).plusDays(i))
              .build());
    }
    long chunks;
    try (VectorStore store = VectorStores.create(location, model, options)) {
      store.upsert(docs);
      assertThat(store.commit()).isEqualTo(30);
      chunks = store.stats().chunks();
      store.upsert(docs);
      store.upsert(docs.subList(0, 10));
      assertThat(store.commit()).isEqualTo(30);
      assertThat(store.stats().chunks()).isEqualTo(chunks).isGreaterThan(30);
      store.delete(List.of("d0", "d1", "nope"));
      assertThat(store.commit()).isEqualTo(28);
    }
    assertThat(VectorStores.check(location).problems()).isEmpty();
    try (Connection c = server.connect();
        Statement s = c.createStatement()) {
      s.execute("DELETE FROM " + location.table() + " WHERE id = 'd5' AND chunk = 1");
    }
    assertThat(VectorStores.check(location).problems())
        .anySatisfy(p -> assertThat(p).contains("document 'd5' has missing chunks"))
        .anySatisfy(p -> assertThat(p).contains("but jembed_indexes records 28 in"));
  }

  @Test
  void valuesAndFieldNamesThatLookLikeSqlAreJustValues() throws SQLException {
    StoreLocation.Postgres location = tables.next();
    String evil = "x'); DROP TABLE " + location.table() + "; --";
    String field = "a'b\"c -> ?";
    try (VectorStore store = VectorStores.create(location, model, IndexOptions.defaults())) {
      store.importDocuments(
          List.of(
              new StoredDocument(
                  "q'1",
                  "quotes",
                  Map.of(field, evil, "tags", List.of("it's", "back\\slash")),
                  List.of(new StoredDocument.Chunk(0, "quotes", 0, 6, unit(1)))),
              new StoredDocument(
                  "plain",
                  "plain",
                  Map.of(field, "ok", "tags", List.of("x")),
                  List.of(new StoredDocument.Chunk(0, "plain", 0, 5, unit(2))))));
      store.commit();
      assertThat(
              store.search(
                  SearchRequest.builder().vector(unit(3)).filter(Filter.eq(field, evil)).build()))
          .extracting(SearchHit::id)
          .containsExactly("q'1");
      assertThat(
              store.search(
                  SearchRequest.builder()
                      .vector(unit(3))
                      .filter(Filter.in("tags", "it's", "nope"))
                      .filter(Filter.contains(field, "DROP"))
                      .filter(Filter.gt("tags", "back\\"))
                      .build()))
          .extracting(SearchHit::id)
          .containsExactly("q'1");
      assertThat(
              store.search(
                  SearchRequest.builder().vector(unit(3)).filter(Filter.ne(field, evil)).build()))
          .extracting(SearchHit::id)
          .containsExactly("plain");
      assertThatThrownBy(() -> store.upsert(Document.of("nul", "a\u0000b")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "document 'nul' holds a NUL character (\\u0000), which PostgreSQL cannot store in"
                  + " text: remove it");
      assertThat(store.stats().documents()).isEqualTo(2);
    }
  }

  private static float[] unit(int axis) {
    float[] v = new float[DIM];
    v[axis] = 1;
    return v;
  }
}
