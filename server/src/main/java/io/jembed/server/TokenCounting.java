package io.jembed.server;

import io.jembed.EmbeddingModel;
import java.util.ArrayList;
import java.util.List;

/**
 * Counts the tokens of a request's inputs before they queue, without tokenizing what the model
 * would cut off anyway: a 2 MB string costs about what its first few thousand characters cost.
 *
 * <p>An input far longer than the model can read is cut: at the last whitespace before {@link
 * #CHARS_PER_TOKEN} characters per token of the model's maximum, or, with no whitespace there, at
 * that many characters. Tokenizers split words at whitespace, so text cut at a whitespace starts
 * with the very same tokens; cut inside a word, only that word's tokens change (a word gives at
 * most {@link #WORD_TOKENS} of them). So when the cut text still holds the maximum (plus that
 * margin when cut inside a word), the model keeps exactly the tokens it would have kept of the
 * whole input, and only the cut text is counted and encoded. A text of few, very long words is
 * tried with twice the characters, and so on. Hosted models, whose tokenizer is not here, are never
 * cut.
 */
final class TokenCounting {
  /** More characters per token than ordinary text takes, in any script. */
  static final int CHARS_PER_TOKEN = 16;

  /** Most tokens one word can become (WordPiece makes a word over 100 characters one [UNK]). */
  static final int WORD_TOKENS = 128;

  private TokenCounting() {}

  /**
   * Counts and, where it pays, cuts the inputs.
   *
   * @param truncate whether inputs over the model's maximum are cut (true) or refused (false)
   * @throws ApiException 422 for an input over the maximum when truncation is off
   */
  static Batcher.Inputs count(
      EmbeddingModel model, String modelName, List<String> texts, boolean truncate) {
    int max = model.maxSeqLength();
    boolean canCut = max > 0 && "local".equals(model.info().provider());
    List<String> out = new ArrayList<>(texts.size());
    int[] counts = new int[texts.size()];
    boolean[] cut = new boolean[texts.size()];
    for (int i = 0; i < counts.length; i++) {
      String text = texts.get(i);
      int n = -1;
      for (long window = (long) max * CHARS_PER_TOKEN;
          canCut && text.length() > window;
          window *= 2) {
        int end = lastWhitespaceBefore(text, (int) window);
        int needed = max;
        if (end < 0) {
          end =
              Character.isLowSurrogate(text.charAt((int) window)) ? (int) window - 1 : (int) window;
          needed = max + WORD_TOKENS;
        }
        String head = text.substring(0, end);
        int headTokens = model.countTokens(head);
        if (headTokens >= needed) {
          n = headTokens;
          cut[i] = !text.substring(end).isBlank();
          text = head;
          break;
        }
      }
      if (n < 0) {
        n = model.countTokens(text);
      }
      if (!truncate && max > 0 && n > max) {
        throw ApiException.invalid(
            "input "
                + i
                + " has "
                + (cut[i] ? "more than " + n : Integer.toString(n))
                + " tokens, more than the "
                + max
                + " of "
                + modelName
                + "; shorten it or send truncate=true");
      }
      out.add(text);
      counts[i] = max > 0 ? Math.min(n, max) : n;
    }
    return new Batcher.Inputs(out, counts, cut);
  }

  /** The last whitespace at or before {@code limit}, in its second half, or -1. */
  static int lastWhitespaceBefore(String text, int limit) {
    for (int i = Math.min(limit, text.length() - 1); i >= limit / 2; i--) {
      if (Character.isWhitespace(text.charAt(i))) {
        return i;
      }
    }
    return -1;
  }
}
