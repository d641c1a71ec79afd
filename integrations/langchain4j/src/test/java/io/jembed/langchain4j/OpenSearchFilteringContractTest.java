package io.jembed.langchain4j;

import io.jembed.integrations.ServerStores;
import io.jembed.testing.RequiresServers;
import io.jembed.testing.TestServer;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link JembedEmbeddingStoreContractTest}'s cases over OpenSearch: a new index per test. */
@RequiresServers(TestServer.OPENSEARCH)
class OpenSearchFilteringContractTest extends JembedEmbeddingStoreContractTest {
  @RegisterExtension static final ServerStores STORES = ServerStores.openSearch("lc4j-filter");

  @Override
  protected String newLocation() {
    return STORES.next();
  }
}
