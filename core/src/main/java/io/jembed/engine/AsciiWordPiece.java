package io.jembed.engine;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * BERT's WordPiece tokenization of plain-ASCII text, in Java, giving the same ids as the tokenizers
 * library for the tokenizer.json shape every BERT-family sentence-transformers model ships
 * (BertNormalizer with clean_text, BertPreTokenizer, WordPiece, a template adding special tokens).
 *
 * <p>Why: the native tokenizer costs about 35 us of CPU per short sentence, 5% of an int8 encode,
 * and the engine waits for it; this takes about 3 us. Text it does not cover (any character outside
 * ASCII, or an added token such as "[MASK]" written in the text, which the library splits out
 * before normalizing) returns null and goes to the library, so only the simplest, exactly specified
 * part of the algorithm lives here. {@code AsciiWordPieceTest} checks it against the library on the
 * default model's tokenizer.json and variants of it.
 */
final class AsciiWordPiece {
  private final Map<String, Integer> vocab;
  private final int unkId;
  private final String subwordPrefix;
  private final int maxInputCharsPerWord;
  private final boolean lowercase;
  private final long[] prefixIds;
  private final long[] prefixTypeIds;
  private final long sequenceTypeId;
  private final long[] suffixIds;
  private final long[] suffixTypeIds;

  /** Added tokens, lower-cased: text containing one goes to the library. */
  private final List<String> addedTokens;

  private AsciiWordPiece(
      Map<String, Integer> vocab,
      int unkId,
      String subwordPrefix,
      int maxInputCharsPerWord,
      boolean lowercase,
      long[][] prefix,
      long sequenceTypeId,
      long[][] suffix,
      List<String> addedTokens) {
    this.vocab = vocab;
    this.unkId = unkId;
    this.subwordPrefix = subwordPrefix;
    this.maxInputCharsPerWord = maxInputCharsPerWord;
    this.lowercase = lowercase;
    this.prefixIds = prefix[0];
    this.prefixTypeIds = prefix[1];
    this.sequenceTypeId = sequenceTypeId;
    this.suffixIds = suffix[0];
    this.suffixTypeIds = suffix[1];
    this.addedTokens = addedTokens;
  }

  /**
   * The tokenizer for {@code tokenizerJson}, or null when its configuration is not the BERT one.
   */
  static AsciiWordPiece of(Path tokenizerJson) {
    try {
      return read(tokenizerJson);
    } catch (IOException | RuntimeException e) {
      return null; // the library reads the file and reports what is wrong with it
    }
  }

