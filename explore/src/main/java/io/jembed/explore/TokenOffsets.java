package io.jembed.explore;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import io.jembed.EmbeddingModel;
import io.jembed.SentenceTransformer;
import io.jembed.model.PipelineConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A text's tokens with their character offsets in the text as given, and where the model's
 * truncation cuts it: the model's own tokenizer.json, read as sentence-transformers reads the text
 * (surrounding whitespace stripped, lower-cased when the model says so), without truncation, so the
 * tokens past the cut can be shown too.
 *
 * <p>Models without a local tokenizer (hosted ones, test models) get counts only: {@link #tokenize}
 * returns no tokens and the cut at the end of the text.
 */
final class TokenOffsets implements AutoCloseable {
  /** Tokens listed per text at most; a longer text is listed up to here (counted whole). */
  static final int MAX_LISTED_TOKENS = 4096;

  /** One token: its id, its text, its character range in the input, and what it is. */
  record Token(long id, String text, int start, int end, boolean special, boolean kept) {}

  /**
   * A tokenized text.
   *
   * @param tokens the tokens, at most {@link #MAX_LISTED_TOKENS} (empty for a model without a local
   *     tokenizer)
   * @param tokenCount all tokens the model would see before truncation, special tokens included
   * @param maxSeqLength the model's maximum
   * @param truncated whether the model cuts the text
   * @param keptChars the character offset where the cut falls (the text's length when not cut)
   */
  record Tokenized(
      List<Token> tokens, int tokenCount, int maxSeqLength, boolean truncated, int keptChars) {}

  private final Map<EmbeddingModel, Tokenizer> tokenizers = new ConcurrentHashMap<>();

  private record Tokenizer(HuggingFaceTokenizer hf, boolean lowerCase) {}

  Tokenized tokenize(EmbeddingModel model, String text) {
    int max = model.maxSeqLength();
    Tokenizer tokenizer = tokenizer(model);
    if (tokenizer == null) {
      int count = model.countTokens(text);
      boolean truncated = max > 0 && count > max;
      return new Tokenized(List.of(), count, max, truncated, text.length());
    }
    String stripped = text.strip();
    int lead = stripped.isEmpty() ? 0 : text.indexOf(stripped);
    String seen = stripped;
    if (tokenizer.lowerCase()) {
      String lower = stripped.toLowerCase(Locale.ROOT);
      // offsets stay those of the text as given only when lower-casing keeps its length
      seen = lower.length() == stripped.length() ? lower : stripped;
    }
    // a text far longer than the list holds is listed from its head (at a whitespace)
    long window = (long) MAX_LISTED_TOKENS * 16;
    boolean head = seen.length() > window;
    String listed = head ? seen.substring(0, headEnd(seen, (int) window)) : seen;
    Encoding e = tokenizer.hf().encode(listed);
    long[] ids = e.getIds();
    String[] texts = e.getTokens();
    long[] specialMask = e.getSpecialTokenMask();
    CharSpan[] spans = e.getCharTokenSpans();
    int n = ids.length;
    int leading = 0;
    while (leading < n && specialMask[leading] == 1) {
      leading++;
    }
    int trailing = 0;
    while (trailing < n - leading && specialMask[n - 1 - trailing] == 1) {
      trailing++;
    }
    if (head) {
      n -= trailing; // the head's closing tokens are not the text's
      trailing = 0;
    }
    int count = head ? model.countTokens(text) : ids.length;
    boolean truncated = max > 0 && count > max;
    int keptContent = truncated ? Math.max(0, max - leading - trailing) : Integer.MAX_VALUE;
    int[] cp = codePointIndex(listed);
    List<Token> tokens = new ArrayList<>(Math.min(n, MAX_LISTED_TOKENS));
    int keptChars = truncated ? lead : text.length();
    int last = lead;
    for (int i = 0; i < n && tokens.size() < MAX_LISTED_TOKENS; i++) {
      boolean special = specialMask[i] == 1;
      int start = last;
      int end = last;
      if (!special && spans[i] != null) {
        start = lead + toCharIndex(cp, spans[i].getStart());
        end = lead + toCharIndex(cp, spans[i].getEnd());
        last = end;
      }
      int content = i - leading;
      boolean kept = special || content < keptContent;
      if (truncated && kept && !special) {
        keptChars = end;
      }
      tokens.add(new Token(ids[i], texts[i], start, end, special, kept));
    }
    return new Tokenized(List.copyOf(tokens), count, max, truncated, keptChars);
  }

  /**
   * The tokenizer library reports offsets in Unicode code points; Java strings count UTF-16 units.
   * {@code index[c]} is the UTF-16 index of code point c (one past the end included).
   */
  private static int[] codePointIndex(String s) {
    int[] index = new int[s.codePointCount(0, s.length()) + 1];
    int c = 0;
    for (int i = 0; i < s.length(); i = s.offsetByCodePoints(i, 1)) {
      index[c++] = i;
    }
    index[c] = s.length();
    return index;
  }

  private static int toCharIndex(int[] index, int codePoint) {
    return index[Math.max(0, Math.min(codePoint, index.length - 1))];
  }

  private static int headEnd(String s, int limit) {
    for (int i = limit; i > limit / 2; i--) {
      if (Character.isWhitespace(s.charAt(i))) {
        return i;
      }
    }
    return Character.isLowSurrogate(s.charAt(limit)) ? limit - 1 : limit;
  }

  private Tokenizer tokenizer(EmbeddingModel model) {
    if (!(model instanceof SentenceTransformer st)) {
      return null;
    }
    return tokenizers.computeIfAbsent(model, m -> load(st.config()));
  }

  private static Tokenizer load(PipelineConfig config) {
    try {
      HuggingFaceTokenizer hf =
          HuggingFaceTokenizer.builder()
              .optTokenizerPath(config.tokenizerFile())
              .optAddSpecialTokens(true)
              .optTruncation(false)
              .optPadding(false)
              .build();
      return new Tokenizer(hf, config.doLowerCase());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + config.tokenizerFile(), e);
    }
  }

  @Override
  public void close() {
    tokenizers.values().forEach(t -> t.hf().close());
    tokenizers.clear();
  }
}
