package io.jembed.index.pgvector;

import io.jembed.JembedException;
import io.jembed.ModelInfo;
import io.jembed.index.IndexMetadata;
import io.jembed.index.Quantization;
import io.jembed.index.StoreLocation;
import io.jembed.index.spi.AbstractVectorStore;
import java.util.List;
import java.util.Locale;

/**
 * How an index lies in PostgreSQL: one table, one row per chunk, and one row in the schema's
 * {@value #METADATA_TABLE} table that keeps the index's {@link IndexMetadata} (model identity,
 * settings, field types) and its document and chunk counts. Identifiers are always quoted and come
 * only from the location's table name, which its parser allows to be letters, digits and '_'.
 *
 * <pre>
 * id text, chunk int          the document's id and the chunk's position: the primary key
 * start_offset, end_offset    where the chunk lies in the document's text
 * text                        the chunk's text
 * source                      the whole text of the document (chunk 0 only), for reindex and copy
 * metadata jsonb              the document's metadata (dates as ISO text)
 * embedding vector(d)         the full float vector, always kept: exact scores, rescoring, copies
 * words tsvector              to_tsvector('simple', text), generated: full-text search
 * </pre>
 *
 * Indexes: HNSW on the embedding (or on its halfvec or bit quantization) with the operator class of
 * the model's similarity, GIN on {@code words}, GIN ({@code jsonb_path_ops}) on {@code metadata}.
 */
final class PgSchema {
  /** The table, in the index table's schema, that describes every jembed index there. */
  static final String METADATA_TABLE = "jembed_indexes";

  /** The text search configuration: lowercased words, no stemming or stop words. */
  static final String TEXT_SEARCH_CONFIG = "simple";

  /** The name of the index in {@value #METADATA_TABLE}: the table's name without its schema. */
  final String name;

  /** The table, quoted (and qualified when the location names a schema). */
  final String table;

  /** The metadata table in the same schema, quoted. */
  final String metadataTable;

  private PgSchema(String schema, String name) {
    this.name = name;
    String prefix = schema == null ? "" : quote(schema) + ".";
    this.table = prefix + quote(name);
    this.metadataTable = prefix + quote(METADATA_TABLE);
  }

  static PgSchema of(StoreLocation.Postgres location) {
    String t = location.table();
    int dot = t.indexOf('.');
    return dot < 0
        ? new PgSchema(null, t)
        : new PgSchema(t.substring(0, dot), t.substring(dot + 1));
  }

  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  // ---------------------------------------------------------------------------------- DDL

  String createMetadataTable() {
    return "CREATE TABLE IF NOT EXISTS "
        + metadataTable
        + " (name text PRIMARY KEY, metadata jsonb NOT NULL, documents bigint NOT NULL,"
        + " chunks bigint NOT NULL, updated timestamptz NOT NULL DEFAULT now())";
  }

  String createTable(int dimension) {
    return "CREATE TABLE "
        + table
        + " (id text COLLATE \"C\" NOT NULL, chunk integer NOT NULL,"
        + " start_offset integer NOT NULL, end_offset integer NOT NULL, text text NOT NULL,"
        + " source text, metadata jsonb NOT NULL, embedding vector("
        + dimension
        + ") NOT NULL, words tsvector GENERATED ALWAYS AS (to_tsvector('"
        + TEXT_SEARCH_CONFIG
        + "'::regconfig, text)) STORED, PRIMARY KEY (id, chunk))";
  }

  /** The search indexes, built after a bulk load into an empty table. */
  List<String> createIndexes(IndexMetadata meta) {
    VectorSql v = VectorSql.of(meta);
    return List.of(
        String.format(
            Locale.ROOT,
            "CREATE INDEX ON %s USING hnsw (%s %s) WITH (m = %d, ef_construction = %d)",
            table,
            v.indexExpression(),
            v.operatorClass(),
            meta.hnswM(),
            meta.beamWidth()),
        "CREATE INDEX ON " + table + " USING gin (words)",
        "CREATE INDEX ON " + table + " USING gin (metadata jsonb_path_ops)");
  }

