package io.jembed.index.pgvector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.jembed.JembedException;
import io.jembed.index.Document;
import io.jembed.index.IndexOptions;
import io.jembed.index.Quantization;
import io.jembed.index.SearchRequest;
import io.jembed.index.StoreLocation;
import io.jembed.index.VectorStore;
import io.jembed.index.VectorStores;
import io.jembed.testing.HashingModel;
import io.jembed.testing.RequiresServers;
import io.jembed.testing.TestServer;
import io.jembed.testing.TestServers;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that is down, hangs, is slow, or goes away in the middle of an ingest: each a clear
 * error naming the store and the address, no partial document visible, and the same ingest run
 * again completes the index. The server's faults are made by a socket in between (the shared test
 * server itself is never stopped), or by a lock another session holds.
 */
@RequiresServers(TestServer.POSTGRES)
class PgFaultsTest {
  private static PgTables tables;
  private static TestServers.Postgres server;
  private final HashingModel model = HashingModel.wholeWords("words-64", 64, 16);
  private final IndexOptions options =
      IndexOptions.builder().quantization(Quantization.NONE).maxTokens(8).build();

  @BeforeAll
  static void tables(TestServers.Postgres postgres) {
    server = postgres;
    tables = new PgTables(postgres, "faults");
  }

  @AfterAll
  static void dropTables() {
    if (tables != null) {
      tables.dropAll();
    }
  }

  /** The location of {@code table} through another port of 127.0.0.1. */
  private static StoreLocation.Postgres via(int port, String table, String parameters) {
    return (StoreLocation.Postgres)
        StoreLocation.parse(
            "postgresql://"
                + server.user()
                + "@127.0.0.1:"
                + port
                + "/"
                + server.database()
                + "?table="
                + table
                + parameters);
  }

