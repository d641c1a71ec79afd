package io.jembed.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.jembed.SentenceTransformer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A program that exits right after its second single-text encode (which starts opening the latency
 * session in the background) must exit cleanly: the JVM's exit used to tear ONNX Runtime down under
 * the thread still inside its session creation, and the process died with a native crash.
 */
class ExitDuringLatencySessionTest {

  @TempDir Path dir;

  @Test
  void exitingWhileTheLatencySessionOpensIsClean() throws Exception {
    for (int run = 0; run < 2; run++) {
      Path output = dir.resolve("out-" + run + ".txt");
      Process p =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "--enable-native-access=ALL-UNNAMED",
                  "-Djembed.home="
                      + System.getProperty("jembed.home", dir.resolve("home").toString()),
                  "-cp",
                  System.getProperty("java.class.path"),
                  ExitAfterTwoQueries.class.getName())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
      String out = Files.readString(output, StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(out).isZero();
      assertThat(out).contains("encoded 2").doesNotContain("SIGSEGV").doesNotContain("hs_err");
    }
  }

  /** Loads the default model, encodes two single texts, and exits at once. */
  public static final class ExitAfterTwoQueries {
    public static void main(String[] args) {
      SentenceTransformer model = SentenceTransformer.load("all-MiniLM-L6-v2");
      model.encode("the first query");
      model.encode("the second query starts the latency session");
      System.out.println("encoded 2");
      System.exit(0); // the model is left open, as a short program's often is
    }
  }
}
