package io.jembed.bench;

import io.jembed.index.StoreLocation;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * PostgreSQL's own bulk rate, the yardstick of jembed's ingest: the rows jembed wrote, exported by
 * the server itself ({@code COPY ... TO STDOUT (FORMAT binary)}) into a file, then loaded into an
 * empty table of the same shape with {@code COPY ... FROM STDIN (FORMAT binary)} and indexed with
 * the same HNSW and GIN definitions. No client work at all: what the database does when fed as fast
 * as it can be.
 */
final class PgBulkBaseline {
  private static final String COLUMNS =
      "id, chunk, start_offset, end_offset, text, source, metadata, embedding";

  private PgBulkBaseline() {}

  /** Seconds to load the table's rows into a copy and index it: {copy, indexes}. */
  static double[] measure(StoreLocation.Postgres location, Path work)
      throws SQLException, IOException {
    String table = location.table();
    String copy = table + "_baseline";
    Path file = work.resolve(copy + ".bin");
    try (Connection c = connect(location)) {
      CopyManager copies = c.unwrap(PGConnection.class).getCopyAPI();
      try (OutputStream out = Files.newOutputStream(file)) {
        copies.copyOut(
            "COPY (SELECT " + COLUMNS + " FROM " + table + ") TO STDOUT (FORMAT binary)", out);
      }
      List<String> indexes = new ArrayList<>();
      try (Statement s = c.createStatement()) {
        s.execute("DROP TABLE IF EXISTS " + copy);
        s.execute(
            "CREATE TABLE "
                + copy
                + " (LIKE "
                + table
                + " INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING CONSTRAINTS)");
        s.execute("ALTER TABLE " + copy + " ADD PRIMARY KEY (id, chunk)");
        try (ResultSet r =
            s.executeQuery(
                "SELECT indexdef FROM pg_indexes WHERE tablename = '"
                    + table
                    + "' AND indexdef NOT LIKE '%UNIQUE%'")) {
          while (r.next()) {
            indexes.add(
                r.getString(1)
                    .replaceFirst(
                        "CREATE INDEX \\S+ ON \\S+ USING", "CREATE INDEX ON " + copy + " USING"));
          }
        }
      }
      c.setAutoCommit(false);
      long t = System.nanoTime();
      try (InputStream in = Files.newInputStream(file)) {
        copies.copyIn("COPY " + copy + " (" + COLUMNS + ") FROM STDIN (FORMAT binary)", in);
      }
      c.commit();
      double load = (System.nanoTime() - t) / 1e9;
      t = System.nanoTime();
      try (Statement s = c.createStatement()) {
        s.execute("SET LOCAL statement_timeout = 0");
        for (String index : indexes) {
          s.execute(index);
        }
      }
      c.commit();
      double index = (System.nanoTime() - t) / 1e9;
      c.setAutoCommit(true);
      try (Statement s = c.createStatement()) {
        s.execute("DROP TABLE " + copy);
      }
      return new double[] {load, index};
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /**
   * A plain JDBC connection to the location's database, the password from PGPASSWORD, with the
   * location's server {@code options} (so that both loads get the same maintenance_work_mem).
   */
  static Connection connect(StoreLocation.Postgres location) throws SQLException {
    Properties p = new Properties();
    String options = location.parameters().get("options");
    if (options != null) {
      p.setProperty("options", options);
    }
    p.setProperty("user", location.effectiveUser(System.getenv()));
    String password = System.getenv("PGPASSWORD");
    if (password != null) {
      p.setProperty("password", password);
    }
    return DriverManager.getConnection(
        "jdbc:postgresql://" + location.host() + ":" + location.port() + "/" + location.database(),
        p);
  }
}
