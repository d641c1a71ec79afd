package io.jembed.hub;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A Hugging Face Hub on 127.0.0.1 for tests: the model API ({@code
 * /api/models/{repo}/revision/{rev}}), {@code /{repo}/resolve/{rev}/{file}} answering HEAD and GET
 * like the real Hub (small files with a git ETag; LFS files, e.g. {@code .onnx}, with {@code
 * X-Linked-Etag} = SHA-256 and a 302 to a separate "CDN" server on another port), Range requests,
 * private repos, and failure injection. Every request is logged. Other modules reuse it through
 * core's test-jar.
 */
public final class FakeHub implements AutoCloseable {
  /** The sentence-transformers files of all-MiniLM-L6-v2 around the bundled ONNX model. */
  public static final String MODULES_JSON =
      """
      [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}
      ]
      """;

  public static final String SENTENCE_BERT_CONFIG =
      "{\"max_seq_length\": 256, \"do_lower_case\": false}";

  public static final String POOLING_CONFIG =
      """
      {
        "word_embedding_dimension": 384,
        "pooling_mode_cls_token": false,
        "pooling_mode_mean_tokens": true,
        "pooling_mode_max_tokens": false,
        "pooling_mode_mean_sqrt_len_tokens": false
      }
      """;

  public static final String CONFIG_SENTENCE_TRANSFORMERS =
      """
      {
        "__version__": {"sentence_transformers": "2.0.0", "transformers": "4.6.1", "pytorch": "1.8.1"},
        "prompts": {},
        "default_prompt_name": null,
        "similarity_fn_name": "cosine"
      }
      """;

  public static final String CONFIG_JSON =
      """
      {"architectures": ["BertModel"], "hidden_size": 384, "model_type": "bert",
       "num_attention_heads": 12, "num_hidden_layers": 6, "max_position_embeddings": 512,
       "vocab_size": 30522}
      """;

  private static final AtomicReference<byte[]> MINI_LM_ONNX = new AtomicReference<>();
  private static final AtomicReference<byte[]> MINI_LM_TOKENIZER = new AtomicReference<>();

  private final HttpServer hub;
  private final HttpServer cdn;
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final Map<String, Repo> repos = new ConcurrentHashMap<>();
  private final Map<String, byte[]> lfsBlobs = new ConcurrentHashMap<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Map<String, Long> cutOffs = new ConcurrentHashMap<>();
  private volatile boolean rangeSupported = true;
  private volatile int apiFailureStatus;

  /** One request as the fake servers saw it. */
  public record Request(
      String server, String method, String path, String authorization, String range) {}

  private FakeHub() throws IOException {
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    hub = HttpServer.create(loopback, 0);
    cdn = HttpServer.create(loopback, 0);
    hub.createContext("/", this::handleHub);
    cdn.createContext("/", this::handleCdn);
    hub.setExecutor(executor);
    cdn.setExecutor(executor);
    hub.start();
    cdn.start();
  }