  // ------------------------------------------------------------------------ vectors in SQL

  /**
   * The SQL of vector search for an index: what the HNSW index holds and with which operator class,
   * the ORDER BY that the index serves (one parameter: the query vector as text), and the exact
   * score from the full vector (one parameter, the same).
   *
   * <p>Quantization maps to pgvector's types: none is {@code vector} (4 bytes a dimension); int8 is
   * {@code halfvec} (2 bytes: pgvector has no 8-bit type, and half precision loses less); binary is
   * {@code bit} via {@code binary_quantize} (1 bit, Hamming distance); int4 has no pgvector type
   * and is refused. The table always keeps the full vector.
   */
  record VectorSql(String indexExpression, String operatorClass, String orderBy, String score) {

    static VectorSql of(IndexMetadata meta) {
      ModelInfo m = meta.model();
      int d = m.dimension();
      String vector = "?::vector(" + d + ")";
      boolean unit = AbstractVectorStore.keepsUnitVectors(m);
      String[] op = // operator, operator class suffix, score from the distance
          switch (m.similarity()) {
            case COSINE -> unit ? ip() : new String[] {"<=>", "cosine", "1 - (%s)"};
            case DOT -> ip();
            case EUCLIDEAN -> new String[] {"<->", "l2", "-(%s)"};
            case MANHATTAN -> new String[] {"<+>", "l1", "-(%s)"};
          };
      String score = String.format(Locale.ROOT, op[2], "embedding " + op[0] + " " + vector);
      return switch (meta.quantization()) {
        case NONE ->
            new VectorSql(
                "embedding",
                "vector_" + op[1] + "_ops",
                "embedding " + op[0] + " " + vector,
                score);
        case INT8 -> {
          String half = "(embedding::halfvec(" + d + "))";
          yield new VectorSql(
              half,
              "halfvec_" + op[1] + "_ops",
              half + " " + op[0] + " ?::halfvec(" + d + ")",
              score);
        }
        case BINARY -> {
          String bits = "(binary_quantize(embedding)::bit(" + d + "))";
          yield new VectorSql(
              bits, "bit_hamming_ops", bits + " <~> binary_quantize(" + vector + ")", score);
        }
        case INT4 -> throw new IllegalStateException("refused at create");
      };
    }

    private static String[] ip() {
      return new String[] {"<#>", "ip", "-(%s)"}; // <#> is the negative inner product
    }
  }

  /**
   * Refuses, before anything is created, what pgvector cannot index: int4, dimensions beyond its
   * HNSW limits, graph settings outside its ranges.
   */
  static void requireIndexable(IndexMetadata meta, StoreLocation location) {
    int d = meta.model().dimension();
    String where = "cannot create index at " + location + ": ";
    Quantization q = meta.quantization();
    if (q == Quantization.INT4) {
      throw new JembedException(
          where
              + "pgvector has no 4-bit vectors; use --quantization none (vector, 4 bytes a"
              + " dimension), int8 (halfvec, 2 bytes) or binary (bit, 1 bit, rescoring"
              + " recommended)");
    }
    int limit =
        switch (q) {
          case NONE -> 2000;
          case INT8 -> 4000;
          default -> 64000;
        };
    if (d > limit) {
      throw new JembedException(
          where
              + "pgvector's HNSW indexes "
              + (q == Quantization.NONE ? "vector" : q == Quantization.INT8 ? "halfvec" : "bit")
              + " up to "
              + limit
              + " dimensions and "
              + meta.model().id()
              + " has "
              + d
              + (q == Quantization.NONE ? ": use --quantization int8 (halfvec, up to 4000)" : ""));
    }
    if (meta.hnswM() > 100) {
      throw new JembedException(where + "pgvector's HNSW takes M up to 100, not " + meta.hnswM());
    }
    if (meta.beamWidth() < 2 * meta.hnswM() || meta.beamWidth() > 1000) {
      throw new JembedException(
          where
              + "pgvector's HNSW needs a beam width (ef_construction) from 2 * M = "
              + 2 * meta.hnswM()
              + " to 1000, not "
              + meta.beamWidth());
    }
  }
}
