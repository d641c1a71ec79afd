package io.jembed.explore.browser;

import io.jembed.EmbeddingModel;
import io.jembed.index.Document;
import io.jembed.index.IndexOptions;
import io.jembed.index.lucene.LuceneVectorStore;
import io.jembed.server.EmbeddingServer;
import io.jembed.server.ServerOptions;
import io.jembed.testing.HashingModel;
import io.jembed.testing.TestServers;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * Time to first map in headless Chromium (software WebGL) for collections of 10,000 and 100,000
 * points: projection on the server, transfer, first frame; the frame interval while panning; the
 * server's heap; and the browser drawing 1,000,000 points. The vectors are given (384-d, clustered)
 * so no time goes to embedding.
 *
 * <pre>
 * {@code java -cp TEST_CLASSPATH io.jembed.explore.browser.ExploreBenchmark [10000,100000] [pca]}
 * </pre>
 */
public final class ExploreBenchmark {
  private static final int DIMENSION = 384;

  private ExploreBenchmark() {}

  public static void main(String[] args) throws Exception {
    int[] sizes =
        Arrays.stream((args.length > 0 ? args[0] : "10000,100000").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    String method = args.length > 1 ? args[1] : "pca";
    TestServers.Chromium chromium =
        new TestServers.Chromium(
            Path.of(System.getenv().getOrDefault(TestServers.CHROMIUM, "/usr/bin/chromium")),
            Path.of(
                System.getenv().getOrDefault(TestServers.CHROMEDRIVER, "/usr/bin/chromedriver")));
    Path dir = Files.createTempDirectory("jembed-explore-bench-");
    EmbeddingModel model = HashingModel.wholeWords("bag-of-words", DIMENSION, 256);
    List<LuceneVectorStore> stores = new ArrayList<>();
    EmbeddingServer.Builder builder =
        EmbeddingServer.builder()
            .model("bag-of-words", model)
            .options(ServerOptions.builder().port(0).build());
    for (int n : sizes) {
      long t = System.nanoTime();
      LuceneVectorStore store = collection(dir.resolve("c" + n), model, n);
      stores.add(store);
      builder.index("c" + n, store, model);
      System.out.printf(
          Locale.ROOT, "indexed %,d vectors in %.1f s%n", n, (System.nanoTime() - t) / 1e9);
    }
    long heapBefore = heapAfterGc();
    System.out.printf(
        Locale.ROOT,
        "Chromium %s, 1280x800, software WebGL (SwiftShader); JDK %s; %d cores%n",
        "headless",
        Runtime.version(),
        Runtime.getRuntime().availableProcessors());
    System.out.println(
        "| points | server: collection + projection, cold / cached | transfer | first frame"
            + " (renderer set-up) | total, cold / cached | pan frame p50 / p95 | server heap after |");
    System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
    try (EmbeddingServer server = builder.start();
        Browser browser = new Browser(chromium, 1280, 800)) {
      for (int n : sizes) {
        Map<String, Long> cold = firstMap(browser, server, "c" + n, method);
        Map<String, Long> warm = firstMap(browser, server, "c" + n, method);
        double[] pan = pan(browser);
        long heap = heapAfterGc();
        System.out.printf(
            Locale.ROOT,
            "| %,d (%s) | %,d / %,d ms | %,d ms (%,d KB) | %,d ms (%,d ms) | %,d / %,d ms | %.1f / %.1f ms"
                + " | %,d MB (+%,d MB) |%n",
            n,
            method,
            cold.get("projectionMs"),
            warm.get("projectionMs"),
            cold.get("transferMs"),
            n * 8L / 1024,
            cold.get("firstFrameMs"),
            cold.get("rendererMs"),
            cold.get("totalMs"),
            warm.get("totalMs"),
            pan[0],
            pan[1],
            heap >> 20,
            (heap - heapBefore) >> 20);
      }
      System.out.printf(
          Locale.ROOT,
          "browser alone, 1,000,000 random points: first frame in %,d ms%n",
          million(browser));
    } finally {
      stores.forEach(LuceneVectorStore::close);
    }
  }

  /** Clustered unit vectors (40 centres) with the topic corpus's texts and labels. */
  static LuceneVectorStore collection(Path dir, EmbeddingModel model, int n) {
    LuceneVectorStore store = LuceneVectorStore.create(dir, model, IndexOptions.defaults());
    Random random = new Random(42);
    float[][] centres = new float[40][DIMENSION];
    for (float[] c : centres) {
      for (int d = 0; d < DIMENSION; d++) {
        c[d] = (float) random.nextGaussian();
      }
    }
    List<Corpus.Text> texts = Corpus.topics(n);
    List<Document> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Corpus.Text text = texts.get(i);
      float[] centre = centres[(i % 5) * 8 + (i / 5) % 8];
      float[] v = new float[DIMENSION];
      double norm = 0;
      for (int d = 0; d < DIMENSION; d++) {
        v[d] = centre[d] + (float) (0.8 * random.nextGaussian());
        norm += v[d] * v[d];
      }
      for (int d = 0; d < DIMENSION; d++) {
        v[d] /= (float) Math.sqrt(norm);
      }
      batch.add(
          Document.builder(text.id())
              .text(text.text())
              .metadata("label", text.topic())
              .vector(v)
              .build());
      if (batch.size() == 10_000) {
        store.upsert(batch);
        batch.clear();
      }
    }
    store.upsert(batch);
    store.commit();
    return store;
  }

