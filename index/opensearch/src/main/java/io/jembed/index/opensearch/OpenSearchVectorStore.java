package io.jembed.index.opensearch;

import io.jembed.EmbeddingModel;
import io.jembed.index.FieldType;
import io.jembed.index.IndexMetadata;
import io.jembed.index.StoredDocument;
import io.jembed.index.spi.AbstractVectorStore;
import io.jembed.index.spi.StoreReader;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link io.jembed.index.VectorStore} on an OpenSearch index (layout: {@link OpenSearchSchema};
 * filters: {@link OpenSearchFilters}; searches: {@link OpenSearchReader}).
 *
 * <p><b>Visibility and durability.</b> Writes wait in this store until {@link #commit()}, which
 * sends them in bulk requests ({@link BulkWriter}), then refreshes the index: a commit's documents
 * become searchable together (the index refreshes at no other time: {@code refresh_interval: -1}).
 * The index keeps {@code translog.durability: request}: a bulk request is answered once its
 * translog is on disk, so an acknowledged commit survives a crash of the node. Closing without a
 * commit drops what waited. Each document, with all its chunks, is one OpenSearch document (its
 * chunks nested): it is written in one operation, so its chunks are visible together or not at all,
 * even when a commit is cut short; a commit cut short leaves some of its documents written (each
 * whole), and running the same ingest again converges, since every write is by id.
 */
final class OpenSearchVectorStore extends AbstractVectorStore {
  private final OpenSearchConnection connection;
  private final String index; // the concrete index behind the location's name
  private final Object writeLock = new Object();

  /** What waits for the commit, by document id: a document, or null for a deletion. */
  private final Map<String, StoredDocument> pending = new LinkedHashMap<>();

  private Map<String, FieldType> mappedFields;

  OpenSearchVectorStore(
      OpenSearchConnection connection,
      String index,
      IndexMetadata metadata,
      EmbeddingModel model,
      boolean readOnly) {
    super(connection.location(), metadata, model, readOnly);
    this.connection = connection;
    this.index = index;
    this.mappedFields = metadata.fields();
  }

  OpenSearchConnection connection() {
    return connection;
  }

  /** The concrete index this store reads and writes. */
  String index() {
    return index;
  }

  @Override
  protected void write(List<StoredDocument> documents, Map<String, FieldType> fields) {
    synchronized (writeLock) {
      for (StoredDocument d : documents) {
        pending.remove(d.id()); // the latest write of an id goes last
        pending.put(d.id(), d);
      }
    }
  }

  @Override
  protected void remove(Collection<String> ids) {
    synchronized (writeLock) {
      for (String id : ids) {
        pending.remove(id);
        pending.put(id, null);
      }
    }
  }

  @Override
  protected long persist(IndexMetadata metadata) {
    synchronized (writeLock) {
      if (!metadata.fields().equals(mappedFields)) {
        // new metadata fields are mapped (typed) before any document that has them is sent
        connection.retrying(
            "a mapping update",
            c ->
                c.indices()
                    .putMapping(
                        m ->
                            m.index(index)
                                .meta(
                                    OpenSearchSchema.META_KEY, OpenSearchSchema.metaJson(metadata))
                                .properties(
                                    OpenSearchSchema.METADATA,
                                    OpenSearchSchema.metadataObject(metadata.fields()))));
        mappedFields = metadata.fields();
      }
      if (!pending.isEmpty()) {
        List<BulkWriter.Write> writes = new ArrayList<>(pending.size());
        pending.forEach((id, doc) -> writes.add(new BulkWriter.Write(id, doc)));
        BulkWriter writer = new BulkWriter(connection, index);
        // a request that fails after its retries throws: the writes stay, for a commit to retry
        Map<String, String> refused = writer.write(writes);
        pending.clear(); // written, or refused for good (sending them again cannot help)
        if (!refused.isEmpty()) {
          refresh();
          throw writer.refusal(refused, writes.size());
        }
      }
      refresh();
      return documentCount();
    }
  }

  private void refresh() {
    connection.retrying("a refresh", c -> c.indices().refresh(r -> r.index(index)));
  }

  private long documentCount() {
    return connection.read("counting documents", c -> c.count(r -> r.index(index)).count());
  }

  @Override
  protected StoreReader reader() {
    return new OpenSearchReader(this);
  }

  @Override
  protected void closeStore() {
    synchronized (writeLock) {
      pending.clear();
    }
    connection.close();
  }
}
