package io.jembed.plot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jembed.JembedException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ProjectorTest {
  private static final Synthetic.Data NINE = Synthetic.clusters(3, 3, 384, 0.6, 1);

  @ParameterizedTest
  @EnumSource(ProjectionMethod.class)
  void separatesThreeSmallClusters(ProjectionMethod method) {
    Projection p =
        Projector.project(NINE.vectors(), ProjectionOptions.builder().method(method).build());
    double[][] xy = p.coordinates();
    assertThat(xy).hasNumberOfRows(9);
    assertThat(MapMetrics.nearestNeighbourAgreement(xy, NINE.labels())).isEqualTo(1.0);
    assertThat(MapMetrics.silhouette(xy, NINE.labels())).isGreaterThan(0.5);
  }

  @ParameterizedTest
  @EnumSource(ProjectionMethod.class)
  void sameSeedSameMap(ProjectionMethod method) {
    ProjectionOptions o = ProjectionOptions.builder().method(method).seed(7).build();
    double[][] a = Projector.project(NINE.vectors(), o).coordinates();
    double[][] b =
        Projector.project(NINE.vectors(), o.toBuilder().threads(1).build()).coordinates();
    assertThat(a).isDeepEqualTo(b);
  }

  @Test
  void umapDependsOnTheSeed() {
    ProjectionOptions o = ProjectionOptions.builder().method(ProjectionMethod.UMAP).build();
    double[][] a = Projector.project(NINE.vectors(), o.toBuilder().seed(1).build()).coordinates();
    double[][] b = Projector.project(NINE.vectors(), o.toBuilder().seed(2).build()).coordinates();
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void perplexityIsClampedForSmallInputsAndSaysSo() {
    Projection p = Projector.project(NINE.vectors(), ProjectionOptions.defaults());
    assertThat(p.notes()).singleElement().asString().contains("perplexity 30").contains("using 3");
    Projection asked =
        Projector.project(NINE.vectors(), ProjectionOptions.builder().perplexity(2).build());
    assertThat(asked.notes()).isEmpty();
  }

  @Test
  void umapNeighboursAreClampedForSmallInputsAndSaysSo() {
    Projection p =
        Projector.project(
            NINE.vectors(), ProjectionOptions.builder().method(ProjectionMethod.UMAP).build());
    assertThat(p.notes()).singleElement().asString().contains("15 neighbours").contains("using 3");
  }

  @Test
  void barnesHutSeparatesClusters() {
    Synthetic.Data d = Synthetic.clusters(5, 80, 64, 0.8, 3);
    Projection p =
        Projector.project(
            d.vectors(), ProjectionOptions.builder().exactThreshold(0).perplexity(20).build());
    double[][] xy = p.coordinates();
    assertThat(MapMetrics.nearestNeighbourAgreement(xy, d.labels())).isGreaterThan(0.98);
    assertThat(MapMetrics.silhouette(xy, d.labels())).isGreaterThan(0.5);
  }

  @Test
  void largeInputsAreReducedWithPcaFirst() {
    Synthetic.Data d = Synthetic.clusters(4, 260, 96, 0.8, 5);
    ProjectionOptions o =
        ProjectionOptions.builder()
            .method(ProjectionMethod.UMAP)
            .pcaDimensions(10)
            .epochs(100)
            .build();
    double[][] xy = Projector.project(d.vectors(), o).coordinates();
    assertThat(xy).hasNumberOfRows(1040);
    assertThat(MapMetrics.nearestNeighbourAgreement(xy, d.labels())).isGreaterThan(0.98);
  }

  @Test
  void progressReachesTheTotal() {
    List<long[]> seen = new ArrayList<>();
    Projector.project(
        NINE.vectors(),
        ProjectionOptions.builder()
            .method(ProjectionMethod.TSNE)
            .iterations(300)
            .progressListener((done, total) -> seen.add(new long[] {done, total}))
            .build());
    assertThat(seen).isNotEmpty();
    long[] last = seen.get(seen.size() - 1);
    assertThat(last[0]).isEqualTo(last[1]).isEqualTo(301);
  }

  @Test
  void tooFewPointsIsAClearError() {
    assertThatThrownBy(
            () -> Projector.project(new float[][] {{1, 2}}, ProjectionOptions.defaults()))
        .isInstanceOf(JembedException.class)
        .hasMessageContaining("at least 3 points, got 1");
    assertThatThrownBy(() -> Projector.project(new float[0][], ProjectionOptions.defaults()))
        .hasMessageContaining("got 0");
  }

  @Test
  void raggedOrNonFiniteVectorsAreClearErrors() {
    assertThatThrownBy(
            () ->
                Projector.project(
                    new float[][] {{1, 2}, {1, 2}, {1}}, ProjectionOptions.defaults()))
        .hasMessageContaining("same dimension")
        .hasMessageContaining("vector 2 has 1");
    assertThatThrownBy(
            () ->
                Projector.project(
                    new float[][] {{1, 2}, {1, Float.NaN}, {1, 3}}, ProjectionOptions.defaults()))
        .hasMessageContaining("vector 1 contains NaN");
  }

  @Test
  void unknownMethodIsAClearError() {
    assertThat(ProjectionMethod.parse("t-SNE")).isEqualTo(ProjectionMethod.TSNE);
    assertThat(ProjectionMethod.parse("Umap")).isEqualTo(ProjectionMethod.UMAP);
    assertThatThrownBy(() -> ProjectionMethod.parse("mds"))
        .isInstanceOf(JembedException.class)
        .hasMessage("unknown projection method 'mds': use one of tsne, pca, umap");
  }

  @Test
  void identicalPointsDoNotBreakTheMap() {
    float[][] same = new float[12][8];
    for (float[] v : same) {
      v[0] = 1;
    }
    for (ProjectionMethod m : ProjectionMethod.values()) {
      double[][] xy =
          Projector.project(same, ProjectionOptions.builder().method(m).build()).coordinates();
      for (double[] p : xy) {
        assertThat(p[0]).isFinite();
        assertThat(p[1]).isFinite();
      }
    }
  }
}
