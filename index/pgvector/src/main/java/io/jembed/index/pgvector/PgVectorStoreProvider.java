package io.jembed.index.pgvector;

import io.jembed.EmbeddingModel;
import io.jembed.JembedException;
import io.jembed.index.IndexMetadata;
import io.jembed.index.IndexOptions;
import io.jembed.index.StoreCheck;
import io.jembed.index.StoreLocation;
import io.jembed.index.VectorStore;
import io.jembed.index.spi.VectorStoreProvider;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Serves {@code postgresql://[user@]host:port/database?table=name} locations with {@link
 * PgVectorStore}: creates, opens, describes, drops and checks the table of an index.
 */
public final class PgVectorStoreProvider implements VectorStoreProvider {
  /** Serializes creating, dropping and renaming indexes in a database (an advisory lock key). */
  private static final long CATALOG_LOCK = 0x6A656D626564L; // "jembed"

  @Override
  public String scheme() {
    return "postgresql";
  }

  @Override
  public VectorStore create(
      StoreLocation location, IndexMetadata metadata, EmbeddingModel model, IndexOptions options) {
    StoreLocation.Postgres pg = postgres(location);
    PgSchema.requireIndexable(metadata, location);
    PgSettings settings = PgDatabase.settings(pg);
    PgSchema schema = PgSchema.of(pg);
    inTransaction(
        settings,
        "creating the index",
        c -> {
          try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(" + CATALOG_LOCK + ")");
            PgCatalog.requirePgvector(c, settings, true);
            if (PgCatalog.exists(c, schema.table)) {
              throw new JembedException(
                  "cannot create index at "
                      + location
                      + ": table "
                      + schema.table
                      + " exists already"
                      + (PgCatalog.metadataJson(c, schema) != null
                          ? " and holds an index"
                          : " (it is not a jembed index)"));
            }
            s.execute(schema.createMetadataTable());
            s.execute(schema.createTable(metadata.model().dimension()));
          }
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO "
                      + schema.metadataTable
                      + " (name, metadata, documents, chunks) VALUES (?, ?::jsonb, 0, 0) ON"
                      + " CONFLICT (name) DO UPDATE SET metadata = excluded.metadata, documents ="
                      + " 0, chunks = 0, updated = now()")) {
            s.setString(1, schema.name);
            s.setString(2, metadata.toJson());
            s.executeUpdate();
          }
          return null;
        });
    return new PgVectorStore(pg, metadata, model, false, PgDatabase.open(settings));
  }

  @Override
  public VectorStore open(StoreLocation location, EmbeddingModel model, boolean readOnly) {
    StoreLocation.Postgres pg = postgres(location);
    PgSettings settings = PgDatabase.settings(pg);
    PgDatabase database = PgDatabase.open(settings);
    try {
      IndexMetadata meta;
      try (Connection c = database.connection("opening the index")) {
        meta = PgCatalog.describe(c, settings);
      } catch (SQLException e) {
        throw PgErrors.of(settings, "opening the index", e);
      }
      if (model != null) {
        meta.requireModel(location, model.info());
      }
      return new PgVectorStore(pg, meta, model, readOnly, database);
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
  }

  @Override
  public IndexMetadata describe(StoreLocation location) {
    StoreLocation.Postgres pg = postgres(location);
    PgSettings settings = PgDatabase.settings(pg);
    return inTransaction(
        settings, "reading the index's metadata", c -> PgCatalog.describe(c, settings));
  }

  @Override
  public boolean exists(StoreLocation location) {
    StoreLocation.Postgres pg = postgres(location);
    PgSchema schema = PgSchema.of(pg);
    return inTransaction(
        PgDatabase.settings(pg),
        "looking for the index",
        c -> PgCatalog.exists(c, schema.table) || PgCatalog.metadataJson(c, schema) != null);
  }

  @Override
  public void drop(StoreLocation location) {
    StoreLocation.Postgres pg = postgres(location);
    PgSchema schema = PgSchema.of(pg);
    inTransaction(
        PgDatabase.settings(pg),
        "dropping the index",
        c -> {
          try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(" + CATALOG_LOCK + ")");
            s.execute("DROP TABLE IF EXISTS " + schema.table);
          }
          deleteRow(c, schema);
          return null;
        });
  }

  /** Drops the old table and renames the new one in its place, in one transaction. */
  @Override
  public void replace(StoreLocation replacement, StoreLocation location) {
    StoreLocation.Postgres target = postgres(location);
    StoreLocation.Postgres fresh = postgres(replacement);
    PgSchema from = PgSchema.of(fresh);
    PgSchema to = PgSchema.of(target);
    if (!fresh.host().equals(target.host())
        || fresh.port() != target.port()
        || !fresh.database().equals(target.database())
        || !from.metadataTable.equals(to.metadataTable)) {
      throw new IllegalArgumentException(
          replacement + " cannot replace " + location + ": not in the same database and schema");
    }
    inTransaction(
        PgDatabase.settings(target),
        "replacing the index",
        c -> {
          try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(" + CATALOG_LOCK + ")");
            s.execute("DROP TABLE IF EXISTS " + to.table);
            s.execute("ALTER TABLE " + from.table + " RENAME TO " + PgSchema.quote(to.name));
          }
          deleteRow(c, to);
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE " + to.metadataTable + " SET name = ?, updated = now() WHERE name = ?")) {
            s.setString(1, to.name);
            s.setString(2, from.name);
            s.executeUpdate();
          }
          return null;
        });
  }

  private static void deleteRow(Connection c, PgSchema schema) throws SQLException {
    if (PgCatalog.exists(c, schema.metadataTable)) {
      try (PreparedStatement s =
          c.prepareStatement("DELETE FROM " + schema.metadataTable + " WHERE name = ?")) {
        s.setString(1, schema.name);
        s.executeUpdate();
      }
    }
  }

  /**
   * The database's own view first (the search indexes, the counts the metadata table records
   * against the rows, every document's chunks numbered from 0), then every document and vector read
   * through the contract.
   */
  @Override
  public StoreCheck check(StoreLocation location) {
    StoreLocation.Postgres pg = postgres(location);
    PgSettings settings = PgDatabase.settings(pg);
    PgSchema schema = PgSchema.of(pg);
    List<String> problems =
        inTransaction(
            settings,
            "checking the index",
            c -> {
              List<String> found = new ArrayList<>();
              IndexMetadata meta = PgCatalog.read(c, schema, pg);
              long[] recorded = new long[2];
              try (PreparedStatement s =
                  c.prepareStatement(
                      "SELECT documents, chunks FROM "
                          + schema.metadataTable
                          + " WHERE name = ?")) {
                s.setString(1, schema.name);
                try (ResultSet r = s.executeQuery()) {
                  r.next();
                  recorded[0] = r.getLong(1);
                  recorded[1] = r.getLong(2);
                }
              }
              try (Statement s = c.createStatement();
                  ResultSet r =
                      s.executeQuery(
                          "SELECT count(*) FILTER (WHERE chunk = 0), count(*) FROM "
                              + schema.table)) {
                r.next();
                if (r.getLong(1) != recorded[0] || r.getLong(2) != recorded[1]) {
                  found.add(
                      String.format(
                          java.util.Locale.ROOT,
                          "table %s holds %d documents in %d chunks, but %s records %d in %d",
                          schema.table,
                          r.getLong(1),
                          r.getLong(2),
                          PgSchema.METADATA_TABLE,
                          recorded[0],
                          recorded[1]));
                }
              }
              try (Statement s = c.createStatement();
                  ResultSet r =
                      s.executeQuery(
                          "SELECT id FROM "
                              + schema.table
                              + " GROUP BY id HAVING min(chunk) <> 0 OR max(chunk) <> count(*) - 1"
                              + " ORDER BY id LIMIT 10")) {
                while (r.next()) {
                  found.add("document '" + r.getString(1) + "' has missing chunks");
                }
              }
              List<String[]> indexes = PgCatalog.indexes(c, schema, null);
              for (String[] index : indexes) {
                if (!Boolean.parseBoolean(index[4])) {
                  found.add(
                      "index "
                          + index[0]
                          + " is invalid (an interrupted build): drop it, and the next commit"
                          + " builds it again");
                }
              }
              boolean hnsw = indexes.stream().anyMatch(i -> i[1].equals("hnsw"));
              if (!hnsw && recorded[0] > 0) {
                found.add(
                    "table "
                        + schema.table
                        + " has no HNSW index: searches scan the whole table; the next commit"
                        + " builds it ("
                        + meta.quantization().externalName()
                        + ")");
              }
              return found;
            });
    return StoreCheck.readEverything(this, location).after(problems);
  }

  // ---------------------------------------------------------------------------------- helpers

  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** Runs {@code work} in a transaction on a connection of its own. */
  private static <T> T inTransaction(PgSettings settings, String doing, Work<T> work) {
    try (Connection c = PgDatabase.connect(settings, doing)) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException ignored) {
          // the connection is gone: the server rolls back on its own
        }
        throw e;
      }
    } catch (SQLException e) {
      throw PgErrors.of(settings, doing, e);
    }
  }

  private static StoreLocation.Postgres postgres(StoreLocation location) {
    if (location instanceof StoreLocation.Postgres p) {
      return p;
    }
    throw new IllegalArgumentException(location + " is not a postgresql:// location");
  }
}
