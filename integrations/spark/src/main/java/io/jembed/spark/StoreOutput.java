package io.jembed.spark;

import io.jembed.EmbeddingModel;
import io.jembed.index.IndexOptions;
import io.jembed.index.StoreLocation;
import io.jembed.index.VectorStore;
import io.jembed.index.VectorStores;

/**
 * The one place that knows how a store location opens: any location {@link VectorStores} knows (a
 * Lucene folder, {@code postgresql://...}, {@code opensearch://...} when that store's module is on
 * the class path), created on first use, reopened after, its model checked.
 */
final class StoreOutput {
  private StoreOutput() {}

  /**
   * Opens (or creates) the store at {@code location} for vectors of {@code model}, which reopens by
   * {@code modelName}.
   */
  static VectorStore open(String location, EmbeddingModel model, String modelName) {
    StoreLocation where = StoreLocation.parse(location);
    if (VectorStores.provider(where).exists(where)) {
      return VectorStores.open(where, model);
    }
    return VectorStores.create(where, model, IndexOptions.builder().modelName(modelName).build());
  }

  /**
   * Whether the store lives in a folder of one machine: such a store is written from the driver, or
   * from executors only in local mode, where they share the driver's JVM. A database or search
   * server takes writes from every executor at once.
   */
  static boolean isLocalFolder(String location) {
    return StoreLocation.parse(location) instanceof StoreLocation.Folder;
  }
}