  /** Loads the map view afresh and reads the timings the page measured. */
  static Map<String, Long> firstMap(
      Browser browser, EmbeddingServer server, String index, String method) {
    browser.open(
        server.uri().resolve("/") + "#map?index=" + index + "&method=" + method + "&color=label");
    browser.waitUntil(
        d -> "true".equals(browser.byId("map-wrap").getDomAttribute("data-drawn")) ? true : null);
    WebElement status = browser.byId("map-status");
    return Map.of(
        "projectionMs", Long.parseLong(status.getDomAttribute("data-projection-ms")),
        "transferMs", Long.parseLong(status.getDomAttribute("data-transfer-ms")),
        "firstFrameMs", Long.parseLong(status.getDomAttribute("data-first-frame-ms")),
        "rendererMs", Long.parseLong(status.getDomAttribute("data-renderer-ms")),
        "totalMs", Long.parseLong(status.getDomAttribute("data-total-ms")));
  }

  /**
   * Drags the map for about two seconds; the median and 95th percentile animation-frame interval.
   */
  static double[] pan(Browser browser) {
    browser.js(
        "window.__frames = []; window.__panning = true; let last = performance.now();"
            + "const tick = (t) => { window.__frames.push(t - last); last = t;"
            + "  if (window.__panning) requestAnimationFrame(tick); };"
            + "requestAnimationFrame(tick);");
    WebElement canvas = browser.byId("map-canvas");
    Actions drag = new Actions(browser.driver).moveToElement(canvas).clickAndHold();
    for (int i = 0; i < 120; i++) {
      drag.moveByOffset(i % 60 < 30 ? 4 : -4, i % 40 < 20 ? 2 : -2).pause(Duration.ofMillis(16));
    }
    drag.release().perform();
    List<?> frames =
        (List<?>) browser.js("window.__panning = false; return window.__frames.slice(2);");
    double[] ms = frames.stream().mapToDouble(f -> ((Number) f).doubleValue()).sorted().toArray();
    return new double[] {ms[ms.length / 2], ms[(int) Math.floor(ms.length * 0.95)]};
  }

  /**
   * regl-scatterplot alone (the vendored file, through the page's import map) drawing 1M points.
   */
  static long million(Browser browser) {
    Object ms =
        browser.asyncJs(
            "const done = arguments[arguments.length - 1];"
                + "import('regl-scatterplot').then(async ({ default: createScatterplot }) => {"
                + "  const canvas = document.createElement('canvas');"
                + "  canvas.style = 'position:fixed;left:0;top:0;width:1000px;height:700px;z-index:9';"
                + "  document.body.append(canvas);"
                + "  const n = 1000000, x = new Float32Array(n), y = new Float32Array(n);"
                + "  for (let i = 0; i < n; i++) { const a = Math.random() * 6.283, r = Math.sqrt(-2 * Math.log(Math.random() + 1e-9)) * 0.25;"
                + "    x[i] = Math.max(-1, Math.min(1, Math.cos(a) * r + ((i % 7) - 3) * 0.2)); y[i] = Math.max(-1, Math.min(1, Math.sin(a) * r)); }"
                + "  const t0 = performance.now();"
                + "  const plot = createScatterplot({ canvas, width: 1000, height: 700, pointSize: 1.5 });"
                + "  await plot.draw({ x, y });"
                + "  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));"
                + "  done(Math.round(performance.now() - t0));"
                + "}).catch((e) => done(-1));");
    return ((Number) ms).longValue();
  }

  private static long heapAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
