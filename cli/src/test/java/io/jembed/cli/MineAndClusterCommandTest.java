package io.jembed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MineAndClusterCommandTest {
  @TempDir Path dir;

  private Path texts() throws IOException {
    return Files.writeString(
        dir.resolve("texts.txt"),
        """
        the cat sat on the mat
        the cat sat on the mat today
        a completely different sentence about tax law
        stock markets fell sharply on monday
        the cat sat on a mat
        stock markets fell sharply on tuesday
        """);
  }

  @Test
  void minesTheClosestPairsFirst() throws IOException {
    Path file = texts();
    CliRun run = CliRun.of("mine", file.toString(), "-m", "fake:bow", "-k", "1", "-f", "json");
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode pairs = Json.MAPPER.readTree(run.out());
    assertThat(pairs.size()).isGreaterThanOrEqualTo(3);
    JsonNode best = pairs.get(0);
    assertThat(best.get("first").get("text").asText()).contains("cat");
    assertThat(best.get("second").get("text").asText()).contains("cat");
    for (int i = 1; i < pairs.size(); i++) {
      assertThat(pairs.get(i).get("score").asDouble())
          .isLessThanOrEqualTo(pairs.get(i - 1).get("score").asDouble());
    }

    CliRun text = CliRun.of("mine", file.toString(), "-m", "fake:bow", "--all-pairs", "-t", "0.8");
    assertThat(text.exitCode()).as(text.err()).isZero();
    assertThat(text.out().lines()).allMatch(l -> l.contains("<->")).isNotEmpty();
    assertThat(text.out()).doesNotContain("tax law");
  }

  @Test
  void groupsNearDuplicates() throws IOException {
    Path file = texts();
    CliRun run =
        CliRun.of(
            "mine", file.toString(), "-m", "fake:bow", "--duplicates", "-t", "0.8", "-f", "json");
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode groups = Json.MAPPER.readTree(run.out());
    assertThat(groups.get(0).get("size").asInt()).isEqualTo(3);
    assertThat(groups.get(0).get("members").get(0).get("id").asText()).isEqualTo("1");
    assertThat(groups.get(1).get("members").findValuesAsText("id")).containsExactly("4", "6");
  }

  @Test
  void clustersCommunities() throws IOException {
    Path file = texts();
    CliRun run =
        CliRun.of(
            "cluster", file.toString(), "-m", "fake:bow", "-t", "0.8", "-s", "2", "-f", "json");
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode communities = Json.MAPPER.readTree(run.out());
    assertThat(communities).hasSize(2);
    assertThat(communities.get(0).get("members").findValuesAsText("id"))
        .containsExactlyInAnyOrder("1", "2", "5");
    assertThat(communities.get(1).get("members").findValuesAsText("id"))
        .containsExactlyInAnyOrder("4", "6");

    CliRun none = CliRun.of("cluster", file.toString(), "-m", "fake:bow");
    assertThat(none.exitCode()).isZero();
    assertThat(none.out()).isEmpty();
    assertThat(none.err()).contains("no community of 10 or more texts");

    CliRun text = CliRun.of("cluster", file.toString(), "-m", "fake:bow", "-t", "0.8", "-s", "2");
    assertThat(text.out()).startsWith("Community 1 (3 texts):");
  }

  @Test
  void badUsageIsRefused() throws IOException {
    Path file = texts();
    assertThat(CliRun.of("mine", file.toString(), "-m", "fake:bow", "--all-pairs").err())
        .contains("--all-pairs needs a --threshold");
    assertThat(CliRun.of("mine", file.toString(), "-m", "fake:bow", "--all-pairs").exitCode())
        .isEqualTo(2);
    assertThat(CliRun.of("cluster", file.toString(), "-m", "fake:bow", "-s", "0").exitCode())
        .isEqualTo(2);
    CliRun missing = CliRun.of("cluster", dir.resolve("missing.txt").toString(), "-m", "fake:bow");
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err()).contains("no such file");
  }
}
