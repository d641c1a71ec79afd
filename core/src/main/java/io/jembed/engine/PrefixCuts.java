package io.jembed.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * Where a long text may be cut so that tokenizing the part before the cut gives the first tokens of
 * the whole text: the engine keeps max_seq_length tokens, so tokenizing megabytes to keep a few
 * hundred tokens is waste (seconds of CPU and a gigabyte of token objects for a 10 MB text).
 *
 * <p>A cut is allowed before a space (for most tokenizers also a tab or line break) that follows a
 * letter, a digit or visible ASCII. It is safe when the tokenizer never lets a token span
 * whitespace: its pre-tokenizer splits there (BERT, Whitespace, ByteLevel with its regex,
 * Metaspace, or a sequence holding one of them) and everything before it looks at one character or
 * a whitespace run at a time (BERT's normalizer, Unicode normal forms, lower-casing, accent
 * stripping, sentencepiece's character map, replacing runs of spaces). Then the words before the
 * cut are tokenized exactly as in the whole text; the part before the cut ends in a non-space
 * character, so stripping it removes nothing more than stripping the whole text does. Anything else
 * in tokenizer.json (an unknown normalizer or pre-tokenizer, a Split regex, an added token holding
 * whitespace, left-side truncation) gets no cuts: such texts are tokenized whole, as before.
 */
final class PrefixCuts {
  /** No cut anywhere: texts are tokenized whole. */
  static final PrefixCuts NONE = new PrefixCuts(false, false);

  private static final Set<String> LOCAL_NORMALIZERS =
      Set.of(
          "BertNormalizer",
          "Lowercase",
          "NFC",
          "NFD",
          "NFKC",
          "NFKD",
          "StripAccents",
          "Strip",
          "Prepend",
          "Precompiled",
          "Nmt",
          "ByteLevel");

  private final boolean enabled;

  /** False when only a space separates tokens (Metaspace leaves tabs and line breaks in words). */
  private final boolean breaksSplit;

  private PrefixCuts(boolean enabled, boolean breaksSplit) {
    this.enabled = enabled;
    this.breaksSplit = breaksSplit;
  }

  boolean enabled() {
    return enabled;
  }

  /**
   * The first cut at or after {@code from}, or the text's length when there is none (the whole
   * text).
   */
  int cutAtOrAfter(String text, int from) {
    int n = text.length();
    if (!enabled) {
      return n;
    }
    for (int i = Math.max(1, from); i < n; i++) {
      char c = text.charAt(i);
      if ((c == ' ' || breaksSplit && (c == '\n' || c == '\t' || c == '\r'))
          && endsWord(text.charAt(i - 1))) {
        return i;
      }
    }
    return n;
  }

  /**
   * A letter, a digit or visible ASCII: no normalizer turns it into whitespace, which the part
   * before the cut would then end with (stripped there, or a token of its own) but the whole text
   * would join to the space after it. (A zero-width space, for one, becomes a space in
   * sentencepiece's normalization.)
   */
  private static boolean endsWord(char c) {
    return Character.isLetterOrDigit(c) || (c > ' ' && c < 0x7f);
  }

  /** The cuts {@code tokenizerJson} allows ({@link #NONE} when it cannot be read). */
  static PrefixCuts of(Path tokenizerJson) {
    try {
      return read(tokenizerJson);
    } catch (IOException | RuntimeException e) {
      return NONE; // the library reads the file and reports what is wrong with it
    }
  }

  /** Reads the four settings that decide, skipping the vocabulary. */
  private static PrefixCuts read(Path tokenizerJson) throws IOException {
    ObjectNode fields = TokenizerJson.read(tokenizerJson, null);
    if (fields == null) {
      return NONE;
    }
    return of(
        fields.path("normalizer"),
        fields.path("pre_tokenizer"),
        fields.path("added_tokens"),
        fields.path("truncation"));
  }

  static PrefixCuts of(
      JsonNode normalizer, JsonNode preTokenizer, JsonNode addedTokens, JsonNode truncation) {
    if (!isLocal(normalizer)
        || truncation.path("direction").asText("Right").equals("Left")
        || holdsWhitespace(addedTokens)) {
      return NONE;
    }
    Split split = split(preTokenizer);
    return switch (split) {
      case NONE, UNKNOWN -> NONE;
      case SPACES -> new PrefixCuts(true, false);
      case WHITESPACE -> new PrefixCuts(true, true);
    };
  }

  private static boolean isLocal(JsonNode normalizer) {
    if (normalizer == null || normalizer.isNull() || normalizer.isMissingNode()) {
      return true;
    }
    String type = normalizer.path("type").asText();
    if (type.equals("Sequence")) {
      for (JsonNode step : normalizer.path("normalizers")) {
        if (!isLocal(step)) {
          return false;
        }
      }
      return true;
    }
    if (type.equals("Replace")) {
      // only runs of spaces (" {2,}" -> " " in sentencepiece conversions): a cut keeps them whole
      JsonNode pattern = normalizer.path("pattern");
      String text =
          pattern.has("String") ? pattern.path("String").asText() : pattern.path("Regex").asText();
      return text.contains(" ") && text.matches("[ {},0-9+*?]+");
    }
    return LOCAL_NORMALIZERS.contains(type);
  }

  private static boolean holdsWhitespace(JsonNode addedTokens) {
    for (JsonNode token : addedTokens) {
      String content = token.path("content").asText();
      for (int i = 0; i < content.length(); i++) {
        if (TextTokenizer.isPythonSpace(content.charAt(i))) {
          return true;
        }
      }
    }
    return false;
  }

  /** How a pre-tokenizer splits at whitespace. */
  private enum Split {
    /** Not at all (it may split elsewhere, which never joins anything). */
    NONE,
    /** At spaces only. */
    SPACES,
    /** At spaces, tabs and line breaks. */
    WHITESPACE,
    /** A pre-tokenizer that might let a token span a cut. */
    UNKNOWN
  }

  private static Split split(JsonNode preTokenizer) {
    if (preTokenizer == null || preTokenizer.isNull() || preTokenizer.isMissingNode()) {
      return Split.NONE;
    }
    return switch (preTokenizer.path("type").asText()) {
      case "BertPreTokenizer", "Whitespace", "WhitespaceSplit" -> Split.WHITESPACE;
      case "ByteLevel" ->
          preTokenizer.path("use_regex").asBoolean(true) ? Split.WHITESPACE : Split.NONE;
      case "Metaspace" -> preTokenizer.path("split").asBoolean(true) ? Split.SPACES : Split.NONE;
      case "Punctuation", "Digits" -> Split.NONE;
      case "Sequence" -> sequence(preTokenizer.path("pretokenizers"));
      default -> Split.UNKNOWN;
    };
  }

  /**
   * Steps apply one after another, each splitting the pieces of the one before, so one step that
   * splits at whitespace keeps every later piece inside a word; a Metaspace step anywhere keeps
   * tabs and line breaks inside words.
   */
  private static Split sequence(JsonNode steps) {
    Split result = Split.NONE;
    boolean metaspace = false;
    for (JsonNode step : steps) {
      Split s = split(step);
      if (s == Split.UNKNOWN) {
        return Split.UNKNOWN;
      }
      metaspace |= step.path("type").asText().equals("Metaspace");
      if (s != Split.NONE) {
        result = Split.WHITESPACE;
      }
    }
    return result == Split.NONE || !metaspace ? result : Split.SPACES;
  }
}
