package io.jembed.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Start-up, measured as whole processes: {@code ./jembed encode "hello"} (the launcher, the JVM,
 * the model load and one vector), and the library's model load to first vector in a fresh JVM
 * ({@link FirstVector}). Run from the project root after a build.
 *
 * <pre>
 * java -cp "$(cat bench/target/classpath.txt):bench/target/classes" io.jembed.bench.StartupBenchmark [--runs 5]
 * </pre>
 */
public final class StartupBenchmark {
  public static void main(String[] args) throws Exception {
    int runs = 5;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--runs")) {
        runs = Integer.parseInt(args[++i]);
      } else {
        throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Path launcher = Path.of("jembed").toAbsolutePath();
    if (!Files.isExecutable(launcher)) {
      throw new IllegalStateException("run from the project root: " + launcher + " not found");
    }
    // once to build if needed and to warm the disk cache
    time(List.of(launcher.toString(), "encode", "hello"));
    double[] cli = new double[runs];
    for (int r = 0; r < runs; r++) {
      cli[r] = time(List.of(launcher.toString(), "encode", "hello"));
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> library =
        List.of(
            java,
            "-XX:+UseSerialGC",
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            FirstVector.class.getName());
    double[] process = new double[runs];
    List<String> inProcess = new ArrayList<>();
    for (int r = 0; r < runs; r++) {
      process[r] = time(library, inProcess);
    }
    Arrays.sort(cli);
    System.out.printf(
        Locale.ROOT,
        "jembed encode \"hello\" (whole process, warm disk): median %.2f s, best %.2f s over %d runs%n",
        cli[runs / 2],
        cli[0],
        runs);
    System.out.printf(
        Locale.ROOT, "library model load to first vector (fresh JVM): %s%n", inProcess);
  }

  static double time(List<String> command) throws IOException, InterruptedException {
    return time(command, null);
  }

  static double time(List<String> command, List<String> lastLine)
      throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes());
    int code = p.waitFor();
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (code != 0) {
      throw new IllegalStateException(command + " failed with exit code " + code);
    }
    if (lastLine != null) {
      lastLine.add(out.strip());
    }
    return seconds;
  }
}
