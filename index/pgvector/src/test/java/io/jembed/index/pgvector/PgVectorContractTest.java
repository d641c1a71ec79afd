package io.jembed.index.pgvector;

import io.jembed.index.StoreLocation;
import io.jembed.index.VectorStoreContract;
import io.jembed.testing.RequiresServers;
import io.jembed.testing.TestServer;
import io.jembed.testing.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store contract, unchanged, against PostgreSQL with pgvector: a table per store. */
@RequiresServers(TestServer.POSTGRES)
class PgVectorContractTest extends VectorStoreContract {
  private static PgTables tables;

  @BeforeAll
  static void tables(TestServers.Postgres postgres) {
    tables = new PgTables(postgres, "contract");
  }

  @AfterAll
  static void dropTables() {
    if (tables != null) {
      tables.dropAll();
    }
  }

  @Override
  protected StoreLocation newLocation() {
    return tables.next();
  }
}
