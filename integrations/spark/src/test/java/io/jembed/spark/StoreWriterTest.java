package io.jembed.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jembed.index.SearchHit;
import io.jembed.index.SearchRequest;
import io.jembed.index.lucene.LuceneVectorStore;
import io.jembed.testing.HashingModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writing into a store from the executors: one store per executor JVM shared by its tasks, batched
 * upserts, a commit per partition, and a store that converges when Spark runs a failed task again
 * (local[2,3]: two cores, a task may run three times).
 */
@LocalSpark.Master("local[2,3]")
class StoreWriterTest extends LocalSpark {
  private static final String MODEL = "hashing:store";
  private static final HashingModel REFERENCE =
      new HashingModel("store", HashingModelProvider.DIMENSION, 128);

  @TempDir Path dir;

  static Dataset<Row> embedded(int n, int partitions) {
    StructType schema =
        new StructType().add("id", DataTypes.StringType).add("text", DataTypes.StringType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(RowFactory.create("doc-" + i, text(i)));
    }
    return new JembedEmbedder()
        .setModelName(MODEL)
        .setOutputCol("vector")
        .setBatchSize(100)
        .transform(spark.createDataFrame(rows, schema).repartition(partitions));
  }

  /** Words of their own for each document, so that no two documents have close vectors. */
  static String text(int i) {
    return "alpha" + i + " beta" + (i * 7919 % 10007) + " gamma" + (i * 104729 % 10009);
  }

  /** Fails the first run of partition 1 at its 1,200th row, after two batches were upserted. */
  static Dataset<Row> failingOnce(Dataset<Row> rows) {
    return rows.mapPartitions(
            (MapPartitionsFunction<Row, Row>)
                it -> {
                  TaskContext task = TaskContext.get();
                  return task.partitionId() == 1 && task.attemptNumber() == 0
                      ? new FailingAfter(it, 1200)
                      : it;
                },
            Encoders.row(rows.schema()))
        .withMetadata("vector", rows.schema().apply("vector").metadata());
  }

  record FailingAfter(Iterator<Row> rows, int limit, int[] seen) implements Iterator<Row> {
    FailingAfter(Iterator<Row> rows, int limit) {
      this(rows, limit, new int[1]);
    }

    @Override
    public boolean hasNext() {
      return rows.hasNext();
    }

    @Override
    public Row next() {
      if (++seen[0] == limit) {
        throw new IllegalStateException("injected failure of a task's first attempt");
      }
      return rows.next();
    }
  }

  @Test
  void aRetriedTaskConvergesOnOneDocumentPerId() {
    Path index = dir.resolve("index");
    Dataset<Row> rows = embedded(3000, 2);
    StoreWriter writer = new StoreWriter(rows, index.toString(), "vector");

    StoreWriter.Written written = writer.fromExecutors(failingOnce(rows));
    assertThat(written.documents()).isEqualTo(3000); // counts of the failed attempt are dropped
    // run again, as a job re-run would: ids replace themselves
    assertThat(writer.fromExecutors(rows).documents()).isEqualTo(3000);

    try (LuceneVectorStore store = LuceneVectorStore.openReadOnly(index, REFERENCE)) {
      assertThat(store.stats().documents()).isEqualTo(3000);
      Map<String, String> texts = new HashMap<>();
      store.exportDocuments(d -> assertThat(texts.put(d.id(), d.text())).isNull());
      assertThat(texts).hasSize(3000);
      for (int i : new int[] {0, 1199, 1500, 2999}) {
        assertThat(texts.get("doc-" + i)).isEqualTo(text(i));
      }
      // each document holds its own text's vector: a search for that vector finds it first
      for (int i : new int[] {7, 1234, 2500}) {
        List<SearchHit> hits =
            store.search(SearchRequest.builder().vector(REFERENCE.encode(text(i))).k(1).build());
        assertThat(hits).extracting(SearchHit::id).containsExactly("doc-" + i);
      }
    }
  }

  @Test
  void theDriverWritesTheSameStore() {
    Path index = dir.resolve("driver");
    Dataset<Row> rows = embedded(700, 3);
    StoreWriter.Written written =
        new StoreWriter(rows, index.toString(), "vector").fromDriver(rows);
    assertThat(written).isEqualTo(new StoreWriter.Written(700, 0));
    try (LuceneVectorStore store = LuceneVectorStore.openReadOnly(index, REFERENCE)) {
      assertThat(store.stats().documents()).isEqualTo(700);
      assertThat(store.metadata().modelName()).isEqualTo(MODEL);
      assertThat(store.model()).isEqualTo(REFERENCE.info());
    }
  }

  @Test
  void aStoreOfAnotherModelIsRefused() {
    Path index = dir.resolve("other");
    Dataset<Row> rows = embedded(10, 1);
    new StoreWriter(rows, index.toString(), "vector").fromDriver(rows);
    Dataset<Row> other =
        new JembedEmbedder()
            .setModelName("hashing:another")
            .setOutputCol("vector")
            .transform(rows.drop("vector"));
    assertThatThrownBy(
            () -> new StoreWriter(other, index.toString(), "vector").fromExecutors(other))
        .hasStackTraceContaining("cannot open the store " + index);
  }

  @Test
  void aLocationOfAnUnknownKindIsNamedBeforeAnyWork() {
    Dataset<Row> rows = embedded(5, 1);
    String location = "qdrant://127.0.0.1:6333/docs";
    assertThatThrownBy(() -> new StoreWriter(rows, location, "vector").fromExecutors(rows))
        .hasStackTraceContaining("qdrant");
  }
}
