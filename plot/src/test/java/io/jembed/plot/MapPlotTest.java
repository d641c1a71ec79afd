package io.jembed.plot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jembed.JembedException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class MapPlotTest {
  private static final double[][] XY = {
    {0, 0},
    {0.2, 0.1},
    {0.1, 0.3},
    {5, 5},
    {5.2, 5.1},
    {5.1, 4.8},
    {-4, 6},
    {-4.2, 6.1},
    {-3.9, 5.8}
  };

  private static MapPlot tutorialPlot(Annotation annotation) {
    return MapPlot.builder(Projection.of(XY, "t-SNE 1", "t-SNE 2"))
        .labels(TutorialSentences.LABELS)
        .texts(TutorialSentences.TEXTS)
        .title("Nine sentences, three topics")
        .annotation(annotation)
        .build();
  }

  @Test
  void writesAValidPng(@TempDir Path dir) throws Exception {
    Path png = dir.resolve("map.png");
    tutorialPlot(Annotation.LABEL).write(png);
    byte[] bytes = Files.readAllBytes(png);
    assertThat(bytes).startsWith(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
    BufferedImage img = ImageIO.read(png.toFile());
    assertThat(img.getWidth()).isEqualTo(960);
    assertThat(img.getHeight()).isEqualTo(720);
    // three label colours appear on the picture
    assertThat(countPixels(img, 0x1f77b4)).isGreaterThan(30);
    assertThat(countPixels(img, 0xff7f0e)).isGreaterThan(30);
    assertThat(countPixels(img, 0x2ca02c)).isGreaterThan(30);
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(png); // no temp file left behind
    }
  }

  private static int countPixels(BufferedImage img, int rgb) {
    int count = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        if ((img.getRGB(x, y) & 0xffffff) == rgb) {
          count++;
        }
      }
    }
    return count;
  }

  @Test
  void writesAValidSvgWithTooltipsAndLegend(@TempDir Path dir) throws Exception {
    Path svg = dir.resolve("map.svg");
    tutorialPlot(Annotation.TEXT).write(svg);
    Document doc = parse(Files.readAllBytes(svg));
    Element root = doc.getDocumentElement();
    assertThat(root.getTagName()).isEqualTo("svg");
    NodeList circles = doc.getElementsByTagName("circle");
    assertThat(circles.getLength()).isEqualTo(9 + 3); // points + legend markers
    String all = Files.readString(svg);
    assertThat(all)
        .contains("<title>Animals: The cat sleeps on the warm windowsill.</title>")
        .contains(">Animals  (3)</text>")
        .contains(">Nine sentences, three topics</text>")
        .contains(">t-SNE 1</text>");
  }

  @Test
  void htmlIsSelfContainedWithHoverText(@TempDir Path dir) throws Exception {
    Path html = dir.resolve("map.html");
    tutorialPlot(Annotation.NONE).write(html);
    String page = Files.readString(html);
    assertThat(page).startsWith("<!DOCTYPE html>").contains("<script>").contains("mousemove");
    // nothing is fetched when viewed: no src/href attributes, no imports, no URLs besides the SVG
    // namespace name
    assertThat(page).doesNotContain("src=").doesNotContain("href").doesNotContain("@import");
    Matcher urls = Pattern.compile("https?://[^\"\\s)]+").matcher(page);
    while (urls.find()) {
      assertThat(urls.group()).isEqualTo("http://www.w3.org/2000/svg");
    }
    String svg = page.substring(page.indexOf("<svg"), page.indexOf("</svg>") + 6);
    Document doc = parse(svg.getBytes(StandardCharsets.UTF_8));
    NodeList circles = doc.getElementsByTagName("circle");
    int withText = 0;
    for (int i = 0; i < circles.getLength(); i++) {
      Element c = (Element) circles.item(i);
      if (c.hasAttribute("data-t")) {
        withText++;
        assertThat(TutorialSentences.TEXTS).contains(c.getAttribute("data-t"));
        assertThat(TutorialSentences.LABELS).contains(c.getAttribute("data-l"));
      }
    }
    assertThat(withText).isEqualTo(9);
  }

  @Property(tries = 50)
  void anyTextGivesWellFormedSvgAndHtml(
      @ForAll @Size(min = 3, max = 6) List<String> texts, @ForAll @Size(3) List<String> labels)
      throws Exception {
    int n = texts.size();
    double[][] xy = new double[n][2];
    List<String> l = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      xy[i][0] = i;
      xy[i][1] = i % 2;
      l.add(labels.get(i % 3));
    }
    MapPlot plot =
        MapPlot.builder(Projection.of(xy, "x", "y"))
            .labels(l)
            .texts(texts)
            .title(texts.get(0))
            .annotation(Annotation.TEXT)
            .build();
    parse(plot.toSvg().getBytes(StandardCharsets.UTF_8));
    String page = plot.toHtml();
    parse(
        page.substring(page.indexOf("<svg"), page.indexOf("</svg>") + 6)
            .getBytes(StandardCharsets.UTF_8));
    assertThat(page).doesNotContain("</script><"); // nothing from the input closes the script early
  }

  @Test
  void unlabelledPointsHaveNoLegend() {
    String svg = MapPlot.builder(Projection.of(XY, "a", "b")).build().toSvg();
    assertThat(svg).doesNotContain("class=\"legend\"");
  }

  @Test
  void manyLabelsGetDistinctColoursAndAShortLegend() throws Exception {
    int n = 60;
    double[][] xy = new double[n][2];
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      xy[i][0] = i;
      labels.add("label " + i / 2);
    }
    String svg = MapPlot.builder(Projection.of(xy, "a", "b")).labels(labels).build().toSvg();
    parse(svg.getBytes(StandardCharsets.UTF_8));
    assertThat(svg).contains("+ 6 more");
  }

  @Test
  void badArgumentsAreClearErrors() {
    Projection p = Projection.of(XY, "a", "b");
    assertThatThrownBy(() -> MapPlot.builder(p).labels(List.of("a", "b")))
        .isInstanceOf(JembedException.class)
        .hasMessage("labels has 2 entries but the map has 9 points");
    assertThatThrownBy(() -> MapPlot.builder(p).build().write(Path.of("map.jpg")))
        .hasMessageContaining("name it .png, .svg or .html");
    assertThatThrownBy(() -> Annotation.parse("arrows")).hasMessageContaining("none, label, text");
  }

  static Document parse(byte[] xml) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml));
  }
}
