package io.jembed.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.jembed.EmbeddingModel;
import io.jembed.ModelInfo;
import io.jembed.index.SearchHit;
import io.jembed.index.SearchRequest;
import io.jembed.index.lucene.LuceneVectorStore;
import io.jembed.testing.HashingModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spark-submit job, run in this JVM's local[2] session. */
class EmbedJobTest extends LocalSpark {
  private static final String MODEL = "all-MiniLM-L6-v2";

  static EmbeddingModel own;

  @TempDir Path dir;

  @BeforeAll
  static void loadOwnModel() {
    own = EmbeddingModel.load(MODEL);
  }

  @AfterAll
  static void closeOwnModel() {
    own.close();
  }

  record Run(int code, String out, String err) {}

  static Run job(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        EmbedJob.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static Map<String, Row> byId(Dataset<Row> rows) {
    Map<String, Row> map = new HashMap<>();
    for (Row r : rows.collectAsList()) {
      map.put(r.getString(r.fieldIndex("id")), r);
    }
    return map;
  }

  static float[] vector(Row row) {
    List<Float> list = row.getList(row.fieldIndex("vector"));
    float[] v = new float[list.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = list.get(i);
    }
    return v;
  }

  @Test
  void jsonLinesToParquetKeepsMalformedRowsAndRecordsTheModel() throws IOException {
    Path in = dir.resolve("docs.jsonl");
    Files.writeString(
        in,
        """
        {"id": "a", "text": "The cat sits on the mat."}
        {"id": "b", "text": null}
        {"id": "c", "text": 42}
        {"id": "d", "text": "unterminated
        {"id": "e", "body": "no text field"}
        {"id": 7, "text": "A dog runs in the park."}
        """);
    Path parquet = dir.resolve("vectors.parquet");
    Run run = job("--input", in.toString(), "--output", parquet.toString(), "--model", MODEL);
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("6 rows: 2 embedded, 4 malformed")
        .contains("wrote: 6 rows to " + parquet);

    Dataset<Row> read = spark.read().parquet(parquet.toString());
    assertThat(read.schema().fieldNames()).containsExactly("id", "vector", "error");
    Map<String, Row> rows = byId(read);
    assertThat(rows.keySet()).hasSize(6).contains("a", "b", "c", "7");
    assertThat(rows.get("b").getString(2)).isEqualTo("text is null");
    assertThat(rows.get("c").getString(2)).isEqualTo("field 'text' is number, not a string");
    assertThat(rows.get("e").getString(2)).isEqualTo("no field 'text'");
    assertThat(read.filter("error like 'not valid JSON%'").count()).isEqualTo(1);
    assertThat(read.filter("vector is null").count()).isEqualTo(4);
    assertThat(
            JembedEmbedderTest.cosine(vector(rows.get("7")), own.encode("A dog runs in the park.")))
        .isGreaterThanOrEqualTo(0.99999);

    // the model survives the round trip through the files
    ModelInfo recorded = VectorColumns.modelInfo(read, "vector");
    assertThat(recorded).isEqualTo(own.info());
    assertThat(VectorColumns.modelName(read, "vector")).isEqualTo(MODEL);
    // and is in each file's own footer, for readers other than Spark
    Path file;
    try (Stream<Path> files = Files.list(parquet)) {
      file = files.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    try (ParquetFileReader reader =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))) {
      String footer = reader.getFooter().getFileMetaData().getKeyValueMetaData().toString();
      assertThat(footer).contains(own.info().identity());
    }
  }

