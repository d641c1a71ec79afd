package io.jembed.cli;

import static io.jembed.cli.CliRun.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexCommandTest {
  @TempDir Path tmp;

  static final String JSONL =
      """
      {"id": "ssh", "text": "How to generate SSH keys for GitHub", "metadata": {"lang": "en", "year": 2019, "published": "2019-03-01"}}
      {"id": "docker", "text": "Docker containers package an application", "metadata": {"lang": "en", "year": 2021, "published": "2021-06-15"}}
      {"id": "nginx", "text": "Nginx als Reverse Proxy konfigurieren", "metadata": {"lang": "de", "year": 2022, "published": "2022-01-10"}}
      {"id": "pg", "text": "Tuning PostgreSQL shared_buffers and work_mem", "metadata": {"lang": "en", "year": 2023, "published": "2023-09-30"}}
      """;

  @Test
  void createAddSearchDeleteStatsReindex() throws IOException {
    Path index = tmp.resolve("idx");
    String dir = index.toString();
    assertThat(ok("index", "create", dir, "--model", "fake:bow-32", "--quantization", "none").out())
        .contains("created index")
        .contains("bow-32")
        .contains("none");

    Path jsonl = Files.writeString(tmp.resolve("docs.jsonl"), JSONL);
    Path folder = Files.createDirectories(tmp.resolve("notes/sub"));
    Files.writeString(folder.resolve("a.md"), "# Kubernetes\nPods and deployments");
    Files.writeString(tmp.resolve("notes/b.txt"), "Bananas are yellow fruit");
    Files.writeString(tmp.resolve("notes/skip.bin"), "not a text file");
    Path lines =
        Files.writeString(tmp.resolve("lines.txt"), "first line here\n\nsecond line there\n");

    CliRun add = ok("index", "add", dir, jsonl.toString(), "--date-field", "published");
    assertThat(add.out()).contains("added 4 documents").contains("holds 4");
    assertThat(ok("index", "add", dir, tmp.resolve("notes").toString()).out()).contains("holds 6");
    assertThat(ok("index", "add", dir, lines.toString(), "--lines").out()).contains("holds 8");

    CliRun search = ok("index", "search", dir, "-q", "generate ssh keys github", "-k", "2");
    assertThat(search.out().lines().findFirst().orElseThrow()).contains("ssh");

    CliRun json =
        ok(
            "index",
            "search",
            dir,
            "-q",
            "generate ssh keys",
            "--filter",
            "year>=2021",
            "--filter",
            "lang=en",
            "--format",
            "json",
            "-k",
            "10");
    JsonNode hits = Json.MAPPER.readTree(json.out());
    assertThat(hits).hasSize(2);
    for (JsonNode h : hits) {
      assertThat(h.get("metadata").get("lang").asText()).isEqualTo("en");
      assertThat(h.get("metadata").get("year").asLong()).isGreaterThanOrEqualTo(2021);
    }
    JsonNode dated =
        Json.MAPPER.readTree(
            ok(
                    "index",
                    "search",
                    dir,
                    "-q",
                    "x",
                    "--filter",
                    "published<2020-01-01",
                    "--format",
                    "json")
                .out());
    assertThat(dated).hasSize(1);
    assertThat(dated.get(0).get("id").asText()).isEqualTo("ssh");

    CliRun keyword =
        ok("index", "search", dir, "-q", "shared_buffers", "--mode", "keyword", "--format", "json");
    assertThat(Json.MAPPER.readTree(keyword.out()).get(0).get("id").asText()).isEqualTo("pg");
    CliRun hybrid =
        ok("index", "search", dir, "-q", "Kubernetes pods", "--mode", "hybrid", "--weights", "1,2");
    assertThat(hybrid.out().lines().findFirst().orElseThrow()).contains("sub/a.md");

    assertThat(ok("index", "delete", dir, "--id", "pg", "--id", "missing").out())
        .contains("deleted 1 of 2 ids (1 not found)")
        .contains("holds 7");
    CliRun gone = ok("index", "search", dir, "-q", "shared_buffers", "--mode", "keyword");
    assertThat(gone.out()).contains("no hits");

    CliRun stats = ok("index", "stats", dir);
    assertThat(stats.out())
        .contains("documents     7")
        .contains("fake:bow-32")
        .contains("published (date)");
    JsonNode statsJson = Json.MAPPER.readTree(ok("index", "stats", dir, "--format", "json").out());
    assertThat(statsJson.get("documents").asLong()).isEqualTo(7);
    assertThat(statsJson.get("dimension").asInt()).isEqualTo(32);

    assertThat(ok("index", "reindex", dir, "--model", "fake:bow-48").out())
        .contains("re-embedded 7 documents")
        .contains("fake:bow-48");
    JsonNode after = Json.MAPPER.readTree(ok("index", "stats", dir, "--format", "json").out());
    assertThat(after.get("dimension").asInt()).isEqualTo(48);
    assertThat(after.get("documents").asLong()).isEqualTo(7);
    assertThat(ok("index", "search", dir, "-q", "bananas yellow", "-k", "1").out())
        .contains("b.txt");
  }

  @Test
  void badInputGetsOneLineErrorsWithoutStackTraces() throws IOException {
    Path missing = tmp.resolve("missing");
    CliRun none = CliRun.of("index", "search", missing.toString(), "-q", "x");
    assertThat(none.exitCode()).isEqualTo(1);
    assertThat(none.err())
        .contains("does not exist")
        .doesNotContain("\tat ")
        .doesNotContain("Exception");

    Path foreign = Files.createDirectories(tmp.resolve("foreign"));
    Files.writeString(foreign.resolve("notes.txt"), "hello");
    CliRun notIndex = CliRun.of("index", "stats", foreign.toString());
    assertThat(notIndex.exitCode()).isEqualTo(1);
    assertThat(notIndex.err()).contains("is not a jembed index").doesNotContain("\tat ");
    CliRun notEmpty = CliRun.of("index", "create", foreign.toString(), "--model", "fake:bow");
    assertThat(notEmpty.exitCode()).isEqualTo(1);
    assertThat(notEmpty.err()).contains("is not empty");

    Path index = tmp.resolve("idx");
    ok("index", "create", index.toString(), "--model", "fake:bow");
    // damage it: truncate the commit point
    try (var files = Files.list(index)) {
      for (Path f :
          files.filter(p -> p.getFileName().toString().startsWith("segments_")).toList()) {
        Files.write(f, new byte[] {1, 2, 3});
      }
    }
    CliRun damaged = CliRun.of("index", "search", index.toString(), "-q", "x");
    assertThat(damaged.exitCode()).isEqualTo(1);
    assertThat(damaged.err()).contains("damaged").doesNotContain("\tat ");

    Path good = tmp.resolve("good");
    ok("index", "create", good.toString(), "--model", "fake:bow");
    CliRun badFilter =
        CliRun.of("index", "search", good.toString(), "-q", "x", "--filter", "year~2");
    assertThat(badFilter.exitCode()).isEqualTo(2);
    assertThat(badFilter.err()).contains("bad filter");
    CliRun badQuantization =
        CliRun.of("index", "create", tmp.resolve("q").toString(), "--quantization", "int3");
    assertThat(badQuantization.exitCode()).isEqualTo(2);
    assertThat(badQuantization.err()).contains("int8");
    Path badJson =
        Files.writeString(tmp.resolve("bad.jsonl"), "{\"id\": \"a\", \"text\": \"ok\"}\n{oops\n");
    CliRun badAdd = CliRun.of("index", "add", good.toString(), badJson.toString());
    assertThat(badAdd.exitCode()).isEqualTo(1);
    assertThat(badAdd.err()).contains("line 2").contains("not valid JSON");
    CliRun noSub = CliRun.of("index");
    assertThat(noSub.exitCode()).isEqualTo(2);
  }

  @Test
  void locationsFilterLanguageCopyAndCheck() throws IOException {
    Path index = tmp.resolve("idx");
    String dir = index.toString();
    ok("index", "create", dir, "--model", "fake:bow-32", "--quantization", "none");
    ok(
        "index",
        "add",
        dir,
        Files.writeString(tmp.resolve("docs.jsonl"), JSONL).toString(),
        "--date-field",
        "published");
    JsonNode hits =
        Json.MAPPER.readTree(
            ok(
                    "index",
                    "search",
                    dir,
                    "-q",
                    "x",
                    "-k",
                    "10",
                    "--format",
                    "json",
                    "--filter",
                    "(lang == 'de' OR year < 2020) AND NOT (id IS NOT NULL)"
                        .replace("id IS NOT NULL", "published > 2022-01-10"))
                .out());
    assertThat(hits)
        .extracting(h -> h.get("id").asText())
        .containsExactlyInAnyOrder("ssh", "nginx");
    JsonNode in =
        Json.MAPPER.readTree(
            ok(
                    "index",
                    "search",
                    dir,
                    "-q",
                    "x",
                    "--format",
                    "json",
                    "--filter",
                    "lang NOT IN ['en'] OR year IN [2019, 2023]")
                .out());
    assertThat(in)
        .extracting(h -> h.get("id").asText())
        .containsExactlyInAnyOrder("nginx", "ssh", "pg");
    CliRun malformed =
        CliRun.of("index", "search", dir, "-q", "x", "--filter", "year >= AND lang == 'en'");
    assertThat(malformed.exitCode()).isEqualTo(2);
    assertThat(malformed.err()).contains("at column 9 expected a value");

    Path copy = tmp.resolve("copy");
    assertThat(ok("index", "copy", dir, copy.toString(), "--quantization", "int8").out())
        .contains("copied 4 documents")
        .contains("int8, nothing re-embedded");
    JsonNode copied =
        Json.MAPPER.readTree(ok("index", "stats", copy.toString(), "--format", "json").out());
    assertThat(copied.get("documents").asLong()).isEqualTo(4);
    assertThat(copied.get("quantization").asText()).isEqualTo("int8");
    assertThat(
            ok("index", "search", copy.toString(), "-q", "generate ssh keys github", "-k", "1")
                .out())
        .contains("ssh");
    assertThat(CliRun.of("index", "copy", dir, copy.toString()).err()).contains("cannot copy into");

    assertThat(ok("index", "check", copy.toString()).out()).contains("ok:").contains("4 documents");
    Path stored;
    try (var files = Files.list(copy)) {
      stored = files.filter(p -> p.toString().endsWith(".fdt")).findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(stored);
    for (int i = bytes.length / 3; i < bytes.length / 2; i++) {
      bytes[i] ^= 0x5A;
    }
    Files.write(stored, bytes);
    CliRun check = CliRun.of("index", "check", copy.toString());
    assertThat(check.exitCode()).isEqualTo(1);
    assertThat(check.out()).contains("damaged").contains(stored.getFileName().toString());
    assertThat(check.err()).contains("is damaged").contains("reindex").doesNotContain("\tat ");
    CliRun stats = CliRun.of("index", "stats", copy.toString());
    assertThat(stats.exitCode()).isEqualTo(1);
    assertThat(stats.err())
        .contains("is damaged: file " + stored.getFileName())
        .contains("reindex");
  }

  @Test
  void locationsWithASchemeAreStoresNotFolders() {
    CliRun unknown = CliRun.of("index", "stats", "http://localhost:9200/docs");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err()).contains("unknown index location scheme 'http://'");
    // nothing listens on port 1: the location reaches the PostgreSQL store, which names the server
    CliRun pg = CliRun.of("index", "stats", "postgresql://127.0.0.1:1/db?table=docs");
    assertThat(pg.exitCode()).isEqualTo(1);
    assertThat(pg.err()).contains("cannot reach PostgreSQL at 127.0.0.1:1").doesNotContain("\tat ");
    CliRun password =
        CliRun.of("index", "search", "postgresql://me:hunter2@localhost/db?table=t", "-q", "x");
    assertThat(password.exitCode()).isEqualTo(2);
    assertThat(password.err()).contains("PGPASSWORD").doesNotContain("hunter2");
    assertThat(tmp.resolve("http:")).doesNotExist();
  }

  @Test
  void realModelHybridFindsTheExactName() throws IOException {
    Path index = tmp.resolve("idx");
    ok("index", "create", index.toString(), "--quantization", "int8");
    Path jsonl =
        Files.writeString(
            tmp.resolve("docs.jsonl"),
            """
            {"id": "a", "text": "A man is playing a guitar on stage."}
            {"id": "b", "text": "Someone is cooking pasta in the kitchen."}
            {"id": "c", "text": "Order form for part XK-4471-B."}
            {"id": "d", "text": "A woman rides a horse along the beach."}
            """);
    ok("index", "add", index.toString(), jsonl.toString());
    CliRun vector = ok("index", "search", index.toString(), "-q", "a musician performs", "-k", "1");
    assertThat(vector.out()).contains(" a ");
    CliRun hybrid =
        ok("index", "search", index.toString(), "-q", "XK-4471-B", "--mode", "hybrid", "-k", "1");
    assertThat(hybrid.out()).contains(" c ");
  }
}
