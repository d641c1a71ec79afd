package io.jembed.index.pgvector;

import io.jembed.index.FieldType;
import io.jembed.index.Filter;
import io.jembed.index.IndexMetadata;
import io.jembed.index.IndexStats;
import io.jembed.index.MetadataJson;
import io.jembed.index.Quantization;
import io.jembed.index.SearchHit;
import io.jembed.index.StoredDocument;
import io.jembed.index.spi.ChunkHit;
import io.jembed.index.spi.StoreReader;
import io.jembed.index.spi.VectorQuery;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * One snapshot of a {@link PgVectorStore}: a read-only REPEATABLE READ transaction on one pooled
 * connection, so that the vector and keyword rankings of a hybrid search and the hits loaded after
 * them see the same committed rows.
 *
 * <p>Vector search orders by the distance the HNSW index serves, with pgvector's iterative scans in
 * strict order so that a filter never starves the top k; a search that asks for every chunk scans
 * the table exactly instead. Scores are always exact, from the full vector. Keyword search is
 * PostgreSQL full-text search ranked by BM25 ({@link PgKeywords}).
 */
final class PgReader implements StoreReader {
  private final PgVectorStore store;
  private final Connection connection;
  private final PgSchema schema;
  private final IndexMetadata metadata;
  private final Map<String, FieldType> fields;
  private final PgSchema.VectorSql vectorSql;
  private long[] counts; // {documents, chunks} as committed, read once

  PgReader(PgVectorStore store, Connection connection) {
    this.store = store;
    this.connection = connection;
    this.schema = store.schema();
    this.metadata = store.metadata();
    this.fields = metadata.fields();
    this.vectorSql = PgSchema.VectorSql.of(metadata);
  }

  /** A read, with every failure explained. */
  private interface Read<T> {
    T run() throws SQLException;
  }

  private <T> T read(String doing, Read<T> read) {
    try {
      return read.run();
    } catch (SQLException e) {
      throw PgErrors.of(store.settings(), doing, e);
    }
  }

  // -------------------------------------------------------------------------------- searching

  @Override
  public List<ChunkHit> vectorSearch(VectorQuery q) {
    return read(
        "searching",
        () -> {
          PgFilters.Condition where = PgFilters.toSql(q.filter(), fields);
          tuneSearch(q.count());
          boolean exact = q.count() >= chunkCount();
          String sql =
              "SELECT id, chunk, "
                  + vectorSql.score()
                  + " AS score FROM "
                  + schema.table
                  + " WHERE "
                  + where.sql()
                  + " ORDER BY "
                  + (exact ? "score DESC, id, chunk" : vectorSql.orderBy())
                  + " LIMIT ?";
          String vector = PgRows.text(q.vector());
          List<ChunkHit> hits;
          try (PreparedStatement s = connection.prepareStatement(sql)) {
            s.setString(1, vector);
            int next = where.bind(s, 2);
            if (!exact) {
              s.setString(next++, vector);
            }
            s.setInt(next, q.count());
            hits = chunkHits(s);
          }
          if (q.rescore() && metadata.quantization() != Quantization.NONE) {
            hits = new ArrayList<>(hits);
            hits.sort(Comparator.comparingDouble(ChunkHit::score).reversed()); // stable
          }
          return hits;
        });
  }

  /**
   * HNSW settings for this transaction: at least {@code count} candidates (up to pgvector's 1000),
   * and iterative scans that go on through the graph until the filter has let {@code count} rows
   * through; read with the index's counts, in one round trip.
   */
  private void tuneSearch(int count) throws SQLException {
    try (PreparedStatement s =
        connection.prepareStatement(
            "SELECT documents, chunks, set_config('hnsw.ef_search', ?, true),"
                + " set_config('hnsw.iterative_scan', 'strict_order', true),"
                + " set_config('hnsw.max_scan_tuples', ?, true) FROM "
                + schema.metadataTable
                + " WHERE name = ?")) {
      s.setString(1, Integer.toString(Math.clamp(count, 40, 1000)));
      s.setString(2, Long.toString(Math.max(20_000L, 10L * count)));
      s.setString(3, schema.name);
      counts = counts(s);
    }
  }

