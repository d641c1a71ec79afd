package io.jembed.cli;

import io.jembed.ConsoleProgressBar;
import io.jembed.EmbeddingModel;
import io.jembed.JembedException;
import io.jembed.LoadOptions;
import io.jembed.index.Document;
import io.jembed.index.IndexMetadata;
import io.jembed.index.IndexOptions;
import io.jembed.index.StoreLocation;
import io.jembed.index.VectorStore;
import io.jembed.index.VectorStores;
import io.jembed.index.lucene.LuceneVectorStore;
import io.jembed.model.BundledModels;
import io.jembed.model.CacheFolder;
import io.jembed.server.EmbeddingServer;
import io.jembed.server.ServerOptions;
import io.jembed.toolkit.io.EmbeddingFile;
import io.jembed.toolkit.io.EmbeddingFiles;
import io.jembed.toolkit.io.EmbeddingFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jembed explore INPUT}: the one-command path to the explore page. An index folder is served
 * as it is; a text file (one text per line, optional TAB and label) or an embeddings file (.npy,
 * .jsonl, .csv with its sidecar) becomes an index in jembed's cache, keyed by the file's content
 * and the model, and reused next time. The server listens on 127.0.0.1 at a free port.
 */
@Command(
    name = "explore",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Open the explore page (search, compare, map, duplicates) on an index folder, a text file"
          + " (one text per line, optional TAB label) or an embeddings file (.npy/.jsonl/.csv with"
          + " its sidecar).",
      "Embeds what needs embedding (kept in jembed's cache for next time), serves on 127.0.0.1"
          + " and prints the URL; opens a browser when there is a desktop. Ctrl+C stops."
    })
