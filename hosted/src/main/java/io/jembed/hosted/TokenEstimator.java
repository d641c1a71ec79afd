package io.jembed.hosted;

/**
 * Estimates BPE token counts without the provider's tokenizer. Deliberately on the high side for
 * English (about one token per word, one per punctuation mark, one per 3 digits and one per
 * non-ASCII character), so that request splitting stays within a provider's token cap.
 */
final class TokenEstimator {
  private TokenEstimator() {}

  static int estimate(String text) {
    int tokens = 0;
    int letters = 0;
    int digits = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      if (cp < 128 && Character.isLetter(cp)) {
        letters++;
        continue;
      }
      tokens += wordTokens(letters);
      letters = 0;
      if (cp < 128 && Character.isDigit(cp)) {
        digits++;
        continue;
      }
      tokens += (digits + 2) / 3;
      digits = 0;
      if (Character.isWhitespace(cp)) {
        continue; // BPE attaches a single space to the next word
      }
      tokens++; // punctuation, symbols and every non-ASCII character
    }
    tokens += wordTokens(letters) + (digits + 2) / 3;
    return Math.max(tokens, 1);
  }

  // common words are one token; long or rare ones split roughly every 5 letters
  private static int wordTokens(int letters) {
    return letters == 0 ? 0 : Math.max(1, (letters + 4) / 5);
  }
}
