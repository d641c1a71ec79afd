package io.jembed.spark;

import io.jembed.JembedException;
import io.jembed.ModelInfo;
import io.jembed.Precision;
import io.jembed.index.Document;
import io.jembed.index.VectorStore;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;

/**
 * Writes embedded rows ({@code id}, {@code text}, a float32 vector column made by {@link
 * JembedEmbedder}) into a jembed store, upserting by id in batches: a row written twice (a retried
 * task, a job run again) replaces itself, so the store converges on one document per id. Rows
 * without a vector (malformed) are skipped and counted.
 *
 * <p>From the driver, the rows stream to it a partition at a time and one store takes them all (a
 * Lucene folder, for outputs that fit one machine). From the executors, each executor shares one
 * store among its tasks; each partition upserts its rows and commits at its end.
 */
final class StoreWriter {
  /** Documents per upsert call. */
  static final int BATCH = 512;

  /** What a write did. */
  record Written(long documents, long skipped) {}

  private final String location;
  private final String vectorColumn;
  private final ModelInfo model;
  private final String modelName;

  StoreWriter(Dataset<Row> embedded, String location, String vectorColumn) {
    if (VectorColumns.precision(embedded, vectorColumn) != Precision.FLOAT32) {
      throw new IllegalArgumentException(
          "a store takes float32 vectors; column '"
              + vectorColumn
              + "' holds "
              + VectorColumns.precision(embedded, vectorColumn).externalName()
              + " vectors (the store quantizes by itself)");
    }
    this.location = location;
    this.vectorColumn = vectorColumn;
    this.model = VectorColumns.modelInfo(embedded, vectorColumn);
    this.modelName = VectorColumns.modelName(embedded, vectorColumn);
  }

  Written fromDriver(Dataset<Row> embedded) {
    Columns columns = Columns.of(embedded, vectorColumn);
    long[] counts = new long[2];
    try (VectorStore store = StoreOutput.open(location, identity(), modelName)) {
      upsertAll(store, embedded.toLocalIterator(), columns, counts);
      store.commit();
    }
    return new Written(counts[0], counts[1]);
  }

  Written fromExecutors(Dataset<Row> embedded) {
    Columns columns = Columns.of(embedded, vectorColumn);
    if (!StoreOutput.isLocalFolder(location)) {
      // the driver creates the table or index (or checks its model) once, before the executors race
      StoreOutput.open(location, identity(), modelName).close();
    }
    LongAccumulator written = embedded.sparkSession().sparkContext().longAccumulator();
    LongAccumulator skipped = embedded.sparkSession().sparkContext().longAccumulator();
    String where = location;
    String modelJson = VectorColumns.toJson(model);
    String name = modelName;
    embedded.foreachPartition(
        (ForeachPartitionFunction<Row>)
            rows -> {
              long[] counts = new long[2];
              ModelInfo info = VectorColumns.fromJson(modelJson, "the vector column");
              try (SharedStores.Lease lease = SharedStores.acquire(where, info, name)) {
                upsertAll(lease.store(), rows, columns, counts);
                lease.store().commit();
              }
              written.add(counts[0]);
              skipped.add(counts[1]);
            });
    return new Written(written.value(), skipped.value());
  }

  private VectorsOnlyModel identity() {
    return new VectorsOnlyModel(model, modelName);
  }

  /** Column positions of one embedded dataset. */
  private record Columns(int id, int text, int vector) implements java.io.Serializable {
    static Columns of(Dataset<Row> ds, String vectorColumn) {
      return new Columns(
          ds.schema().fieldIndex(JobInput.ID),
          ds.schema().fieldIndex(JobInput.TEXT),
          ds.schema().fieldIndex(vectorColumn));
    }
  }

  private static void upsertAll(
      VectorStore store, Iterator<Row> rows, Columns columns, long[] counts) {
    // by id within a batch: the store refuses an id twice in one call, and the later row wins
    Map<String, Document> batch = new LinkedHashMap<>();
    while (rows.hasNext()) {
      Row row = rows.next();
      if (row.isNullAt(columns.vector()) || row.isNullAt(columns.id())) {
        counts[1]++;
        continue;
      }
      String id = row.get(columns.id()).toString();
      List<Float> values = row.getList(columns.vector());
      float[] vector = new float[values.size()];
      for (int i = 0; i < vector.length; i++) {
        vector[i] = values.get(i);
      }
      batch.put(
          id, Document.builder(id).text(row.getString(columns.text())).vector(vector).build());
      if (batch.size() == BATCH) {
        store.upsert(batch.values());
        counts[0] += batch.size();
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      store.upsert(batch.values());
      counts[0] += batch.size();
    }
  }

  /**
   * The stores of this JVM, one per location, shared by the tasks that write at once and closed
   * when the last of them is done: a Lucene folder admits one writer, and a remote store one pool
   * of connections per executor.
   */
  static final class SharedStores {
    private static final Map<String, Shared> STORES = new HashMap<>();

    private static final class Shared {
      final VectorStore store;
      int users;

      Shared(VectorStore store) {
        this.store = store;
      }
    }

    /** One task's use of a shared store. */
    static final class Lease implements AutoCloseable {
      private final String location;
      private final Shared shared;
      private boolean closed;

      private Lease(String location, Shared shared) {
        this.location = location;
        this.shared = shared;
      }

      VectorStore store() {
        return shared.store;
      }

      @Override
      public void close() {
        synchronized (STORES) {
          if (closed) {
            return;
          }
          closed = true;
          if (--shared.users == 0) {
            STORES.remove(location);
            shared.store.close();
          }
        }
      }
    }

    static Lease acquire(String location, ModelInfo model, String modelName) {
      synchronized (STORES) {
        Shared shared = STORES.get(location);
        if (shared == null) {
          try {
            shared =
                new Shared(
                    StoreOutput.open(location, new VectorsOnlyModel(model, modelName), modelName));
          } catch (RuntimeException e) {
            throw new JembedException(
                "cannot open the store " + location + ": " + e.getMessage(), e);
          }
          STORES.put(location, shared);
        }
        shared.users++;
        return new Lease(location, shared);
      }
    }
  }
}
