package io.jembed.index.opensearch;

import io.jembed.index.StoreLocation;
import io.jembed.index.VectorStoreContract;
import io.jembed.testing.RequiresServers;
import io.jembed.testing.TestServer;
import io.jembed.testing.TestServers;
import org.junit.jupiter.api.AfterEach;

/** The store contract, unchanged, against a real OpenSearch node with the k-NN plugin. */
@RequiresServers(TestServer.OPENSEARCH)
class OpenSearchContractTest extends VectorStoreContract {
  private final TestIndices indices;

  OpenSearchContractTest(TestServers.OpenSearch server) {
    this.indices = new TestIndices(server, "contract");
  }

  @Override
  protected StoreLocation newLocation() {
    return indices.next();
  }

  @AfterEach
  void deleteIndices() throws Exception {
    indices.deleteAll();
  }
}
