package io.jembed.springai;

import io.jembed.integrations.ServerStores;
import io.jembed.testing.RequiresServers;
import io.jembed.testing.TestServer;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link JembedVectorStoreContractTest}'s cases over PgVector: a new table per test. */
@RequiresServers(TestServer.POSTGRES)
class PgVectorVectorStoreContractTest extends JembedVectorStoreContractTest {
  @RegisterExtension static final ServerStores STORES = ServerStores.postgres("spring_ai");

  @Override
  protected String newLocation() {
    return STORES.next();
  }
}
