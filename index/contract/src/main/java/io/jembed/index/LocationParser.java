package io.jembed.index;

import io.jembed.index.StoreLocation.Folder;
import io.jembed.index.StoreLocation.OpenSearch;
import io.jembed.index.StoreLocation.Postgres;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@link StoreLocation#parse}: the rules of each kind of location. */
final class LocationParser {
  private static final Pattern SCHEME =
      Pattern.compile("^([A-Za-z][A-Za-z0-9+.\\-]*):(//)?(.*)$", Pattern.DOTALL);

  /** host (or [v6 address]), port, /path, ?query: what follows the user part. */
  private static final Pattern AUTHORITY =
      Pattern.compile(
          "^(\\[[^\\]]*\\]|[^:/?\\[\\]]*)(?::([^/?]*))?(/[^?]*)?(?:\\?(.*))?$", Pattern.DOTALL);

  private static final Pattern TABLE =
      Pattern.compile("([A-Za-z_][A-Za-z0-9_]{0,62}\\.)?[A-Za-z_][A-Za-z0-9_]{0,62}");
  private static final String KINDS =
      "a folder path, postgresql://[user@]host:port/database?table=name or"
          + " opensearch://host:port/index";

  private LocationParser() {}

  static StoreLocation parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty index location: write " + KINDS);
    }
    Matcher m = SCHEME.matcher(text.trim());
    if (!m.matches()) {
      return new Folder(Path.of(text));
    }
    String scheme = m.group(1).toLowerCase(Locale.ROOT);
    boolean slashes = m.group(2) != null;
    String rest = m.group(3);
    boolean known =
        switch (scheme) {
          case "file", "postgresql", "postgres", "opensearch", "opensearch+https" -> true;
          default -> false;
        };
    if (!slashes && !known) {
      return new Folder(Path.of(text)); // a folder name with a colon in it, such as notes:2024
    }
    if (!known) {
      throw new IllegalArgumentException(
          "unknown index location scheme '" + scheme + "://': a location is " + KINDS);
    }
    if (!slashes) {
      throw new IllegalArgumentException(
          "index location '" + scheme + ":' needs '//': write " + scheme + "://...");
    }
    return switch (scheme) {
      case "file" -> file(text.trim());
      case "postgresql", "postgres" -> postgres(rest);
      default -> openSearch(scheme.endsWith("+https"), rest);
    };
  }

  private static Folder file(String text) {
    try {
      return new Folder(Path.of(URI.create(text)));
    } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
      throw new IllegalArgumentException(
          "bad file location '" + text + "': write file:///absolute/path or just the path");
    }
  }

  private static Postgres postgres(String rest) {
    String usage = "write postgresql://[user@]host:port/database?table=name";
    String userInfo = userInfo(rest);
    Matcher m = AUTHORITY.matcher(afterUserInfo(rest));
    if (!m.matches()) {
      throw new IllegalArgumentException("bad PostgreSQL location: " + usage);
    }
    Map<String, String> params = query(m.group(4), "PostgreSQL", usage);
    if ((userInfo != null && userInfo.contains(":")) || params.containsKey("password")) {
      throw new IllegalArgumentException(
          "a password in a PostgreSQL location is refused (it would show in shell histories,"
              + " process lists and logs): set PGPASSWORD or put it in ~/.pgpass");
    }
    String host = host(m.group(1), "PostgreSQL", usage);
    int port = port(m.group(2), 5432, "PostgreSQL", usage);
    String database = m.group(3) == null ? "" : decode(m.group(3).substring(1));
    if (database.isEmpty() || database.contains("/")) {
      throw new IllegalArgumentException("PostgreSQL location has no database name: " + usage);
    }
    String table = params.remove("table");
    if (table == null || table.isEmpty()) {
      throw new IllegalArgumentException(
          "PostgreSQL location names no table: add ?table=name (" + usage + ")");
    }
    if (!TABLE.matcher(table).matches()) {
      throw new IllegalArgumentException(
          "table name '"
              + table
              + "' must be letters, digits and '_' (at most 63), optionally schema.table");
    }
    String user = params.remove("user");
    if (userInfo != null && !userInfo.isEmpty()) {
      user = decode(userInfo);
    }
    return new Postgres(user, host, port, database, table, params);
  }

  /** What stands before the last '@' of the part before '?', or null: the user (and password). */
  private static String userInfo(String rest) {
    int q = rest.indexOf('?');
    String beforeQuery = q < 0 ? rest : rest.substring(0, q);
    int at = beforeQuery.lastIndexOf('@');
    return at < 0 ? null : beforeQuery.substring(0, at);
  }

  private static String afterUserInfo(String rest) {
    String userInfo = userInfo(rest);
    return userInfo == null ? rest : rest.substring(userInfo.length() + 1);
  }

  private static OpenSearch openSearch(boolean tls, String rest) {
    String usage = "write opensearch://host:port/index (opensearch+https:// for TLS)";
    if (userInfo(rest) != null) {
      throw new IllegalArgumentException(
          "credentials in an OpenSearch location are refused (they would show in shell"
              + " histories, process lists and logs): set OPENSEARCH_USERNAME and"
              + " OPENSEARCH_PASSWORD");
    }
    Matcher m = AUTHORITY.matcher(rest);
    if (!m.matches()) {
      throw new IllegalArgumentException("bad OpenSearch location: " + usage);
    }
    if (m.group(4) != null) {
      throw new IllegalArgumentException("an OpenSearch location takes no parameters: " + usage);
    }
    String host = host(m.group(1), "OpenSearch", usage);
    int port = port(m.group(2), 9200, "OpenSearch", usage);
    String index = m.group(3) == null ? "" : decode(m.group(3).substring(1));
    if (index.isEmpty()) {
      throw new IllegalArgumentException("OpenSearch location names no index: " + usage);
    }
    if (!index.equals(index.toLowerCase(Locale.ROOT))
        || index.matches(".*[\\\\/*?\"<>| ,#:].*")
        || index.startsWith("_")
        || index.startsWith("-")
        || index.startsWith("+")
        || index.equals(".")
        || index.equals("..")
        || index.getBytes(StandardCharsets.UTF_8).length > 255) {
      throw new IllegalArgumentException(
          "OpenSearch index name '"
              + index
              + "' is not allowed: lowercase, no spaces or \\ / * ? \" < > | , # :, not"
              + " starting with _ - +");
    }
    return new OpenSearch(tls, host, port, index);
  }

  private static String host(String host, String kind, String usage) {
    if (host == null || host.isEmpty() || host.equals("[]")) {
      throw new IllegalArgumentException(kind + " location names no host: " + usage);
    }
    if (host.contains(",")) {
      throw new IllegalArgumentException(kind + " location names more than one host: " + usage);
    }
    return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
  }

  private static int port(String port, int standard, String kind, String usage) {
    if (port == null || port.isEmpty()) {
      return standard;
    }
    try {
      int p = Integer.parseInt(port);
      if (p >= 1 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // the clear message below
    }
    throw new IllegalArgumentException(
        kind + " location has a bad port '" + port + "': 1 to 65535 (" + usage + ")");
  }

  private static Map<String, String> query(String query, String kind, String usage) {
    Map<String, String> params = new TreeMap<>();
    if (query == null || query.isEmpty()) {
      return params;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            kind + " location has a parameter without a value: " + usage);
      }
      params.put(
          decode(pair.substring(0, eq)).toLowerCase(Locale.ROOT), decode(pair.substring(eq + 1)));
    }
    return params;
  }

  static String encode(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad %-escape in index location");
    }
  }
}
