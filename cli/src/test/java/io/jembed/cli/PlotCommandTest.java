package io.jembed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotCommandTest {
  /** The tutorial's nine sentences with their topics, text TAB label. */
  static final String TUTORIAL =
      """
      The cat sleeps on the warm windowsill.\tAnimals
      Dogs love to play fetch in the park.\tAnimals
      A herd of elephants crossed the river.\tAnimals
      Neural networks learn patterns from large datasets.\tAI/ML
      Transformers revolutionized natural language processing.\tAI/ML
      Gradient descent minimizes the loss function.\tAI/ML
      Fresh basil makes the pasta sauce taste better.\tFood
      She baked a chocolate cake for the party.\tFood
      Sushi is made with vinegared rice and raw fish.\tFood
      """;

  @TempDir Path dir;

  private Path write(String name, String content) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, content, StandardCharsets.UTF_8);
    return p;
  }

  @Test
  void drawsTheTutorialPictureWithTheDefaultModel() throws Exception {
    Path in = write("sentences.tsv", TUTORIAL);
    Path png = dir.resolve("map.png");
    CliRunner.Result r =
        CliRunner.run(
            "plot", "--input", in.toString(), "--output", png.toString(), "--annotate", "text");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.err()).contains("jembed: wrote " + png + " (t-SNE map of 9 points");
    assertThat(r.err())
        .contains("note: perplexity 30 is too large for 9 points")
        .contains("using 3");
    BufferedImage img = ImageIO.read(png.toFile());
    assertThat(img.getWidth()).isEqualTo(960);
    assertThat(img.getHeight()).isEqualTo(720);
  }

  @Test
  void htmlHasEveryTextForHovering() throws Exception {
    Path in = write("sentences.txt", TUTORIAL);
    Path html = dir.resolve("map.html");
    CliRunner.Result r =
        CliRunner.run(
            "plot",
            "-i",
            in.toString(),
            "-o",
            html.toString(),
            "--model",
            "fake:bow",
            "--method",
            "umap",
            "--title",
            "Topics");
    assertThat(r.exit()).as(r.toString()).isZero();
    String page = Files.readString(html);
    assertThat(page)
        .contains("<title>Topics</title>")
        .contains("data-t=\"Sushi is made with vinegared rice and raw fish.\"")
        .contains("data-l=\"AI/ML\"");
  }

  @Test
  void svgAndCoordinatesAreValid() throws Exception {
    Path in = write("sentences.txt", TUTORIAL);
    Path svg = dir.resolve("map.svg");
    CliRunner.Result r =
        CliRunner.run(
            "plot", "-i", in.toString(), "-o", svg.toString(), "-m", "fake:bow", "--method", "pca");
    assertThat(r.exit()).as(r.toString()).isZero();
    DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
    assertThat(Files.readString(svg)).contains("PC 1 (");

    Path csv = dir.resolve("xy.csv");
    r = CliRunner.run("plot", "-i", in.toString(), "-o", csv.toString(), "-m", "fake:bow");
    assertThat(r.exit()).as(r.toString()).isZero();
    List<String> lines = Files.readAllLines(csv);
    assertThat(lines).hasSize(10);
    assertThat(lines.get(0)).isEqualTo("x,y,label,text");
    assertThat(lines.get(1)).endsWith(",Animals,The cat sleeps on the warm windowsill.");
  }

  @Test
  void sameSeedSameMapDifferentSeedDifferentMap() throws Exception {
    Path in = write("sentences.txt", TUTORIAL);
    String[] a = {"plot", "-i", in.toString(), "-m", "fake:bow", "--method", "umap", "--seed"};
    CliRunner.run(concat(a, "1", "-o", dir.resolve("a.csv").toString()));
    CliRunner.run(concat(a, "1", "-o", dir.resolve("b.csv").toString()));
    CliRunner.run(concat(a, "2", "-o", dir.resolve("c.csv").toString()));
    assertThat(Files.readString(dir.resolve("a.csv")))
        .isEqualTo(Files.readString(dir.resolve("b.csv")));
    assertThat(Files.readString(dir.resolve("a.csv")))
        .isNotEqualTo(Files.readString(dir.resolve("c.csv")));
  }

  private static String[] concat(String[] a, String... b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  @Test
  void embeddingsFileWithLabels() throws Exception {
    Path in = write("sentences.txt", TUTORIAL.replaceAll("\t[^\n]*", ""));
    Path emb = dir.resolve("emb.jsonl");
    CliRunner.Result enc =
        CliRunner.run("encode", "-i", in.toString(), "-o", emb.toString(), "-m", "fake:bow");
    assertThat(enc.exit()).as(enc.toString()).isZero();
    Path labels =
        write("labels.txt", "Animals\nAnimals\nAnimals\nAI/ML\nAI/ML\nAI/ML\nFood\nFood\nFood\n");
    Path html = dir.resolve("map.html");
    CliRunner.Result r =
        CliRunner.run(
            "plot", "-i", emb.toString(), "--labels", labels.toString(), "-o", html.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    String page = Files.readString(html);
    assertThat(page).contains("data-l=\"Food\"").contains("(3)").contains("bow-32");

    Path shortLabels = write("short.txt", "Animals\nFood\n");
    r = CliRunner.run("plot", "-i", emb.toString(), "--labels", shortLabels.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("has 2 lines but there are 9 points");
  }

  @Test
  void badInputGetsClearErrors() throws Exception {
    Path one = write("one.txt", "Just one sentence.\tA\n");
    CliRunner.Result r = CliRunner.run("plot", "-i", one.toString(), "-m", "fake:bow");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("a map needs at least 3 points").contains("has 1");

    Path empty = write("empty.txt", "\n\n");
    r = CliRunner.run("plot", "-i", empty.toString(), "-m", "fake:bow");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("has no texts");

    Path in = write("sentences.txt", TUTORIAL);
    r = CliRunner.run("plot", "-i", in.toString(), "--method", "mds", "-m", "fake:bow");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("unknown projection method 'mds': use one of tsne, pca, umap");

    r = CliRunner.run("plot", "-i", in.toString(), "-o", dir.resolve("map.jpg").toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("name it .png, .svg or .html");

    r = CliRunner.run("plot", "-i", dir.resolve("missing.txt").toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("input file not found");

    r = CliRunner.run("plot", "-i", in.toString(), "--perplexity", "0.5");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("perplexity must be at least 1");

    r = CliRunner.run("plot", "-i", in.toString(), "--size", "big");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--size must be WIDTHxHEIGHT");

    r = CliRunner.run("plot");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--input");
  }

  @Property(tries = 15)
  void anyLabelledLinesGiveAMapWithOnePointEach(
      @ForAll @IntRange(min = 3, max = 30) int n, @ForAll @IntRange(min = 1, max = 5) int groups)
      throws Exception {
    Path tmp = Files.createTempDirectory("plot");
    try {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < n; i++) {
        b.append("text <&\"> number ").append(i).append(" about topic ").append(i % groups);
        b.append('\t').append("topic ").append(i % groups).append('\n');
      }
      Path in = tmp.resolve("in.txt");
      Files.writeString(in, b.toString());
      Path svg = tmp.resolve("map.svg");
      CliRunner.Result r =
          CliRunner.run("plot", "-i", in.toString(), "-o", svg.toString(), "-m", "fake:bow");
      assertThat(r.exit()).as(r.toString()).isZero();
      var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
      int legend = Math.min(groups, n);
      assertThat(doc.getElementsByTagName("circle").getLength()).isEqualTo(n + legend);
    } finally {
      try (var files = Files.walk(tmp)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
