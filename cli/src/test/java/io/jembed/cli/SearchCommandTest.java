package io.jembed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SearchCommandTest {
  static final String DOCS =
      """
      How to generate SSH keys and add them to your GitHub account.
      Docker containers package an application with its dependencies.
      Configure nginx as a reverse proxy in front of your web application.
      Tuning PostgreSQL: shared_buffers, work_mem and autovacuum settings.
      AWS Lambda runs your code without provisioning servers.
      """;

  @TempDir Path dir;

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  @Test
  void findsTheNginxDocumentWithTheDefaultModelAndCachesTheCorpus() throws IOException {
    Path corpus = write("docs.txt", DOCS);
    String query = "how do I run a website behind nginx?";
    CliRun text = CliRun.of("search", "--corpus", corpus.toString(), "-q", query, "-k", "3");
    assertThat(text.exitCode()).as(text.err()).isZero();
    assertThat(text.out()).startsWith("Query: " + query);
    assertThat(text.out().lines().skip(1).findFirst().orElseThrow())
        .contains("[3]")
        .contains("nginx");

    Path cache = dir.resolve(".docs.txt.jembed-cache");
    assertThat(cache).isDirectory();
    Path props;
    try (Stream<Path> files = Files.list(cache)) {
      props = files.filter(p -> p.toString().endsWith(".properties")).findFirst().orElseThrow();
    }
    assertThat(Files.readString(props))
        .contains("all-MiniLM-L6-v2")
        .contains("model.dimension=384");
    FileTime written = Files.getLastModifiedTime(props);

    CliRun json =
        CliRun.of(
            "search",
            "--corpus",
            corpus.toString(),
            "-q",
            query,
            "-q",
            "postgres memory",
            "-k",
            "2",
            "--format",
            "json");
    assertThat(json.exitCode()).as(json.err()).isZero();
    assertThat(json.err()).doesNotContain("re-embedding");
    assertThat(Files.getLastModifiedTime(props)).isEqualTo(written);
    JsonNode results = Json.MAPPER.readTree(json.out());
    assertThat(results).hasSize(2);
    JsonNode first = results.get(0).get(0);
    assertThat(first.get("rank").asInt()).isEqualTo(1);
    assertThat(first.get("id").asText()).isEqualTo("3");
    assertThat(first.get("text").asText()).contains("nginx");
    assertThat(first.get("score").asDouble())
        .isGreaterThan(results.get(0).get(1).get("score").asDouble());
    assertThat(results.get(1).get(0).get("id").asText()).isEqualTo("4");
  }

  @Test
  void longDocumentsAreSearchedChunkByChunk() throws IOException {
    String filler =
        "the weather report says clouds and light rain over the hills today. ".repeat(4);
    Path corpus =
        write(
            "docs.jsonl",
            "{\"id\": \"short\", \"text\": \"bread flour water salt\"}\n"
                + "{\"id\": \"long\", \"text\": \""
                + filler
                + "The kraken sleeps beneath the glacier.\"}\n");
    CliRun run =
        CliRun.of(
            "search",
            "-m",
            "fake:bow",
            "--corpus",
            corpus.toString(),
            "-q",
            "kraken glacier",
            "-k",
            "1",
            "-f",
            "json",
            "--no-cache");
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode hit = Json.MAPPER.readTree(run.out()).get(0).get(0);
    assertThat(hit.get("id").asText()).isEqualTo("long");
    JsonNode chunk = hit.get("chunk");
    assertThat(chunk.get("text").asText()).contains("kraken");
    String text = hit.get("text").asText();
    assertThat(text.substring(chunk.get("start").asInt(), chunk.get("end").asInt()))
        .isEqualTo(chunk.get("text").asText());
    assertThat(dir.resolve(".docs.jsonl.jembed-cache")).doesNotExist();
  }

  @Test
  void aChangedCorpusIsDetectedAndResultsCanGoToAFile() throws IOException {
    Path corpus = write("c.txt", "cats purr\ndogs bark\n");
    Path cacheDir = dir.resolve("cache");
    String[] args = {
      "search",
      "-m",
      "fake:bow",
      "--corpus",
      corpus.toString(),
      "-q",
      "birds",
      "--cache-dir",
      cacheDir.toString(),
      "-f",
      "json"
    };
    assertThat(CliRun.of(args).exitCode()).isZero();
    Files.writeString(corpus, "cats purr\ndogs bark\nbirds sing\n");
    Path out = dir.resolve("out/results.json");
    String[] withOutput = java.util.Arrays.copyOf(args, args.length + 2);
    withOutput[args.length] = "-o";
    withOutput[args.length + 1] = out.toString();
    CliRun second = CliRun.of(withOutput);
    assertThat(second.exitCode()).as(second.err()).isZero();
    assertThat(second.err()).contains("corpus changed").contains("re-embedding");
    assertThat(second.out()).isEmpty();
    assertThat(Json.MAPPER.readTree(out.toFile()).get(0).get(0).get("id").asText()).isEqualTo("3");
    try (Stream<Path> files = Files.list(out.getParent())) {
      assertThat(files).containsExactly(out);
    }
    assertThat(cacheDir).isDirectory();
  }

  @Test
  void badInputGetsAClearMessageAndExitCode() throws IOException {
    Path corpus = write("c.txt", "one\ntwo\n");
    CliRun missing =
        CliRun.of(
            "search", "-m", "fake:bow", "--corpus", dir.resolve("nope.txt").toString(), "-q", "x");
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err()).contains("no such file").contains("nope.txt");

    Path empty = write("empty.txt", "\n\n");
    CliRun emptyRun =
        CliRun.of("search", "-m", "fake:bow", "--corpus", empty.toString(), "-q", "x");
    assertThat(emptyRun.exitCode()).isEqualTo(1);
    assertThat(emptyRun.err()).contains("empty.txt is empty");

    Path binary = Files.write(dir.resolve("b.bin"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0});
    CliRun binaryRun =
        CliRun.of("search", "-m", "fake:bow", "--corpus", binary.toString(), "-q", "x");
    assertThat(binaryRun.exitCode()).isEqualTo(1);
    assertThat(binaryRun.err()).contains("binary");

    CliRun blank = CliRun.of("search", "-m", "fake:bow", "--corpus", corpus.toString(), "-q", "  ");
    assertThat(blank.exitCode()).isEqualTo(2);
    assertThat(blank.err()).contains("query must not be blank");

    CliRun bigK =
        CliRun.of("search", "-m", "fake:bow", "--corpus", corpus.toString(), "-q", "x", "-k", "5");
    assertThat(bigK.exitCode()).isEqualTo(2);
    assertThat(bigK.err()).contains("-k 5 is larger than the corpus (2 documents)");

    CliRun noQuery = CliRun.of("search", "-m", "fake:bow", "--corpus", corpus.toString());
    assertThat(noQuery.exitCode()).isEqualTo(2);
    assertThat(noQuery.err()).contains("--query");

    CliRun format =
        CliRun.of(
            "search", "-m", "fake:bow", "--corpus", corpus.toString(), "-q", "x", "-f", "xml");
    assertThat(format.exitCode()).isEqualTo(2);
    assertThat(format.err()).contains("unknown format 'xml'");

    // nothing was cached or written for the failed runs
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("c.txt", "empty.txt", "b.bin");
    }
  }
}
