package io.jembed.index.lucene;

import io.jembed.index.StoreLocation;
import io.jembed.index.VectorStoreContract;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** The store contract, run against the Lucene store in folders. */
class LuceneContractTest extends VectorStoreContract {
  @TempDir Path tmp;
  private final AtomicInteger stores = new AtomicInteger();

  @Override
  protected StoreLocation newLocation() {
    return StoreLocation.parse(tmp.resolve("index-" + stores.incrementAndGet()).toString());
  }
}
