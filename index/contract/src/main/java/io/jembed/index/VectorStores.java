package io.jembed.index;

import io.jembed.EmbeddingModel;
import io.jembed.JembedException;
import io.jembed.ProgressListener;
import io.jembed.index.spi.VectorStoreProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Opens the right {@link VectorStore} for a location: a folder is the embedded Lucene index, {@code
 * postgresql://...} and {@code opensearch://...} the stores of their modules ({@link StoreLocation}
 * has the syntax). Also what works across stores: {@link #copy} and {@link #reindex}.
 *
 * <pre>{@code
 * try (EmbeddingModel model = EmbeddingModel.load("all-MiniLM-L6-v2");
 *     VectorStore index = VectorStores.open("my-index", model)) {
 *   List<SearchHit> hits = index.search(SearchRequest.of("someone eats", 5));
 * }
 * }</pre>
 */
public final class VectorStores {
  private VectorStores() {}

  /** Creates a new, empty store at the location for {@code model}, and commits it. */
  public static VectorStore create(String location, EmbeddingModel model, IndexOptions options) {
    return create(StoreLocation.parse(location), model, options);
  }

  public static VectorStore create(
      StoreLocation location, EmbeddingModel model, IndexOptions options) {
    if (model == null) {
      throw new IllegalArgumentException("an index is created for a model: model is null");
    }
    return provider(location)
        .create(location, IndexMetadata.of(model.info(), options), model, options);
  }

  /** Opens the store at the location to read and write; {@code model} must be its model. */
  public static VectorStore open(String location, EmbeddingModel model) {
    return open(StoreLocation.parse(location), model);
  }

  public static VectorStore open(StoreLocation location, EmbeddingModel model) {
    if (model == null) {
      throw new IllegalArgumentException("opening an index for writing needs its model");
    }
    return provider(location).open(location, model, false);
  }

  /**
   * Opens the store to search only (while another process may write it). {@code model} embeds text
   * queries; null is fine for keyword search and query vectors.
   */
  public static VectorStore openReadOnly(String location, EmbeddingModel model) {
    return openReadOnly(StoreLocation.parse(location), model);
  }

  public static VectorStore openReadOnly(StoreLocation location, EmbeddingModel model) {
    return provider(location).open(location, model, true);
  }

  /** What the store at the location is (model, settings, fields), with a clear error if none. */
  public static IndexMetadata describe(StoreLocation location) {
    return provider(location).describe(location);
  }

  /** Reads everything in the store and reports what is damaged (see {@link StoreCheck}). */
  public static StoreCheck check(StoreLocation location) {
    return provider(location).check(location);
  }

  /**
   * Copies every document of the store at {@code source} into a new store at {@code target} (which
   * may be of another kind): texts, metadata, chunks and their vectors, without embedding anything.
   * {@code options} may change the quantization and graph of the copy (null keeps the source's).
   * Returns the number of documents copied.
   */
  public static long copy(
      StoreLocation source, StoreLocation target, IndexOptions options, ProgressListener progress) {
    VectorStoreProvider to = provider(target);
    if (to.exists(target)) {
      throw new JembedException(
          "cannot copy into " + target + ": it holds an index (or something else) already");
    }
    IndexMetadata meta = describe(source);
    if (options != null) {
      meta =
          new IndexMetadata(
              meta.format(),
              meta.modelName(),
              meta.model(),
              options.quantization(),
              options.hnswM(),
              options.beamWidth(),
              meta.maxTokens(),
              meta.overlapTokens(),
              meta.fields());
    }
    IndexOptions runtime = options != null ? options : IndexOptions.defaults();
    try (VectorStore from = openReadOnly(source, null);
        VectorStore into = to.create(target, meta, null, runtime)) {
      return transfer(from, into, progress, into::importDocuments);
    }
  }

  /**
   * Re-embeds every document of the store at {@code location} with {@code newModel}, keeping texts,
   * metadata and settings: builds a new store beside it ({@link StoreLocation#sibling}), then puts
   * it in the old one's place. Documents added with only a vector and no text cannot be re-embedded
   * and are left out. Returns the number of documents in the new store.
   */
  public static long reindex(
      StoreLocation location,
      EmbeddingModel newModel,
      String newModelName,
      ProgressListener progress) {
    VectorStoreProvider provider = provider(location);
    IndexMetadata old = provider.describe(location);
    StoreLocation fresh = location.sibling("reindex");
    provider.drop(fresh); // what an interrupted reindex left
    IndexOptions options =
        old.toOptions().modelName(newModelName).maxTokens(keptMaxTokens(old)).build();
    IndexMetadata meta = IndexMetadata.of(newModel.info(), options).withFields(old.fields());
    long total;
    try (VectorStore from = provider.open(location, null, true);
        VectorStore into = provider.create(fresh, meta, newModel, options)) {
      total =
          transfer(
              from,
              into,
              progress,
              batch -> {
                List<Document> docs = new ArrayList<>(batch.size());
                for (StoredDocument d : batch) {
                  if (!d.text().isBlank()) {
                    docs.add(
                        Document.builder(d.id()).text(d.text()).metadata(d.metadata()).build());
                  }
                }
                into.upsert(docs);
              });
      total = into.commit();
    }
    provider.replace(fresh, location);
    return total;
  }

  /** A chunk budget set by hand stays; the old model's own budget becomes the new model's. */
  private static Integer keptMaxTokens(IndexMetadata old) {
    return old.maxTokens() == old.model().maxSeqLength() ? null : old.maxTokens();
  }

  private static long transfer(
      VectorStore from,
      VectorStore into,
      ProgressListener progress,
      java.util.function.Consumer<List<StoredDocument>> write) {
    long expected = from.stats().documents();
    List<StoredDocument> batch = new ArrayList<>();
    long[] done = {0, 0}; // documents, documents since the last commit
    Runnable flush =
        () -> {
          write.accept(batch);
          done[0] += batch.size();
          done[1] += batch.size();
          batch.clear();
          if (done[1] >= 10_000) {
            into.commit(); // an interrupted copy keeps what it wrote
            done[1] = 0;
          }
          if (progress != null) {
            progress.progress(done[0], expected);
          }
        };
    from.exportDocuments(
        d -> {
          batch.add(d);
          if (batch.size() == 64) {
            flush.run();
          }
        });
    flush.run();
    return into.commit();
  }

  // --------------------------------------------------------------------------------- providers

  /** The provider that serves the location's kind, or an error naming the module it needs. */
  public static VectorStoreProvider provider(StoreLocation location) {
    for (VectorStoreProvider p : providers()) {
      if (p.scheme().equals(location.scheme())) {
        return p;
      }
    }
    throw new JembedException(
        (location instanceof StoreLocation.Folder
                ? "index folders"
                : location.scheme() + ":// locations")
            + " need the "
            + location.module()
            + " module on the class path (Maven: io.jembed:"
            + location.module()
            + ")");
  }

  private static volatile List<VectorStoreProvider> providers;

  private static List<VectorStoreProvider> providers() {
    List<VectorStoreProvider> list = providers;
    if (list == null) {
      list = new ArrayList<>();
      for (VectorStoreProvider p :
          ServiceLoader.load(VectorStoreProvider.class, VectorStores.class.getClassLoader())) {
        list.add(p);
      }
      providers = list = List.copyOf(list);
    }
    return list;
  }
}