  @Test
  void aServerThatIsDownIsAClearErrorNamingTheStoreAndTheAddress() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // free again: nothing listens there
    }
    StoreLocation.Postgres location = via(port, "docs", "");
    assertThatThrownBy(() -> VectorStores.open(location, model))
        .isInstanceOf(JembedException.class)
        .hasMessageStartingWith(
            "index at " + location + ": cannot reach PostgreSQL at 127.0.0.1:" + port)
        .hasMessageContaining("connection refused. Is the server running");
    assertThatThrownBy(() -> VectorStores.create(location, model, options))
        .hasMessageContaining("cannot reach PostgreSQL at 127.0.0.1:" + port);
  }

  @Test
  void aServerThatNeverAnswersTimesOutAfterConnectTimeout() throws IOException {
    try (TcpProxy silent = TcpProxy.silent()) {
      StoreLocation.Postgres location = via(silent.port(), "docs", "&connect_timeout=1");
      assertTimeoutPreemptively(
          Duration.ofSeconds(30),
          () ->
              assertThatThrownBy(() -> VectorStores.open(location, model))
                  .isInstanceOf(JembedException.class)
                  .hasMessageStartingWith("index at " + location + ": PostgreSQL at 127.0.0.1:")
                  .hasMessageContaining("did not answer within 1 s")
                  .hasMessageContaining("connect_timeout"));
    }
  }

  @Test
  void theRealServerTakesThePasswordFileAndAWrongPasswordIsNeverShown(@TempDir Path tmp)
      throws IOException {
    StoreLocation.Postgres location = tables.location("t_any", "");
    Path pass = tmp.resolve("pgpass");
    Files.writeString(
        pass,
        "# another server first\nelsewhere:*:*:*:nope\n"
            + server.host()
            + ":"
            + server.port()
            + ":*:"
            + server.user()
            + ":"
            + server.password().replace("\\", "\\\\")
            + "\n");
    Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-------"));
    PgSettings fromFile = PgSettings.of(location, Map.of("PGPASSFILE", pass.toString()));
    PgDatabase.open(fromFile).close(); // logged in with the file's password

    String wrong = "not-the-password-" + System.nanoTime();
    PgSettings bad = PgSettings.of(location, Map.of("PGPASSWORD", wrong));
    assertThatThrownBy(() -> PgDatabase.open(bad))
        .isInstanceOf(JembedException.class)
        .hasMessageStartingWith(
            "index at "
                + location
                + ": PostgreSQL at "
                + bad.address()
                + " refused user '"
                + server.user()
                + "'")
        .hasMessageContaining("set PGPASSWORD, or add a line host:port:database:user:password")
        .satisfies(e -> assertThat(stackText(e)).doesNotContain(wrong));

    Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-r--r--"));
    PgSettings ignored = PgSettings.of(location, Map.of("PGPASSFILE", pass.toString()));
    assertThatThrownBy(() -> PgDatabase.open(ignored))
        .hasMessageContaining("no password was found")
        .hasMessageContaining("has group or world access and is ignored")
        .satisfies(e -> assertThat(stackText(e)).doesNotContain(server.password()));
  }

  private static String stackText(Throwable e) {
    java.io.StringWriter w = new java.io.StringWriter();
    e.printStackTrace(new java.io.PrintWriter(w));
    return w.toString();
  }

  @Test
  void aSlowServerHitsTheStatementTimeoutWithAClearMessage() throws SQLException {
    StoreLocation.Postgres location = tables.next();
    try (VectorStore store = VectorStores.create(location, model, options)) {
      store.upsert(Document.of("a", "apples and pears"));
      store.commit();
    }
    StoreLocation.Postgres impatient = tables.location(location.table(), "&statement_timeout=1s");
    try (VectorStore store = VectorStores.openReadOnly(impatient, model);
        Connection other = server.connect()) {
      other.setAutoCommit(false);
      try (Statement s = other.createStatement()) {
        s.execute("LOCK TABLE " + location.table() + " IN ACCESS EXCLUSIVE MODE");
      }
      assertThatThrownBy(() -> store.search(SearchRequest.of("apples", 3)))
          .isInstanceOf(JembedException.class)
          .hasMessageStartingWith("index at " + impatient + ": PostgreSQL at ")
          .hasMessageContaining("did not finish searching within the statement timeout")
          .hasMessageContaining("statement_timeout=1s")
          .hasMessageContaining("holds a lock on the table");
      other.rollback();
      assertThat(store.search(SearchRequest.of("apples", 3))).hasSize(1);
    }
  }

  @Test
  void aSecondWriterWaitsForTheFirstAndSearchesNeverWait() {
    StoreLocation.Postgres location = tables.next();
    StoreLocation.Postgres impatient = tables.location(location.table(), "&statement_timeout=1s");
    try (VectorStore first = VectorStores.create(location, model, options);
        VectorStore second = VectorStores.open(impatient, model);
        VectorStore reader = VectorStores.openReadOnly(impatient, model)) {
      first.upsert(Document.of("a", "apples"));
      first.commit();
      first.upsert(Document.of("b", "bananas")); // holds the write lock until its commit
      assertThatThrownBy(() -> second.upsert(Document.of("c", "cherries")))
          .hasMessageContaining("did not finish writing documents within the statement timeout");
      assertThat(reader.search(SearchRequest.of("apples", 3))).hasSize(1); // not blocked
      first.commit();
      second.upsert(Document.of("c", "cherries"));
      assertThat(second.commit()).isEqualTo(3);
    }
  }

  @Test
  void aServerThatGoesAwayMidIngestLeavesNoPartialDocumentAndARerunConverges()
      throws IOException, SQLException {
    StoreLocation.Postgres direct = tables.next();
    VectorStores.create(direct, model, options).close();
    List<Document> first = documents(0, 40);
    List<Document> second = documents(40, 120);
    try (TcpProxy proxy = new TcpProxy(server.host(), server.port())) {
      StoreLocation.Postgres viaProxy = via(proxy.port(), direct.table(), "");
      try (VectorStore store = VectorStores.open(viaProxy, model)) {
        store.upsert(first);
        store.commit();
        proxy.cutAfter(30_000); // in the middle of the next COPY
        assertThatThrownBy(
                () -> {
                  store.upsert(second);
                  store.commit();
                })
            .isInstanceOf(JembedException.class)
            .hasMessageStartingWith(
                "index at "
                    + viaProxy
                    + ": lost the connection to PostgreSQL at 127.0.0.1:"
                    + proxy.port())
            .hasMessageContaining("rolled back, none of them is visible")
            .hasMessageContaining("running the same ingest again completes it");
        assertThat(proxy.sent()).isGreaterThan(30_000);
      }
    }
    Map<String, Integer> committed = chunksPerDocument(direct.table());
    assertThat(committed).hasSize(40); // the first commit, whole; nothing of the second
    Map<String, Integer> expected = expectedChunks(first);
    assertThat(committed).isEqualTo(expected);

    for (int run = 0; run < 2; run++) { // the same ingest again, twice: the same table
      try (VectorStore store = VectorStores.open(direct, model)) {
        store.upsert(first);
        store.upsert(second);
        assertThat(store.commit()).isEqualTo(120);
      }
    }
    expected.putAll(expectedChunks(second));
    assertThat(chunksPerDocument(direct.table())).isEqualTo(expected);
    assertThat(VectorStores.check(direct).problems()).isEmpty();
  }

  /** Documents of several chunks each (the index cuts every 8 tokens). */
  private static List<Document> documents(int from, int to) {
    List<Document> docs = new ArrayList<>();
    for (int i = from; i < to; i++) {
      StringBuilder text = new StringBuilder();
      for (int w = 0; w < 8 + (i % 5) * 6; w++) {
        text.append("word").append((i * 7 + w) % 50).append(' ');
      }
      docs.add(Document.builder("doc-" + i).text(text.toString()).metadata("n", i).build());
    }
    return docs;
  }

  private Map<String, Integer> expectedChunks(List<Document> docs) {
    Map<String, Integer> out = new HashMap<>();
    for (Document d : docs) {
      out.put(
          d.id(),
          io.jembed.toolkit.Chunker.builder()
              .model(model)
              .maxTokens(8)
              .build()
              .chunk(d.text())
              .size());
    }
    return out;
  }

  /** Chunks per document as the table holds them, checking they are numbered 0..n-1. */
  private static Map<String, Integer> chunksPerDocument(String table) throws SQLException {
    Map<String, Integer> out = new HashMap<>();
    try (Connection c = server.connect();
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT id, count(*), min(chunk), max(chunk) FROM " + table + " GROUP BY id")) {
      while (r.next()) {
        assertThat(r.getInt(3)).isZero();
        assertThat(r.getInt(4)).isEqualTo(r.getInt(2) - 1);
        out.put(r.getString(1), r.getInt(2));
      }
    }
    return out;
  }
}
