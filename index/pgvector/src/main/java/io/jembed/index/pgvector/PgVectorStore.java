package io.jembed.index.pgvector;

import io.jembed.EmbeddingModel;
import io.jembed.JembedException;
import io.jembed.index.FieldType;
import io.jembed.index.IndexMetadata;
import io.jembed.index.StoreLocation;
import io.jembed.index.StoredDocument;
import io.jembed.index.spi.AbstractVectorStore;
import io.jembed.index.spi.StoreReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A {@link io.jembed.index.VectorStore} in PostgreSQL with pgvector: a table per index ({@link
 * PgSchema}), searched by {@link PgReader}, opened by {@link PgVectorStoreProvider} for {@code
 * postgresql://} locations.
 *
 * <p>Writes go into one transaction on one connection, held from the first write to {@link
 * #commit()}: a document's chunks are deleted and written again together (idempotent: the same
 * ingest run twice gives the same table), nothing is visible to any search until the commit, and
 * the index's metadata and counts are updated in the same commit. The transaction holds the table
 * in SHARE ROW EXCLUSIVE mode: one writer at a time, searches never wait. Rows go in with binary
 * COPY; when the table had no rows, its HNSW and GIN indexes are built once after the load is
 * committed, which is much faster than growing them row by row.
 */
public final class PgVectorStore extends AbstractVectorStore {
  /** Documents per COPY statement: each statement stays well within the statement timeout. */
  private static final int COPY_BATCH = 2000;

  private final PgDatabase database;
  private final PgSchema schema;
  private final Object writeLock = new Object();
  private Connection transaction; // the open write transaction, or null
  private boolean buildIndexes; // the table had no HNSW index when the transaction began
  private long pendingDocuments;
  private long pendingChunks;
  // words in a chunk on average, sampled for keyword search's BM25; sampled again after a commit
  private volatile double averageChunkLength = Double.NaN;

  PgVectorStore(
      StoreLocation.Postgres location,
      IndexMetadata metadata,
      EmbeddingModel model,
      boolean readOnly,
      PgDatabase database) {
    super(location, metadata, model, readOnly);
    this.database = database;
    this.schema = PgSchema.of(location);
  }

  PgSettings settings() {
    return database.settings();
  }

  PgSchema schema() {
    return schema;
  }

  /** The average chunk length in words, NaN until a search samples it. */
  double averageChunkLength() {
    return averageChunkLength;
  }

  void averageChunkLength(double average) {
    averageChunkLength = average;
  }

  /** The error for damaged rows, naming the table. */
  RuntimeException damagedError(String detail) {
    return damaged(detail);
  }

  @Override
  protected RuntimeException damaged(String detail) {
    return new JembedException(damagedMessage(detail + " (table " + schema.table + ")"));
  }

  // ----------------------------------------------------------------------------------- writing

  @Override
  protected void write(List<StoredDocument> documents, Map<String, FieldType> fields) {
    String unstorable = PgRows.unstorable(documents);
    if (unstorable != null) {
      throw new IllegalArgumentException(unstorable);
    }
    synchronized (writeLock) {
      try {
        Connection c = transaction();
        long[] gone = delete(c, documents.stream().map(StoredDocument::id).toList());
        long rows = 0;
        for (int i = 0; i < documents.size(); i += COPY_BATCH) {
          rows +=
              PgRows.copy(
                  c,
                  schema.table,
                  documents.subList(i, Math.min(documents.size(), i + COPY_BATCH)));
        }
        pendingChunks += rows - gone[0];
        pendingDocuments += documents.size() - gone[1];
      } catch (SQLException e) {
        throw abandon("writing documents", e);
      }
    }
  }

  @Override
  protected void remove(Collection<String> ids) {
    synchronized (writeLock) {
      try {
        long[] gone = delete(transaction(), List.copyOf(ids));
        pendingChunks -= gone[0];
        pendingDocuments -= gone[1];
      } catch (SQLException e) {
        throw abandon("deleting documents", e);
      }
    }
  }

  /** Deletes every chunk of the documents; returns {chunks, documents} deleted. */
  private long[] delete(Connection c, List<String> ids) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "WITH gone AS (DELETE FROM "
                + schema.table
                + " WHERE id = ANY (?) RETURNING chunk) SELECT count(*), count(*) FILTER (WHERE"
                + " chunk = 0) FROM gone")) {
      s.setArray(1, c.createArrayOf("text", ids.toArray()));
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return new long[] {r.getLong(1), r.getLong(2)};
      }
    }
  }

  /** The write transaction, begun at the first write: it locks out other writers. */
  private Connection transaction() throws SQLException {
    if (transaction == null) {
      Connection c = database.connection("writing documents");
      try {
        c.setAutoCommit(false);
        lockForWriting(c, schema);
        buildIndexes = !PgCatalog.hasVectorIndex(c, schema);
      } catch (SQLException | RuntimeException e) {
        closeQuietly(c);
        throw e;
      }
      transaction = c;
      pendingDocuments = 0;
      pendingChunks = 0;
    }
    return transaction;
  }

  static void lockForWriting(Connection c, PgSchema schema) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("LOCK TABLE " + schema.table + " IN SHARE ROW EXCLUSIVE MODE");
    }
  }

  @Override
  protected long persist(IndexMetadata metadata) {
    long documents;
    boolean build;
    synchronized (writeLock) {
      try {
        Connection c = transaction();
        try (PreparedStatement s =
            c.prepareStatement(
                "UPDATE "
                    + schema.metadataTable
                    + " SET metadata = ?::jsonb, documents = documents + ?, chunks = chunks + ?,"
                    + " updated = now() WHERE name = ? RETURNING documents")) {
          s.setString(1, metadata.toJson());
          s.setLong(2, pendingDocuments);
          s.setLong(3, pendingChunks);
          s.setString(4, schema.name);
          try (ResultSet r = s.executeQuery()) {
            if (!r.next()) {
              throw new JembedException(
                  "index at " + location() + " was dropped while it was open: nothing written");
            }
            documents = r.getLong(1);
          }
        }
        c.commit();
        averageChunkLength = Double.NaN;
        build = buildIndexes && documents > 0;
        release();
      } catch (SQLException e) {
        throw abandon("committing", e);
      } catch (RuntimeException e) {
        rollback();
        throw e;
      }
    }
    if (build) {
      buildIndexes(metadata);
    }
    return documents;
  }

  /**
   * Builds the HNSW and GIN indexes of a table loaded while it had none, in a transaction of its
   * own after the rows are committed: a failure here loses no document. Then gathers the table's
   * statistics at once rather than when autovacuum comes by: keyword search reads its words'.
   */
  private void buildIndexes(IndexMetadata metadata) {
    synchronized (writeLock) {
      try (Connection c = database.connection("building the search indexes")) {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
          lockForWriting(c, schema);
          if (!PgCatalog.hasVectorIndex(c, schema)) { // another writer may have built them
            s.execute("SET LOCAL statement_timeout = 0"); // a large build takes its time
            for (String ddl : schema.createIndexes(metadata)) {
              s.execute(ddl);
            }
            s.execute("ANALYZE " + schema.table); // the word statistics keyword search weighs by
          }
          c.commit();
        } catch (SQLException e) {
          c.rollback();
          throw e;
        }
      } catch (SQLException e) {
        JembedException error = PgErrors.of(settings(), "building the search indexes", e);
        throw new JembedException(
            error.getMessage()
                + ". The documents are committed; until the indexes exist, searches scan the"
                + " whole table. The next commit builds them again",
            e);
      }
    }
  }

  /** Rolls the transaction back after a failure; the error to throw says what was lost. */
  private JembedException abandon(String doing, SQLException e) {
    rollback();
    return PgErrors.ofWrite(settings(), doing, e);
  }

  private void rollback() {
    if (transaction != null) {
      try {
        transaction.rollback();
      } catch (SQLException ignored) {
        // the connection is gone: the server rolls back on its own
      }
      release();
    }
  }

  private void release() {
    closeQuietly(transaction);
    transaction = null;
    pendingDocuments = 0;
    pendingChunks = 0;
    buildIndexes = false;
  }

  // ----------------------------------------------------------------------------------- reading

  @Override
  protected StoreReader reader() {
    Connection c = database.connection("searching");
    try {
      c.setAutoCommit(false); // the driver sends BEGIN with the first statement
      try (Statement s = c.createStatement()) {
        s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      }
      return new PgReader(this, c);
    } catch (SQLException e) {
      closeQuietly(c);
      throw PgErrors.of(settings(), "searching", e);
    }
  }

  // ----------------------------------------------------------------------------------- closing

  @Override
  protected void closeStore() {
    synchronized (writeLock) {
      rollback(); // uncommitted writes are dropped, as the contract says
    }
    database.close();
  }

  static void closeQuietly(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception ignored) {
        // already failing with a better message, or nothing left to release
      }
    }
  }
}
