package io.jembed.index.lucene;

import static org.assertj.core.api.Assertions.assertThat;

import io.jembed.index.Document;
import io.jembed.index.Filter;
import io.jembed.index.SearchHit;
import io.jembed.index.SearchRequest;
import io.jembed.testing.HashingModel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kills a child JVM mid-ingest (SIGKILL) and checks that every acknowledged commit survived. */
class CrashRecoveryTest {
  @TempDir Path tmp;

  @Test
  void everyCommittedDocumentSurvivesAKill() throws Exception {
    Path dir = tmp.resolve("idx");
    int acknowledged = runAndKill(dir, 6);
    assertThat(acknowledged).isGreaterThanOrEqualTo(6);
    HashingModel model = HashingModel.wholeWords("words-64", 64, 32);
    try (LuceneVectorStore index = LuceneVectorStore.open(dir, model)) {
      long docs = index.stats().documents();
      // every acknowledged batch is there, whole; an unacknowledged one may be too (the kill came
      // after its commit but before the line was printed), but never in part
      assertThat(docs).isGreaterThanOrEqualTo(acknowledged * 200L);
      assertThat(docs % 200).isZero();
      for (int b = 0; b < acknowledged; b++) {
        assertThat(index.contains("b" + b + "-0")).isTrue();
        assertThat(index.contains("b" + b + "-199")).isTrue();
      }
      List<SearchHit> hits =
          index.search(
              SearchRequest.builder()
                  .query("batch 3 document 17")
                  .k(5)
                  .filter(Filter.term("batch", "3"))
                  .build());
      assertThat(hits)
          .hasSize(5)
          .allSatisfy(h -> assertThat(h.metadata().get("batch")).isEqualTo(3L));
      // and it stays writable after the crash
      index.upsert(Document.of("after", "written after the crash"));
      index.commit();
      assertThat(index.contains("after")).isTrue();
    }
  }

  /** Runs the child until it acknowledged {@code commits} commits, kills it, returns the last. */
  static int runAndKill(Path dir, int commits) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "-Xmx256m",
                CrashIngest.class.getName(),
                dir.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    int last = 0;
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      String line;
      while ((line = in.readLine()) != null && System.nanoTime() < deadline) {
        if (line.startsWith("committed ")) {
          last = Integer.parseInt(line.substring("committed ".length()));
          if (last >= commits) {
            p.destroyForcibly(); // SIGKILL: no shutdown hooks, no close
            break;
          }
        }
      }
    } finally {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
    return last;
  }
}
