package io.jembed.toolkit;

import io.jembed.EmbeddingModel;
import io.jembed.EncodeOptions;
import io.jembed.JembedException;
import io.jembed.ModelInfo;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * Embeddings of a corpus file kept on disk, so the second search over it is instant. The cache
 * lives beside the corpus in {@code .<corpus name>.jembed-cache/} (or in a cache directory of your
 * choice) and holds one entry per model id. An entry is used only if it was made by a model with
 * the same identity (id, revision, dimension, normalization, similarity, prompts), from a corpus
 * with the same SHA-256 and with the same chunk settings; anything else is re-embedded, with a
 * message saying why. Entries are written to temporary files and moved into place: a crash never
 * leaves a half-written entry that looks valid.
 */
public final class CorpusCache {
  private static final int MAGIC = 0x4A454D31; // "JEM1"
  private static final String FORMAT = "1";

  private final Path directory;

  private CorpusCache(Path directory) {
    this.directory = directory;
  }

  /** The cache beside {@code corpusFile}: {@code .<name>.jembed-cache/} in the same folder. */
  public static CorpusCache beside(Path corpusFile) {
    Path abs = corpusFile.toAbsolutePath();
    return new CorpusCache(abs.resolveSibling("." + abs.getFileName() + ".jembed-cache"));
  }

  /** A cache for {@code corpusFile} under {@code cacheDir} (one folder per corpus path). */
  public static CorpusCache in(Path cacheDir, Path corpusFile) {
    Path abs = corpusFile.toAbsolutePath().normalize();
    String pathHash =
        Corpus.sha256(abs.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    return new CorpusCache(cacheDir.resolve(abs.getFileName() + "-" + pathHash));
  }

  public Path directory() {
    return directory;
  }

  /**
   * A {@link DocumentSearch} over the corpus: from the cache when it matches, else chunked and
   * embedded (and cached). {@code messages} hears why a cache was not used or not written.
   */
  public DocumentSearch documentSearch(
      EmbeddingModel model,
      Corpus corpus,
      Chunker chunker,
      EncodeOptions options,
      Consumer<String> messages) {
    ModelInfo info = model.info().withOptions(options);
    String slot = "search-" + slotName(info);
    String settings = "documents;" + chunker.settings();
    Entry entry = read(slot, info, corpus, settings, messages);
    if (entry != null) {
      List<Chunk> chunks = new ArrayList<>(entry.table.length);
      int[] owners = new int[entry.table.length];
      for (int i = 0; i < entry.table.length; i++) {
        int[] row = entry.table[i];
        owners[i] = row[0];
        String text = corpus.documents().get(row[0]).text();
        int index = i > 0 && entry.table[i - 1][0] == row[0] ? chunks.get(i - 1).index() + 1 : 0;
        chunks.add(new Chunk(index, text.substring(row[1], row[2]), row[1], row[2], row[3]));
      }
      return DocumentSearch.of(entry.model, corpus.documents(), owners, chunks, entry.vectors);
    }
    DocumentSearch search = DocumentSearch.build(model, corpus.documents(), chunker, options);
    int[][] table = new int[search.chunkCount()][];
    for (int i = 0; i < table.length; i++) {
      Chunk c = search.chunk(i);
      table[i] = new int[] {search.chunkDocument(i), c.start(), c.end(), c.tokenCount()};
    }
    write(slot, search.model(), corpus, settings, table, search.vectors(), messages);
    return search;
  }

  /**
   * One vector per document (texts longer than the model's limit are truncated by the model), for
   * mining and clustering: from the cache when it matches, else embedded and cached.
   */
  public float[][] embeddings(
      EmbeddingModel model, Corpus corpus, EncodeOptions options, Consumer<String> messages) {
    ModelInfo info = model.info().withOptions(options);
    String slot = "texts-" + slotName(info);
    String settings = "texts";
    Entry entry = read(slot, info, corpus, settings, messages);
    if (entry != null) {
      return entry.vectors;
    }
    float[][] vectors = model.encode(corpus.texts(), options).vectors();
    write(slot, info, corpus, settings, new int[0][], vectors, messages);
    return vectors;
  }

  /** Cache files are named after the model id, so another model gets its own entry. */
  private static String slotName(ModelInfo info) {
    String name = (info.provider() + "-" + info.id()).replaceAll("[^A-Za-z0-9._-]+", "_");
    return name.length() > 100 ? name.substring(0, 100) : name;
  }

  private record Entry(ModelInfo model, int[][] table, float[][] vectors) {}

  private Entry read(
      String slot, ModelInfo info, Corpus corpus, String settings, Consumer<String> messages) {
    Path props = directory.resolve(slot + ".properties");
    Path data = directory.resolve(slot + ".bin");
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(props)) {
      p.load(in);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      messages.accept("cache " + props + " is unreadable; re-embedding");
      return null;
    }
    String reason = null;
    if (!FORMAT.equals(p.getProperty("format"))) {
      reason = "it has an unknown format";
    } else if (!info.identity().equals(p.getProperty("model.identity"))) {
      reason =
          "it was made by "
              + p.getProperty("model.identity")
              + ", not by "
              + info.identity()
              + " (dimension "
              + p.getProperty("model.dimension")
              + ", normalized "
              + p.getProperty("model.normalized")
              + ")";
    } else if (!corpus.contentHash().equals(p.getProperty("corpus.sha256"))) {
      reason = "the corpus changed since it was made";
    } else if (!settings.equals(p.getProperty("settings"))) {
      reason = "it was made with other chunk settings";
    }
    if (reason != null) {
      messages.accept(
          "not using the cached embeddings in " + directory + ": " + reason + "; re-embedding");
      return null;
    }
    try {
      return readData(data, info, corpus.size(), p);
    } catch (IOException | RuntimeException e) {
      messages.accept("cache " + data + " is damaged (" + e.getMessage() + "); re-embedding");
      return null;
    }
  }

