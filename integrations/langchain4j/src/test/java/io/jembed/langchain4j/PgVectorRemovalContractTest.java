package io.jembed.langchain4j;

import io.jembed.integrations.ServerStores;
import io.jembed.testing.RequiresServers;
import io.jembed.testing.TestServer;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link JembedEmbeddingStoreRemovalContractTest}'s cases over PgVector: a new table per test. */
@RequiresServers(TestServer.POSTGRES)
class PgVectorRemovalContractTest extends JembedEmbeddingStoreRemovalContractTest {
  @RegisterExtension static final ServerStores STORES = ServerStores.postgres("lc4j_removal");

  @Override
  protected String newLocation() {
    return STORES.next();
  }
}
