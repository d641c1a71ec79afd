package io.jembed.index.pgvector;

import io.jembed.index.StoreLocation;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * How to reach the database of a location: its libpq parameters read and checked, the user (the
 * location's, else PGUSER, else the system user) and the password (PGPASSWORD, else the password
 * file). {@link #toString()} never shows the password.
 *
 * @param connectTimeoutSeconds libpq's {@code connect_timeout}: how long to wait for the server to
 *     accept a connection and log in (default 10)
 * @param statementTimeout PostgreSQL's {@code statement_timeout} for every statement but index
 *     builds ({@code 60s} unless the location says otherwise; {@code 0} for none)
 * @param passwordWarning why the password file was ignored, or null
 */
record PgSettings(
    StoreLocation.Postgres location,
    String user,
    String password,
    String passwordWarning,
    int connectTimeoutSeconds,
    String statementTimeout,
    String options,
    Map<String, String> ssl,
    String applicationName) {

  static final int DEFAULT_CONNECT_TIMEOUT = 10;
  static final String DEFAULT_STATEMENT_TIMEOUT = "60s";

  /** The libpq parameters a location may carry, and jembed's own statement_timeout. */
  static final Set<String> PARAMETERS =
      Set.of(
          "connect_timeout",
          "statement_timeout",
          "application_name",
          "options",
          "passfile",
          "sslmode",
          "sslrootcert",
          "sslcert",
          "sslkey");

  private static final Pattern DURATION = Pattern.compile("\\d+\\s*(us|ms|s|min|h|d)?");

  /** Reads the location's parameters and finds the credentials in {@code environment}. */
  static PgSettings of(StoreLocation.Postgres location, Map<String, String> environment) {
    Map<String, String> p = location.parameters();
    for (String name : p.keySet()) {
      if (!PARAMETERS.contains(name)) {
        throw new IllegalArgumentException(
            "PostgreSQL location parameter '"
                + name
                + "' is not supported here: use "
                + String.join(", ", new TreeSet<>(PARAMETERS)));
      }
    }
    int connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    if (p.containsKey("connect_timeout")) {
      try {
        connectTimeout = Integer.parseInt(p.get("connect_timeout").trim());
      } catch (NumberFormatException e) {
        connectTimeout = -1;
      }
      if (connectTimeout < 1) {
        throw new IllegalArgumentException(
            "connect_timeout must be a whole number of seconds, at least 1, got '"
                + p.get("connect_timeout")
                + "'");
      }
    }
    String statementTimeout = p.getOrDefault("statement_timeout", DEFAULT_STATEMENT_TIMEOUT).trim();
    if (!DURATION.matcher(statementTimeout).matches()) {
      throw new IllegalArgumentException(
          "statement_timeout must be a duration such as 30s, 5min or 5000 (milliseconds), got '"
              + statementTimeout
              + "'");
    }
    String user = location.effectiveUser(environment);
    String password = environment.get("PGPASSWORD");
    String warning = null;
    if (password == null || password.isEmpty()) {
      PgPass.Lookup found =
          PgPass.find(
              p.get("passfile"),
              environment,
              location.host(),
              location.port(),
              location.database(),
              user);
      password = found.password();
      warning = found.warning();
    }
    Map<String, String> ssl = new java.util.TreeMap<>();
    for (String name : p.keySet()) {
      if (name.startsWith("ssl")) {
        ssl.put(name, p.get(name));
      }
    }
    return new PgSettings(
        location,
        user,
        password,
        warning,
        connectTimeout,
        statementTimeout,
        p.get("options"),
        Map.copyOf(ssl),
        p.getOrDefault("application_name", "jembed"));
  }

  /** {@code host:port}, as errors name the server. */
  String address() {
    String host = location.host();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + location.port();
  }

  /** The server options every connection starts with: the statement timeout, then the user's. */
  String serverOptions() {
    String timeout = "-c statement_timeout=" + statementTimeout.replace(" ", "");
    return options == null || options.isBlank() ? timeout : timeout + " " + options;
  }

  @Override
  public String toString() {
    return "PgSettings[" + address() + ", user " + user + "]"; // never the password
  }
}