  private Entry readData(Path data, ModelInfo info, int documents, Properties p)
      throws IOException {
    long expectedSize = Long.parseLong(p.getProperty("data.bytes", "-1"));
    if (Files.size(data) != expectedSize) {
      throw new IOException("its size does not match its description");
    }
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(data), 1 << 16))) {
      if (in.readInt() != MAGIC) {
        throw new IOException("not a jembed cache file");
      }
      int rows = in.readInt();
      int dim = in.readInt();
      int tableRows = in.readInt();
      if (dim != info.dimension() || rows < 0 || tableRows < 0) {
        throw new IOException("dimension " + dim + " instead of " + info.dimension());
      }
      int[][] table = new int[tableRows][4];
      for (int[] row : table) {
        for (int c = 0; c < 4; c++) {
          row[c] = in.readInt();
        }
        if (row[0] < 0 || row[0] >= documents || row[1] < 0 || row[2] < row[1]) {
          throw new IOException("bad chunk table");
        }
      }
      float[][] vectors = new float[rows][dim];
      byte[] row = new byte[dim * 4];
      for (float[] v : vectors) {
        in.readFully(row);
        ByteBuffer.wrap(row).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
      }
      if (tableRows > 0 && tableRows != rows) {
        throw new IOException("chunk table and vectors differ in length");
      }
      if (tableRows == 0 && rows != documents) {
        throw new IOException(rows + " vectors for " + documents + " documents");
      }
      return new Entry(info, table, vectors);
    }
  }

  private void write(
      String slot,
      ModelInfo info,
      Corpus corpus,
      String settings,
      int[][] table,
      float[][] vectors,
      Consumer<String> messages) {
    Path props = directory.resolve(slot + ".properties");
    Path data = directory.resolve(slot + ".bin");
    try {
      int dim = vectors.length == 0 ? info.dimension() : vectors[0].length;
      AtomicFiles.write(data, out -> writeData(out, table, vectors, dim));
      Properties p = new Properties();
      p.setProperty("format", FORMAT);
      p.setProperty("model.identity", info.identity());
      p.setProperty("model.id", info.id());
      p.setProperty("model.dimension", Integer.toString(info.dimension()));
      p.setProperty("model.normalized", Boolean.toString(info.normalized()));
      p.setProperty("corpus.sha256", corpus.contentHash());
      p.setProperty("settings", settings);
      p.setProperty("data.bytes", Long.toString(Files.size(data)));
      AtomicFiles.write(props, out -> p.store(out, "jembed corpus embeddings"));
    } catch (JembedException | IOException e) {
      messages.accept(
          "could not cache the embeddings (" + e.getMessage() + "); continuing without");
    }
  }

  private static void writeData(OutputStream raw, int[][] table, float[][] vectors, int dim)
      throws IOException {
    DataOutputStream out = new DataOutputStream(raw);
    out.writeInt(MAGIC);
    out.writeInt(vectors.length);
    out.writeInt(dim);
    out.writeInt(table.length);
    for (int[] row : table) {
      for (int x : row) {
        out.writeInt(x);
      }
    }
    ByteBuffer buf = ByteBuffer.allocate(dim * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] v : vectors) {
      buf.clear();
      buf.asFloatBuffer().put(v);
      out.write(buf.array(), 0, dim * 4);
    }
    out.flush();
  }
}
