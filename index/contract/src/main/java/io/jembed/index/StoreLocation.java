package io.jembed.index;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Where an index lives. Written as text on the command line and in configuration:
 *
 * <ul>
 *   <li>a folder path: the embedded Lucene index ({@code my-index}, {@code /data/idx}, {@code
 *       file:///data/idx});
 *   <li>{@code postgresql://[user@]host[:port]/database?table=name} (libpq's URI form; {@code
 *       postgres://} too): PostgreSQL with pgvector. The user may also come from PGUSER, the
 *       password from PGPASSWORD or ~/.pgpass;
 *   <li>{@code opensearch://host[:port]/index}, {@code opensearch+https://...} for TLS: credentials
 *       from OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD.
 * </ul>
 *
 * A password written into a location is refused (it would end up in shell histories, process lists
 * and logs), and the refusal does not repeat it. A location with a scheme jembed does not know is
 * an error, never a folder name. {@link #toString()} writes the location back as text.
 */
public sealed interface StoreLocation {

  /** The kind of store: {@code folder}, {@code postgresql} or {@code opensearch}. */
  String scheme();

  /** The module whose {@link io.jembed.index.spi.VectorStoreProvider} serves this location. */
  String module();

  /**
   * A location beside this one, for a store built to replace it ({@code reindex}): the folder
   * {@code idx.reindex}, the table {@code docs_reindex}, the index {@code docs-reindex}.
   */
  StoreLocation sibling(String suffix);

  /** An index in a folder: the embedded Lucene store. */
  record Folder(Path path) implements StoreLocation {
    public Folder {
      Objects.requireNonNull(path, "path");
    }

    @Override
    public String scheme() {
      return "folder";
    }

    @Override
    public String module() {
      return "jembed-index-lucene";
    }

    @Override
    public Folder sibling(String suffix) {
      Path absolute = path.toAbsolutePath().normalize();
      return new Folder(absolute.resolveSibling(absolute.getFileName() + "." + suffix));
    }

    @Override
    public String toString() {
      return path.toString();
    }
  }

  /**
   * A table in PostgreSQL with pgvector.
   *
   * @param user the user written in the location, or null (then PGUSER, then the system user)
   * @param parameters further libpq parameters (sslmode, ...), passed on to the connection
   */
  record Postgres(
      String user,
      String host,
      int port,
      String database,
      String table,
      Map<String, String> parameters)
      implements StoreLocation {
    public Postgres {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(database, "database");
      Objects.requireNonNull(table, "table");
      parameters = java.util.Collections.unmodifiableMap(new TreeMap<>(parameters));
    }

    @Override
    public String scheme() {
      return "postgresql";
    }

    @Override
    public String module() {
      return "jembed-index-pgvector";
    }

    @Override
    public Postgres sibling(String suffix) {
      return new Postgres(user, host, port, database, table + "_" + suffix, parameters);
    }

    /** The user to connect as: the location's, else PGUSER, else the system user (as libpq). */
    public String effectiveUser(Map<String, String> environment) {
      if (user != null) {
        return user;
      }
      String pgUser = environment.get("PGUSER");
      return pgUser != null && !pgUser.isBlank() ? pgUser : System.getProperty("user.name");
    }

    @Override
    public String toString() {
      StringBuilder b = new StringBuilder("postgresql://");
      if (user != null) {
        b.append(LocationParser.encode(user)).append('@');
      }
      b.append(host.contains(":") ? "[" + host + "]" : host).append(':').append(port);
      b.append('/').append(LocationParser.encode(database)).append("?table=").append(table);
      parameters.forEach(
          (k, v) -> b.append('&').append(k).append('=').append(LocationParser.encode(v)));
      return b.toString();
    }
  }

  /** An index in OpenSearch. */
  record OpenSearch(boolean tls, String host, int port, String index) implements StoreLocation {
    public OpenSearch {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(index, "index");
    }

    @Override
    public String scheme() {
      return "opensearch";
    }

    @Override
    public String module() {
      return "jembed-index-opensearch";
    }

    @Override
    public OpenSearch sibling(String suffix) {
      return new OpenSearch(tls, host, port, index + "-" + suffix);
    }

    @Override
    public String toString() {
      return (tls ? "opensearch+https://" : "opensearch://")
          + (host.contains(":") ? "[" + host + "]" : host)
          + ":"
          + port
          + "/"
          + index;
    }
  }

  // ---------------------------------------------------------------------------------- parsing

  /** The folder location of a path. */
  static StoreLocation of(Path folder) {
    return new Folder(folder);
  }

  /**
   * Reads a location: a folder path, {@code postgresql://...} or {@code opensearch://...}.
   *
   * @throws IllegalArgumentException for an unknown scheme, a malformed location or a password in
   *     it (the message never repeats a password)
   */
  static StoreLocation parse(String text) {
    return LocationParser.parse(text);
  }
}
