package io.jembed.explore.browser;

import io.jembed.EmbeddingModel;
import io.jembed.index.Document;
import io.jembed.index.IndexOptions;
import io.jembed.index.lucene.LuceneVectorStore;
import io.jembed.server.EmbeddingServer;
import io.jembed.server.ServerOptions;
import io.jembed.testing.HashingModel;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A jembed server with the explore page, all-MiniLM-L6-v2 and four indexes: {@code tutorial} (the
 * five tutorial documents), {@code topics} (labelled sentences on five topics), {@code
 * topics-words} (the same sentences under a bag-of-words baseline, for the two-models view) and
 * {@code handbook} (documents longer than the model reads, in several chunks each).
 */
final class ExploreServer implements AutoCloseable {
  static final String MODEL = "all-MiniLM-L6-v2";

  final EmbeddingModel model;
  final EmbeddingModel words;
  final List<Corpus.Text> topics;
  final List<Corpus.Text> handbook = Corpus.handbook();
  final EmbeddingServer server;
  private final List<LuceneVectorStore> stores = new ArrayList<>();

  ExploreServer(Path dir, int topicCount) {
    model = EmbeddingModel.load(MODEL);
    words = HashingModel.wholeWords("bag-of-words", 384, 256);
    topics = Corpus.topics(topicCount);
    LuceneVectorStore tutorial = store(dir.resolve("tutorial"), model);
    List<Document> docs = new ArrayList<>();
    for (Map.Entry<String, String> e : Corpus.TUTORIAL.entrySet()) {
      docs.add(Document.builder(e.getKey()).text(e.getValue()).metadata("lesson", 4).build());
    }
    tutorial.upsert(docs);
    tutorial.commit();
    LuceneVectorStore topicStore = store(dir.resolve("topics"), model);
    LuceneVectorStore wordStore = store(dir.resolve("topics-words"), words);
    List<Document> texts = documents(topics);
    topicStore.upsert(texts);
    topicStore.commit();
    wordStore.upsert(texts);
    wordStore.commit();
    LuceneVectorStore handbookStore = store(dir.resolve("handbook"), model);
    handbookStore.upsert(documents(handbook));
    handbookStore.commit();
    server =
        EmbeddingServer.builder()
            .model(MODEL, model)
            .index("tutorial", tutorial)
            .index("topics", topicStore)
            .index("topics-words", wordStore, words)
            .index("handbook", handbookStore)
            .options(ServerOptions.builder().port(0).build())
            .start();
  }

  private static List<Document> documents(List<Corpus.Text> texts) {
    return texts.stream()
        .map(t -> Document.builder(t.id()).text(t.text()).metadata("label", t.topic()).build())
        .toList();
  }

  private LuceneVectorStore store(Path dir, EmbeddingModel m) {
    LuceneVectorStore store = LuceneVectorStore.create(dir, m, IndexOptions.defaults());
    stores.add(store);
    return store;
  }

  URI uri() {
    return server.uri();
  }

  /** The page's address, with a view and its parameters after the hash. */
  String page(String hash) {
    return server.uri().resolve("/") + (hash.isEmpty() ? "" : "#" + hash);
  }

  @Override
  public void close() {
    server.close();
    stores.forEach(LuceneVectorStore::close);
    model.close();
  }
}