  /**
   * Streams the file: the vocabulary (30,000 entries for BERT) goes straight into the map, without
   * a JSON tree in between (this runs while the model loads).
   */
  private static AsciiWordPiece read(Path tokenizerJson) throws IOException {
    ObjectNode model = TokenizerJson.JSON.createObjectNode();
    Map<String, Integer> vocab = new HashMap<>(65_536);
    ObjectNode fields =
        TokenizerJson.read(
            tokenizerJson,
            parser -> {
              if (parser.currentToken() != JsonToken.START_OBJECT) {
                parser.skipChildren();
                return;
              }
              while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                JsonToken value = parser.nextToken();
                if (key.equals("vocab") && value == JsonToken.START_OBJECT) {
                  while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String token = parser.currentName();
                    parser.nextToken();
                    vocab.put(token, parser.getIntValue());
                  }
                } else {
                  model.set(key, TokenizerJson.JSON.readTree(parser));
                }
              }
            });
    if (fields == null
        || vocab.isEmpty()
        || fields.get("normalizer") == null
        || fields.get("pre_tokenizer") == null
        || fields.get("post_processor") == null) {
      return null;
    }
    return of(
        fields.get("normalizer"),
        fields.get("pre_tokenizer"),
        model,
        vocab,
        fields.get("post_processor"),
        fields.get("added_tokens"));
  }

  private static AsciiWordPiece of(
      JsonNode normalizer,
      JsonNode preTokenizer,
      JsonNode model,
      Map<String, Integer> vocab,
      JsonNode post,
      JsonNode addedTokens) {
    if (!normalizer.path("type").asText().equals("BertNormalizer")
        || !normalizer.path("clean_text").asBoolean(false)
        || !preTokenizer.path("type").asText().equals("BertPreTokenizer")
        || !model.path("type").asText().equals("WordPiece")) {
      return null;
    }
    Integer unk = vocab.get(model.path("unk_token").asText("[UNK]"));
    if (unk == null) {
      return null;
    }
    List<String> added = new ArrayList<>();
    if (addedTokens != null) {
      for (JsonNode token : addedTokens) {
        added.add(token.path("content").asText().toLowerCase(Locale.ROOT));
      }
    }
    long[][] prefix;
    long[][] suffix;
    long sequenceTypeId;
    switch (post.path("type").asText()) {
      case "TemplateProcessing" -> {
        List<long[]> before = new ArrayList<>();
        List<long[]> after = new ArrayList<>();
        Long sequenceType = null;
        for (JsonNode piece : post.path("single")) {
          if (piece.has("Sequence")) {
            if (sequenceType != null || !piece.path("Sequence").path("id").asText().equals("A")) {
              return null;
            }
            sequenceType = piece.path("Sequence").path("type_id").asLong();
          } else if (piece.has("SpecialToken")) {
            JsonNode special = piece.path("SpecialToken");
            JsonNode ids =
                post.path("special_tokens").path(special.path("id").asText()).path("ids");
            if (ids.size() != 1) {
              return null;
            }
            long[] idAndType = {ids.get(0).asLong(), special.path("type_id").asLong()};
            (sequenceType == null ? before : after).add(idAndType);
          } else {
            return null;
          }
        }
        if (sequenceType == null) {
          return null;
        }
        prefix = columns(before);
        suffix = columns(after);
        sequenceTypeId = sequenceType;
      }
      case "BertProcessing" -> {
        JsonNode cls = post.path("cls");
        JsonNode sep = post.path("sep");
        if (cls.size() != 2 || sep.size() != 2) {
          return null;
        }
        prefix = new long[][] {{cls.get(1).asLong()}, {0}};
        suffix = new long[][] {{sep.get(1).asLong()}, {0}};
        sequenceTypeId = 0;
      }
      default -> {
        return null;
      }
    }
    return new AsciiWordPiece(
        vocab,
        unk,
        model.path("continuing_subword_prefix").asText("##"),
        model.path("max_input_chars_per_word").asInt(100),
        normalizer.path("lowercase").asBoolean(true),
        prefix,
        sequenceTypeId,
        suffix,
        List.copyOf(added));
  }

  private static long[][] columns(List<long[]> pairs) {
    long[][] out = new long[2][pairs.size()];
    for (int i = 0; i < pairs.size(); i++) {
      out[0][i] = pairs.get(i)[0];
      out[1][i] = pairs.get(i)[1];
    }
    return out;
  }

  /**
   * The tokens of {@code text} with special tokens, at most {@code maxLength} of them (the word
   * pieces are cut at the end, as the library's truncation does), or null when the text is not
   * plain ASCII, holds an added token, or {@code maxLength} leaves no room for a word piece.
   */
  TextTokenizer.Tokens encode(String text, int maxLength) {
    int specials = prefixIds.length + suffixIds.length;
    if (maxLength <= specials || !isAscii(text) || holdsAddedToken(text)) {
      return null;
    }
    int[] pieces = new int[Math.max(8, text.length() / 2)];
    int count = 0;
    StringBuilder word = new StringBuilder();
    int n = text.length();
    for (int i = 0; i <= n; i++) {
      char c = i < n ? text.charAt(i) : ' ';
      boolean removed = c == 0 || c == 0x7f || (c < 0x20 && c != '\t' && c != '\n' && c != '\r');
      if (removed) {
        continue; // clean_text drops control characters, joining what surrounds them
      }
      boolean space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
      boolean punctuation = isAsciiPunctuation(c);
      if (space || punctuation) {
        if (!word.isEmpty()) {
          pieces = ensure(pieces, count + word.length() + 1);
          count = wordPieces(word, pieces, count);
          word.setLength(0);
        }
        if (punctuation) {
          Integer id = vocab.get(String.valueOf(c));
          pieces = ensure(pieces, count + 1);
          pieces[count++] = id == null ? unkId : id;
        }
      } else {
        word.append(lowercase && c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
      }
    }
    int kept = Math.min(count, maxLength - specials);
    int length = kept + specials;
    long[] ids = new long[length];
    long[] typeIds = new long[length];
    System.arraycopy(prefixIds, 0, ids, 0, prefixIds.length);
    System.arraycopy(prefixTypeIds, 0, typeIds, 0, prefixTypeIds.length);
    for (int i = 0; i < kept; i++) {
      ids[prefixIds.length + i] = pieces[i];
      typeIds[prefixIds.length + i] = sequenceTypeId;
    }
    System.arraycopy(suffixIds, 0, ids, prefixIds.length + kept, suffixIds.length);
    System.arraycopy(suffixTypeIds, 0, typeIds, prefixIds.length + kept, suffixTypeIds.length);
    return new TextTokenizer.Tokens(ids, typeIds, kept < count);
  }

  /** Greedy longest-match-first, as BERT: a word with an unknown piece is one unknown token. */
  private int wordPieces(CharSequence word, int[] out, int count) {
    int length = word.length();
    if (length > maxInputCharsPerWord) {
      out[count] = unkId;
      return count + 1;
    }
    int written = count;
    int start = 0;
    while (start < length) {
      int end = length;
      Integer id = null;
      while (start < end) {
        String piece = word.subSequence(start, end).toString();
        id = vocab.get(start > 0 ? subwordPrefix + piece : piece);
        if (id != null) {
          break;
        }
        end--;
      }
      if (id == null) {
        out[count] = unkId;
        return count + 1;
      }
      out[written++] = id;
      start = end;
    }
    return written;
  }

  private static int[] ensure(int[] a, int size) {
    return size <= a.length ? a : Arrays.copyOf(a, Math.max(size, a.length * 2));
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  private boolean holdsAddedToken(String text) {
    if (addedTokens.isEmpty()) {
      return false;
    }
    String lower = text.toLowerCase(Locale.ROOT);
    for (String token : addedTokens) {
      if (!token.isEmpty() && lower.contains(token)) {
        return true;
      }
    }
    return false;
  }

  /** Rust's is_ascii_punctuation, which is what BertPreTokenizer splits on in ASCII. */
  static boolean isAsciiPunctuation(char c) {
    return (c >= '!' && c <= '/')
        || (c >= ':' && c <= '@')
        || (c >= '[' && c <= '`')
        || (c >= '{' && c <= '~');
  }
}
