package io.jembed.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jembed.EmbeddingModel;
import io.jembed.Embeddings;
import io.jembed.EncodeOptions;
import io.jembed.ModelInfo;
import io.jembed.Precision;
import io.jembed.toolkit.eval.StsDataset;
import io.jembed.toolkit.eval.StsPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transformer in local[2] against jembed's own encode of the same texts. */
class JembedEmbedderTest extends LocalSpark {
  private static final String MODEL = "all-MiniLM-L6-v2";
  private static final StructType ID_TEXT =
      new StructType().add("id", DataTypes.LongType).add("text", DataTypes.StringType);

  static EmbeddingModel own;
  static List<String> sentences;

  @BeforeAll
  static void loadOwnModel() {
    own = EmbeddingModel.load(MODEL);
    Path sts = Path.of(System.getProperty("jembed.shared.dir", "../shared"), "data", "sts-dev.csv");
    sentences = new ArrayList<>();
    for (StsPair pair : StsDataset.read(sts).subList(0, 300)) {
      sentences.add(pair.sentence1());
      sentences.add(pair.sentence2());
    }
  }

  @AfterAll
  static void closeOwnModel() {
    own.close();
  }

  static Dataset<Row> texts(List<String> texts, int partitions) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      rows.add(RowFactory.create((long) i, texts.get(i)));
    }
    return spark.createDataFrame(rows, ID_TEXT).repartition(partitions);
  }

  static Map<Long, Row> byId(Dataset<Row> out) {
    Map<Long, Row> map = new HashMap<>();
    for (Row r : out.collectAsList()) {
      map.put(r.getLong(r.fieldIndex("id")), r);
    }
    return map;
  }

  static float[] floats(Row row, String column) {
    List<Float> list = row.getList(row.fieldIndex(column));
    float[] v = new float[list.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = list.get(i);
    }
    return v;
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  @Test
  void vectorsEqualJembedsOwnForTheSameTexts() {
    JembedEmbedder embedder = new JembedEmbedder().setModelName(MODEL).setBatchSize(48);
    Map<Long, Row> out = byId(embedder.transform(texts(sentences, 5)));

    float[][] expected = own.encode(sentences);
    assertThat(out).hasSize(sentences.size());
    double worst = 1;
    for (int i = 0; i < sentences.size(); i++) {
      Row row = out.get((long) i);
      assertThat(row.getString(1)).isEqualTo(sentences.get(i));
      float[] v = floats(row, "embedding");
      assertThat(v).hasSize(384);
      worst = Math.min(worst, cosine(v, expected[i]));
    }
    assertThat(worst).isGreaterThanOrEqualTo(0.99999);

    EmbedMetrics metrics = embedder.lastMetrics();
    assertThat(metrics.rows()).isEqualTo(sentences.size());
    assertThat(metrics.embedded()).isEqualTo(sentences.size());
    assertThat(metrics.malformed()).isZero();
    long ownTokens = 0;
    for (int t : own.encode(sentences, EncodeOptions.defaults()).tokenCounts()) {
      ownTokens += t;
    }
    assertThat(metrics.tokens()).isEqualTo(ownTokens);
  }

  @Test
  void outputColumnRecordsTheModelWithItsOptions() {
    Dataset<Row> out =
        new JembedEmbedder()
            .setModelName(MODEL)
            .setOutputCol("v")
            .setTruncateDim(128)
            .setNormalize(true)
            .transform(texts(sentences.subList(0, 20), 2));
    ModelInfo recorded = VectorColumns.modelInfo(out, "v");
    EncodeOptions options = EncodeOptions.builder().truncateDim(128).normalize(true).build();
    assertThat(recorded).isEqualTo(own.info().withOptions(options));
    assertThat(recorded.dimension()).isEqualTo(128);
    assertThat(VectorColumns.modelName(out, "v")).isEqualTo(MODEL);

    float[][] expected = own.encode(sentences.subList(0, 20), options).vectors();
    Map<Long, Row> rows = byId(out);
    for (int i = 0; i < 20; i++) {
      float[] v = floats(rows.get((long) i), "v");
      assertThat(v).hasSize(128);
      assertThat(cosine(v, expected[i])).isGreaterThanOrEqualTo(0.99999);
    }
  }

  @Test
  void binaryPrecisionGivesABinaryColumnOfPackedSignBits() {
    List<String> some = sentences.subList(0, 40);
    Dataset<Row> out =
        new JembedEmbedder().setModelName(MODEL).setPrecision("ubinary").transform(texts(some, 3));
    assertThat(out.schema().apply("embedding").dataType()).isEqualTo(DataTypes.BinaryType);
    assertThat(VectorColumns.precision(out, "embedding")).isEqualTo(Precision.UBINARY);

    Embeddings expected =
        own.encode(some, EncodeOptions.builder().precision(Precision.UBINARY).build());
    Map<Long, Row> rows = byId(out);
    int differingBits = 0;
    for (int i = 0; i < some.size(); i++) {
      byte[] got = (byte[]) rows.get((long) i).get(2);
      assertThat(got).hasSize(384 / 8);
      for (int b = 0; b < got.length; b++) {
        differingBits += Integer.bitCount((got[b] ^ expected.quantized()[i][b]) & 0xff);
      }
    }
    // a sign bit may flip only for a component within float noise of zero
    assertThat(differingBits).isLessThanOrEqualTo(2);
  }

  @Test
  void malformedRowsAreCountedAndKeptWithTheirReason() {
    List<Row> rows = new ArrayList<>();
    rows.add(RowFactory.create(0L, "a fine sentence"));
    rows.add(RowFactory.create(1L, null));
    rows.add(RowFactory.create(2L, "another fine sentence"));
    rows.add(RowFactory.create(3L, null));
    JembedEmbedder embedder = new JembedEmbedder().setModelName(MODEL).setErrorCol("why");
    Map<Long, Row> out = byId(embedder.transform(spark.createDataFrame(rows, ID_TEXT)));

    assertThat(out).hasSize(4);
    assertThat(out.get(1L).isNullAt(2)).isTrue();
    assertThat(out.get(1L).getString(3)).isEqualTo("text is null");
    assertThat(out.get(3L).isNullAt(2)).isTrue();
    assertThat(floats(out.get(0L), "embedding")).hasSize(384);
    assertThat(out.get(0L).isNullAt(3)).isTrue();
    assertThat(cosine(floats(out.get(2L), "embedding"), own.encode("another fine sentence")))
        .isGreaterThanOrEqualTo(0.99999);
    assertThat(embedder.lastMetrics().malformed()).isEqualTo(2);
    assertThat(embedder.lastMetrics().embedded()).isEqualTo(2);
  }

  @Test
  void valuesThatAreNotStringsAreMalformedToo() {
    StructType idNumber =
        new StructType().add("id", DataTypes.LongType).add("text", DataTypes.IntegerType);
    Dataset<Row> numbers =
        spark.createDataFrame(
            List.of(RowFactory.create(0L, 42), RowFactory.create(1L, null)), idNumber);
    JembedEmbedder embedder = new JembedEmbedder().setModelName(MODEL).setErrorCol("why");
    Map<Long, Row> out = byId(embedder.transform(numbers));
    assertThat(out.get(0L).getString(3)).isEqualTo("text is a Integer, not a string");
    assertThat(out.get(0L).isNullAt(2)).isTrue();
    assertThat(embedder.lastMetrics().malformed()).isEqualTo(2);
  }

  @Test
  void failFastStopsTheJobAtTheFirstMalformedRow() {
    List<Row> rows = List.of(RowFactory.create(0L, "fine"), RowFactory.create(1L, null));
    Dataset<Row> out =
        new JembedEmbedder()
            .setModelName(MODEL)
            .setFailFast(true)
            .transform(spark.createDataFrame(rows, ID_TEXT).coalesce(1));
    assertThatThrownBy(out::collectAsList)
        .hasStackTraceContaining("row 1 of partition 0, column 'text': text is null")
        .hasStackTraceContaining("fail-fast is on");
  }

  @Test
  void longTextsAreTruncatedAndCounted() {
    String longText = "word ".repeat(400).strip();
    JembedEmbedder embedder = new JembedEmbedder().setModelName(MODEL);
    Map<Long, Row> out = byId(embedder.transform(texts(List.of(longText, "short"), 1)));
    assertThat(embedder.lastMetrics().truncated()).isEqualTo(1);
    assertThat(cosine(floats(out.get(0L), "embedding"), own.encode(longText)))
        .isGreaterThanOrEqualTo(0.99999);
  }

  @Test
  void oneModelPerExecutorLoadedOnceForAllPartitions() {
    // a spec no other test uses, so that this transform is the one that loads it
    JembedEmbedder embedder = new JembedEmbedder().setModelName(MODEL).setThreads(1);
    long rows = embedder.transform(texts(sentences.subList(0, 160), 8)).count();
    assertThat(rows).isEqualTo(160);
    assertThat(embedder.lastMetrics().modelLoads()).isEqualTo(1);
    assertThat(embedder.lastMetrics().embedded()).isEqualTo(160);
    Dataset<Row> again = embedder.transform(texts(sentences.subList(0, 160), 8));
    assertThat(again.collectAsList()).hasSize(160);
    assertThat(embedder.lastMetrics().modelLoads()).isZero();
    assertThat(embedder.lastMetrics().embedded()).isEqualTo(160);
  }

  @Test
  void savedAndLoadedAloneAndInAPipeline(@TempDir Path dir) throws Exception {
    JembedEmbedder embedder =
        new JembedEmbedder()
            .setModelName(MODEL)
            .setInputCol("text")
            .setOutputCol("vec")
            .setBatchSize(7)
            .setPrecision("int8")
            .setTruncateDim(64)
            .setFailFast(true)
            .setModelProperties("workers=1");
    embedder.save(dir.resolve("alone").toString());
    JembedEmbedder loaded = JembedEmbedder.load(dir.resolve("alone").toString());
    assertThat(loaded.uid()).isEqualTo(embedder.uid());
    assertThat(loaded.extractParamMap().toString())
        .isEqualTo(embedder.extractParamMap().toString());

    Dataset<Row> input = texts(sentences.subList(0, 10), 2);
    PipelineModel fitted =
        new Pipeline()
            .setStages(new PipelineStage[] {new JembedEmbedder().setModelName(MODEL)})
            .fit(input);
    fitted.write().overwrite().save(dir.resolve("pipeline").toString());
    assertThat(Files.isDirectory(dir.resolve("pipeline"))).isTrue();
    PipelineModel reloaded = PipelineModel.load(dir.resolve("pipeline").toString());
    Map<Long, Row> out = byId(reloaded.transform(input));
    for (int i = 0; i < 10; i++) {
      assertThat(cosine(floats(out.get((long) i), "embedding"), own.encode(sentences.get(i))))
          .isGreaterThanOrEqualTo(0.99999);
    }
  }

  @Test
  void badColumnsAreNamed() {
    Dataset<Row> input = texts(List.of("x"), 1);
    assertThatThrownBy(() -> new JembedEmbedder().setInputCol("body").transform(input))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("input column 'body' not found; columns: id, text");
    assertThatThrownBy(() -> new JembedEmbedder().setOutputCol("id").transform(input))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("output column 'id' exists already");
    assertThatThrownBy(() -> new JembedEmbedder().setPrecision("float16"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("precision");
  }
}
