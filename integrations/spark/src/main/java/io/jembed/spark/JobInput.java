package io.jembed.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.monotonically_increasing_id;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The job's input as rows of {@code id} (string), {@code text} and {@code input_error} (why a line
 * has no text, else null). Text files give one row per line; JSON Lines one row per line, with the
 * text (and id) read from the named fields; Parquet the named columns. Without an id column each
 * row gets its position in the input (stable as long as the input and its partitioning are).
 */
final class JobInput {
  static final String ID = "id";
  static final String TEXT = "text";
  static final String INPUT_ERROR = "input_error";

  /** The formats the job reads. */
  enum Format {
    TEXT,
    JSONL,
    PARQUET;

    static Format parse(String name) {
      return switch (name.toLowerCase(Locale.ROOT)) {
        case "text", "txt" -> TEXT;
        case "jsonl", "json", "ndjson" -> JSONL;
        case "parquet" -> PARQUET;
        default ->
            throw new IllegalArgumentException(
                "unknown input format '" + name + "': expected text, jsonl or parquet");
      };
    }

    /** From the path's extension: .txt, .jsonl/.json/.ndjson, .parquet; null when none fits. */
    static Format guess(String path) {
      String p = path.toLowerCase(Locale.ROOT).replaceAll("/+$", "");
      for (Format f : values()) {
        for (String ext : f.extensions()) {
          if (p.endsWith("." + ext)) {
            return f;
          }
        }
      }
      return null;
    }

    private String[] extensions() {
      return switch (this) {
        case TEXT -> new String[] {"txt", "text"};
        case JSONL -> new String[] {"jsonl", "json", "ndjson"};
        case PARQUET -> new String[] {"parquet"};
      };
    }
  }

  private JobInput() {}

  static Dataset<Row> read(
      SparkSession spark, String path, Format format, String textColumn, String idColumn) {
    return switch (format) {
      case TEXT ->
          spark
              .read()
              .text(path)
              .select(
                  positionalId(),
                  col("value").as(TEXT),
                  lit(null).cast(DataTypes.StringType).as(INPUT_ERROR));
      case JSONL -> jsonLines(spark, path, textColumn, idColumn);
      case PARQUET -> parquet(spark, path, textColumn, idColumn);
    };
  }

  private static Column positionalId() {
    return monotonically_increasing_id().cast(DataTypes.StringType).as(ID);
  }

  private static Dataset<Row> parquet(
      SparkSession spark, String path, String textColumn, String idColumn) {
    Dataset<Row> in = spark.read().parquet(path);
    List<String> names = Arrays.asList(in.schema().fieldNames());
    requireColumn(path, names, textColumn);
    if (idColumn != null) {
      requireColumn(path, names, idColumn);
    }
    String idName = idColumn != null ? idColumn : names.contains(ID) ? ID : null;
    Column id = idName != null ? col(idName).cast(DataTypes.StringType).as(ID) : positionalId();
    return in.select(
        id, col(textColumn).as(TEXT), lit(null).cast(DataTypes.StringType).as(INPUT_ERROR));
  }

  private static void requireColumn(String path, List<String> names, String column) {
    if (!names.contains(column)) {
      throw new IllegalArgumentException(
          path + " has no column '" + column + "'; columns: " + String.join(", ", names));
    }
  }

  /** Each line parsed here, so that a line with a non-string text is told apart, not coerced. */
  private static Dataset<Row> jsonLines(
      SparkSession spark, String path, String textColumn, String idColumn) {
    StructType schema =
        new StructType()
            .add(ID, DataTypes.StringType)
            .add(TEXT, DataTypes.StringType)
            .add(INPUT_ERROR, DataTypes.StringType);
    return spark
        .read()
        .text(path)
        .select(col("value"), positionalId())
        .map(new JsonLine(textColumn, idColumn != null ? idColumn : ID), Encoders.row(schema));
  }

  /** One JSON line to (id, text, input_error). */
  private record JsonLine(String textField, String idField) implements MapFunction<Row, Row> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Row call(Row line) {
      String position = line.getString(1);
      JsonNode node;
      try {
        node = JSON.readTree(line.getString(0));
      } catch (JsonProcessingException e) {
        return RowFactory.create(position, null, "not valid JSON: " + e.getOriginalMessage());
      }
      if (node == null || !node.isObject()) {
        return RowFactory.create(position, null, "not a JSON object");
      }
      JsonNode idNode = node.get(idField);
      String id =
          idNode != null && (idNode.isTextual() || idNode.isIntegralNumber())
              ? idNode.asText()
              : position;
      JsonNode text = node.get(textField);
      if (text == null) {
        return RowFactory.create(id, null, "no field '" + textField + "'");
      }
      if (text.isNull()) {
        return RowFactory.create(id, null, null); // the embedder says "text is null"
      }
      if (!text.isTextual()) {
        return RowFactory.create(
            id,
            null,
            "field '"
                + textField
                + "' is "
                + text.getNodeType().name().toLowerCase(Locale.ROOT)
                + ", not a string");
      }
      return RowFactory.create(id, text.asText(), null);
    }
  }
}
