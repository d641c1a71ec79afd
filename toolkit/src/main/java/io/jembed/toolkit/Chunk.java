package io.jembed.toolkit;

/**
 * A piece of a document that fits the model: {@code text} is exactly {@code
 * document.substring(start, end)}.
 *
 * @param index position among the document's chunks
 * @param text the chunk's text (no leading or trailing whitespace)
 * @param start offset of the first character in the document (UTF-16 chars, as String indices)
 * @param end offset just past the last character
 * @param tokenCount tokens the model sees for this chunk, special tokens and prompt included
 */
public record Chunk(int index, String text, int start, int end, int tokenCount) {
  public Chunk {
    if (text == null) {
      throw new IllegalArgumentException("chunk text must not be null");
    }
    if (start < 0 || end < start || end - start != text.length()) {
      throw new IllegalArgumentException(
          "chunk offsets ["
              + start
              + ", "
              + end
              + ") do not match its text length "
              + text.length());
    }
  }
}
