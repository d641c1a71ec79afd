package io.jembed.explore.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.jembed.index.IndexOptions;
import io.jembed.index.Quantization;
import io.jembed.index.StoredDocument;
import io.jembed.index.VectorStore;
import io.jembed.index.lucene.LuceneVectorStore;
import io.jembed.plot.ProjectionMethod;
import io.jembed.plot.ProjectionOptions;
import io.jembed.plot.Projector;
import io.jembed.server.EmbeddingServer;
import io.jembed.server.ServerOptions;
import io.jembed.testing.HashingModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Server side of explore at 10k and 100k points: time for {@code POST /maps} to compute a layout
 * and for {@code GET coordinates} to serve it, the cached second call, one percentile search, and
 * the process's resident memory. Points are synthetic 384-dimension vectors in 20 clusters,
 * imported without embedding (the map's cost does not depend on where vectors came from). A program
 * that prints measurements, not a test:
 *
 * <pre>
 * java -cp explore/target/test-classes:explore/target/classes:$(cat explore/target/test-classpath.txt) \
 *   io.jembed.explore.api.ExploreServerBenchmark [SIZES, default 10000,100000] [METHODS, default pca,tsne,umap]
 * </pre>
 *
 * t-SNE and UMAP run at 10,000 points at most. The peer in the same run: the plot module's
 * Projector called directly on the same vectors (PCA only: the server's overhead is the same for
 * every method).
 */
public final class ExploreServerBenchmark {
  private static final int DIMENSION = 384;

  public static void main(String[] args) throws Exception {
    int[] sizes = {10_000, 100_000};
    if (args.length > 0) {
      String[] s = args[0].split(",");
      sizes = new int[s.length];
      for (int i = 0; i < s.length; i++) {
        sizes[i] = Integer.parseInt(s[i].trim());
      }
    }
    System.out.printf(
        Locale.ROOT,
        "cores %d, max heap %d MB, %s%n",
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20,
        System.getProperty("java.vm.version"));
    List<String> methods =
        List.of(args.length > 1 ? args[1].split(",") : new String[] {"pca", "tsne", "umap"});
    System.out.println(
        "| points | method | POST /maps (compute) | Projector alone | GET coordinates"
            + " | POST /maps again (cached) | bytes | RSS after |");
    System.out.println("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (int n : sizes) {
      run(n, methods);
    }
  }

  private static void run(int n, List<String> methods) throws Exception {
    Path dir = Files.createTempDirectory("explore-bench-");
    HashingModel model = new HashingModel("bench-384", DIMENSION, 256);
    try (VectorStore store =
        LuceneVectorStore.create(
            dir.resolve("idx"),
            model,
            IndexOptions.builder().quantization(Quantization.NONE).build())) {
      importClusters(store, n);
      try (EmbeddingServer server =
          EmbeddingServer.builder()
              .model("bench", model)
              .index("bench", store)
              .options(ServerOptions.builder().port(0).build())
              .start()) {
        // t-SNE of many points on a loaded machine takes minutes
        Http http = new Http(server.uri(), null, java.time.Duration.ofHours(1));
        long t0 = System.nanoTime();
        JsonNode search =
            http.post("/search", Map.of("query", "w1 w2 w3", "k", 10, "percentiles", true)).json();
        long firstSearch = System.nanoTime() - t0;
        t0 = System.nanoTime();
        http.post("/search", Map.of("query", "w4 w5 w6", "k", 10, "percentiles", true)).json();
        long secondSearch = System.nanoTime() - t0;
        System.out.printf(
            Locale.ROOT,
            "<!-- %d points: first percentile search %.0f ms (loads the collection), next %.0f ms;"
                + " collection_size %d -->%n",
            n,
            firstSearch / 1e6,
            secondSearch / 1e6,
            search.get("collection_size").asInt());
        for (String method : methods) {
          if (!method.equals("pca") && n > 10_000) {
            continue;
          }
          t0 = System.nanoTime();
          JsonNode map = http.post("/maps", Map.of("index", "bench", "method", method)).json();
          long compute = System.nanoTime() - t0;
          t0 = System.nanoTime();
          byte[] xy = http.get(map.get("coordinates").asText()).bytes();
          long serve = System.nanoTime() - t0;
          t0 = System.nanoTime();
          JsonNode again = http.post("/maps", Map.of("index", "bench", "method", method)).json();
          long cached = System.nanoTime() - t0;
          if (!again.get("cached").asBoolean() || xy.length != n * 8) {
            throw new IllegalStateException("unexpected answer: " + again);
          }
          String alone = "";
          if (method.equals("pca")) {
            float[][] vectors = new float[n][];
            store.exportDocuments(
                d -> vectors[Integer.parseInt(d.id().substring(1))] = d.chunks().get(0).vector());
            t0 = System.nanoTime();
            Projector.project(
                vectors,
                ProjectionOptions.builder()
                    .method(ProjectionMethod.PCA)
                    .seed(42)
                    .threads(Runtime.getRuntime().availableProcessors())
                    .build());
            alone = String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - t0) / 1e9);
          }
          System.out.printf(
              Locale.ROOT,
              "| %,d | %s | %.1f s | %s | %.0f ms | %.0f ms | %,d | %d MB |%n",
              n,
              method,
              compute / 1e9,
              alone,
              serve / 1e6,
              cached / 1e6,
              xy.length,
              rssMb());
        }
      }
    } finally {
      io.jembed.model.CacheFolder.deleteTree(dir);
    }
  }

  /** n unit vectors around 20 random centres; each document's text names its cluster. */
  private static void importClusters(VectorStore store, int n) {
    Random random = new Random(1);
    float[][] centres = new float[20][DIMENSION];
    for (float[] c : centres) {
      for (int j = 0; j < DIMENSION; j++) {
        c[j] = (float) random.nextGaussian();
      }
    }
    List<StoredDocument> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int cluster = i % centres.length;
      float[] v = new float[DIMENSION];
      double norm = 0;
      for (int j = 0; j < DIMENSION; j++) {
        v[j] = centres[cluster][j] + (float) (0.8 * random.nextGaussian());
        norm += v[j] * v[j];
      }
      for (int j = 0; j < DIMENSION; j++) {
        v[j] /= (float) Math.sqrt(norm);
      }
      String text = "point " + i + " of cluster " + cluster;
      batch.add(
          new StoredDocument(
              "p" + i,
              text,
              Map.of("label", "cluster-" + cluster),
              List.of(new StoredDocument.Chunk(0, text, 0, text.length(), v))));
      if (batch.size() == 5_000) {
        store.importDocuments(batch);
        batch.clear();
      }
    }
    store.importDocuments(batch);
    store.commit();
  }

  private static long rssMb() throws java.io.IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) >> 10;
      }
    }
    return -1;
  }
}
