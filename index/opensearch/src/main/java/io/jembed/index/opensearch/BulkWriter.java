package io.jembed.index.opensearch;

import io.jembed.JembedException;
import io.jembed.index.StoredDocument;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.opensearch.client.opensearch.core.BulkResponse;
import org.opensearch.client.opensearch.core.bulk.BulkOperation;
import org.opensearch.client.opensearch.core.bulk.BulkResponseItem;

/**
 * Sends writes in bulk requests of about {@link OpenSearchSettings#bulkBytes()} each, and handles
 * each item's answer: an item the node rejected for load (429, {@code es_rejected_execution}) is
 * sent again with exponential backoff; an item refused for good (a mapping conflict, a value too
 * long) is reported with its document id once the rest is written. A whole request that fails
 * transiently is sent again by {@link OpenSearchConnection#retrying}. Every write is by id (index
 * or delete), so sending one twice changes nothing.
 */
final class BulkWriter {
  /** One write: a document to index, or to delete (null document). */
  record Write(String id, StoredDocument document) {
    String documentId() {
      return OpenSearchSchema.documentId(id);
    }

    long bytes() {
      return document == null ? 64 : OpenSearchSchema.estimatedBytes(document);
    }
  }

  private static final int MAX_ITEMS = 2_000;

  private final OpenSearchConnection connection;
  private final String index;

  BulkWriter(OpenSearchConnection connection, String index) {
    this.connection = connection;
    this.index = index;
  }

  /**
   * Writes everything it can; returns the documents refused for good, by id, with the reason (a
   * failure of a whole request after its retries is thrown).
   */
  Map<String, String> write(List<Write> writes) {
    Map<String, String> refused = new LinkedHashMap<>(); // document id -> why
    List<Write> batch = new ArrayList<>();
    long bytes = 0;
    for (Write w : writes) {
      if (!batch.isEmpty()
          && (bytes + w.bytes() > connection.settings().bulkBytes() || batch.size() >= MAX_ITEMS)) {
        send(batch, refused);
        batch = new ArrayList<>();
        bytes = 0;
      }
      batch.add(w);
      bytes += w.bytes();
    }
    if (!batch.isEmpty()) {
      send(batch, refused);
    }
    return refused;
  }

  /** The error that names each refused document and why. */
  JembedException refusal(Map<String, String> refused, int total) {
    StringBuilder b =
        new StringBuilder("OpenSearch at ")
            .append(connection.location())
            .append(" refused ")
            .append(refused.size())
            .append(" of ")
            .append(total)
            .append(total == 1 ? " document" : " documents")
            .append(" (the others are written): ");
    int shown = 0;
    for (Map.Entry<String, String> e : refused.entrySet()) {
      if (shown++ == 10) {
        b.append("; and ").append(refused.size() - 10).append(" more");
        break;
      }
      b.append(shown > 1 ? "; " : "")
          .append("document '")
          .append(e.getKey())
          .append("': ")
          .append(e.getValue());
    }
    return new JembedException(b.toString());
  }

  /** One batch, with the items rejected for load sent again until they pass or retries run out. */
  private void send(List<Write> batch, Map<String, String> refused) {
    List<Write> pending = batch;
    for (int attempt = 1; ; attempt++) {
      List<Write> items = pending;
      List<BulkOperation> operations = new ArrayList<>(items.size());
      for (Write w : items) {
        operations.add(
            w.document() == null
                ? BulkOperation.of(o -> o.delete(d -> d.id(w.documentId())))
                : BulkOperation.of(
                    o ->
                        o.index(
                            i ->
                                i.id(w.documentId())
                                    .document(OpenSearchSchema.source(w.document())))));
      }
      BulkResponse response =
          connection.retrying(
              "a bulk write of " + items.size() + " documents",
              c -> c.bulk(r -> r.index(index).operations(operations)));
      List<Write> rejected = new ArrayList<>();
      List<BulkResponseItem> answers = response.items();
      for (int i = 0; i < answers.size() && i < items.size(); i++) {
        BulkResponseItem item = answers.get(i);
        Write w = items.get(i);
        if (item.error() == null || (w.document() == null && item.status() == 404)) {
          continue; // written (or deleting what was not there)
        }
        if (rejectedForLoad(item)) {
          rejected.add(w);
        } else {
          refused.put(
              w.id(), "HTTP " + item.status() + " " + OpenSearchConnection.describe(item.error()));
        }
      }
      if (rejected.isEmpty()) {
        return;
      }
      if (attempt > connection.settings().retries()) {
        for (Write w : rejected) {
          refused.put(
              w.id(),
              "rejected "
                  + attempt
                  + " times because the node is overloaded (429 es_rejected_execution): retry"
                  + " later");
        }
        return;
      }
      OpenSearchConnection.pause(connection.backoff(attempt));
      pending = rejected;
    }
  }

  private static boolean rejectedForLoad(BulkResponseItem item) {
    return item.status() == 429
        || (item.error() != null
            && item.error().type() != null
            && item.error().type().contains("rejected_execution"));
  }
}