public final class ExploreCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      paramLabel = "INPUT",
      description = "Index folder, text file or embeddings file.")
  Path input;

  @Option(
      names = {"-m", "--model"},
      paramLabel = "MODEL",
      description =
          "Model to embed a text file with (default: "
              + ModelOptions.DEFAULT_MODEL
              + "); give two to compare them side by side on the same texts.")
  List<String> models = new ArrayList<>();

  @Option(
      names = {"-p", "--port"},
      paramLabel = "PORT",
      defaultValue = "0",
      description = "Port (default: a free one).")
  int port;

  @Option(names = "--no-browser", description = "Do not open a browser, only print the URL.")
  boolean noBrowser;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Inference threads per model (default: all cores).")
  Integer threads;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private volatile EmbeddingServer server;
  private final CountDownLatch started = new CountDownLatch(1);

  /** A model to serve and an index to serve with it. */
  private record Served(
      String modelName, EmbeddingModel model, String indexName, VectorStore store) {}

  @Override
  public Integer call() {
    if (port < 0 || port > 65_535) {
      throw new UsageException("--port must be in 0..65535, got " + port);
    }
    if (models.size() > 2) {
      throw new UsageException("--model: give one model, or two to compare them");
    }
    if (threads != null && threads < 1) {
      throw new UsageException("--threads must be positive, got " + threads);
    }
    if (!Files.exists(input)) {
      throw new UsageException("INPUT not found: " + input);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    LoadOptions load = LoadOptions.builder().threads(threads).build();
    List<AutoCloseable> resources = new ArrayList<>();
    Thread hook = null;
    try {
      List<Served> served = prepare(load, resources, err);
      EmbeddingServer.Builder builder =
          EmbeddingServer.builder()
              .options(ServerOptions.builder().host(ServerOptions.DEFAULT_HOST).port(port).build());
      for (Served s : served) {
        if (!builderHasModel(served, s)) {
          builder.model(s.modelName(), s.model());
        }
        builder.index(s.indexName(), s.store(), s.model());
      }
      server = builder.start();
      EmbeddingServer running = server;
      hook = new Thread(running::close, "jembed-explore-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      URI page = running.uri().resolve("/");
      out.println(page);
      out.flush();
      err.println(
          "jembed: exploring "
              + String.join(", ", served.stream().map(Served::indexName).toList())
              + " at "
              + page
              + ". Ctrl+C stops.");
      err.flush();
      started.countDown();
      if (!noBrowser) {
        openBrowser(page);
      }
      running.awaitShutdown();
      return JembedCli.OK;
    } finally {
      started.countDown();
      ServeCommand.stopAndClose(server, hook, resources, err);
    }
  }

  /** Whether an earlier entry already serves this model under this name. */
  private static boolean builderHasModel(List<Served> served, Served s) {
    for (Served other : served) {
      if (other == s) {
        return false;
      }
      if (other.modelName().equals(s.modelName())) {
        return true;
      }
    }
    return false;
  }

  /** Stops a running explore as Ctrl+C would (tests). */
  void stop() {
    EmbeddingServer s = server;
    if (s != null) {
      s.close();
    }
  }

  /** The running server once started (null before and if start failed). */
  EmbeddingServer awaitStarted() throws InterruptedException {
    started.await();
    return server;
  }

  private List<Served> prepare(LoadOptions load, List<AutoCloseable> resources, PrintWriter err) {
    String stem = stem(input);
    if (Files.isDirectory(input)) {
      if (!models.isEmpty()) {
        throw new UsageException("--model: an index folder is served with its own model");
      }
      StoreLocation location = new StoreLocation.Folder(input.toAbsolutePath().normalize());
      IndexMetadata meta = VectorStores.describe(location);
      EmbeddingModel model = EmbeddingModel.load(meta.modelName(), load);
      resources.add(model);
      VectorStore store = VectorStores.openReadOnly(location, model);
      resources.add(store);
      return List.of(new Served(meta.modelName(), model, stem, store));
    }
    EmbeddingFormat format = EmbeddingFormat.fromPathOrNull(input);
    if (format != null && Files.exists(EmbeddingFiles.sidecarOf(input))) {
      if (!models.isEmpty()) {
        throw new UsageException("--model: an embeddings file is served with the model it names");
      }
      EmbeddingFile file = EmbeddingFiles.read(input, format);
      String modelName = IndexMetadata.loadName(file.model());
      EmbeddingModel model = EmbeddingModel.load(modelName, load);
      resources.add(model);
      List<Document> docs = new ArrayList<>(file.size());
      for (int i = 0; i < file.size(); i++) {
        String text = file.texts() == null ? "" : file.texts().get(i);
        docs.add(Document.builder(id(i)).text(text).vector(file.vectors()[i]).build());
      }
      VectorStore store = cachedIndex(model, docs, err);
      resources.add(store);
      return List.of(new Served(modelName, model, stem, store));
    }
    List<Document> docs = readTextFile(input);
    List<String> names = models.isEmpty() ? List.of(ModelOptions.DEFAULT_MODEL) : models;
    if (names.size() == 2 && names.get(0).equals(names.get(1))) {
      throw new UsageException("--model: the two models are the same");
    }
    List<Served> out = new ArrayList<>();
    for (String name : names) {
      EmbeddingModel model = EmbeddingModel.load(name, load);
      resources.add(model);
      VectorStore store = cachedIndex(model, docs, err);
      resources.add(store);
      String index = names.size() == 1 ? stem : stem + "-" + shortName(name);
      out.add(new Served(shortName(name), model, index, store));
    }
    return out;
  }

  /**
   * The index of these documents under this model in jembed's cache: built the first time (with a
   * progress bar), opened to search afterwards. Its folder is named by the documents' content and
   * the model, and counts only once complete.
   */
  private static VectorStore cachedIndex(
      EmbeddingModel model, List<Document> docs, PrintWriter err) {
    Path dir =
        BundledModels.cacheRoot()
            .resolve("explore")
            .resolve(CacheFolder.nameFor(model.info().identity()))
            .resolve(contentKey(docs));
    Path done = dir.resolve("complete");
    if (!Files.exists(done)) {
      err.println(
          "jembed: embedding " + docs.size() + " texts with " + model.id() + " into " + dir);
      err.flush();
      CacheFolder.deleteTree(dir);
      try (VectorStore store = LuceneVectorStore.create(dir, model, IndexOptions.defaults());
          ConsoleProgressBar bar = new ConsoleProgressBar("embedding")) {
        int batch = 256;
        for (int i = 0; i < docs.size(); i += batch) {
          store.upsert(docs.subList(i, Math.min(docs.size(), i + batch)));
          bar.progress(Math.min(docs.size(), i + batch), docs.size());
        }
        store.commit();
      }
      try {
        Files.writeString(done, docs.size() + "\n");
      } catch (IOException e) {
        throw new JembedException("cannot write " + done + ": " + e.getMessage(), e);
      }
    } else {
      err.println("jembed: reusing the embedded texts in " + dir);
      err.flush();
    }
    return LuceneVectorStore.openReadOnly(dir, model);
  }

  /** One document per non-blank line, id "line-N" (1-based); text, TAB, label. */
  static List<Document> readTextFile(Path file) {
    String content;
    try {
      content =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(Files.readAllBytes(file)))
              .toString();
    } catch (CharacterCodingException e) {
      throw new JembedException(file + " is not UTF-8 text: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new JembedException("cannot read " + file + ": " + e.getMessage(), e);
    }
    List<Document> docs = new ArrayList<>();
    String[] lines = content.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      int tab = line.indexOf('\t');
      String text = (tab < 0 ? line : line.substring(0, tab)).strip();
      if (text.isEmpty()) {
        continue;
      }
      Document.Builder doc = Document.builder("line-" + (i + 1)).text(text);
      String label = tab < 0 ? "" : line.substring(tab + 1).strip();
      if (!label.isEmpty()) {
        doc.metadata("label", label);
      }
      docs.add(doc.build());
    }
    if (docs.isEmpty()) {
      throw new JembedException(file + " holds no text: write one text per line");
    }
    return docs;
  }

  private static String contentKey(List<Document> docs) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      for (Document doc : docs) {
        d.update(doc.id().getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
        d.update(doc.text().getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
        d.update(String.valueOf(doc.metadata()).getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
        if (doc.vector() != null) {
          for (float f : doc.vector()) {
            int bits = Float.floatToIntBits(f);
            d.update(
                new byte[] {
                  (byte) bits, (byte) (bits >> 8), (byte) (bits >> 16), (byte) (bits >> 24)
                });
          }
        }
      }
      return HexFormat.of().formatHex(d.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String id(int i) {
    return "row-" + (i + 1);
  }

  private static String stem(Path file) {
    Path name = file.toAbsolutePath().normalize().getFileName();
    String s = name == null ? "index" : name.toString();
    int dot = s.lastIndexOf('.');
    return dot > 0 ? s.substring(0, dot) : s;
  }

  /** "all-MiniLM-L6-v2" for "sentence-transformers/all-MiniLM-L6-v2" or a folder path. */
  private static String shortName(String model) {
    String s = model.replace('\\', '/');
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    return s.substring(s.lastIndexOf('/') + 1);
  }

  /** Opens the page in the desktop's browser, when there is a desktop; silent otherwise. */
  private static void openBrowser(URI page) {
    try {
      if (!java.awt.GraphicsEnvironment.isHeadless()
          && java.awt.Desktop.isDesktopSupported()
          && java.awt.Desktop.getDesktop().isSupported(java.awt.Desktop.Action.BROWSE)) {
        java.awt.Desktop.getDesktop().browse(page);
      }
    } catch (IOException | RuntimeException | LinkageError e) {
      // no browser: the URL is printed
    }
  }
}