  @Override
  public List<ChunkHit> keywordSearch(String text, int count, Filter filter) {
    return read(
        "searching",
        () -> {
          PgKeywords.Query query = PgKeywords.query(connection, schema, text, chunkCount());
          if (query.words().isEmpty()) {
            return List.of();
          }
          PgFilters.Condition where = PgFilters.toSql(filter, fields);
          List<ChunkHit> hits = keywordHits(query, query.matched(), where, count);
          // rarer words that match nothing must not hide the rows the common ones match
          return hits.isEmpty() && query.leftOut()
              ? keywordHits(query, query.words(), where, count)
              : hits;
        });
  }

  /** The chunks that hold any of {@code match}, ranked by BM25 over all the query's words. */
  private List<ChunkHit> keywordHits(
      PgKeywords.Query query, List<PgKeywords.Word> match, PgFilters.Condition where, int count)
      throws SQLException {
    try (PreparedStatement s =
        connection.prepareStatement(PgKeywords.searchSql(schema, where.sql()))) {
      s.setDouble(1, averageLength());
      s.setArray(
          2,
          connection.createArrayOf(
              "text", query.words().stream().map(PgKeywords.Word::lexeme).toArray()));
      s.setArray(
          3, connection.createArrayOf("float8", Arrays.stream(query.weights()).boxed().toArray()));
      s.setString(4, PgKeywords.anyOf(match));
      s.setInt(where.bind(s, 5), count);
      return chunkHits(s);
    }
  }

  /** The average chunk length BM25 compares with, sampled once per store and commit. */
  private double averageLength() throws SQLException {
    double average = store.averageChunkLength();
    if (Double.isNaN(average)) {
      average = PgKeywords.averageLength(connection, schema, chunkCount());
      store.averageChunkLength(average);
    }
    return average;
  }

  private static List<ChunkHit> chunkHits(PreparedStatement s) throws SQLException {
    List<ChunkHit> hits = new ArrayList<>();
    try (ResultSet r = s.executeQuery()) {
      while (r.next()) {
        hits.add(new ChunkHit(r.getString(1), r.getInt(2), r.getDouble(3), 0));
      }
    }
    return hits;
  }

  @Override
  public List<SearchHit> load(List<ChunkHit> hits) {
    if (hits.isEmpty()) {
      return List.of();
    }
    return read(
        "searching",
        () -> {
          String[] ids = new String[hits.size()];
          Integer[] chunks = new Integer[hits.size()];
          for (int i = 0; i < hits.size(); i++) {
            ids[i] = hits.get(i).id();
            chunks[i] = hits.get(i).chunk();
          }
          SearchHit[] out = new SearchHit[hits.size()];
          try (PreparedStatement s =
              connection.prepareStatement(
                  "SELECT h.ord, t.text, t.start_offset, t.end_offset, t.metadata::text FROM"
                      + " unnest(?::text[], ?::int[]) WITH ORDINALITY AS h(id, chunk, ord) JOIN "
                      + schema.table
                      + " t ON t.id = h.id AND t.chunk = h.chunk")) {
            s.setArray(1, connection.createArrayOf("text", ids));
            s.setArray(2, connection.createArrayOf("int4", chunks));
            try (ResultSet r = s.executeQuery()) {
              while (r.next()) {
                int i = r.getInt(1) - 1;
                ChunkHit h = hits.get(i);
                out[i] =
                    new SearchHit(
                        h.id(),
                        h.score(),
                        r.getString(2),
                        h.chunk(),
                        r.getInt(3),
                        r.getInt(4),
                        MetadataJson.read(r.getString(5)));
              }
            }
          }
          List<SearchHit> loaded = new ArrayList<>(out.length);
          for (int i = 0; i < out.length; i++) {
            if (out[i] == null) {
              throw new SQLException(
                  "chunk " + hits.get(i).chunk() + " of '" + hits.get(i).id() + "' vanished");
            }
            loaded.add(out[i]);
          }
          return loaded;
        });
  }

  // ----------------------------------------------------------------------------------- counts

  /** {documents, chunks} as the index's row in the metadata table records them. */
  private long[] counts() {
    if (counts == null) {
      counts =
          read(
              "reading",
              () -> {
                try (PreparedStatement s =
                    connection.prepareStatement(
                        "SELECT documents, chunks FROM "
                            + schema.metadataTable
                            + " WHERE name = ?")) {
                  s.setString(1, schema.name);
                  return counts(s);
                }
              });
    }
    return counts;
  }

  private static long[] counts(PreparedStatement s) throws SQLException {
    try (ResultSet r = s.executeQuery()) {
      if (!r.next()) {
        throw new SQLException("the index's row in the metadata table is gone");
      }
      return new long[] {r.getLong(1), r.getLong(2)};
    }
  }

