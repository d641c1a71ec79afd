package io.jembed.bench;

import io.jembed.EncodeOptions;
import io.jembed.LoadOptions;
import io.jembed.SentenceTransformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Peak resident memory while encoding many sentences with the float32 model, printed after every
 * slice so growth with corpus size would show. The vectors are kept (as a caller would keep them):
 * 100,000 x 384 floats are 154 MB of the total.
 *
 * <pre>
 * java -XX:+UseSerialGC -Xmx128m -cp ... io.jembed.bench.MemoryBenchmark [--sentences 100000]
 *     [--workers N] [--discard]
 * </pre>
 */
public final class MemoryBenchmark {
  public static void main(String[] args) throws IOException {
    int total = 100_000;
    int slice = 10_000;
    Path shared = StsSentences.defaultSharedDir();
    String model = "all-MiniLM-L6-v2";
    boolean keep = true;
    String workers = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--sentences" -> total = Integer.parseInt(args[++i]);
        case "--slice" -> slice = Integer.parseInt(args[++i]);
        case "--shared" -> shared = Path.of(args[++i]);
        case "--model" -> model = args[++i];
        case "--discard" -> keep = false;
        case "--workers" -> workers = args[++i];
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    List<String> base = StsSentences.testSentences(shared);
    System.out.printf(
        Locale.ROOT,
        "# %s: %,d sentences in slices of %,d, max heap %d MB, vectors %s%n",
        model,
        total,
        slice,
        Runtime.getRuntime().maxMemory() >> 20,
        keep ? "kept" : "discarded");
    System.out.printf(Locale.ROOT, "before load: rss %d MB%n", rssMb("VmRSS"));
    List<float[][]> kept = new ArrayList<>();
    long t0 = System.nanoTime();
    LoadOptions.Builder load = LoadOptions.builder();
    if (workers != null) {
      load.property("workers", workers);
    }
    try (SentenceTransformer m = SentenceTransformer.load(model, load.build())) {
      System.out.printf(Locale.ROOT, "after load: rss %d MB%n", rssMb("VmRSS"));
      for (int done = 0; done < total; done += slice) {
        List<String> texts = new ArrayList<>(slice);
        for (int i = done; i < Math.min(total, done + slice); i++) {
          // distinct texts: a sentence of the STS test split with its number
          texts.add(base.get(i % base.size()) + " (" + i + ")");
        }
        float[][] v = m.encode(texts, EncodeOptions.builder().batchSize(64).build()).vectors();
        if (keep) {
          kept.add(v);
        }
        System.out.printf(
            Locale.ROOT,
            "%,7d sentences: rss %d MB, peak rss %d MB, %.0f sentences/s%n",
            done + texts.size(),
            rssMb("VmRSS"),
            rssMb("VmHWM"),
            (done + texts.size()) / ((System.nanoTime() - t0) / 1e9));
      }
    }
    System.out.printf(
        Locale.ROOT, "peak rss %d MB (%d slices kept)%n", rssMb("VmHWM"), kept.size());
  }

  /** A field of /proc/self/status in MB (VmRSS now, VmHWM the peak). */
  static long rssMb(String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    return -1;
  }
}
