package io.jembed.index.spi;

import io.jembed.EmbeddingModel;
import io.jembed.index.IndexMetadata;
import io.jembed.index.IndexOptions;
import io.jembed.index.StoreCheck;
import io.jembed.index.StoreLocation;
import io.jembed.index.VectorStore;

/**
 * A kind of store, found with {@link java.util.ServiceLoader}: a backend module lists its class in
 * {@code META-INF/services/io.jembed.index.spi.VectorStoreProvider}, and {@link
 * io.jembed.index.VectorStores} picks it for the locations of its {@link #scheme()}. Its stores
 * usually extend {@link AbstractVectorStore}; the contract test suite in this module's test-jar
 * ({@code io.jembed.index.VectorStoreContract}) checks them.
 */
public interface VectorStoreProvider {

  /** The {@link StoreLocation#scheme()} served: {@code folder}, {@code postgresql}, ... */
  String scheme();

  /**
   * Creates a new, empty store at {@code location} (which must not hold one) and commits it, so it
   * opens from now on.
   *
   * @param metadata the model identity and settings to keep ({@link IndexMetadata#of} for a new
   *     index, another store's for a copy); its fields are the fields known so far
   * @param model embeds documents and queries; null for a store that only receives documents with
   *     their vectors (a copy)
   * @param options runtime settings (the persistent ones are in {@code metadata})
   */
  VectorStore create(
      StoreLocation location, IndexMetadata metadata, EmbeddingModel model, IndexOptions options);

  /**
   * Opens an existing store. A store that is written needs its model; a read-only one may go
   * without (vector queries then need a vector). Refuses another model with {@link
   * IndexMetadata#requireModel}.
   */
  VectorStore open(StoreLocation location, EmbeddingModel model, boolean readOnly);

  /** What the store at {@code location} is, without opening it for search. */
  IndexMetadata describe(StoreLocation location);

  /** Whether a store (or anything else that forbids creating one) is at {@code location}. */
  boolean exists(StoreLocation location);

  /** Removes the store at {@code location}, if any. */
  void drop(StoreLocation location);

  /**
   * Puts the store at {@code replacement} in the place of the one at {@code location} (as
   * atomically as the backend can), removing the old one.
   */
  void replace(StoreLocation replacement, StoreLocation location);

  /**
   * Reads everything in the store and reports what is wrong. The default reads every document and
   * vector through the contract ({@link StoreCheck#readEverything}); a backend adds its own checks
   * (checksums, the database's catalog).
   */
  default StoreCheck check(StoreLocation location) {
    return StoreCheck.readEverything(this, location);
  }
}
