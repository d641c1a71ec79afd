package io.jembed.toolkit;

/** A text to search, with the id it is reported under. */
public record Document(String id, String text) {
  public Document {
    if (id == null) {
      throw new IllegalArgumentException("document id must not be null");
    }
    if (text == null) {
      throw new IllegalArgumentException("document '" + id + "' has no text");
    }
  }
}