  @Test
  void parquetInputKeepsItsIdsAndTextsCanBeKept() {
    StructType schema =
        new StructType().add("doc", DataTypes.IntegerType).add("body", DataTypes.StringType);
    List<Row> docs = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      docs.add(RowFactory.create(1000 + i, "document number " + i + " about topic " + (i % 7)));
    }
    Path in = dir.resolve("in.parquet");
    spark.createDataFrame(docs, schema).repartition(3).write().parquet(in.toString());
    Path parquet = dir.resolve("out.parquet");
    Run run =
        job(
            "--input",
            in.toString(),
            "--text-column",
            "body",
            "--id-column",
            "doc",
            "--output",
            parquet.toString(),
            "--keep-text",
            "--model",
            MODEL,
            "--batch-size",
            "16");
    assertThat(run.code()).as(run.err()).isZero();
    Map<String, Row> rows = byId(spark.read().parquet(parquet.toString()));
    assertThat(rows).hasSize(50);
    Row row = rows.get("1013");
    assertThat(row.getString(row.fieldIndex("text"))).isEqualTo("document number 13 about topic 6");
    assertThat(
            JembedEmbedderTest.cosine(vector(row), own.encode("document number 13 about topic 6")))
        .isGreaterThanOrEqualTo(0.99999);
  }

  @Test
  void textFileIntoALuceneStoreFromTheDriver() throws IOException {
    Path in = dir.resolve("lines.txt");
    Files.write(
        in,
        List.of(
            "The new movie is awesome.",
            "A man is playing a guitar.",
            "The stock market fell sharply today.",
            "Someone plays an instrument on stage."));
    Path index = dir.resolve("index");
    Run run = job("--input", in.toString(), "--store", index.toString(), "--model", MODEL);
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).contains("stored: 4 documents in " + index + " (from the driver)");

    try (LuceneVectorStore store = LuceneVectorStore.openReadOnly(index, own)) {
      assertThat(store.stats().documents()).isEqualTo(4);
      assertThat(store.metadata().modelName()).isEqualTo(MODEL);
      List<SearchHit> hits = store.search(SearchRequest.of("guitar music", 2));
      assertThat(hits.get(0).text()).isEqualTo("A man is playing a guitar.");
    }
  }

  @Test
  void failFastFailsTheJobWithOneLine() throws IOException {
    Path in = dir.resolve("bad.jsonl");
    Files.writeString(in, "{\"text\": \"fine\"}\n{\"text\": null}\n");
    Run run =
        job(
            "--input",
            in.toString(),
            "--output",
            dir.resolve("never").toString(),
            "--model",
            MODEL,
            "--fail-fast",
            "--partitions",
            "1");
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err().strip())
        .startsWith("jembed-spark: row ")
        .contains("column 'text': text is null (fail-fast is on")
        .doesNotContain("\n");
  }

  @Test
  void badArgumentsAreUsageErrors() {
    Run none = job("--input", "x.jsonl");
    assertThat(none.code()).isEqualTo(2);
    assertThat(none.err()).contains("say where the vectors go");

    Run format = job("--input", "x.csv", "--output", "y");
    assertThat(format.code()).isEqualTo(2);
    assertThat(format.err()).contains("cannot tell the format of x.csv");

    Run unknown = job("--input", "x.txt", "--output", "y", "--batchsize", "3");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("'--batchsize'").contains("(see --help)");

    Run precision = job("--input", "x.txt", "--store", "idx", "--precision", "int4");
    assertThat(precision.code()).isEqualTo(2);
    assertThat(precision.err()).contains("precision").contains("int4");

    Run quantizedStore = job("--input", "x.txt", "--store", "idx", "--precision", "int8");
    assertThat(quantizedStore.code()).isEqualTo(2);
    assertThat(quantizedStore.err()).contains("a store takes float32 vectors");
  }

  @Test
  void aHundredThousandRowJobCompletes() throws IOException {
    Path in = dir.resolve("corpus.txt");
    List<String> lines = new ArrayList<>(100_000);
    String[] words = {"river", "stone", "market", "music", "garden", "engine", "winter", "paper"};
    for (int i = 0; i < 100_000; i++) {
      lines.add(
          "line " + i + " " + words[i % 8] + " " + words[(i / 8) % 8] + " " + words[(i / 64) % 8]);
    }
    Files.write(in, lines);
    Path parquet = dir.resolve("large.parquet");
    Run run =
        job(
            "--input",
            in.toString(),
            "--output",
            parquet.toString(),
            "--keep-text",
            "--model",
            "hashing:large",
            "--batch-size",
            "256",
            "--partitions",
            "8");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).contains("100,000 rows: 100,000 embedded, 0 malformed");

    Dataset<Row> read = spark.read().parquet(parquet.toString());
    assertThat(read.count()).isEqualTo(100_000);
    assertThat(read.filter("vector is null").count()).isZero();
    assertThat(read.select("id").distinct().count()).isEqualTo(100_000);
    assertThat(read.select("text").distinct().count()).isEqualTo(100_000);
    HashingModel reference = new HashingModel("large", HashingModelProvider.DIMENSION, 128);
    assertThat(VectorColumns.modelInfo(read, "vector")).isEqualTo(reference.info());
    for (Row row : read.sample(0.001, 7).collectAsList()) {
      String text = row.getString(row.fieldIndex("text"));
      assertThat(vector(row)).as(text).containsExactly(reference.encode(text));
    }
  }
}
