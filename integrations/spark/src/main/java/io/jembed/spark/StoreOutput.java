package io.jembed.spark;

import io.jembed.EmbeddingModel;
import io.jembed.JembedException;
import io.jembed.index.IndexOptions;
import io.jembed.index.LuceneVectorStore;
import io.jembed.index.VectorStore;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one place that knows how a store location opens. Today jembed has one store, the Lucene
 * folder (created on first use, reopened after, its model checked); a location with another scheme
 * ({@code postgresql://...}, {@code https://...}) is refused with a clear message until that
 * store's module is on the class path.
 */
final class StoreOutput {
  private StoreOutput() {}

  /**
   * Opens (or creates) the store at {@code location} for vectors of {@code model}, which reopens by
   * {@code modelName}.
   */
  static VectorStore open(String location, EmbeddingModel model, String modelName) {
    Path dir = localFolder(location);
    if (dir == null) {
      throw new JembedException(
          "no store for '"
              + location
              + "' in this build: the Spark job writes into Lucene index folders (a path or"
              + " file: URI); pgvector and OpenSearch come with their store modules");
    }
    if (Files.exists(dir.resolve(LuceneVectorStore.METADATA_FILE))) {
      return LuceneVectorStore.open(dir, model);
    }
    return LuceneVectorStore.create(
        dir, model, IndexOptions.builder().modelName(modelName).build());
  }

  /**
   * Whether the store lives in a folder of one machine: such a store is written from the driver, or
   * from executors only in local mode, where they share the driver's JVM.
   */
  static boolean isLocalFolder(String location) {
    return localFolder(location) != null;
  }

  private static Path localFolder(String location) {
    if (location.startsWith("file:")) {
      return Path.of(URI.create(location));
    }
    int colon = location.indexOf(':');
    // "C:\index" is a Windows path, "postgresql://..." a scheme
    if (colon > 1 && location.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*")) {
      return null;
    }
    return Path.of(location);
  }
}
