package io.jembed.index.pgvector;

import io.jembed.index.StoreLocation;
import io.jembed.index.VectorStores;
import io.jembed.testing.TestServers;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Tables of one test class in the test server's database: each name has a random prefix, so that
 * runs in other checkouts against the same server never collide, and {@link #dropAll} removes every
 * table the class made.
 */
final class PgTables {
  private final TestServers.Postgres server;
  private final String prefix;
  private final AtomicInteger next = new AtomicInteger();
  private final List<StoreLocation> made = new ArrayList<>();

  PgTables(TestServers.Postgres server, String kind) {
    this.server = server;
    this.prefix =
        String.format(
            Locale.ROOT, "t_%s_%06x_", kind, ThreadLocalRandom.current().nextInt(1 << 24));
  }

  /** A new location for a table that does not exist yet. */
  synchronized StoreLocation.Postgres next() {
    StoreLocation.Postgres l = location(prefix + next.incrementAndGet(), "");
    made.add(l);
    made.add(l.sibling("reindex"));
    return l;
  }

  /** A location for the table, with extra parameters ("&statement_timeout=1s"). */
  StoreLocation.Postgres location(String table, String parameters) {
    return (StoreLocation.Postgres)
        StoreLocation.parse(
            "postgresql://"
                + server.user()
                + "@"
                + server.host()
                + ":"
                + server.port()
                + "/"
                + server.database()
                + "?table="
                + table
                + parameters);
  }

  synchronized void dropAll() {
    for (StoreLocation l : made) {
      VectorStores.provider(l).drop(l);
    }
    made.clear();
  }
}
