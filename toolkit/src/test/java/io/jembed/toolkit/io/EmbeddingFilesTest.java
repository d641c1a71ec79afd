package io.jembed.toolkit.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jembed.JembedException;
import io.jembed.ModelInfo;
import io.jembed.Precision;
import io.jembed.SimilarityFunction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EmbeddingFilesTest {
  static final ModelInfo MODEL =
      new ModelInfo(
          "local",
          "sentence-transformers/all-MiniLM-L6-v2",
          "abc123",
          3,
          256,
          true,
          SimilarityFunction.COSINE,
          Map.of("query", "query: "),
          null);
  static final float[][] VECTORS = {{0.1f, -0.2f, 0.3f}, {1e-7f, 3.4028235e38f, -0f}};
  static final List<String> TEXTS = List.of("a, \"quoted\" text", "line\nbreak");

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(EmbeddingFormat.class)
  void roundTripsFloatsTextsAndModel(EmbeddingFormat format) {
    Path file = dir.resolve("emb." + format.extension());
    EmbeddingFiles.write(file, null, MODEL, VECTORS, TEXTS);

    EmbeddingFile read = EmbeddingFiles.read(file);

    assertThat(read.vectors()).isDeepEqualTo(VECTORS);
    assertThat(read.texts()).isEqualTo(TEXTS);
    assertThat(read.model()).isEqualTo(MODEL);
    assertThat(read.model().identity()).isEqualTo(MODEL.identity());
    assertThat(read.precision()).isEqualTo(Precision.FLOAT32);
    assertThat(read.dimension()).isEqualTo(3);
  }

  @ParameterizedTest
  @EnumSource(EmbeddingFormat.class)
  void roundTripsWithoutTextsOrModel(EmbeddingFormat format) {
    Path file = dir.resolve("bare." + format.extension());
    EmbeddingFiles.write(file, format, null, VECTORS, null);

    EmbeddingFile read = EmbeddingFiles.read(file);

    assertThat(read.vectors()).isDeepEqualTo(VECTORS);
    assertThat(read.hasTexts()).isFalse();
    assertThat(read.model()).isNull();
  }

  @ParameterizedTest
  @EnumSource(
      value = Precision.class,
      names = {"INT8", "UINT8", "BINARY", "UBINARY"})
  void roundTripsQuantizedVectorsInEveryFormat(Precision precision) {
    byte[][] bytes = {{-128, 0, 127, 5}, {(byte) 0xff, 1, -1, 64}};
    for (EmbeddingFormat format : EmbeddingFormat.values()) {
      Path file = dir.resolve(precision + "." + format.extension());
      EmbeddingFiles.writeQuantized(file, format, null, precision, bytes, null);

      EmbeddingFile read = EmbeddingFiles.read(file);

      assertThat(read.precision()).as(format.name()).isEqualTo(precision);
      assertThat(read.quantized()).as(format.name()).isDeepEqualTo(bytes);
      boolean unsigned = precision == Precision.UINT8 || precision == Precision.UBINARY;
      assertThat(read.vectors()[0][0]).isEqualTo(unsigned ? 128f : -128f);
    }
  }

  @Test
  void npyHeaderIsVersionOnePaddedTo64BytesAndDataIsLittleEndianFloat32() throws IOException {
    Path file = dir.resolve("e.npy");
    EmbeddingFiles.write(file, null, MODEL, VECTORS, null);

    byte[] bytes = Files.readAllBytes(file);
    assertThat(bytes[6]).isEqualTo((byte) 1);
    assertThat(bytes[7]).isEqualTo((byte) 0);
    int headerLen = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
    assertThat((10 + headerLen) % 64).isZero();
    String header = new String(bytes, 10, headerLen, StandardCharsets.US_ASCII);
    assertThat(header).contains("'descr': '<f4'").contains("'shape': (2, 3)").endsWith("\n");
    assertThat(bytes.length).isEqualTo(10 + headerLen + 2 * 3 * 4);
    float first =
        ByteBuffer.wrap(bytes, 10 + headerLen, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat();
    assertThat(first).isEqualTo(0.1f);
  }

  @Test
  void sidecarRecordsModelIdentityCountAndCreated() throws IOException {
    Path file = dir.resolve("e.npy");
    EmbeddingFiles.write(file, null, MODEL, VECTORS, TEXTS);

    JsonNode sidecar = new ObjectMapper().readTree(dir.resolve("e.npy.json").toFile());
    assertThat(sidecar.get("id").asText()).isEqualTo(MODEL.id());
    assertThat(sidecar.get("identity").asText()).isEqualTo(MODEL.identity());
    assertThat(sidecar.get("count").asInt()).isEqualTo(2);
    assertThat(sidecar.get("created").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    assertThat(sidecar.get("texts")).hasSize(2);
  }

  @Test
  void jsonIsOneDocumentWithModelDimensionAndEmbeddings() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    EmbeddingFiles.write(out, EmbeddingFormat.JSON, MODEL, VECTORS, null);

    JsonNode doc = new ObjectMapper().readTree(out.toByteArray());
    assertThat(doc.get("model").get("id").asText()).isEqualTo(MODEL.id());
    assertThat(doc.get("dimension").asInt()).isEqualTo(3);
    assertThat(doc.get("embeddings")).hasSize(2);
    assertThat(doc.get("embeddings").get(0).get(1).floatValue()).isEqualTo(-0.2f);
  }

  @Test
  void jsonlIsOneObjectPerInputInOrder() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    EmbeddingFiles.write(out, EmbeddingFormat.JSONL, MODEL, VECTORS, TEXTS);

    String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(lines).hasSize(2);
    assertThat(lines[0])
        .startsWith("{\"index\":0,\"text\":\"a, \\\"quoted\\\" text\",\"embedding\":[");
    assertThat(lines[1]).startsWith("{\"index\":1,\"text\":\"line\\nbreak\"");
  }

  @Test
  void csvHasHeaderThenOneRowPerInput() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    EmbeddingFiles.write(out, EmbeddingFormat.CSV, null, new float[][] {{1f, 2.5f}}, List.of("x"));

    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("text,dim_0,dim_1\r\nx,1.0,2.5\r\n");
  }

  @Test
  void readsCsvWithoutHeaderOrTextAsWrittenByOtherTools() throws IOException {
    Path file = dir.resolve("plain.csv");
    Files.writeString(file, "1,2,3\n4,5,6\n");

    EmbeddingFile read = EmbeddingFiles.read(file);

    assertThat(read.vectors()).isDeepEqualTo(new float[][] {{1, 2, 3}, {4, 5, 6}});
  }

  @Test
  void readsBareJsonArray() throws IOException {
    Path file = dir.resolve("list.json");
    Files.writeString(file, "[[1, 2], [3, 4.5]]");

    assertThat(EmbeddingFiles.read(file).vectors())
        .isDeepEqualTo(new float[][] {{1, 2}, {3, 4.5f}});
  }

  @Test
  void writeReplacesAtomicallyAndLeavesNoTempFiles() throws IOException {
    Path file = dir.resolve("e.jsonl");
    EmbeddingFiles.write(file, null, MODEL, VECTORS, null);
    EmbeddingFiles.write(file, null, MODEL, new float[][] {{1, 2, 3}}, null);

    assertThat(EmbeddingFiles.read(file).size()).isEqualTo(1);
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("e.jsonl", "e.jsonl.json");
    }
  }

  @Test
  void failedWriteKeepsTheOldFile() throws IOException {
    Path file = dir.resolve("e.csv");
    EmbeddingFiles.write(file, null, null, VECTORS, null);
    byte[] before = Files.readAllBytes(file);

    assertThatThrownBy(
            () -> EmbeddingFiles.write(file, null, null, new float[][] {{1}, {1, 2}}, null))
        .hasMessageContaining("vector 1 has dimension 2");
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
  }

  @Test
  void rejectsRaggedVectorsTextsOfWrongCountAndMismatchedModel() {
    Path file = dir.resolve("x.json");
    assertThatThrownBy(() -> EmbeddingFiles.write(file, null, null, VECTORS, List.of("one")))
        .hasMessageContaining("got 1 texts for 2 vectors");
    assertThatThrownBy(() -> EmbeddingFiles.write(file, null, MODEL, new float[][] {{1, 2}}, null))
        .hasMessageContaining("dimension 2")
        .hasMessageContaining("3-d");
    assertThatThrownBy(() -> EmbeddingFiles.write(dir.resolve("x.txt"), null, null, VECTORS, null))
        .isInstanceOf(JembedException.class)
        .hasMessageContaining(".npy");
  }

  @Test
  void truncatedNpyIsReported() throws IOException {
    Path file = dir.resolve("t.npy");
    EmbeddingFiles.write(file, null, null, VECTORS, null);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 5));

    assertThatThrownBy(() -> EmbeddingFiles.read(file))
        .isInstanceOf(JembedException.class)
        .hasMessageContaining("truncated")
        .hasMessageContaining("2 x 3");
  }

  @Test
  void headerCutShortIsReported() throws IOException {
    Path file = dir.resolve("h.npy");
    EmbeddingFiles.write(file, null, null, VECTORS, null);
    Files.write(file, Arrays.copyOf(Files.readAllBytes(file), 30));

    assertThatThrownBy(() -> EmbeddingFiles.read(file)).hasMessageContaining("truncated");
  }

  @Test
  void notAnNpyFileIsReported() throws IOException {
    Path file = dir.resolve("x.npy");
    Files.writeString(file, "hello, I am text");

    assertThatThrownBy(() -> EmbeddingFiles.read(file)).hasMessageContaining("is not an npy file");
  }

  @Test
  void unsupportedDtypeIsReported() throws IOException {
    Path file = dir.resolve("i4.npy");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(Npy.header("<i4", 1, 2));
    out.write(new byte[8]);
    Files.write(file, out.toByteArray());

    assertThatThrownBy(() -> EmbeddingFiles.read(file))
        .hasMessageContaining("dtype '<i4'")
        .hasMessageContaining("float32");
  }

  @Test
  void oneDimensionalNpyIsReported() throws IOException {
    Path file = dir.resolve("v.npy");
    String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(
        new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) (header.length() + 1), 0});
    out.write((header + "\n").getBytes(StandardCharsets.US_ASCII));
    out.write(new byte[12]);
    Files.write(file, out.toByteArray());

    assertThatThrownBy(() -> EmbeddingFiles.read(file)).hasMessageContaining("1-D array");
  }

  @Test
  void badTextFilesAreReportedWithLineNumbers() throws IOException {
    Path csv = dir.resolve("bad.csv");
    Files.writeString(csv, "text,dim_0,dim_1\na,1,2\nb,3\n");
    assertThatThrownBy(() -> EmbeddingFiles.read(csv)).hasMessageContaining("line 3 has 2 columns");

    Path csv2 = dir.resolve("bad2.csv");
    Files.writeString(csv2, "text,dim_0\na,1\nb,zebra\n");
    assertThatThrownBy(() -> EmbeddingFiles.read(csv2)).hasMessageContaining("line 3, column 2");

    Path jsonl = dir.resolve("bad.jsonl");
    Files.writeString(jsonl, "{\"embedding\":[1,2]}\n{\"embedding\":[1,2,3]}\n");
    assertThatThrownBy(() -> EmbeddingFiles.read(jsonl)).hasMessageContaining("line 2");

    Path jsonl2 = dir.resolve("bad2.jsonl");
    Files.writeString(jsonl2, "{\"embedding\":[1,2]}\n{\"embedding\":[1,\n");
    assertThatThrownBy(() -> EmbeddingFiles.read(jsonl2))
        .hasMessageContaining("line 2 is not valid JSON");

    Path json = dir.resolve("bad.json");
    Files.writeString(json, "{\"embeddings\": [[1, 2], [3, \"x\"]]}");
    assertThatThrownBy(() -> EmbeddingFiles.read(json))
        .hasMessageContaining("embedding 1 holds x at position 1");

    Path cut = dir.resolve("cut.json");
    Files.writeString(cut, "{\"embeddings\": [[1, 2], [3");
    assertThatThrownBy(() -> EmbeddingFiles.read(cut)).isInstanceOf(JembedException.class);
  }

  @Test
  void binaryAndEmptyAndMissingFilesAreReported() throws IOException {
    Path bin = dir.resolve("bin.csv");
    Files.write(bin, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, (byte) 0xc3, 0x28});
    assertThatThrownBy(() -> EmbeddingFiles.read(bin))
        .hasMessageContaining("not a UTF-8 text file");

    Path empty = dir.resolve("empty.jsonl");
    Files.writeString(empty, "");
    assertThatThrownBy(() -> EmbeddingFiles.read(empty)).hasMessageContaining("is empty");

    assertThatThrownBy(() -> EmbeddingFiles.read(dir.resolve("nope.npy")))
        .hasMessageContaining("not found");
  }

  @Test
  void staleSidecarIsReported() throws IOException {
    Path file = dir.resolve("e.jsonl");
    EmbeddingFiles.write(file, null, MODEL, VECTORS, null);
    Files.writeString(file, "{\"embedding\":[1,2,3]}\n");

    assertThatThrownBy(() -> EmbeddingFiles.read(file))
        .hasMessageContaining("holds 1 vectors but its sidecar e.jsonl.json records 2");
  }

  @Test
  void requireSameModelRefusesAnotherModelAndNamesBoth() {
    ModelInfo other =
        new ModelInfo(
            "local",
            "BAAI/bge-small-en-v1.5",
            "",
            3,
            512,
            true,
            SimilarityFunction.COSINE,
            null,
            null);
    Path file = Path.of("docs.npy");

    EmbeddingFiles.requireSameModel(MODEL, MODEL, file);
    EmbeddingFiles.requireSameModel(MODEL, null, file);
    assertThatThrownBy(() -> EmbeddingFiles.requireSameModel(MODEL, other, file))
        .isInstanceOf(JembedException.class)
        .hasMessageContaining("BAAI/bge-small-en-v1.5")
        .hasMessageContaining("sentence-transformers/all-MiniLM-L6-v2")
        .hasMessageContaining("docs.npy");
  }

  @Test
  void formatFromNameAndExtension() {
    assertThat(EmbeddingFormat.parse("JSONL")).isEqualTo(EmbeddingFormat.JSONL);
    assertThat(EmbeddingFormat.fromPath(Path.of("a/b.NPY"))).isEqualTo(EmbeddingFormat.NPY);
    assertThat(EmbeddingFormat.fromPathOrNull(Path.of("noext"))).isNull();
    assertThatThrownBy(() -> EmbeddingFormat.parse("parquet"))
        .hasMessageContaining("unknown embedding format 'parquet'");
  }

  // ---------------------------------------------------------------- numpy interoperability

  static boolean numpyAvailable() {
    try {
      Process p =
          new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  static String python(String script) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("python3", "-c", script).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out.trim();
  }

  @Test
  void numpyLoadsOurNpyFiles() throws Exception {
    assumeTrue(numpyAvailable(), "python3 with numpy is not installed");
    Path f32 = dir.resolve("f.npy");
    Path i8 = dir.resolve("i.npy");
    Path u8 = dir.resolve("u.npy");
    float[][] vectors = {{0.1f, -0.2f, 0.3f}, {1e-7f, 123.5f, -0f}};
    EmbeddingFiles.write(f32, null, null, vectors, null);
    EmbeddingFiles.writeQuantized(i8, null, null, Precision.INT8, new byte[][] {{-128, 127}}, null);
    EmbeddingFiles.writeQuantized(
        u8, null, null, Precision.UINT8, new byte[][] {{(byte) 255, 0}}, null);

    String out =
        python(
            "import numpy as np\n"
                + "a = np.load('"
                + f32
                + "')\n"
                + "b = np.load('"
                + i8
                + "')\n"
                + "c = np.load('"
                + u8
                + "')\n"
                + "print(a.dtype, a.shape, a.flags['C_CONTIGUOUS'], repr(a[0].tolist()), a[1,1])\n"
                + "print(b.dtype, b.tolist(), c.dtype, c.tolist())\n");

    assertThat(out.lines().toList())
        .containsExactly(
            "float32 (2, 3) True [0.10000000149011612, -0.20000000298023224, 0.30000001192092896]"
                + " 123.5",
            "int8 [[-128, 127]] uint8 [[255, 0]]");
  }

  @Test
  void readsNpyFilesWrittenByNumpy() throws Exception {
    assumeTrue(numpyAvailable(), "python3 with numpy is not installed");
    String script =
        "import numpy as np\n"
            + "a = np.arange(12, dtype=np.float64).reshape(3, 4) / 8\n"
            + "np.save('"
            + dir.resolve("f8.npy")
            + "', a)\n"
            + "np.save('"
            + dir.resolve("f4.npy")
            + "', a.astype(np.float32))\n"
            + "np.save('"
            + dir.resolve("f2.npy")
            + "', a.astype(np.float16))\n"
            + "np.save('"
            + dir.resolve("big.npy")
            + "', a.astype('>f4'))\n"
            + "np.save('"
            + dir.resolve("fortran.npy")
            + "', np.asfortranarray(a.astype(np.float32)))\n"
            + "np.save('"
            + dir.resolve("i4.npy")
            + "', a.astype(np.int32))\n";
    python(script);
    float[][] expected = new float[3][4];
    for (int i = 0; i < 12; i++) {
      expected[i / 4][i % 4] = i / 8f;
    }
    for (String name : List.of("f8", "f4", "f2", "big", "fortran")) {
      assertThat(EmbeddingFiles.read(dir.resolve(name + ".npy")).vectors())
          .as(name)
          .isDeepEqualTo(expected);
    }
    assertThatThrownBy(() -> EmbeddingFiles.read(dir.resolve("i4.npy")))
        .hasMessageContaining("'<i4'");
  }

  @Test
  void pythonReadsOurJsonJsonlAndCsv() throws Exception {
    assumeTrue(numpyAvailable(), "python3 with numpy is not installed");
    List<String> paths = new ArrayList<>();
    for (EmbeddingFormat f :
        List.of(EmbeddingFormat.JSON, EmbeddingFormat.JSONL, EmbeddingFormat.CSV)) {
      Path p = dir.resolve("e." + f.extension());
      EmbeddingFiles.write(p, null, MODEL, VECTORS, TEXTS);
      paths.add(p.toString());
    }
    String out =
        python(
            "import json, csv, numpy as np\n"
                + "d = json.load(open('"
                + paths.get(0)
                + "'))\n"
                + "rows = [json.loads(l) for l in open('"
                + paths.get(1)
                + "')]\n"
                + "c = list(csv.reader(open('"
                + paths.get(2)
                + "', newline='')))\n"
                + "a = np.array(d['embeddings'], dtype=np.float32)\n"
                + "b = np.array([r['embedding'] for r in rows], dtype=np.float32)\n"
                + "e = np.array([r[1:] for r in c[1:]], dtype=np.float32)\n"
                + "print(a.shape, (a == b).all(), (a == e).all(), d['model']['id'], rows[1]['text'] == c[2][0])\n");

    assertThat(out).isEqualTo("(2, 3) True True sentence-transformers/all-MiniLM-L6-v2 True");
  }
}
