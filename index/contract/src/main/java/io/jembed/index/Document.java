package io.jembed.index;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A document to index: an id (adding the same id again replaces it), its text, metadata and
 * optionally a pre-computed vector. Metadata values are keywords ({@link String}, or a collection
 * of strings for tags; booleans and UUIDs are kept as their text), numbers ({@link Number}) or
 * dates ({@link java.time.Instant}, {@link java.time.LocalDate}, {@link java.time.OffsetDateTime},
 * {@link java.time.ZonedDateTime}, {@link java.util.Date}): see {@link MetadataValues}.
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

  /** Whether the document brings its own vector (then it is one chunk, not embedded). */
  public boolean hasVector() {
    return vector != null;
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
      metadata.put(field, MetadataValues.metadataValue(field, value));
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
  }
}
