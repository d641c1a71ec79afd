package io.jembed.engine;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.jembed.JembedException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * tokenizer.json through the Hugging Face tokenizers library (DJL's binding), configured as
 * sentence-transformers calls it: truncation at max_seq_length and no padding (batches are padded
 * to their longest text by the engine), whatever truncation and padding tokenizer.json itself says.
 */
public final class TextTokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer truncating;
  private final HuggingFaceTokenizer counting;
  private final int maxLength;
  private final boolean doLowerCase;

  private TextTokenizer(
      HuggingFaceTokenizer truncating,
      HuggingFaceTokenizer counting,
      int maxLength,
      boolean doLowerCase) {
    this.truncating = truncating;
    this.counting = counting;
    this.maxLength = maxLength;
    this.doLowerCase = doLowerCase;
  }

  public static TextTokenizer load(Path tokenizerJson, int maxLength, boolean doLowerCase) {
    try {
      HuggingFaceTokenizer truncating =
          HuggingFaceTokenizer.builder()
              .optTokenizerPath(tokenizerJson)
              .optAddSpecialTokens(true)
              .optTruncation(true)
              .optMaxLength(maxLength)
              .optPadding(false)
              .build();
      HuggingFaceTokenizer counting =
          HuggingFaceTokenizer.builder()
              .optTokenizerPath(tokenizerJson)
              .optAddSpecialTokens(true)
              .optTruncation(false)
              .optPadding(false)
              .build();
      return new TextTokenizer(truncating, counting, maxLength, doLowerCase);
    } catch (IOException | RuntimeException e) {
      throw new JembedException(
          "cannot load tokenizer " + tokenizerJson + ": " + e.getMessage(), e);
    }
  }

  /** One tokenized text. */
  public record Tokens(long[] ids, long[] typeIds, boolean truncated) {
    public int length() {
      return ids.length;
    }
  }

  /** Tokenizes texts (prompt already prepended) in parallel, truncated to max_seq_length. */
  public Tokens[] encode(List<String> texts) {
    String[] prepared = new String[texts.size()];
    for (int i = 0; i < prepared.length; i++) {
      prepared[i] = prepare(texts.get(i));
    }
    Encoding[] encodings = truncating.batchEncode(prepared);
    Tokens[] out = new Tokens[encodings.length];
    for (int i = 0; i < encodings.length; i++) {
      Encoding e = encodings[i];
      out[i] = new Tokens(e.getIds(), e.getTypeIds(), e.exceedMaxLength());
    }
    return out;
  }

  /** Tokens of one text without truncation, special tokens included. */
  public int countTokens(String text) {
    return counting.encode(prepare(text)).getIds().length;
  }

  public int maxLength() {
    return maxLength;
  }

  /**
   * As sentence-transformers' Transformer.tokenize: strip surrounding whitespace, lower-case when
   * do_lower_case is set. Lone surrogates (not valid Unicode, and unrepresentable in the UTF-8 the
   * native tokenizer reads) become U+FFFD.
   */
  String prepare(String text) {
    String s = pythonStrip(replaceLoneSurrogates(text));
    return doLowerCase ? s.toLowerCase(java.util.Locale.ROOT) : s;
  }

  static String replaceLoneSurrogates(String s) {
    StringBuilder sb = null;
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      boolean lone =
          (Character.isHighSurrogate(c)
                  && (i + 1 >= n || !Character.isLowSurrogate(s.charAt(i + 1))))
              || (Character.isLowSurrogate(c)
                  && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1))));
      if (lone) {
        if (sb == null) {
          sb = new StringBuilder(s);
        }
        sb.setCharAt(i, '\uFFFD');
      }
    }
    return sb == null ? s : sb.toString();
  }

  /** Python's str.strip(): Unicode whitespace, including no-break spaces, on both ends. */
  static String pythonStrip(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isPythonSpace(s.charAt(start))) {
      start++;
    }
    while (end > start && isPythonSpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }

  private static boolean isPythonSpace(char c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
  }

  @Override
  public void close() {
    truncating.close();
    counting.close();
  }
}
