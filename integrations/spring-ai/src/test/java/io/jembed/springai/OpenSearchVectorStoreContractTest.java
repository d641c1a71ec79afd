package io.jembed.springai;

import io.jembed.integrations.ServerStores;
import io.jembed.testing.RequiresServers;
import io.jembed.testing.TestServer;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link JembedVectorStoreContractTest}'s cases over OpenSearch: a new index per test. */
@RequiresServers(TestServer.OPENSEARCH)
class OpenSearchVectorStoreContractTest extends JembedVectorStoreContractTest {
  @RegisterExtension static final ServerStores STORES = ServerStores.openSearch("spring-ai");

  @Override
  protected String newLocation() {
    return STORES.next();
  }
}
