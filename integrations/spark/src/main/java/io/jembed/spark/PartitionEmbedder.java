package io.jembed.spark;

import io.jembed.EmbeddingModel;
import io.jembed.JembedException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The work of one task: reads its partition's rows lazily, a batch at a time, encodes each batch
 * with the executor's shared model and hands the rows on with their vector appended. Rows without
 * usable text (null, not a string, refused by the model) are kept with a null vector and counted,
 * or stop the job when fail-fast is on.
 */
final class PartitionEmbedder implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;

  private final int inputIndex;
  private final String inputColumn;
  private final EmbedSettings settings;
  private final EmbedMetrics metrics;
  private final boolean errorColumn;

  PartitionEmbedder(
      int inputIndex,
      String inputColumn,
      EmbedSettings settings,
      EmbedMetrics metrics,
      boolean errorColumn) {
    this.inputIndex = inputIndex;
    this.inputColumn = inputColumn;
    this.settings = settings;
    this.metrics = metrics;
    this.errorColumn = errorColumn;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> input) {
    return new Rows(input);
  }

  private final class Rows implements Iterator<Row> {
    private final Iterator<Row> input;
    private final ArrayDeque<Row> ready = new ArrayDeque<>();
    private final boolean hosted = settings.model().hosted();
    private BatchEncoder encoder;
    private long position;

    Rows(Iterator<Row> input) {
      this.input = input;
    }

    @Override
    public boolean hasNext() {
      if (ready.isEmpty() && input.hasNext()) {
        embedNextBatch();
      }
      return !ready.isEmpty();
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return ready.poll();
    }

    private void embedNextBatch() {
      int size = settings.rowsPerCall(hosted);
      List<Row> rows = new ArrayList<>(size);
      while (rows.size() < size && input.hasNext()) {
        rows.add(input.next());
      }
      Object[] vectors = new Object[rows.size()];
      String[] errors = new String[rows.size()];
      List<String> texts = new ArrayList<>(rows.size());
      List<Integer> textRows = new ArrayList<>(rows.size());
      for (int i = 0; i < rows.size(); i++) {
        Object value = rows.get(i).get(inputIndex);
        if (value instanceof String text) {
          texts.add(text);
          textRows.add(i);
        } else {
          errors[i] =
              value == null
                  ? "text is null"
                  : "text is a " + value.getClass().getSimpleName() + ", not a string";
          malformed(i, errors[i]);
        }
      }
      if (!texts.isEmpty()) {
        encode(texts, textRows, vectors, errors);
      }
      for (int i = 0; i < rows.size(); i++) {
        ready.add(withVector(rows.get(i), vectors[i], errors[i]));
      }
      metrics.rows.add(rows.size());
      position += rows.size();
    }

    private void encode(List<String> texts, List<Integer> textRows, Object[] out, String[] errors) {
      BatchEncoder encoder = encoder(); // a model that fails to load fails the task
      try {
        place(encoder.encode(texts), textRows, out);
      } catch (IllegalArgumentException refused) {
        // one text the model refuses (an empty string for OpenAI) fails its whole call: find it
        // by encoding the batch's texts one by one, and keep the others
        for (int j = 0; j < texts.size(); j++) {
          int row = textRows.get(j);
          try {
            place(encoder.encode(List.of(texts.get(j))), List.of(row), out);
          } catch (IllegalArgumentException e) {
            errors[row] = "the model refused the text: " + e.getMessage();
            malformed(row, errors[row]);
          }
        }
      }
    }

    private void place(BatchEncoder.Encoded encoded, List<Integer> rows, Object[] out) {
      for (int j = 0; j < rows.size(); j++) {
        out[rows.get(j)] =
            encoded.quantized() != null ? encoded.quantized()[j] : encoded.vectors()[j];
      }
      metrics.embedded.add(rows.size());
      metrics.tokens.add(encoded.tokens());
      metrics.truncated.add(encoded.truncated());
    }

    private void malformed(int rowInBatch, String reason) {
      if (settings.failFast()) {
        TaskContext task = TaskContext.get();
        throw new JembedException(
            "row "
                + (position + rowInBatch)
                + (task == null ? "" : " of partition " + task.partitionId())
                + ", column '"
                + inputColumn
                + "': "
                + reason
                + " (fail-fast is on; without it such rows are kept with a null vector)");
      }
      metrics.malformed.add(1);
    }

    private BatchEncoder encoder() {
      if (encoder == null) {
        EmbeddingModel model = ExecutorModels.get(settings.model(), metrics);
        encoder = new BatchEncoder(model, settings, metrics, hosted);
      }
      return encoder;
    }

    private Row withVector(Row row, Object vector, String error) {
      int n = row.length();
      Object[] values = new Object[n + (errorColumn ? 2 : 1)];
      for (int i = 0; i < n; i++) {
        values[i] = row.get(i);
      }
      values[n] = vector;
      if (errorColumn) {
        values[n + 1] = error;
      }
      return RowFactory.create(values);
    }
  }
}
