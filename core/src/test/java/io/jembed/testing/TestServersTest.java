package io.jembed.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.io.TempDir;

/** The skip-or-fail logic of {@link RequiresServers}, on environments made up by each test. */
class TestServersTest {
  @TempDir Path dir;

  private static final Map<String, String> POSTGRES =
      Map.of(
          TestServers.POSTGRES,
          "postgresql://jembed@127.0.0.1:54321/jembed",
          TestServers.PGPASSWORD,
          "s3cret");

  @Test
  void aMissingServerSkipsTheTestAndSaysHowToRunIt() {
    ConditionEvaluationResult result =
        TestServers.of(Map.of()).evaluate(List.of(TestServer.POSTGRES));

    assertThat(result.isDisabled()).isTrue();
    assertThat(result.getReason().orElseThrow())
        .contains("PostgreSQL with pgvector")
        .contains("JEMBED_TEST_POSTGRES is not set")
        .contains("./test-all")
        .contains("scripts/test-servers/postgres.sh start");
  }

  @Test
  void aMissingServerFailsTheTestWhenServersAreRequired() {
    TestServers servers = TestServers.of(Map.of(TestServers.REQUIRED, "1"));

    assertThatThrownBy(() -> servers.evaluate(List.of(TestServer.OPENSEARCH)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("OpenSearch with k-NN")
        .hasMessageContaining("JEMBED_TEST_SERVERS_REQUIRED=1")
        .hasMessageContaining("JEMBED_TEST_OPENSEARCH is not set");
  }

  @Test
  void inCiAMissingServerFailsAndTheMessageSaysWhy() {
    TestServers servers = TestServers.of(Map.of("CI", "true", TestServers.REQUIRED, "0"));

    assertThatThrownBy(() -> servers.evaluate(List.of(TestServer.CHROMIUM)))
        .hasMessageContaining("(CI=true)");
  }

  @Test
  void ciRequiresTheServersToo() {
    assertThat(TestServers.of(Map.of("CI", "true")).required()).isTrue();
    assertThat(TestServers.of(Map.of(TestServers.REQUIRED, "1")).required()).isTrue();
    assertThat(TestServers.of(Map.of(TestServers.REQUIRED, "0")).required()).isFalse();
    assertThat(TestServers.of(Map.of()).required()).isFalse();
  }

  @Test
  void onlyTheMissingServersAreNamed() {
    ConditionEvaluationResult result =
        TestServers.of(POSTGRES).evaluate(List.of(TestServer.POSTGRES, TestServer.OPENSEARCH));

    assertThat(result.isDisabled()).isTrue();
    assertThat(result.getReason().orElseThrow())
        .contains("OpenSearch")
        .doesNotContain("PostgreSQL");
  }

  @Test
  void configuredServersRunTheTest() throws IOException {
    Map<String, String> environment = new HashMap<>(POSTGRES);
    environment.put(TestServers.OPENSEARCH, "http://127.0.0.1:9200");
    environment.putAll(chromium(executable("chromium"), executable("chromedriver")));
    environment.put(TestServers.REQUIRED, "1");

    ConditionEvaluationResult result =
        TestServers.of(environment).evaluate(List.of(TestServer.values()));

    assertThat(result.isDisabled()).isFalse();
  }

  @Test
  void aTestThatNeedsNoServerRuns() {
    assertThat(TestServers.of(Map.of(TestServers.REQUIRED, "1")).evaluate(List.of()).isDisabled())
        .isFalse();
  }

  @Test
  void aBlankVariableCountsAsUnset() {
    assertThat(TestServers.of(Map.of(TestServers.OPENSEARCH, " ")).missing(TestServer.OPENSEARCH))
        .contains("JEMBED_TEST_OPENSEARCH is not set");
  }

  @Test
  void chromiumNeedsTheBrowserAndTheDriver() throws IOException {
    TestServers servers =
        TestServers.of(Map.of(TestServers.CHROMIUM, executable("chromium").toString()));

    assertThat(servers.missing(TestServer.CHROMIUM))
        .contains("JEMBED_TEST_CHROMEDRIVER is not set");
    assertThat(TestServers.of(Map.of()).missing(TestServer.CHROMIUM))
        .contains("JEMBED_TEST_CHROMIUM and JEMBED_TEST_CHROMEDRIVER are not set");
  }

  @Test
  void postgresUrlGivesTheJdbcUrlUserAndPassword() {
    TestServers.Postgres postgres = TestServers.of(POSTGRES).postgres();

    assertThat(postgres.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:54321/jembed");
    assertThat(postgres.user()).isEqualTo("jembed");
    assertThat(postgres.password()).isEqualTo("s3cret");
    assertThat(postgres.toString()).doesNotContain("s3cret");
  }

  @Test
  void postgresUrlMayCarryThePasswordAndLeaveOutPortAndDatabase() {
    TestServers.Postgres postgres =
        TestServers.of(Map.of(TestServers.POSTGRES, "postgres://alice:pw@db.local")).postgres();

    assertThat(postgres.jdbcUrl()).isEqualTo("jdbc:postgresql://db.local:5432/alice");
    assertThat(postgres.password()).isEqualTo("pw");
  }

  @Property(tries = 50)
  void postgresUrlsRoundTrip(
      @ForAll @AlphaChars @StringLength(min = 1, max = 12) String user,
      @ForAll @IntRange(min = 1, max = 65535) int port,
      @ForAll @AlphaChars @StringLength(min = 1, max = 12) String database) {
    TestServers.Postgres postgres =
        TestServers.of(
                Map.of(
                    TestServers.POSTGRES,
                    "postgresql://" + user + "@127.0.0.1:" + port + "/" + database))
            .postgres();

    assertThat(postgres).isEqualTo(new TestServers.Postgres("127.0.0.1", port, database, user, ""));
  }

  @Test
  void aMalformedVariableFailsEvenWhenServersAreOptional() {
    TestServers servers = TestServers.of(Map.of(TestServers.POSTGRES, "127.0.0.1:5432"));

    assertThatThrownBy(() -> servers.evaluate(List.of(TestServer.POSTGRES)))
        .hasMessageContaining("JEMBED_TEST_POSTGRES must look like postgresql://")
        .hasMessageContaining("'127.0.0.1:5432'");
    assertThatThrownBy(
            () -> TestServers.of(Map.of(TestServers.OPENSEARCH, "ftp://x:1")).openSearch())
        .hasMessageContaining("JEMBED_TEST_OPENSEARCH must look like http://host:port");
  }

  @Test
  void aChromiumThatIsNotAnExecutableFails() throws IOException {
    Path notExecutable = Files.createFile(dir.resolve("chromium"));
    TestServers servers = TestServers.of(chromium(notExecutable, dir.resolve("no-such-driver")));

    assertThatThrownBy(servers::chromium)
        .hasMessageContaining("JEMBED_TEST_CHROMIUM=" + notExecutable)
        .hasMessageContaining("is not an executable file");
  }

  @Test
  void openSearchResolvesPathsAgainstItsBaseUri() {
    TestServers.OpenSearch openSearch =
        TestServers.of(Map.of(TestServers.OPENSEARCH, "http://127.0.0.1:9200/")).openSearch();

    assertThat(openSearch.resolve("/_cluster/health").toString())
        .isEqualTo("http://127.0.0.1:9200/_cluster/health");
    assertThat(openSearch.resolve("items/_search").toString())
        .isEqualTo("http://127.0.0.1:9200/items/_search");
  }

  @Test
  void accessingAnAbsentServerSaysHowToStartIt() {
    assertThatThrownBy(() -> TestServers.of(Map.of()).openSearch())
        .hasMessageContaining("JEMBED_TEST_OPENSEARCH is not set")
        .hasMessageContaining("./test-all");
  }

  @Test
  void headlessChromiumGetsTheFlagsAndAFreshProfile() throws IOException {
    TestServers.Chromium chromium =
        TestServers.of(chromium(executable("chromium"), executable("chromedriver"))).chromium();

    assertThat(chromium.headlessCommand(dir, "--dump-dom", "about:blank"))
        .startsWith(chromium.browser().toString(), "--headless", "--no-sandbox")
        .contains("--disable-background-networking", "--user-data-dir=" + dir)
        .endsWith("--dump-dom", "about:blank");
  }

  private Path executable(String name) throws IOException {
    return Files.createFile(
        dir.resolve(name),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
  }

  private static Map<String, String> chromium(Path browser, Path driver) {
    return Map.of(
        TestServers.CHROMIUM, browser.toString(), TestServers.CHROMEDRIVER, driver.toString());
  }
}