  /** A running fake Hub with no repos. */
  public static FakeHub start() {
    try {
      return new FakeHub();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The base URL to use as HF_ENDPOINT, e.g. {@code http://127.0.0.1:40123}. */
  public String endpoint() {
    return "http://127.0.0.1:" + hub.getAddress().getPort();
  }

  /** The "CDN" that serves LFS files (another origin than the endpoint). */
  public String cdnEndpoint() {
    return "http://127.0.0.1:" + cdn.getAddress().getPort();
  }

  /** Adds (or returns) a repo; its "main" branch points at a fixed, random-looking commit. */
  public Repo repo(String repoId) {
    return repos.computeIfAbsent(repoId, Repo::new);
  }

  /**
   * Publishes all-MiniLM-L6-v2 as a sentence-transformers repo: the bundled ONNX model as
   * onnx/model.onnx, its tokenizer.json, and the sentence-transformers config files.
   */
  public Repo publishMiniLm(String repoId) {
    Repo repo = repo(repoId);
    repo.file("modules.json", MODULES_JSON)
        .file("sentence_bert_config.json", SENTENCE_BERT_CONFIG)
        .file("1_Pooling/config.json", POOLING_CONFIG)
        .file("config_sentence_transformers.json", CONFIG_SENTENCE_TRANSFORMERS)
        .file("config.json", CONFIG_JSON)
        .file("tokenizer.json", miniLmTokenizer())
        .file("onnx/model.onnx", miniLmOnnx())
        .file("README.md", "# all-MiniLM-L6-v2\n")
        .file("pytorch_model.bin", "not served to jembed");
    return repo;
  }

  /** The bundled all-MiniLM-L6-v2 ONNX model (read once per JVM). */
  public static byte[] miniLmOnnx() {
    return load(MINI_LM_ONNX, "/all-minilm-l6-v2.onnx");
  }

  /** The bundled all-MiniLM-L6-v2 tokenizer.json (read once per JVM). */
  public static byte[] miniLmTokenizer() {
    return load(MINI_LM_TOKENIZER, "/all-minilm-l6-v2-tokenizer.json");
  }

  private static byte[] load(AtomicReference<byte[]> slot, String resource) {
    byte[] bytes = slot.get();
    if (bytes == null) {
      try (InputStream in = FakeHub.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException(resource + " is not on the classpath");
        }
        bytes = in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      slot.compareAndSet(null, bytes);
    }
    return slot.get();
  }

  /** Requests seen so far, both servers, in order. */
  public List<Request> requests() {
    return List.copyOf(requests);
  }

  public void clearRequests() {
    requests.clear();
  }

  /** Whether Range requests are honoured (206); when false, every GET answers 200 in full. */
  public void rangeSupported(boolean supported) {
    this.rangeSupported = supported;
  }

  /** The next GET of {@code file} (any repo) sends only {@code bytes} body bytes, then hangs up. */
  public void cutOffNextDownload(String file, long bytes) {
    cutOffs.put(file, bytes);
  }

  /** Every API request answers this status (0 = normal), e.g. 503 for a Hub outage. */
  public void failApiWith(int status) {
    this.apiFailureStatus = status;
  }

  @Override
  public void close() {
    hub.stop(0);
    cdn.stop(0);
    executor.shutdownNow();
  }

  // ---------------------------------------------------------------- repos

  /** A fake repo: files, branches, an optional required token. */
  public final class Repo {
    private final String id;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final List<String> order = new CopyOnWriteArrayList<>();
    private final Map<String, String> branches = new ConcurrentHashMap<>();
    private volatile String token;

    private Repo(String id) {
      this.id = id;
      branches.put("main", commitFor(id + "@main"));
    }

    public String id() {
      return id;
    }

    /** The commit "main" points at. */
    public String commit() {
      return branches.get("main");
    }

    public Repo file(String path, String content) {
      return file(path, content.getBytes(StandardCharsets.UTF_8));
    }

    public Repo file(String path, byte[] content) {
      if (files.put(path, content) == null) {
        order.add(path);
      }
      if (isLfs(path)) {
        lfsBlobs.put(sha256(content), content);
      }
      return this;
    }

    /** Makes the repo private: only {@code Authorization: Bearer <token>} sees it. */
    public Repo requireToken(String token) {
      this.token = token;
      return this;
    }

    /** Moves "main" to a new commit (same files), as a push would. */
    public String push() {
      String next = commitFor(commit());
      branches.put("main", next);
      return next;
    }

    boolean knows(String revision) {
      return branches.containsKey(revision) || branches.containsValue(revision);
    }

    String commitOf(String revision) {
      return branches.getOrDefault(revision, revision);
    }
  }

  static boolean isLfs(String path) {
    String p = path.toLowerCase(Locale.ROOT);
    return p.endsWith(".onnx")
        || p.endsWith(".onnx_data")
        || p.endsWith(".onnx.data")
        || p.endsWith(".bin")
        || p.endsWith(".safetensors");
  }

  private static String commitFor(String seed) {
    Random random = new Random(seed.hashCode());
    byte[] bytes = new byte[20];
    random.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  public static String sha256(byte[] content) {
    return digest("SHA-256", content);
  }

  public static String sha1(byte[] content) {
    return digest("SHA-1", content);
  }

  /** The git blob hash the real Hub uses as ETag of small files. */
  static String gitBlobSha1(byte[] content) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-1");
      md.update(("blob " + content.length + "\0").getBytes(StandardCharsets.US_ASCII));
      return HexFormat.of().formatHex(md.digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String digest(String algorithm, byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------- handlers

  private void log(String server, HttpExchange ex) {
    Headers h = ex.getRequestHeaders();
    requests.add(
        new Request(
            server,
            ex.getRequestMethod(),
            ex.getRequestURI().getRawPath(),
            h.getFirst("Authorization"),
            h.getFirst("Range")));
  }

  private void handleHub(HttpExchange ex) throws IOException {
    try (ex) {
      log("hub", ex);
      String path = ex.getRequestURI().getRawPath();
      if (path.startsWith("/api/models/")) {
        handleApi(ex, path.substring("/api/models/".length()));
        return;
      }
      int resolve = path.indexOf("/resolve/");
      if (resolve > 0) {
        handleResolve(
            ex, path.substring(1, resolve), path.substring(resolve + "/resolve/".length()));
        return;
      }
      sendError(ex, 404, null);
    }
  }

  private Repo visibleRepo(HttpExchange ex, String repoId) throws IOException {
    Repo repo = repos.get(repoId);
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (repo == null) {
      sendError(ex, auth == null ? 401 : 404, "RepoNotFound");
      return null;
    }
    if (repo.token != null && !("Bearer " + repo.token).equals(auth)) {
      // like the Hub: a private repo looks absent without the right token
      sendError(ex, 401, "RepoNotFound");
      return null;
    }
    return repo;
  }

  private void handleApi(HttpExchange ex, String rest) throws IOException {
    if (apiFailureStatus != 0) {
      sendError(ex, apiFailureStatus, null);
      return;
    }
    int at = rest.indexOf("/revision/");
    if (at < 0) {
      sendError(ex, 404, null);
      return;
    }
    String repoId = rest.substring(0, at);
    String revision =
        URLDecoder.decode(rest.substring(at + "/revision/".length()), StandardCharsets.UTF_8);
    Repo repo = visibleRepo(ex, repoId);
    if (repo == null) {
      return;
    }
    if (!repo.knows(revision)) {
      sendError(ex, 404, "RevisionNotFound");
      return;
    }
    StringBuilder json = new StringBuilder();
    json.append("{\"id\":\"")
        .append(repoId)
        .append("\",\"modelId\":\"")
        .append(repoId)
        .append("\",");
    json.append("\"sha\":\"").append(repo.commitOf(revision)).append("\",\"siblings\":[");
    for (int i = 0; i < repo.order.size(); i++) {
      json.append(i == 0 ? "" : ",")
          .append("{\"rfilename\":\"")
          .append(repo.order.get(i))
          .append("\"}");
    }
    json.append("]}");
    byte[] body = json.toString().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(200, body.length);
    ex.getResponseBody().write(body);
  }

  private void handleResolve(HttpExchange ex, String repoId, String rest) throws IOException {
    Repo repo = visibleRepo(ex, repoId);
    if (repo == null) {
      return;
    }
    int slash = rest.indexOf('/');
    String revision = URLDecoder.decode(rest.substring(0, slash), StandardCharsets.UTF_8);
    String file = URLDecoder.decode(rest.substring(slash + 1), StandardCharsets.UTF_8);
    if (!repo.knows(revision)) {
      sendError(ex, 404, "RevisionNotFound");
      return;
    }
    byte[] content = repo.files.get(file);
    if (content == null) {
      sendError(ex, 404, "EntryNotFound");
      return;
    }
    Headers out = ex.getResponseHeaders();
    out.set("X-Repo-Commit", repo.commitOf(revision));
    if (isLfs(file)) {
      String sha = sha256(content);
      out.set("X-Linked-Etag", "\"" + sha + "\"");
      out.set("X-Linked-Size", Long.toString(content.length));
      out.set("ETag", "\"" + gitBlobSha1(content) + "\"");
      out.set(
          "Location",
          cdnEndpoint()
              + "/lfs/"
              + sha
              + "?file="
              + java.net.URLEncoder.encode(file, StandardCharsets.UTF_8));
      ex.sendResponseHeaders(302, -1);
      return;
    }
    out.set("ETag", "\"" + gitBlobSha1(content) + "\"");
    serve(ex, file, content);
  }

  private void handleCdn(HttpExchange ex) throws IOException {
    try (ex) {
      log("cdn", ex);
      String path = ex.getRequestURI().getRawPath();
      byte[] content = path.startsWith("/lfs/") ? lfsBlobs.get(path.substring(5)) : null;
      if (content == null) {
        sendError(ex, 404, null);
        return;
      }
      if (ex.getRequestHeaders().getFirst("Authorization") != null) {
        // like S3 presigned URLs: a second credential is an error
        sendError(ex, 400, "AuthorizationNotAllowed");
        return;
      }
      String query = ex.getRequestURI().getRawQuery();
      String file =
          query != null && query.startsWith("file=")
              ? URLDecoder.decode(query.substring(5), StandardCharsets.UTF_8)
              : path;
      serve(ex, file, content);
    }
  }

  /** Sends {@code content} (or the requested range of it), cut off if asked to. */
  private void serve(HttpExchange ex, String file, byte[] content) throws IOException {
    Headers out = ex.getResponseHeaders();
    out.set("Accept-Ranges", "bytes");
    long start = 0;
    int status = 200;
    String range = ex.getRequestHeaders().getFirst("Range");
    if (range != null && rangeSupported && range.startsWith("bytes=") && range.endsWith("-")) {
      start = Long.parseLong(range.substring(6, range.length() - 1));
      if (start >= content.length) {
        out.set("Content-Range", "bytes */" + content.length);
        ex.sendResponseHeaders(416, -1);
        return;
      }
      status = 206;
      out.set(
          "Content-Range", "bytes " + start + "-" + (content.length - 1) + "/" + content.length);
    }
    long length = content.length - start;
    if (ex.getRequestMethod().equals("HEAD")) {
      out.set("Content-Length", Long.toString(length));
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, length == 0 ? -1 : length);
    Long cut = cutOffs.remove(file);
    OutputStream body = ex.getResponseBody();
    if (cut != null && cut < length) {
      body.write(content, (int) start, (int) (long) cut);
      body.flush();
      // closing the exchange with bytes missing makes the server drop the connection
      ex.close();
      return;
    }
    body.write(content, (int) start, (int) length);
  }

  private static void sendError(HttpExchange ex, int status, String errorCode) throws IOException {
    if (errorCode != null) {
      ex.getResponseHeaders().set("X-Error-Code", errorCode);
    }
    byte[] body =
        ("{\"error\":\"" + (errorCode == null ? "error " + status : errorCode) + "\"}")
            .getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, body.length);
    ex.getResponseBody().write(body);
  }

  /** Requests of one kind, for assertions. */
  public List<Request> requests(String server, String method) {
    List<Request> result = new ArrayList<>();
    for (Request r : requests) {
      if (r.server().equals(server) && r.method().equals(method)) {
        result.add(r);
      }
    }
    return result;
  }

  /** Config files as a map, handy to publish variants of the MiniLM repo. */
  public static Map<String, String> sentenceTransformersConfigs() {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("modules.json", MODULES_JSON);
    files.put("sentence_bert_config.json", SENTENCE_BERT_CONFIG);
    files.put("1_Pooling/config.json", POOLING_CONFIG);
    files.put("config_sentence_transformers.json", CONFIG_SENTENCE_TRANSFORMERS);
    files.put("config.json", CONFIG_JSON);
    return files;
  }
}
