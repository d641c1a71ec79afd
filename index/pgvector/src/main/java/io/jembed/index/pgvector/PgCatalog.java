package io.jembed.index.pgvector;

import io.jembed.JembedException;
import io.jembed.index.IndexMetadata;
import io.jembed.index.StoreLocation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What the database knows about an index: pgvector's presence and version, whether the table and
 * its row in {@value PgSchema#METADATA_TABLE} exist, the recorded {@link IndexMetadata} (checked
 * against the table: a table made for another dimension is refused), and the table's indexes.
 */
final class PgCatalog {
  /** Iterative index scans (filters inside the HNSW search) came with 0.8. */
  static final String PGVECTOR_MIN = "0.8.0";

  private PgCatalog() {}

  /** pgvector's version in this database, or null when the extension is not created. */
  static String pgvectorVersion(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery("SELECT extversion FROM pg_extension WHERE extname = 'vector'")) {
      return r.next() ? r.getString(1) : null;
    }
  }

  /**
   * Makes sure pgvector is there and new enough, creating the extension when {@code create} (which
   * needs the right to).
   */
  static void requirePgvector(Connection c, PgSettings settings, boolean create)
      throws SQLException {
    String version = pgvectorVersion(c);
    String where = "index at " + settings.location() + ": ";
    if (version == null && create) {
      boolean available;
      try (Statement s = c.createStatement();
          ResultSet r =
              s.executeQuery("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")) {
        available = r.next();
      }
      if (!available) {
        throw new JembedException(
            where
                + "PostgreSQL at "
                + settings.address()
                + " has no pgvector extension installed: install pgvector "
                + PGVECTOR_MIN
                + " or newer on the server (https://github.com/pgvector/pgvector)");
      }
      try (Statement s = c.createStatement()) {
        s.execute("SAVEPOINT extension");
        s.execute("CREATE EXTENSION IF NOT EXISTS vector");
        s.execute("RELEASE SAVEPOINT extension");
      } catch (SQLException e) {
        if (!"42501".equals(e.getSQLState())) {
          throw e;
        }
        throw new JembedException(
            where
                + "pgvector is not enabled in database '"
                + settings.location().database()
                + "' and user '"
                + settings.user()
                + "' may not enable it: run CREATE EXTENSION vector; there as a superuser",
            e);
      }
      version = pgvectorVersion(c);
    }
    if (version == null) {
      throw new JembedException(
          where
              + "pgvector is not enabled in database '"
              + settings.location().database()
              + "': run CREATE EXTENSION vector; there");
    }
    if (compareVersions(version, PGVECTOR_MIN) < 0) {
      throw new JembedException(
          where
              + "pgvector "
              + version
              + " is too old: jembed needs "
              + PGVECTOR_MIN
              + " or newer (iterative index scans): ALTER EXTENSION vector UPDATE; after"
              + " installing it on the server");
    }
  }

  static int compareVersions(String a, String b) {
    String[] x = a.split("[.\\-]");
    String[] y = b.split("[.\\-]");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      int p = i < x.length ? leadingNumber(x[i]) : 0;
      int q = i < y.length ? leadingNumber(y[i]) : 0;
      if (p != q) {
        return Integer.compare(p, q);
      }
    }
    return 0;
  }

  private static int leadingNumber(String part) {
    int n = 0;
    for (int i = 0; i < part.length() && Character.isDigit(part.charAt(i)); i++) {
      n = n * 10 + (part.charAt(i) - '0');
    }
    return n;
  }

  static boolean exists(Connection c, String quotedName) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      s.setString(1, quotedName);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getBoolean(1);
      }
    }
  }

  /** The recorded metadata of the index, or null when it has no row (or there is no table). */
  static String metadataJson(Connection c, PgSchema schema) throws SQLException {
    if (!exists(c, schema.metadataTable)) {
      return null;
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT metadata::text FROM " + schema.metadataTable + " WHERE name = ?")) {
      s.setString(1, schema.name);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? r.getString(1) : null;
      }
    }
  }

  /** The index's metadata, after checking that pgvector is there. */
  static IndexMetadata describe(Connection c, PgSettings settings) throws SQLException {
    requirePgvector(c, settings, false);
    return read(c, PgSchema.of(settings.location()), settings.location());
  }

  /**
   * The index's metadata, with a clear error when there is none or when the table does not hold
   * vectors of the recorded dimension.
   */
  static IndexMetadata read(Connection c, PgSchema schema, StoreLocation location)
      throws SQLException {
    String json = metadataJson(c, schema);
    boolean table = exists(c, schema.table);
    if (json == null) {
      throw new JembedException(
          table
              ? "table "
                  + schema.table
                  + " at "
                  + location
                  + " is not a jembed index (it has no row in "
                  + PgSchema.METADATA_TABLE
                  + ")"
              : "no index at " + location + ": table " + schema.table + " does not exist");
    }
    IndexMetadata meta = IndexMetadata.fromJson(json, "index at " + location);
    if (!table) {
      throw new JembedException(
          "index at "
              + location
              + " is damaged: "
              + PgSchema.METADATA_TABLE
              + " describes it but table "
              + schema.table
              + " does not exist. Drop the index and build it again");
    }
    int dimension = vectorDimension(c, schema);
    if (dimension != meta.model().dimension()) {
      throw new JembedException(
          "index at "
              + location
              + " records model "
              + meta.model().id()
              + " with "
              + meta.model().dimension()
              + "-d vectors, but table "
              + schema.table
              + " holds "
              + (dimension < 0 ? "no vector column 'embedding'" : dimension + "-d vectors")
              + ": it was made for another model. Use another table");
    }
    return meta;
  }

  /** The dimension of the table's {@code embedding} column, or -1 if it has none. */
  static int vectorDimension(Connection c, PgSchema schema) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT a.atttypmod, t.typname FROM pg_attribute a JOIN pg_type t ON t.oid ="
                + " a.atttypid WHERE a.attrelid = ?::regclass AND a.attname = 'embedding' AND"
                + " NOT a.attisdropped")) {
      s.setString(1, schema.table);
      try (ResultSet r = s.executeQuery()) {
        return r.next() && r.getString(2).equals("vector") ? r.getInt(1) : -1;
      }
    }
  }

  /** Whether the table has its HNSW index (it has none until the first load is committed). */
  static boolean hasVectorIndex(Connection c, PgSchema schema) throws SQLException {
    return !indexes(c, schema, "hnsw").isEmpty();
  }

  /**
   * The table's indexes of one access method (all when null): {name, access method, definition,
   * bytes, valid}.
   */
  static List<String[]> indexes(Connection c, PgSchema schema, String method) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT ic.relname, am.amname, pg_get_indexdef(i.indexrelid),"
                + " pg_relation_size(i.indexrelid), i.indisvalid FROM pg_index i JOIN pg_class ic"
                + " ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam WHERE i.indrelid"
                + " = ?::regclass AND (?::text IS NULL OR am.amname = ?) ORDER BY ic.relname")) {
      s.setString(1, schema.table);
      s.setString(2, method);
      s.setString(3, method);
      List<String[]> out = new ArrayList<>();
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.add(
              new String[] {
                r.getString(1),
                r.getString(2),
                r.getString(3),
                Long.toString(r.getLong(4)),
                Boolean.toString(r.getBoolean(5))
              });
        }
      }
      return out;
    }
  }
}
