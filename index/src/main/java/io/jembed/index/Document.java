package io.jembed.index;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A document to index: an id (adding the same id again replaces it), its text, metadata and
 * optionally a pre-computed vector. Metadata values are keywords ({@link String}, or a collection
 * of strings for tags), numbers ({@link Number}) or dates ({@link Instant}, {@link LocalDate},
 * {@link OffsetDateTime}, {@link ZonedDateTime}, {@link Date}).
 *
 * <p>Without a vector, the index chunks the text with the model's token budget and embeds each
 * chunk; with one, the document is a single chunk with that vector.
 */
public final class Document {
  private final String id;
  private final String text;
  private final Map<String, Object> metadata;
  private final float[] vector;

  private Document(Builder b) {
    this.id = b.id;
    this.text = b.text;
    this.metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.metadata));
    this.vector = b.vector == null ? null : b.vector.clone();
  }

  public static Document of(String id, String text) {
    return builder(id).text(text).build();
  }

  public static Builder builder(String id) {
    return new Builder(id);
  }

  public String id() {
    return id;
  }

  public String text() {
    return text;
  }

  /** Metadata by field name, in insertion order. */
  public Map<String, Object> metadata() {
    return metadata;
  }

  /** The pre-computed vector, or null when the index embeds the text. */
  public float[] vector() {
    return vector == null ? null : vector.clone();
  }

  boolean hasVector() {
    return vector != null;
  }

  float[] vectorUnsafe() {
    return vector;
  }

  @Override
  public String toString() {
    return "Document[" + id + ", " + text.length() + " chars, metadata=" + metadata + "]";
  }

  /** Builder for {@link Document}. */
  public static final class Builder {
    private final String id;
    private String text = "";
    private final Map<String, Object> metadata = new LinkedHashMap<>();
    private float[] vector;

    private Builder(String id) {
      if (id == null || id.isBlank()) {
        throw new IllegalArgumentException("a document needs a non-blank id");
      }
      this.id = id;
    }

    public Builder text(String text) {
      this.text = Objects.requireNonNull(text, "text");
      return this;
    }

    /** Adds a metadata field: a keyword, number, date or collection of keywords. */
    public Builder metadata(String field, Object value) {
      if (field == null || !field.matches("[\\w.\\-]+")) {
        throw new IllegalArgumentException(
            "metadata field name '" + field + "' must be letters, digits, '_', '.' or '-'");
      }
      metadata.put(field, checkValue(field, value));
      return this;
    }

    public Builder metadata(Map<String, ?> fields) {
      fields.forEach(this::metadata);
      return this;
    }

    public Builder vector(float[] vector) {
      if (vector != null && vector.length == 0) {
        throw new IllegalArgumentException("document '" + id + "' has an empty vector");
      }
      this.vector = vector == null ? null : vector.clone();
      return this;
    }

    public Document build() {
      return new Document(this);
    }

    private static Object checkValue(String field, Object value) {
      if (value instanceof String
          || value instanceof Number
          || value instanceof Instant
          || value instanceof LocalDate
          || value instanceof OffsetDateTime
          || value instanceof ZonedDateTime
          || value instanceof Date) {
        if (value instanceof Number n && !Double.isFinite(n.doubleValue())) {
          throw new IllegalArgumentException("metadata '" + field + "' is not a finite number");
        }
        return value;
      }
      if (value instanceof Collection<?> c && !c.isEmpty()) {
        for (Object o : c) {
          if (!(o instanceof String)) {
            throw new IllegalArgumentException(
                "metadata '" + field + "': a list may only hold strings (keywords)");
          }
        }
        return List.copyOf(c);
      }
      throw new IllegalArgumentException(
          "metadata '"
              + field
              + "' has an unsupported value "
              + (value == null ? "null" : value.getClass().getSimpleName())
              + ": use a string, a list of strings, a number or a date");
    }
  }
}
