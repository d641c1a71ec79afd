package io.jembed.testing;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;

/**
 * The real test servers as the environment describes them ({@code ./test-all} sets the variables):
 * where PostgreSQL, OpenSearch and Chromium are, and whether their absence skips or fails a test.
 */
public final class TestServers {
  /** {@code postgresql://user@127.0.0.1:PORT/database}; the password is in {@link #PGPASSWORD}. */
  public static final String POSTGRES = "JEMBED_TEST_POSTGRES";

  /**
   * The PostgreSQL password, under libpq's own name so that {@code psql "$JEMBED_TEST_POSTGRES"}
   * works.
   */
  public static final String PGPASSWORD = "PGPASSWORD";

  /** {@code http://127.0.0.1:PORT}. */
  public static final String OPENSEARCH = "JEMBED_TEST_OPENSEARCH";

  /** The Chromium executable: {@code /usr/bin/chromium}. */
  public static final String CHROMIUM = "JEMBED_TEST_CHROMIUM";

  /** The ChromeDriver executable: {@code /usr/bin/chromedriver}. */
  public static final String CHROMEDRIVER = "JEMBED_TEST_CHROMEDRIVER";

  /** {@code 1}: a test whose server is missing fails instead of being skipped. */
  public static final String REQUIRED = "JEMBED_TEST_SERVERS_REQUIRED";

  /**
   * The flags Chromium needs here: no display, no sandbox (tests may run as root), and no
   * background connections (the network is closed: without these Chromium keeps failing to reach
   * its services). Add a fresh {@code --user-data-dir}.
   */
  public static final List<String> CHROMIUM_HEADLESS_FLAGS =
      List.of(
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--no-first-run");

  private final Map<String, String> environment;

  private TestServers(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  /** The servers this JVM's environment describes. */
  public static TestServers fromEnvironment() {
    return new TestServers(System.getenv());
  }

  /** The servers a given environment describes (tests of this class). */
  public static TestServers of(Map<String, String> environment) {
    return new TestServers(environment);
  }

  /** Whether a missing server fails the tests: {@code JEMBED_TEST_SERVERS_REQUIRED=1} or in CI. */
  public boolean required() {
    return "1".equals(value(REQUIRED)) || "true".equalsIgnoreCase(value("CI"));
  }

  /**
   * What is missing for the server ("JEMBED_TEST_POSTGRES is not set"), or empty if it is there.
   */
  public Optional<String> missing(TestServer server) {
    List<String> unset = server.variables().stream().filter(v -> value(v) == null).toList();
    if (unset.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        String.join(" and ", unset) + (unset.size() == 1 ? " is" : " are") + " not set");
  }

  /** Why a test that needs the server is skipped, and how to run it. */
  public String skipReason(TestServer server) {
    return "needs "
        + server.description()
        + " ("
        + missing(server).orElse("configured")
        + "): run ./test-all (installs and starts the test servers, then runs Maven), or "
        + server.startCommand()
        + " and run Maven in that shell";
  }

  /**
   * Runs a test that needs these servers when all are configured, skips it when one is missing, or
   * throws when a missing server must fail the test ({@link #required()}) or a variable is
   * malformed.
   */
  public ConditionEvaluationResult evaluate(Collection<TestServer> needed) {
    if (needed.isEmpty()) {
      return ConditionEvaluationResult.enabled("needs no test server");
    }
    List<TestServer> absent = new ArrayList<>();
    for (TestServer server : needed) {
      if (missing(server).isPresent()) {
        absent.add(server);
      } else {
        validate(server); // a malformed value fails now, naming the variable
      }
    }
    if (absent.isEmpty()) {
      return ConditionEvaluationResult.enabled("test servers configured: " + describe(needed));
    }
    if (required()) {
      throw new IllegalStateException(
          "this test needs "
              + describe(absent)
              + ", and a missing test server is an error here ("
              + ("1".equals(value(REQUIRED)) ? REQUIRED + "=1" : "CI=" + value("CI"))
              + "): "
              + absent.stream().map(s -> missing(s).orElseThrow()).collect(Collectors.joining(", "))
              + ". ./test-all starts the servers and sets the variables.");
    }
    return ConditionEvaluationResult.disabled(
        absent.stream().map(this::skipReason).collect(Collectors.joining("; ")));
  }

  /** PostgreSQL with pgvector, from {@link #POSTGRES} and {@link #PGPASSWORD}. */
  public Postgres postgres() {
    String url = present(POSTGRES, TestServer.POSTGRES);
    String expected = "postgresql://user@host:port/database";
    URI uri = parse(POSTGRES, url, expected);
    String userInfo = uri.getUserInfo();
    if (!("postgresql".equals(uri.getScheme()) || "postgres".equals(uri.getScheme()))
        || uri.getHost() == null
        || userInfo == null
        || userInfo.isEmpty()) {
      throw malformed(POSTGRES, url, expected);
    }
    String user = userInfo.contains(":") ? userInfo.substring(0, userInfo.indexOf(':')) : userInfo;
    String password =
        userInfo.contains(":")
            ? userInfo.substring(userInfo.indexOf(':') + 1)
            : Optional.ofNullable(value(PGPASSWORD)).orElse("");
    String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
    return new Postgres(
        uri.getHost(),
        uri.getPort() == -1 ? 5432 : uri.getPort(),
        path.isEmpty() ? user : path,
        user,
        password);
  }

  /** OpenSearch with the k-NN plugin, from {@link #OPENSEARCH}. */
  public OpenSearch openSearch() {
    String url = present(OPENSEARCH, TestServer.OPENSEARCH);
    String expected = "http://host:port";
    URI uri = parse(OPENSEARCH, url, expected);
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
        || uri.getHost() == null) {
      throw malformed(OPENSEARCH, url, expected);
    }
    return new OpenSearch(URI.create(url.replaceFirst("/+$", "")));
  }

  /** Chromium and ChromeDriver, from {@link #CHROMIUM} and {@link #CHROMEDRIVER}. */
  public Chromium chromium() {
    return new Chromium(
        executable(CHROMIUM, present(CHROMIUM, TestServer.CHROMIUM)),
        executable(CHROMEDRIVER, present(CHROMEDRIVER, TestServer.CHROMIUM)));
  }

  private void validate(TestServer server) {
    switch (server) {
      case POSTGRES -> postgres();
      case OPENSEARCH -> openSearch();
      case CHROMIUM -> chromium();
    }
  }

  private String value(String variable) {
    String value = environment.get(variable);
    return value == null || value.isBlank() ? null : value.strip();
  }

  private String present(String variable, TestServer server) {
    String value = value(variable);
    if (value == null) {
      throw new IllegalStateException("no test server: " + skipReason(server));
    }
    return value;
  }

  private static URI parse(String variable, String value, String expected) {
    try {
      return new URI(value);
    } catch (URISyntaxException e) {
      throw malformed(variable, value, expected);
    }
  }

  private static IllegalStateException malformed(String variable, String value, String expected) {
    return new IllegalStateException(
        variable + " must look like " + expected + ", not '" + value + "'");
  }

  private static Path executable(String variable, String value) {
    Path path = Path.of(value);
    if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
      throw new IllegalStateException(
          variable
              + "="
              + value
              + " is not an executable file (scripts/test-servers/chromium.sh install installs it)");
    }
    return path;
  }

