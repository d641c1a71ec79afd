package io.jembed.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jembed.JembedException;
import io.jembed.LoadOptions;
import io.jembed.ModelNotFoundException;
import io.jembed.ProgressListener;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Downloads sentence-transformers ONNX models from the Hugging Face Hub into the standard Hugging
 * Face cache ({@code models--org--name/blobs|snapshots|refs}), which Python's huggingface_hub
 * shares, and finds them there again offline.
 *
 * <p>Configured like huggingface_hub: {@code HF_ENDPOINT}, {@code HF_TOKEN}, {@code HF_HOME} /
 * {@code HF_HUB_CACHE}, {@code HF_HUB_OFFLINE}; {@link LoadOptions} overrides each (baseUrl,
 * apiKey, cacheDir, offline, revision, timeout, property {@code onnxFile}). The token is sent as
 * {@code Authorization: Bearer} to the endpoint only, never to a CDN, and never appears in
 * messages. Immutable and thread-safe.
 */
public final class HubClient {
  /** The public Hub. */
  public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

  /**
   * {@link LoadOptions#properties()} key naming the ONNX file to use, e.g. "onnx/model_O4.onnx".
   */
  public static final String ONNX_FILE_PROPERTY = "onnxFile";

  private static final System.Logger LOG = System.getLogger(HubClient.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  private static final Pattern REPO_ID =
      Pattern.compile("(?:[A-Za-z0-9][A-Za-z0-9._-]{0,95}/)?[A-Za-z0-9][A-Za-z0-9._-]{0,95}");
  private static final Pattern REVISION = Pattern.compile("[A-Za-z0-9._+-]+(?:/[A-Za-z0-9._+-]+)*");
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
  private static final Pattern SAFE_ETAG = Pattern.compile("[A-Za-z0-9._-]{1,200}");

  /** What a sentence-transformers pipeline reads besides the weights, when the repo has them. */
  private static final List<String> PIPELINE_FILES =
      List.of(
          "modules.json",
          "config_sentence_transformers.json",
          "sentence_bert_config.json",
          "config.json",
          "tokenizer.json",
          "tokenizer_config.json",
          "special_tokens_map.json");

  private static final List<String> DEFAULT_ONNX = List.of("onnx/model.onnx", "model.onnx");

  private final String endpoint;
  private final String token;
  private final Path cacheDir;
  private final boolean offline;
  private final Duration timeout;
  private final String defaultRevision;
  private final String onnxFile;
  private final ProgressListener progress;
  private final HttpClient client;
  private final Downloader downloader;

  private HubClient(
      String endpoint,
      String token,
      Path cacheDir,
      boolean offline,
      Duration timeout,
      String defaultRevision,
      String onnxFile,
      ProgressListener progress) {
    this.endpoint = endpoint;
    this.token = token;
    this.cacheDir = cacheDir;
    this.offline = offline;
    this.timeout = timeout;
    this.defaultRevision = defaultRevision;
    this.onnxFile = onnxFile;
    this.progress = progress;
    this.client = HttpSupport.newClient(timeout);
    Downloader.Builder d = Downloader.builder().timeout(timeout).httpClient(client);
    if (token != null) {
      d.header("Authorization", "Bearer " + token);
    }
    this.downloader = d.build();
  }

  /** A client configured from {@code options} and the process environment. */
  public static HubClient fromEnvironment(LoadOptions options) {
    return fromEnvironment(options, System.getenv());
  }

  /**
   * A client configured from {@code options} and the given environment variables (so tests and
   * embedders need not touch the real environment).
   */
  public static HubClient fromEnvironment(LoadOptions options, Map<String, String> env) {
    Objects.requireNonNull(env, "env");
    LoadOptions o = options == null ? LoadOptions.defaults() : options;
    String endpoint =
        Downloader.httpBaseUrl(
            o.baseUrl().or(() -> nonBlank(env.get("HF_ENDPOINT"))).orElse(DEFAULT_ENDPOINT),
            "Hub endpoint",
            DEFAULT_ENDPOINT);
    Path home = Path.of(System.getProperty("user.home"));
    Path hfHome =
        nonBlank(env.get("HF_HOME"))
            .map(Path::of)
            .orElseGet(
                () ->
                    nonBlank(env.get("XDG_CACHE_HOME"))
                        .map(Path::of)
                        .orElse(home.resolve(".cache"))
                        .resolve("huggingface"));
    Path cache =
        o.cacheDir()
            .or(() -> nonBlank(env.get("HF_HUB_CACHE")).map(Path::of))
            .or(() -> nonBlank(env.get("HUGGINGFACE_HUB_CACHE")).map(Path::of))
            .orElse(hfHome.resolve("hub"));
    boolean offline =
        o.offline()
            .orElseGet(
                () -> truthy(env.get("HF_HUB_OFFLINE")) || truthy(env.get("JEMBED_OFFLINE")));
    String token =
        o.apiKey()
            .flatMap(HubClient::nonBlank)
            .or(() -> nonBlank(env.get("HF_TOKEN")))
            .or(() -> nonBlank(env.get("HUGGING_FACE_HUB_TOKEN")))
            .or(
                () ->
                    readToken(
                        nonBlank(env.get("HF_TOKEN_PATH"))
                            .map(Path::of)
                            .orElse(hfHome.resolve("token"))))
            .map(String::strip)
            .orElse(null);
    String revision = o.revision().flatMap(HubClient::nonBlank).orElse("main");
    validateRevision(revision);
    Duration timeout = o.timeout().orElse(DEFAULT_TIMEOUT);
    String onnx = nonBlank(o.properties().get(ONNX_FILE_PROPERTY)).orElse(null);
    return new HubClient(
        endpoint,
        token,
        cache.toAbsolutePath().normalize(),
        offline,
        timeout,
        revision,
        onnx,
        null);
  }

  /**
   * This client reporting download progress (bytes of all files of a snapshot) to {@code listener}.
   */
  public HubClient withProgressListener(ProgressListener listener) {
    return new HubClient(
        endpoint, token, cacheDir, offline, timeout, defaultRevision, onnxFile, listener);
  }

  public String endpoint() {
    return endpoint;
  }

  /** The hub cache folder holding {@code models--org--name} folders. */
  public Path cacheDir() {
    return cacheDir;
  }

  public boolean offline() {
    return offline;
  }

  /** Whether a token will be sent (the token itself is never exposed). */
  public boolean hasToken() {
    return token != null;
  }

  /** The cache folder of a repo: {@code <cache>/models--org--name}. */
  public Path repoFolder(String repoId) {
    validateRepoId(repoId);
    return cacheDir.resolve("models--" + repoId.replace("/", "--"));
  }

  /** {@link #snapshot(String, String)} at {@link LoadOptions#revision()}, default "main". */
  public Path snapshot(String repoId) {
    return snapshot(repoId, null);
  }

  /**
   * The local snapshot folder of a Hub model, downloading what a sentence-transformers ONNX
   * pipeline needs unless it is cached: {@code <cache>/models--org--name/snapshots/<commit>/}.
   *
   * <p>Online, one metadata request learns the commit of {@code revision}; only files missing from
   * that snapshot are downloaded (a full commit hash whose snapshot is complete needs no request at
   * all). Offline, or when the Hub cannot be reached, the cached snapshot of {@code revision} is
   * used without any network access.
   *
   * @param revision branch, tag or commit hash; null means {@link LoadOptions#revision()} or "main"
   * @throws ModelNotFoundException when the repo, revision or (offline) cached snapshot is missing
   * @throws JembedException for access, network and export problems, with what to do about them
   */
  public Path snapshot(String repoId, String revision) {
    validateRepoId(repoId);
    String rev = revision == null || revision.isBlank() ? defaultRevision : revision.strip();
    validateRevision(rev);
    if (offline) {
      return cachedOrFail(
          repoId,
          rev,
          "offline mode is on (HF_HUB_OFFLINE / JEMBED_OFFLINE / LoadOptions.offline)");
    }
    if (COMMIT.matcher(rev).matches()) {
      Path snapshot = repoFolder(repoId).resolve("snapshots").resolve(rev);
      if (chooseCachedOnnx(snapshot).isPresent()) {
        return snapshot;
      }
    }
    RepoInfo info;
    try {
      info = fetchInfo(repoId, rev);
    } catch (Unreachable e) {
      Optional<Path> cached = cachedSnapshot(repoId, rev);
      if (cached.isPresent() && chooseCachedOnnx(cached.get()).isPresent()) {
        LOG.log(
            System.Logger.Level.WARNING,
            "Hub unreachable ({0}); using the cached snapshot {1}",
            e.getMessage(),
            cached.get());
        return cached.get();
      }
      throw new JembedException(
          e.getMessage()
              + ". "
              + repoId
              + " (revision "
              + rev
              + ") is not in the cache "
              + cacheDir
              + " either. Check the network (or HF_ENDPOINT), or copy a cache that has it.",
          e.getCause());
    }
    return download(repoId, rev, info);
  }

  /** The cached snapshot folder of {@code revision} (a ref or a commit hash), if any. */
  public Optional<Path> cachedSnapshot(String repoId, String revision) {
    validateRepoId(repoId);
    String rev = revision == null || revision.isBlank() ? defaultRevision : revision.strip();
    validateRevision(rev);
    Path repo = repoFolder(repoId);
    Path snapshots = repo.resolve("snapshots");
    if (COMMIT.matcher(rev).matches() && Files.isDirectory(snapshots.resolve(rev))) {
      return Optional.of(snapshots.resolve(rev));
    }
    Path ref = repo.resolve("refs").resolve(rev);
    if (!Files.isRegularFile(ref)) {
      return Optional.empty();
    }
    try {
      String commit = Files.readString(ref, StandardCharsets.UTF_8).strip();
      if (COMMIT.matcher(commit).matches() && Files.isDirectory(snapshots.resolve(commit))) {
        return Optional.of(snapshots.resolve(commit));
      }
    } catch (IOException e) {
      throw new JembedException("Cannot read " + ref + ": " + e.getMessage(), e);
    }
    return Optional.empty();
  }

  // ---------------------------------------------------------------- offline

  private Path cachedOrFail(String repoId, String rev, String why) {
    Optional<Path> cached = cachedSnapshot(repoId, rev);
    if (cached.isEmpty()) {
      throw new ModelNotFoundException(
          "Hugging Face model "
              + repoId
              + " (revision "
              + rev
              + ") is not in the cache "
              + cacheDir
              + " and "
              + why
              + ". Run once online to download it (e.g. HF_HUB_OFFLINE=0 or LoadOptions.offline(false)),"
              + " or point HF_HUB_CACHE / LoadOptions.cacheDir at a cache that holds it.",
          List.of());
    }
    Path snapshot = cached.get();
    if (chooseCachedOnnx(snapshot).isEmpty()) {
      throw new ModelNotFoundException(
          "The cached snapshot "
              + snapshot
              + " of "
              + repoId
              + " has no "
              + (onnxFile != null ? onnxFile : String.join(" or ", DEFAULT_ONNX))
              + " and "
              + why
              + ". Run once online so that the ONNX weights are downloaded.",
          List.of());
    }
    return snapshot;
  }

  private Optional<String> chooseCachedOnnx(Path snapshot) {
    List<String> candidates = onnxFile != null ? List.of(onnxFile) : DEFAULT_ONNX;
    return candidates.stream().filter(f -> Files.isRegularFile(snapshot.resolve(f))).findFirst();
  }

  // ---------------------------------------------------------------- online

  private record RepoInfo(String commit, List<String> files) {}

  /** The Hub could not be reached (network error or server trouble): the cache may stand in. */
  private static final class Unreachable extends Exception {
    private static final long serialVersionUID = 1L;

    Unreachable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private Map<String, String> authHeaders() {
    return token == null ? Map.of() : Map.of("Authorization", "Bearer " + token);
  }

  private RepoInfo fetchInfo(String repoId, String rev) throws Unreachable {
    URI url = URI.create(endpoint + "/api/models/" + repoId + "/revision/" + encodeSegment(rev));
    HttpResponse<String> response;
    try {
      response =
          HttpSupport.send(
              client,
              "GET",
              url,
              authHeaders(),
              timeout,
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8),
              HttpSupport.RedirectPolicy.SAME_ORIGIN);
    } catch (IOException e) {
      throw new Unreachable(
          "Cannot reach the Hugging Face Hub at " + endpoint + " (" + Downloader.describe(e) + ")",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JembedException("Interrupted while asking " + url, e);
    }
    int status = response.statusCode();
    if (status >= 500 || status == 429) {
      throw new Unreachable(
          "The Hugging Face Hub at " + endpoint + " answered " + HttpSupport.status(status), null);
    }
    if (status != 200) {
      throw hubError(repoId, rev, url, status, response.headers());
    }
    try {
      JsonNode root = JSON.readTree(response.body());
      String sha = root.path("sha").asText("");
      if (!COMMIT.matcher(sha).matches()) {
        throw new JembedException(
            "The Hub answer for "
                + url
                + " has no commit hash (\"sha\"); is "
                + endpoint
                + " a Hub?");
      }
      List<String> files = new ArrayList<>();
      for (JsonNode sibling : root.path("siblings")) {
        String name = sibling.path("rfilename").asText("");
        if (!name.isEmpty()) {
          files.add(name);
        }
      }
      return new RepoInfo(sha, List.copyOf(files));
    } catch (IOException e) {
      throw new JembedException(
          "The Hub answer for "
              + url
              + " is not JSON; is "
              + endpoint
              + " a Hub? "
              + e.getMessage(),
          e);
    }
  }

  private JembedException hubError(
      String repoId, String rev, URI url, int status, HttpHeaders headers) {
    String code = headers.firstValue("x-error-code").orElse("");
    String page = endpoint + "/" + repoId;
    String tokenHint =
        token == null
            ? " If it is private or gated, set HF_TOKEN to an access token ("
                + DEFAULT_ENDPOINT
                + "/settings/tokens)."
            : " If it is private or gated, check that the token in HF_TOKEN can read it.";
    if (code.equals("RevisionNotFound")) {
      return new ModelNotFoundException(
          "Revision '"
              + rev
              + "' not found in Hugging Face repo "
              + repoId
              + " ("
              + HttpSupport.status(status)
              + " from "
              + url
              + "). Use a branch, tag or commit listed on "
              + page
              + ".",
          List.of());
    }
    if (code.equals("EntryNotFound")) {
      return new ModelNotFoundException(
          "File not found in Hugging Face repo "
              + repoId
              + " at revision "
              + rev
              + ": "
              + url
              + " ("
              + HttpSupport.status(status)
              + ").",
          List.of());
    }
    if (code.equals("GatedRepo")) {
      return new HttpStatusException(
          "Hugging Face repo "
              + repoId
              + " is gated ("
              + HttpSupport.status(status)
              + " from "
              + url
              + "): accept its conditions on "
              + page
              + " while logged in, then set HF_TOKEN to an access token of that account.",
          url,
          status);
    }
    if (status == 404 || code.equals("RepoNotFound")) {
      return new ModelNotFoundException(
          "Hugging Face repo "
              + repoId
              + " not found ("
              + HttpSupport.status(status)
              + " from "
              + url
              + "). Check the id (org/name) on "
              + endpoint
              + "."
              + tokenHint,
          List.of());
    }
    if (status == 401) {
      return new HttpStatusException(
          "The Hugging Face Hub refused access to "
              + repoId
              + " ("
              + HttpSupport.status(status)
              + " from "
              + url
              + ")."
              + (token == null
                  ? " Set HF_TOKEN to an access token ("
                      + DEFAULT_ENDPOINT
                      + "/settings/tokens) if the repo is private or gated."
                  : " The token in HF_TOKEN was not accepted: check that it is valid and not expired."),
          url,
          status);
    }
    if (status == 403) {
      return new HttpStatusException(
          "The Hugging Face Hub denied access to "
              + repoId
              + " ("
              + HttpSupport.status(status)
              + " from "
              + url
              + ")."
              + " The token lacks permission to read it; use a token with read access, and accept the repo's conditions on "
              + page
              + " if it is gated.",
          url,
          status);
    }
    return new HttpStatusException(
        "The Hugging Face Hub answered " + HttpSupport.status(status) + " for " + url, url, status);
  }

  private Path download(String repoId, String rev, RepoInfo info) {
    Path repo = repoFolder(repoId);
    Path snapshot = repo.resolve("snapshots").resolve(info.commit());
    Set<String> files = new LinkedHashSet<>(info.files());
    String onnx = chooseOnnx(repoId, rev, info);

    // modules.json first: it names the module folders (pooling, dense, normalize) to fetch
    if (files.contains("modules.json") && !Files.isRegularFile(snapshot.resolve("modules.json"))) {
      fetch(
          repoId,
          info.commit(),
          snapshot,
          "modules.json",
          head(repoId, rev, info.commit(), "modules.json"),
          null);
    }
    List<String> plan = new ArrayList<>();
    for (String f : PIPELINE_FILES) {
      if (files.contains(f)) {
        plan.add(f);
      }
    }
    if (files.contains("modules.json")) {
      plan.addAll(moduleFiles(snapshot.resolve("modules.json"), files));
    }
    // external weights before the graph: a present graph file then means a complete snapshot
    for (String data : List.of(onnx + "_data", onnx + ".data")) {
      if (files.contains(data)) {
        plan.add(data);
      }
    }
    plan.add(onnx);

    Map<String, FileMeta> missing = new LinkedHashMap<>();
    for (String f : new LinkedHashSet<>(plan)) {
      if (!Files.isRegularFile(snapshot.resolve(f))) {
        missing.put(f, head(repoId, rev, info.commit(), f));
      }
    }
    long grandTotal = 0;
    for (FileMeta meta : missing.values()) {
      grandTotal = meta.size() < 0 || grandTotal < 0 ? -1 : grandTotal + meta.size();
    }
    long base = 0;
    for (Map.Entry<String, FileMeta> e : missing.entrySet()) {
      FileMeta meta = e.getValue();
      ProgressListener overall = null;
      if (progress != null) {
        long offset = base;
        long total = grandTotal;
        overall = (done, t) -> progress.progress(offset + done, total);
      }
      fetch(repoId, info.commit(), snapshot, e.getKey(), meta, overall);
      base += Math.max(meta.size(), 0);
    }
    if (!rev.equals(info.commit())) {
      writeRef(repo, rev, info.commit());
    }
    return snapshot;
  }

  private String chooseOnnx(String repoId, String rev, RepoInfo info) {
    Set<String> files = new LinkedHashSet<>(info.files());
    if (onnxFile != null) {
      if (files.contains(onnxFile)) {
        return onnxFile;
      }
      List<String> onnxFiles = info.files().stream().filter(f -> f.endsWith(".onnx")).toList();
      throw new ModelNotFoundException(
          "Hugging Face repo "
              + repoId
              + " (revision "
              + rev
              + ") has no ONNX file '"
              + onnxFile
              + "'. "
              + (onnxFiles.isEmpty()
                  ? "It has no ONNX files at all. "
                      + exportHint(repoId)
                      + " "
                      + listing(info.files())
                  : "Its ONNX files: " + String.join(", ", onnxFiles) + "."),
          onnxFiles);
    }
    for (String candidate : DEFAULT_ONNX) {
      if (files.contains(candidate)) {
        return candidate;
      }
    }
    throw new ModelNotFoundException(
        "Hugging Face repo "
            + repoId
            + " (revision "
            + rev
            + ") has no ONNX export (looked for "
            + String.join(" and ", DEFAULT_ONNX)
            + "). "
            + exportHint(repoId)
            + " "
            + listing(info.files()),
        List.of());
  }

  private static String exportHint(String repoId) {
    return "Export one with `pip install optimum[onnxruntime]` and `optimum-cli export onnx --model "
        + repoId
        + " --task feature-extraction out/`, then load the folder out/ (or choose a file with"
        + " LoadOptions property "
        + ONNX_FILE_PROPERTY
        + ").";
  }

  private static String listing(List<String> files) {
    if (files.isEmpty()) {
      return "The repo has no files.";
    }
    int shown = Math.min(files.size(), 40);
    return "Files in the repo: "
        + String.join(", ", files.subList(0, shown))
        + (files.size() > shown ? " ... and " + (files.size() - shown) + " more." : ".");
  }

  /** Files of the module folders named in modules.json (the transformer's weights excepted). */
  private static List<String> moduleFiles(Path modulesJson, Set<String> files) {
    JsonNode modules;
    try {
      modules = JSON.readTree(modulesJson.toFile());
    } catch (IOException e) {
      throw new JembedException("Cannot read " + modulesJson + ": " + e.getMessage(), e);
    }
    List<String> result = new ArrayList<>();
    for (JsonNode module : modules) {
      String path = module.path("path").asText("");
      while (path.endsWith("/")) {
        path = path.substring(0, path.length() - 1);
      }
      if (path.isEmpty() || path.contains("..") || path.startsWith("/")) {
        continue;
      }
      boolean transformer = module.path("type").asText("").endsWith("Transformer");
      String prefix = path + "/";
      List<String> inFolder = files.stream().filter(f -> f.startsWith(prefix)).toList();
      boolean hasSafetensors = inFolder.stream().anyMatch(f -> f.endsWith(".safetensors"));
      for (String f : inFolder) {
        String lower = f.toLowerCase(Locale.ROOT);
        boolean weights =
            lower.endsWith(".bin")
                || lower.endsWith(".safetensors")
                || lower.endsWith(".onnx")
                || lower.endsWith(".h5")
                || lower.endsWith(".msgpack")
                || lower.endsWith(".ot")
                || lower.endsWith(".pt");
        if (transformer && weights) {
          continue; // the ONNX export replaces the transformer's own weights
        }
        if (hasSafetensors && lower.endsWith(".bin")) {
          continue; // same weights twice
        }
        result.add(f);
      }
    }
    return result;
  }

  private record FileMeta(String etag, long size) {}

  private URI resolveUrl(String repoId, String commit, String file) {
    String path =
        List.of(file.split("/")).stream()
            .map(HubClient::encodeSegment)
            .collect(Collectors.joining("/"));
    return URI.create(endpoint + "/" + repoId + "/resolve/" + commit + "/" + path);
  }

  /** Etag and size of a file, from a HEAD request that does not follow the CDN redirect. */
  private FileMeta head(String repoId, String rev, String commit, String file) {
    URI url = resolveUrl(repoId, commit, file);
    HttpResponse<Void> response;
    try {
      response =
          HttpSupport.send(
              client,
              "HEAD",
              url,
              authHeaders(),
              timeout,
              HttpResponse.BodyHandlers.discarding(),
              HttpSupport.RedirectPolicy.SAME_ORIGIN);
    } catch (IOException e) {
      throw new JembedException("Cannot reach " + url + ": " + Downloader.describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JembedException("Interrupted while asking " + url, e);
    }
    int status = response.statusCode();
    if (status != 200 && !HttpSupport.isRedirect(status)) {
      throw hubError(repoId, rev, url, status, response.headers());
    }
    HttpHeaders h = response.headers();
    String etag =
        h.firstValue("x-linked-etag")
            .or(() -> h.firstValue("etag"))
            .map(HubClient::normalizeEtag)
            .orElse("");
    if (!SAFE_ETAG.matcher(etag).matches()) {
      throw new JembedException(
          "The Hub sent no usable ETag for "
              + url
              + " ("
              + HttpSupport.status(status)
              + "); cannot cache the file");
    }
    long size =
        h.firstValueAsLong("x-linked-size")
            .orElse(status == 200 ? h.firstValueAsLong("content-length").orElse(-1) : -1);
    return new FileMeta(etag, size);
  }

  private void fetch(
      String repoId,
      String commit,
      Path snapshot,
      String file,
      FileMeta meta,
      ProgressListener listener) {
    Path repo = repoFolder(repoId);
    Path blob = repo.resolve("blobs").resolve(meta.etag());
    Path link = snapshot.resolve(file).normalize();
    if (!link.startsWith(snapshot)) {
      throw new JembedException(
          "Refusing file name '" + file + "' that leaves the snapshot folder");
    }
    // LFS files are named by their SHA-256: check it; small git files have a git hash instead
    Checksum checksum = Checksum.isHex(meta.etag(), 64) ? Checksum.sha256(meta.etag()) : null;
    Path lockFile =
        cacheDir.resolve(".locks").resolve(repo.getFileName()).resolve(meta.etag() + ".lock");
    try (FileLocks.Held ignored = FileLocks.lock(lockFile)) {
      downloader.download(resolveUrl(repoId, commit, file), blob, checksum, listener);
      link(blob, link);
    }
  }

  /**
   * snapshots/<commit>/<file> as a relative symlink to ../../blobs/<etag>; a copy where links fail.
   */
  static void link(Path blob, Path link) {
    try {
      Files.createDirectories(link.getParent());
      if (Files.isRegularFile(link)) {
        return;
      }
      Files.deleteIfExists(link); // a dangling link
      Path relative = link.getParent().relativize(blob);
      try {
        Files.createSymbolicLink(link, relative);
      } catch (FileAlreadyExistsException e) {
        // another thread made it
      } catch (UnsupportedOperationException | IOException | SecurityException e) {
        Path tmp = link.resolveSibling(link.getFileName() + ".incomplete");
        Files.copy(blob, tmp, StandardCopyOption.REPLACE_EXISTING);
        Downloader.moveIntoPlace(tmp, link);
      }
    } catch (IOException e) {
      throw new JembedException("Cannot create " + link + ": " + e.getMessage(), e);
    }
  }

  private static void writeRef(Path repo, String rev, String commit) {
    Path ref = repo.resolve("refs").resolve(rev);
    try {
      Files.createDirectories(ref.getParent());
      if (Files.isRegularFile(ref) && Files.readString(ref).strip().equals(commit)) {
        return;
      }
      Path tmp = Files.createTempFile(ref.getParent(), ".ref", ".tmp");
      Files.writeString(tmp, commit, StandardCharsets.UTF_8);
      Downloader.moveIntoPlace(tmp, ref);
    } catch (IOException e) {
      throw new JembedException("Cannot write " + ref + ": " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------- input checks

  static void validateRepoId(String repoId) {
    if (repoId == null
        || !REPO_ID.matcher(repoId).matches()
        || repoId.contains("--")
        || repoId.contains("..")) {
      throw new JembedException(
          "Not a Hugging Face repo id: '"
              + repoId
              + "'. Expected org/name (letters, digits, '-', '_', '.'; no '--' or '..'),"
              + " e.g. sentence-transformers/all-MiniLM-L6-v2");
    }
  }

  static void validateRevision(String revision) {
    if (revision == null
        || !REVISION.matcher(revision).matches()
        || revision.contains("..")
        || revision.length() > 255) {
      throw new JembedException(
          "Not a Hub revision: '"
              + revision
              + "'. Expected a branch, tag or commit hash, e.g. main");
    }
  }

  static String normalizeEtag(String etag) {
    String e = etag.strip();
    if (e.startsWith("W/")) {
      e = e.substring(2);
    }
    if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
      e = e.substring(1, e.length() - 1);
    }
    return e;
  }

  private static String encodeSegment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static boolean truthy(String value) {
    if (value == null) {
      return false;
    }
    return switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "1", "true", "yes", "on" -> true;
      default -> false;
    };
  }

  private static Optional<String> nonBlank(String s) {
    return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.strip());
  }

  private static Optional<String> readToken(Path file) {
    try {
      return Files.isRegularFile(file) ? nonBlank(Files.readString(file)) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return "HubClient{endpoint="
        + endpoint
        + ", cacheDir="
        + cacheDir
        + ", offline="
        + offline
        + ", token="
        + (token == null ? "none" : "***")
        + "}";
  }
}
