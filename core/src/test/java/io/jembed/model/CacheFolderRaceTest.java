package io.jembed.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.jembed.LoadOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two threads or two processes preparing the same cache folder at once both succeed and see the
 * same files. On Linux the loser's rename onto the winner's (non-empty) folder fails with a plain
 * FileSystemException ("Directory not empty"), which must count as "another one won".
 */
class CacheFolderRaceTest {
  private static final String MODEL = "all-MiniLM-L6-v2-int8";

  @TempDir Path dir;

  @Test
  void twoWritersThatFinishTogetherBothSucceed() throws Exception {
    for (int round = 0; round < 20; round++) {
      Path target = dir.resolve("round-" + round).resolve("folder");
      if (round % 2 == 1) {
        // an incomplete leftover (no marker) is replaced, by one writer or the other
        Files.createDirectories(target);
        Files.writeString(target.resolve("half-written.txt"), "junk");
      }
      CyclicBarrier bothWritten = new CyclicBarrier(2);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
          writers.add(
              pool.submit(
                  () -> {
                    CacheFolder.create(
                        target,
                        tmp -> {
                          Files.writeString(tmp.resolve("data.txt"), "the same contents");
                          await(bothWritten); // both temp folders are full: both move now
                          return "marker";
                        });
                    return null;
                  }));
        }
        for (Future<?> w : writers) {
          w.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(CacheFolder.isComplete(target)).isTrue();
      assertThat(Files.readString(target.resolve("data.txt"))).isEqualTo("the same contents");
      assertThat(target.resolve("half-written.txt")).doesNotExist();
      try (Stream<Path> siblings = Files.list(target.getParent())) {
        assertThat(siblings).as("temporary folders left behind").containsExactly(target);
      }
    }
  }

  @Test
  void twoThreadsPrepareTheSameBundledModelIntoAnEmptyCache() throws Exception {
    for (int round = 0; round < 3; round++) {
      Path cache = dir.resolve("threads-" + round);
      LoadOptions options = LoadOptions.builder().cacheDir(cache).build();
      BundledModel model = BundledModels.find(MODEL).orElseThrow();
      CyclicBarrier start = new CyclicBarrier(2);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        List<Future<Path>> prepared = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
          prepared.add(
              pool.submit(
                  () -> {
                    await(start);
                    return BundledModels.materialize(model, options);
                  }));
        }
        Path first = prepared.get(0).get(120, TimeUnit.SECONDS);
        assertThat(prepared.get(1).get(120, TimeUnit.SECONDS)).isEqualTo(first);
        assertWholeModel(first);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void twoJvmsPrepareTheSameBundledModelIntoAnEmptyCache() throws Exception {
    for (int round = 0; round < 3; round++) {
      Path cache = dir.resolve("jvms-" + round);
      Path go = dir.resolve("go-" + round);
      List<Process> processes = new ArrayList<>();
      List<Path> outputs = new ArrayList<>();
      for (int p = 0; p < 2; p++) {
        Path output = dir.resolve("jvm-" + round + "-" + p + ".txt");
        outputs.add(output);
        processes.add(
            new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    PrepareBundledModel.class.getName(),
                    MODEL,
                    cache.toString(),
                    go.toString())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start());
      }
      // both JVMs are up and polling for the go file: they prepare the model at the same moment
      Thread.sleep(1500);
      Files.writeString(go, "go");
      for (int p = 0; p < 2; p++) {
        assertThat(processes.get(p).waitFor(180, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(outputs.get(p), StandardCharsets.UTF_8);
        assertThat(processes.get(p).exitValue()).as(out).isZero();
        assertThat(out).contains("prepared ");
      }
      Path folder = Path.of(Files.readString(outputs.get(0)).strip().replace("prepared ", ""));
      assertThat(Files.readString(outputs.get(1)).strip()).isEqualTo("prepared " + folder);
      assertWholeModel(folder);
    }
  }

  /** The folder holds exactly the files a single, undisturbed preparation writes. */
  private void assertWholeModel(Path folder) throws Exception {
    Path reference = dir.resolve("reference");
    Path alone =
        BundledModels.materialize(
            BundledModels.find(MODEL).orElseThrow(),
            LoadOptions.builder().cacheDir(reference).build());
    assertThat(digests(folder)).isEqualTo(digests(alone));
    try (Stream<Path> siblings = Files.list(folder.getParent())) {
      assertThat(siblings).as("temporary folders left behind").containsExactly(folder);
    }
  }

  private static Map<String, String> digests(Path folder) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        try {
          byte[] sha = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f));
          out.put(folder.relativize(f).toString(), HexFormat.of().formatHex(sha));
        } catch (java.security.NoSuchAlgorithmException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return out;
  }

  private static void await(CyclicBarrier barrier) {
    try {
      barrier.await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** One JVM of the race: waits for the go file, prepares the model, prints its folder. */
  public static final class PrepareBundledModel {
    public static void main(String[] args) throws Exception {
      Path go = Path.of(args[2]);
      while (!Files.exists(go)) {
        Thread.sleep(1);
      }
      Path folder =
          BundledModels.materialize(
              BundledModels.find(args[0]).orElseThrow(),
              LoadOptions.builder().cacheDir(Path.of(args[1])).build());
      System.out.println("prepared " + folder);
    }
  }
}
