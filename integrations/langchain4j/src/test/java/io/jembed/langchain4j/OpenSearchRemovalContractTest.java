package io.jembed.langchain4j;

import io.jembed.integrations.ServerStores;
import io.jembed.testing.RequiresServers;
import io.jembed.testing.TestServer;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link JembedEmbeddingStoreRemovalContractTest}'s cases over OpenSearch: a new index per test.
 */
@RequiresServers(TestServer.OPENSEARCH)
class OpenSearchRemovalContractTest extends JembedEmbeddingStoreRemovalContractTest {
  @RegisterExtension static final ServerStores STORES = ServerStores.openSearch("lc4j-removal");

  @Override
  protected String newLocation() {
    return STORES.next();
  }
}
