package io.jembed.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.jembed.EmbeddingModel;
import io.jembed.index.SearchHit;
import io.jembed.index.SearchRequest;
import io.jembed.index.StoreLocation;
import io.jembed.index.VectorStore;
import io.jembed.index.VectorStores;
import io.jembed.testing.RequiresServers;
import io.jembed.testing.TestServer;
import io.jembed.testing.TestServers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spark-submit job writing into the database stores: every executor of the local[2] session
 * writes its own partitions (the default for a location that is not a folder), and a re-run of the
 * same job converges on the same documents.
 */
@RequiresServers({TestServer.POSTGRES, TestServer.OPENSEARCH})
class EmbedJobIntoServersTest extends LocalSpark {
  private static final String MODEL = "all-MiniLM-L6-v2";
  private static final String NAME =
      String.format(Locale.ROOT, "spark_%06x", ThreadLocalRandom.current().nextInt(1 << 24));

  private static final List<StoreLocation> MADE = new ArrayList<>();
  static EmbeddingModel own;

  @TempDir Path dir;

  @BeforeAll
  static void loadOwnModel() {
    own = EmbeddingModel.load(MODEL);
  }

  @AfterAll
  static void dropStoresAndCloseModel() {
    for (StoreLocation l : MADE) {
      VectorStores.provider(l).drop(l);
    }
    own.close();
  }

  @Test
  void textFileIntoPostgresFromTheExecutors(TestServers.Postgres pg) throws IOException {
    String location =
        "postgresql://%s@%s:%d/%s?table=%s"
            .formatted(pg.user(), pg.host(), pg.port(), pg.database(), NAME);
    embedTwiceAndSearch(location);
  }

  @Test
  void textFileIntoOpenSearchFromTheExecutors(TestServers.OpenSearch os) throws IOException {
    String location =
        "opensearch://%s:%d/%s"
            .formatted(os.baseUri().getHost(), os.baseUri().getPort(), NAME.replace('_', '-'));
    embedTwiceAndSearch(location);
  }

  private void embedTwiceAndSearch(String location) throws IOException {
    MADE.add(StoreLocation.parse(location));
    Path in = dir.resolve("lines.txt");
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      lines.add("background sentence number " + i + " about the weather and the sea");
    }
    lines.add("A man is playing a guitar.");
    Files.write(in, lines);

    for (int run = 0; run < 2; run++) { // the second run replaces the same ids
      EmbedJobTest.Run job =
          EmbedJobTest.job("--input", in.toString(), "--store", location, "--model", MODEL);
      assertThat(job.code()).as(job.err()).isZero();
      assertThat(job.out()).contains("stored: 301 documents in").contains("(from the executors)");
    }

    try (VectorStore store = VectorStores.openReadOnly(location, own)) {
      assertThat(store.stats().documents()).isEqualTo(301);
      assertThat(store.metadata().modelName()).isEqualTo(MODEL);
      List<SearchHit> hits = store.search(SearchRequest.of("someone plays music", 1));
      assertThat(hits.get(0).text()).isEqualTo("A man is playing a guitar.");
      assertThat(hits.get(0).score()).isGreaterThan(0.3);
    }
  }
}
