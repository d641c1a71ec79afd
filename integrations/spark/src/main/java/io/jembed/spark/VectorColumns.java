package io.jembed.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jembed.JembedException;
import io.jembed.ModelInfo;
import io.jembed.Precision;
import io.jembed.toolkit.io.ModelInfoJson;
import java.util.Arrays;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;

/**
 * Vector columns and the model identity they carry. The column's metadata holds, under {@code
 * "jembed"}, the model (its fields and identity), the name that loads it and the precision; Spark
 * keeps column metadata through its plans and writes it into each Parquet file's footer, so vectors
 * read back later still say which model made them.
 */
public final class VectorColumns {
  /** The key of jembed's entry in a column's metadata. */
  public static final String METADATA_KEY = "jembed";

  private static final ObjectMapper JSON = new ObjectMapper();

  private VectorColumns() {}

  /** {@code array<float>} for float32, {@code binary} for the quantized precisions. */
  public static DataType dataType(Precision precision) {
    return precision == Precision.FLOAT32
        ? DataTypes.createArrayType(DataTypes.FloatType, false)
        : DataTypes.BinaryType;
  }

  /** The metadata a vector column made by {@code model} carries. */
  static Metadata metadata(ModelInfo model, String modelName, Precision precision) {
    Metadata jembed =
        new MetadataBuilder()
            .putMetadata("model", Metadata.fromJson(toJson(model)))
            .putString("modelName", modelName)
            .putString("precision", precision.externalName())
            .build();
    return new MetadataBuilder().putMetadata(METADATA_KEY, jembed).build();
  }

  /** The model that made the vectors of {@code column}. */
  public static ModelInfo modelInfo(Dataset<?> dataset, String column) {
    return modelInfo(field(dataset, column));
  }

  /** The name that loads the model again ("all-MiniLM-L6-v2", "openai:..."). */
  public static String modelName(Dataset<?> dataset, String column) {
    return entry(field(dataset, column)).getString("modelName");
  }

  /** The precision the vectors of {@code column} are in. */
  public static Precision precision(Dataset<?> dataset, String column) {
    return Precision.parse(entry(field(dataset, column)).getString("precision"));
  }

  static ModelInfo modelInfo(StructField field) {
    return fromJson(entry(field).getMetadata("model").json(), "column '" + field.name() + "'");
  }

  /** A model as JSON text: how a model's identity travels to executors and back. */
  static String toJson(ModelInfo model) {
    return ModelInfoJson.toJson(model).toString();
  }

  static ModelInfo fromJson(String json, String where) {
    try {
      ModelInfo model = ModelInfoJson.fromJson(JSON.readTree(json), where);
      if (model == null) {
        throw new JembedException(where + " records no model");
      }
      return model;
    } catch (JsonProcessingException e) {
      throw new JembedException(where + " carries an unreadable model: " + e.getMessage(), e);
    }
  }

  private static StructField field(Dataset<?> dataset, String column) {
    String[] names = dataset.schema().fieldNames();
    if (!Arrays.asList(names).contains(column)) {
      throw new IllegalArgumentException(
          "no column '" + column + "' (columns: " + String.join(", ", names) + ")");
    }
    return dataset.schema().apply(column);
  }

  private static Metadata entry(StructField field) {
    if (!field.metadata().contains(METADATA_KEY)) {
      throw new JembedException(
          "column '" + field.name() + "' records no model: it was not made by jembed");
    }
    return field.metadata().getMetadata(METADATA_KEY);
  }
}
