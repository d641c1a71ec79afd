package io.jembed.engine;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.jembed.JembedException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * tokenizer.json through the Hugging Face tokenizers library (DJL's binding), configured as
 * sentence-transformers calls it: truncation at max_seq_length and no padding (batches are padded
 * to their longest text by the engine), whatever truncation and padding tokenizer.json itself says.
 * Plain-ASCII text for a BERT WordPiece tokenizer is tokenized in Java instead ({@link
 * AsciiWordPiece}, same ids, a fraction of the time) unless that is switched off.
 *
 * <p>A long text is tokenized only as far as it needs to be: up to a cut ({@link PrefixCuts}) a
 * little past where max_seq_length tokens should end, then further on (four times as far each time)
 * while that part holds no more than max_seq_length tokens. The tokens kept and the truncation flag
 * are those of the whole text; the cost no longer grows with the text's length.
 */
public final class TextTokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer truncating;
  private final HuggingFaceTokenizer counting;
  private final int maxLength;
  private final boolean doLowerCase;

  /**
   * Characters of a text tokenized first (to the next cut), or {@link Integer#MAX_VALUE}: whole
   * texts.
   */
  private final int firstPrefixChars;

  /** Read from tokenizer.json at the first text longer than {@link #firstPrefixChars}. */
  private volatile PrefixCuts prefixCuts;

  private final Path tokenizerJson;

  /** tokenizer.json, read again for the Java path, or null when that path is off. */
  private final Path wordPieceSource;

  /**
   * The Java path, built in the background at the first encode (reading the vocabulary at load time
   * made the first vector about 100 ms later on two cores); completes with null where the tokenizer
   * is not a BERT WordPiece one. Until it is done, the library tokenizes everything.
   */
  private volatile CompletableFuture<AsciiWordPiece> wordPiece;

  private TextTokenizer(
      HuggingFaceTokenizer truncating,
      HuggingFaceTokenizer counting,
      int maxLength,
      boolean doLowerCase,
      Path tokenizerJson,
      boolean javaWordPiece,
      int firstPrefixChars) {
    this.truncating = truncating;
    this.counting = counting;
    this.maxLength = maxLength;
    this.doLowerCase = doLowerCase;
    this.tokenizerJson = tokenizerJson;
    this.wordPieceSource = javaWordPiece ? tokenizerJson : null;
    this.firstPrefixChars = firstPrefixChars;
  }

  public static TextTokenizer load(Path tokenizerJson, int maxLength, boolean doLowerCase) {
    return load(tokenizerJson, maxLength, doLowerCase, true, true);
  }

  /**
   * @param javaWordPiece tokenize plain-ASCII text in Java when tokenizer.json is a BERT WordPiece
   *     one (false: everything through the library)
   * @param tokenizePrefix tokenize a long text only as far as max_seq_length tokens need (false:
   *     whole texts; the same tokens either way)
   */
  public static TextTokenizer load(
      Path tokenizerJson,
      int maxLength,
      boolean doLowerCase,
      boolean javaWordPiece,
      boolean tokenizePrefix) {
    // about 4.5 characters per token in English: most texts this long hold maxLength tokens
    return load(
        tokenizerJson,
        maxLength,
        doLowerCase,
        javaWordPiece,
        tokenizePrefix ? FIRST_PREFIX_CHARS_PER_TOKEN * maxLength : Integer.MAX_VALUE);
  }

  private static final int FIRST_PREFIX_CHARS_PER_TOKEN = 8;

  /** As above, with the length of the first prefix tried (tests make it small). */
  static TextTokenizer load(
      Path tokenizerJson,
      int maxLength,
      boolean doLowerCase,
      boolean javaWordPiece,
      int firstPrefixChars) {
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
      return new TextTokenizer(
          truncating,
          counting,
          maxLength,
          doLowerCase,
          tokenizerJson,
          javaWordPiece,
          Math.max(1, firstPrefixChars));
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

  /** The Java path once built, else null (and its build is started). */
  private AsciiWordPiece wordPiece() {
    if (wordPieceSource == null) {
      return null;
    }
    CompletableFuture<AsciiWordPiece> build = wordPiece;
    if (build == null) {
      synchronized (this) {
        if (wordPiece == null) {
          wordPiece =
              CompletableFuture.supplyAsync(
                  () -> AsciiWordPiece.of(wordPieceSource),
                  task -> {
                    Thread t = new Thread(task, "jembed-wordpiece");
                    t.setDaemon(true);
                    t.start();
                  });
        }
        build = wordPiece;
      }
    }
    return build.getNow(null);
  }

  /** The Java path, waiting for its build; null when it is off or does not apply. */
  AsciiWordPiece awaitWordPiece() {
    wordPiece();
    CompletableFuture<AsciiWordPiece> build = wordPiece;
    return build == null ? null : build.join();
  }

  /** Tokenizes texts (prompt already prepended), truncated to max_seq_length. */
  public Tokens[] encode(List<String> texts) {
    AsciiWordPiece wordPiece = wordPiece();
    int n = texts.size();
    Tokens[] out = new Tokens[n];
    int[] pending = new int[n];
    for (int i = 0; i < n; i++) {
      pending[i] = i;
    }
    int pendingCount = n;
    // round by round: a text whose part up to the cut held no more than maxLength tokens is
    // tokenized again up to a later cut (the last round takes it whole)
    for (long prefixChars = firstPrefixChars; pendingCount > 0; prefixChars *= 4) {
      int[] ends = new int[pendingCount];
      String[] rest = new String[pendingCount];
      int[] restIndex = new int[pendingCount];
      int restCount = 0;
      for (int k = 0; k < pendingCount; k++) {
        int i = pending[k];
        String text = texts.get(i);
        ends[k] = cut(text, prefixChars);
        String prepared = prepare(ends[k] == text.length() ? text : text.substring(0, ends[k]));
        out[i] = wordPiece == null ? null : wordPiece.encode(prepared, maxLength);
        if (out[i] == null) {
          rest[restCount] = prepared;
          restIndex[restCount++] = i;
        }
      }
      if (restCount > 0) {
        // the library tokenizes the rest in parallel
        Encoding[] encodings =
            truncating.batchEncode(
                restCount == rest.length ? rest : Arrays.copyOf(rest, restCount));
        for (int k = 0; k < restCount; k++) {
          Encoding e = encodings[k];
          out[restIndex[k]] = new Tokens(e.getIds(), e.getTypeIds(), e.exceedMaxLength());
        }
      }
      int stillPending = 0;
      for (int k = 0; k < pendingCount; k++) {
        int i = pending[k];
        if (!out[i].truncated() && ends[k] < texts.get(i).length()) {
          pending[stillPending++] = i;
        }
      }
      pendingCount = stillPending;
    }
    return out;
  }

  /** Where to cut {@code text} to tokenize about {@code prefixChars} of it. */
  private int cut(String text, long prefixChars) {
    if (text.length() <= prefixChars) {
      return text.length();
    }
    PrefixCuts cuts = prefixCuts;
    if (cuts == null) {
      synchronized (this) {
        if (prefixCuts == null) {
          prefixCuts = PrefixCuts.of(tokenizerJson);
        }
        cuts = prefixCuts;
      }
    }
    return cuts.cutAtOrAfter(text, (int) prefixChars);
  }

  /** Tokens of one text without truncation, special tokens included. */
  public int countTokens(String text) {
    String prepared = prepare(text);
    AsciiWordPiece wordPiece = wordPiece();
    Tokens fast = wordPiece == null ? null : wordPiece.encode(prepared, Integer.MAX_VALUE);
    return fast != null ? fast.length() : counting.encode(prepared).getIds().length;
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

  static boolean isPythonSpace(char c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
  }

  @Override
  public void close() {
    truncating.close();
    counting.close();
  }
}