  @Override
  public long chunkCount() {
    return counts()[1];
  }

  @Override
  public boolean contains(String id) {
    return read(
        "reading",
        () -> {
          try (PreparedStatement s =
              connection.prepareStatement(
                  "SELECT EXISTS (SELECT 1 FROM "
                      + schema.table
                      + " WHERE id = ? AND chunk = 0)")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
              r.next();
              return r.getBoolean(1);
            }
          }
        });
  }

  @Override
  public IndexStats stats(IndexMetadata meta) {
    return read(
        "reading statistics",
        () -> {
          Map<String, Long> parts = new TreeMap<>();
          long total;
          long dead;
          try (PreparedStatement s =
              connection.prepareStatement(
                  "SELECT pg_total_relation_size(c.oid), pg_relation_size(c.oid),"
                      + " pg_table_size(c.oid), coalesce(st.n_dead_tup, 0) FROM pg_class c LEFT"
                      + " JOIN pg_stat_user_tables st ON st.relid = c.oid WHERE c.oid ="
                      + " ?::regclass")) {
            s.setString(1, schema.table);
            try (ResultSet r = s.executeQuery()) {
              r.next();
              total = r.getLong(1);
              parts.put("rows (text, metadata, vectors)", r.getLong(2));
              parts.put("TOAST and maps", r.getLong(3) - r.getLong(2));
              dead = r.getLong(4);
            }
          }
          for (String[] index : PgCatalog.indexes(connection, schema, null)) {
            parts.merge(part(index[1], index[2]), Long.parseLong(index[3]), Long::sum);
          }
          return new IndexStats(
              counts()[0], counts()[1], dead, 0, total, parts, meta.model(), meta.quantization());
        });
  }

  /** Which part of the index a PostgreSQL index is, by its access method and definition. */
  private static String part(String method, String definition) {
    return switch (method) {
      case "hnsw" ->
          "HNSW graph ("
              + (definition.contains("bit_hamming_ops")
                  ? "bit"
                  : definition.contains("halfvec") ? "halfvec" : "vector")
              + ")";
      case "gin" ->
          definition.contains("jsonb_path_ops") ? "metadata index (GIN)" : "full-text index (GIN)";
      case "btree" -> "primary key (id, chunk)";
      default -> method + " index";
    };
  }

  // ----------------------------------------------------------------------------------- export

  /** Every document with its chunks and exact vectors, streamed in primary key order. */
  @Override
  public void forEachDocument(Consumer<StoredDocument> action) {
    read(
        "reading documents",
        () -> {
          try (PreparedStatement s =
              connection.prepareStatement(
                  "SELECT id, chunk, start_offset, end_offset, text, source, metadata::text,"
                      + " vector_send(embedding) FROM "
                      + schema.table
                      + " ORDER BY id, chunk")) {
            s.setFetchSize(1000); // a cursor: the table never sits whole in memory
            try (ResultSet r = s.executeQuery()) {
              export(r, action);
            }
          }
          return null;
        });
  }

  private void export(ResultSet r, Consumer<StoredDocument> action) throws SQLException {
    String id = null;
    String source = null;
    String meta = null;
    List<StoredDocument.Chunk> chunks = new ArrayList<>();
    while (r.next()) {
      String rowId = r.getString(1);
      int chunk = r.getInt(2);
      if (!rowId.equals(id)) {
        emit(id, source, meta, chunks, action);
        if (chunk != 0) {
          throw store.damagedError("chunk " + chunk + " of '" + rowId + "' has no chunk 0");
        }
        id = rowId;
        source = r.getString(6);
        meta = r.getString(7);
        chunks = new ArrayList<>();
      }
      chunks.add(
          new StoredDocument.Chunk(
              chunk, r.getString(5), r.getInt(3), r.getInt(4), PgRows.vector(r.getBytes(8))));
    }
    emit(id, source, meta, chunks, action);
  }

  private void emit(
      String id,
      String source,
      String meta,
      List<StoredDocument.Chunk> chunks,
      Consumer<StoredDocument> action) {
    if (id != null) {
      action.accept(
          new StoredDocument(
              id, source == null ? "" : source, MetadataJson.read(meta, fields), chunks));
    }
  }

  @Override
  public void close() {
    try {
      connection.rollback(); // read-only: nothing to keep
    } catch (SQLException ignored) {
      // the connection is gone; the pool drops it
    }
    PgVectorStore.closeQuietly(connection);
  }
}
