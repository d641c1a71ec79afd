package io.jembed.model;

import io.jembed.JembedException;
import io.jembed.LoadOptions;
import java.nio.file.Path;

/** Where model files come from when they are not on this machine yet: the Hub, Maven Central. */
final class RemoteSources {
  private RemoteSources() {}

  /** A Hub repository as a local snapshot folder. */
  static Path hubSnapshot(String repoId, String revision, LoadOptions options) {
    throw new JembedException("Hub download not wired yet: " + repoId);
  }

  /** A Maven artifact as a local jar. */
  static Path mavenJar(String groupId, String artifactId, String version, LoadOptions options) {
    throw new JembedException(
        "model pack " + groupId + ":" + artifactId + ":" + version + " is not installed");
  }
}
