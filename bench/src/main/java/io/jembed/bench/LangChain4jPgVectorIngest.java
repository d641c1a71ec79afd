package io.jembed.bench;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.store.embedding.pgvector.PgVectorEmbeddingStore;
import io.jembed.index.StoreLocation;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The same ingest through LangChain4j's own pgvector store ({@code langchain4j-pgvector}), its
 * defaults: a table it creates, rows added with {@code addAll} in batches, no vector index (its
 * {@code useIndex} builds IVFFlat on the empty table, before any row). With pre-computed vectors,
 * and with its own in-process all-MiniLM-L6-v2 (quantized) embedding the texts.
 */
final class LangChain4jPgVectorIngest {
  private LangChain4jPgVectorIngest() {}

  /** Seconds to add the documents with their vectors. */
  static double withVectors(
      StoreLocation.Postgres location, List<String> texts, float[][] vectors, int batch) {
    PgVectorEmbeddingStore store = store(location, vectors[0].length);
    long t = System.nanoTime();
    for (int from = 0; from < texts.size(); from += batch) {
      int to = Math.min(texts.size(), from + batch);
      List<String> ids = new ArrayList<>(to - from);
      List<Embedding> embeddings = new ArrayList<>(to - from);
      List<TextSegment> segments = new ArrayList<>(to - from);
      for (int i = from; i < to; i++) {
        ids.add(java.util.UUID.nameUUIDFromBytes(("d" + i).getBytes()).toString());
        embeddings.add(Embedding.from(vectors[i]));
        segments.add(TextSegment.from(texts.get(i), metadata(i)));
      }
      store.addAll(ids, embeddings, segments);
    }
    return (System.nanoTime() - t) / 1e9;
  }

  /** Seconds to embed the texts with LangChain4j's model and add them, batch by batch. */
  static double withEmbedding(StoreLocation.Postgres location, List<String> texts, int batch) {
    AllMiniLmL6V2QuantizedEmbeddingModel model = new AllMiniLmL6V2QuantizedEmbeddingModel();
    model.embed("warm up"); // load the model outside the clock
    PgVectorEmbeddingStore store = store(location, model.dimension());
    long t = System.nanoTime();
    for (int from = 0; from < texts.size(); from += batch) {
      List<TextSegment> segments = new ArrayList<>();
      for (int i = from; i < Math.min(texts.size(), from + batch); i++) {
        segments.add(TextSegment.from(texts.get(i), metadata(i)));
      }
      store.addAll(model.embedAll(segments).content(), segments);
    }
    return (System.nanoTime() - t) / 1e9;
  }

  private static Metadata metadata(int i) {
    return new Metadata().put("group", "g" + (i % 10)).put("n", i);
  }

  private static PgVectorEmbeddingStore store(StoreLocation.Postgres location, int dimension) {
    return PgVectorEmbeddingStore.builder()
        .host(location.host())
        .port(location.port())
        .database(location.database())
        .user(location.effectiveUser(System.getenv()))
        .password(System.getenv("PGPASSWORD"))
        .table(location.table())
        .dimension(dimension)
        .createTable(true)
        .dropTableFirst(true)
        .build();
  }

  static void drop(StoreLocation.Postgres location) throws SQLException {
    try (Connection c = PgBulkBaseline.connect(location);
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS " + location.table());
    }
  }
}
