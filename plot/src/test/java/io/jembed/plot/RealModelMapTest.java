package io.jembed.plot;

import static org.assertj.core.api.Assertions.assertThat;

import io.jembed.EmbeddingModel;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The tutorial's picture, with real embeddings from the default model. */
class RealModelMapTest {
  private static EmbeddingModel model;
  private static float[][] vectors;

  @BeforeAll
  static void encode() {
    model = EmbeddingModel.load("all-MiniLM-L6-v2");
    vectors = model.encode(TutorialSentences.TEXTS);
  }

  @AfterAll
  static void close() {
    if (model != null) {
      model.close();
    }
  }

  /** Indices of the k sentences most similar (cosine) to sentence i. */
  private static List<Integer> mostSimilar(int i, int k) {
    List<Integer> others = new ArrayList<>();
    for (int j = 0; j < vectors.length; j++) {
      if (j != i) {
        others.add(j);
      }
    }
    double[] vi = toDouble(vectors[i]);
    others.sort(Comparator.comparingDouble(j -> -Pca.dot(vi, toDouble(vectors[j]))));
    return others.subList(0, k);
  }

  private static int nearestOnMap(double[][] xy, int i) {
    int best = -1;
    for (int j = 0; j < xy.length; j++) {
      if (j != i
          && (best < 0
              || Tsne.squaredDistance(xy[i], xy[j]) < Tsne.squaredDistance(xy[i], xy[best]))) {
        best = j;
      }
    }
    return best;
  }

  private static double[] toDouble(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }

  @Test
  void tsneSeparatesTheThreeTopics() {
    Projection p = Projector.project(vectors, ProjectionOptions.builder().seed(42).build());
    assertThat(p.notes()).singleElement().asString().contains("using 3");
    double[][] xy = p.coordinates();
    assertThat(MapMetrics.silhouette(xy, TutorialSentences.LABELS)).isGreaterThan(0.3);
    // the model itself puts "She baked a chocolate cake" nearest to the cat sentence, so the map
    // cannot honestly give every point a same-topic neighbour; it must keep the model's neighbours
    assertThat(MapMetrics.nearestNeighbourAgreement(xy, TutorialSentences.LABELS))
        .isGreaterThanOrEqualTo(7 / 9.0);
    for (int i = 0; i < xy.length; i++) {
      assertThat(mostSimilar(i, 2))
          .as("map neighbour of '%s'", TutorialSentences.TEXTS.get(i))
          .contains(nearestOnMap(xy, i));
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = ProjectionMethod.class,
      names = {"PCA", "UMAP"})
  void pcaAndUmapGroupTheTopicsToo(ProjectionMethod method) {
    Projection p =
        Projector.project(vectors, ProjectionOptions.builder().method(method).seed(42).build());
    assertThat(MapMetrics.silhouette(p.coordinates(), TutorialSentences.LABELS)).isGreaterThan(0.1);
  }

  @Test
  void writesTheTutorialPicture(@TempDir Path dir) throws Exception {
    Projection p =
        Projector.project(vectors, ProjectionOptions.builder().perplexity(3).seed(42).build());
    Path png = dir.resolve("tutorial.png");
    MapPlot.builder(p)
        .labels(TutorialSentences.LABELS)
        .texts(TutorialSentences.TEXTS)
        .title("Nine sentences, three topics")
        .annotation(Annotation.TEXT)
        .build()
        .write(png);
    BufferedImage img = ImageIO.read(png.toFile());
    assertThat(img.getWidth()).isEqualTo(960);
    String keep = System.getProperty("jembed.plot.keep");
    if (keep != null) {
      Files.copy(png, Path.of(keep), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
