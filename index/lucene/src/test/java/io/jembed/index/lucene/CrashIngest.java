package io.jembed.index.lucene;

import io.jembed.index.Document;
import io.jembed.index.IndexOptions;
import io.jembed.testing.HashingModel;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The child process of {@link CrashRecoveryTest}: ingests batches forever, committing each and then
 * printing "committed N" (N = batches so far), until it is killed.
 */
public final class CrashIngest {
  private CrashIngest() {}

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    HashingModel model = HashingModel.wholeWords("words-64", 64, 32);
    PrintStream out = System.out;
    try (LuceneVectorStore index =
        Files.exists(dir)
            ? LuceneVectorStore.open(dir, model)
            : LuceneVectorStore.create(dir, model, IndexOptions.defaults())) {
      out.println("ready");
      out.flush();
      for (int batch = 0; ; batch++) {
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          docs.add(
              Document.builder("b" + batch + "-" + i)
                  .text("batch " + batch + " document " + i + " with some words to embed")
                  .metadata("batch", batch)
                  .build());
        }
        index.upsert(docs);
        index.commit();
        out.println("committed " + (batch + 1));
        out.flush();
      }
    }
  }
}
