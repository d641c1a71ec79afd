package io.jembed.integrations;

import io.jembed.index.StoreLocation;
import io.jembed.index.VectorStores;
import io.jembed.testing.TestServer;
import io.jembed.testing.TestServers;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntFunction;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * New store locations on a test server (a PostgreSQL table, an OpenSearch index) for one test
 * class, registered as a static {@code @RegisterExtension} field beside {@code @RequiresServers}.
 * Names carry a random prefix, so runs from other checkouts against the same server never meet;
 * after the class every store handed out is dropped.
 */
public final class ServerStores implements BeforeAllCallback, AfterAllCallback {
  private final TestServer server;
  private final String kind;
  private final List<String> made = new ArrayList<>();
  private IntFunction<String> location;

  private ServerStores(TestServer server, String kind) {
    this.server = server;
    this.kind = kind;
  }

  /** Tables in the test server's database; {@code kind}: lower-case letters and '_'. */
  public static ServerStores postgres(String kind) {
    return new ServerStores(TestServer.POSTGRES, kind);
  }

  /** Indices on the test OpenSearch node; {@code kind}: lower-case letters and '-'. */
  public static ServerStores openSearch(String kind) {
    return new ServerStores(TestServer.OPENSEARCH, kind);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    String random =
        String.format(Locale.ROOT, "%06x", ThreadLocalRandom.current().nextInt(1 << 24));
    TestServers servers = TestServers.fromEnvironment();
    location =
        switch (server) {
          case POSTGRES -> {
            TestServers.Postgres pg = servers.postgres();
            String prefix = "t_" + kind + "_" + random + "_";
            yield n ->
                "postgresql://%s@%s:%d/%s?table=%s%d"
                    .formatted(pg.user(), pg.host(), pg.port(), pg.database(), prefix, n);
          }
          case OPENSEARCH -> {
            TestServers.OpenSearch os = servers.openSearch();
            String prefix = "jembed-test-" + kind + "-" + random + "-";
            yield n ->
                "opensearch://%s:%d/%s%d"
                    .formatted(os.baseUri().getHost(), os.baseUri().getPort(), prefix, n);
          }
          default -> throw new IllegalArgumentException("no stores on " + server);
        };
  }

  /** A location where no store exists yet. */
  public synchronized String next() {
    String l = location.apply(made.size() + 1);
    made.add(l);
    return l;
  }

  /** Drops every store handed out (one never created is skipped by its provider). */
  @Override
  public synchronized void afterAll(ExtensionContext context) {
    for (String l : made) {
      StoreLocation where = StoreLocation.parse(l);
      VectorStores.provider(where).drop(where);
    }
    made.clear();
  }
}