  private static String describe(Collection<TestServer> servers) {
    return servers.stream().map(TestServer::description).collect(Collectors.joining(", "));
  }

  /**
   * A PostgreSQL database with pgvector available ({@code CREATE EXTENSION IF NOT EXISTS vector}).
   */
  public record Postgres(String host, int port, String database, String user, String password) {
    /** {@code jdbc:postgresql://host:port/database}. */
    public String jdbcUrl() {
      return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** A new JDBC connection (the PostgreSQL driver must be on the test class path). */
    public Connection connect() throws SQLException {
      Properties properties = new Properties();
      properties.setProperty("user", user);
      if (!password.isEmpty()) {
        properties.setProperty("password", password);
      }
      return DriverManager.getConnection(jdbcUrl(), properties);
    }

    @Override
    public String toString() {
      return "Postgres[" + jdbcUrl() + ", user " + user + "]"; // never the password
    }
  }

  /** An OpenSearch node with the k-NN plugin (Lucene engine). */
  public record OpenSearch(URI baseUri) {
    /** The URI of a path on the node: {@code resolve("/my-index/_search")}. */
    public URI resolve(String path) {
      return URI.create(baseUri + (path.startsWith("/") ? path : "/" + path));
    }
  }

  /** Debian's Chromium and the ChromeDriver of the same version. */
  public record Chromium(Path browser, Path driver) {
    /**
     * The command that runs the browser headless with a fresh profile, then the given arguments.
     */
    public List<String> headlessCommand(Path userDataDir, String... arguments) {
      List<String> command = new ArrayList<>();
      command.add(browser.toString());
      command.addAll(CHROMIUM_HEADLESS_FLAGS);
      command.add("--user-data-dir=" + userDataDir);
      command.addAll(List.of(arguments));
      return command;
    }
  }
}
