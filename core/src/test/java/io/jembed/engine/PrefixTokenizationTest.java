package io.jembed.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jembed.LoadOptions;
import io.jembed.model.ModelResolver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Tokenizing a long text only up to a cut gives the tokens and the truncation flag of tokenizing it
 * whole, for generated texts (around the length limit, with long whitespace runs, very long words,
 * control characters, added tokens, non-ASCII text), for tiny and ordinary first prefixes (so texts
 * go through several rounds), on the Java and the library path, and for tokenizers of other shapes
 * (Metaspace with a space-collapsing normalizer, byte-level BPE, Whitespace). And the
 * tokenizer.json shapes that could let a token span a cut get no cuts.
 */
class PrefixTokenizationTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One tokenizer.json, loaded whole and cut, for maxLength 9 and 40. */
  private record Pair(String name, TextTokenizer whole, TextTokenizer cut) {}

  private static final class Shared {
    static final Path BERT =
        ModelResolver.resolve("all-MiniLM-L6-v2", LoadOptions.defaults())
            .directory()
            .resolve("tokenizer.json");
    static final Path DIR = tempDir();
    static final Path METASPACE = write(metaspaceTokenizer(), "metaspace.json");
    static final Path BYTE_LEVEL = write(byteLevelTokenizer(), "byte-level.json");
    static final Path WHITESPACE = write(whitespaceTokenizer(), "whitespace.json");
    static final List<Pair> PAIRS = new ArrayList<>();

    static {
      Map<String, TextTokenizer> whole = new LinkedHashMap<>();
      for (int maxLength : new int[] {9, 40}) {
        for (int firstPrefix : new int[] {1, 64}) {
          // the BERT tokenizer on the Java path and on the library path
          add(whole, "bert java", BERT, maxLength, false, true, firstPrefix);
          add(whole, "bert library", BERT, maxLength, false, false, firstPrefix);
          add(whole, "metaspace", METASPACE, maxLength, true, false, firstPrefix);
          add(whole, "byte-level", BYTE_LEVEL, maxLength, true, false, firstPrefix);
          add(whole, "whitespace", WHITESPACE, maxLength, false, false, firstPrefix);
        }
      }
      for (Pair p : PAIRS) {
        p.cut().awaitWordPiece();
        p.whole().awaitWordPiece();
      }
    }

    private static void add(
        Map<String, TextTokenizer> whole,
        String name,
        Path json,
        int maxLength,
        boolean lowerCase,
        boolean java,
        int firstPrefixChars) {
      TextTokenizer reference =
          whole.computeIfAbsent(
              name + maxLength,
              k -> TextTokenizer.load(json, maxLength, lowerCase, java, Integer.MAX_VALUE));
      PAIRS.add(
          new Pair(
              name + " " + maxLength + "/" + firstPrefixChars,
              reference,
              TextTokenizer.load(json, maxLength, lowerCase, java, firstPrefixChars)));
    }

    private static Path tempDir() {
      try {
        Path dir = Files.createTempDirectory(Path.of("target"), "prefix-tokenization");
        dir.toFile().deleteOnExit();
        return dir;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static Path write(ObjectNode json, String name) {
      try {
        Path file = DIR.resolve(name);
        JSON.writeValue(file.toFile(), json);
        file.toFile().deleteOnExit();
        return file;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Property(tries = 300)
  void cutTextsGetTheTokensOfWholeTexts(@ForAll("texts") List<String> texts) {
    for (Pair p : Shared.PAIRS) {
      assertSameTokens(p, texts);
    }
  }

  @Property(tries = 100)
  void textsAroundTheLimitGetTheTokensOfWholeTexts(
      @ForAll @IntRange(min = 0, max = 12) int extraWords,
      @ForAll("separators") String separator,
      @ForAll("words") List<String> words) {
    // 9 tokens: [CLS] + 7 + [SEP]; 2 to 12 words of mostly one token each straddle it
    List<String> texts = new ArrayList<>();
    for (int n = Math.max(0, extraWords - 5); n <= extraWords && n <= words.size(); n++) {
      texts.add(String.join(separator, words.subList(0, n)));
    }
    for (Pair p : Shared.PAIRS) {
      assertSameTokens(p, texts);
    }
  }

  @Test
  void longTextsOfEveryKind() {
    String sentence = "The quick brown fox jumps over the lazy dog. ";
    List<String> texts =
        List.of(
            sentence.repeat(2_000),
            " ".repeat(50_000) + sentence.repeat(20),
            sentence.repeat(5) + "\n".repeat(30_000) + sentence,
            "a".repeat(100_000) + " " + sentence.repeat(20),
            ("x".repeat(1_000) + " ").repeat(100),
            "é".repeat(20_000) + " " + sentence.repeat(50),
            "中文".repeat(10_000),
            sentence.repeat(3) + "\u000b".repeat(5_000) + sentence.repeat(3),
            "[MASK] ".repeat(3_000));
    for (Pair p : Shared.PAIRS) {
      assertSameTokens(p, texts);
    }
  }

  @Test
  void tokenizerShapesThatCouldSpanACutGetNoCuts() throws IOException {
    ObjectNode bert = (ObjectNode) JSON.readTree(Shared.BERT.toFile());
    assertThat(cuts(bert).enabled()).isTrue();

    ObjectNode split = bert.deepCopy();
    split.set(
        "pre_tokenizer",
        JSON.createObjectNode()
            .put("type", "Split")
            .put("behavior", "Isolated")
            .set("pattern", JSON.createObjectNode().put("Regex", "\\w+ \\w+")));
    ObjectNode left = bert.deepCopy();
    ((ObjectNode) left.get("truncation")).put("direction", "Left");
    ObjectNode spacedToken = bert.deepCopy();
    ((ArrayNode) spacedToken.get("added_tokens"))
        .add(JSON.createObjectNode().put("id", 7).put("content", "new york"));
    ObjectNode replace = bert.deepCopy();
    replace.set(
        "normalizer",
        JSON.createObjectNode()
            .put("type", "Replace")
            .put("content", "")
            .set("pattern", JSON.createObjectNode().put("String", "a b")));
    ObjectNode noPreTokenizer = bert.deepCopy();
    noPreTokenizer.putNull("pre_tokenizer");
    for (ObjectNode unsafe : List.of(split, left, spacedToken, replace, noPreTokenizer)) {
      assertThat(cuts(unsafe).enabled()).as(unsafe.toString().substring(0, 300)).isFalse();
    }

    PrefixCuts metaspace = PrefixCuts.of(Shared.METASPACE);
    assertThat(metaspace.enabled()).isTrue();
    assertThat(metaspace.cutAtOrAfter("ab\ncd ef", 1)).isEqualTo(5);
    PrefixCuts whitespace = PrefixCuts.of(Shared.BERT);
    assertThat(whitespace.cutAtOrAfter("ab\ncd ef", 1)).isEqualTo(2);
    assertThat(whitespace.cutAtOrAfter("ab  cd", 3)).isEqualTo(6);
    assertThat(whitespace.cutAtOrAfter("abcd", 1)).isEqualTo(4);
    // only after a letter, a digit or visible ASCII: sentencepiece makes a zero-width space a space
    assertThat(whitespace.cutAtOrAfter("ab\u200b cd ef", 1)).isEqualTo(6);
    assertThat(whitespace.cutAtOrAfter("ab😀 cd, ef", 1)).isEqualTo(8);
  }

  private static PrefixCuts cuts(ObjectNode json) {
    return PrefixCuts.of(
        json.path("normalizer"),
        json.path("pre_tokenizer"),
        json.path("added_tokens"),
        json.path("truncation"));
  }

  private static void assertSameTokens(Pair p, List<String> texts) {
    TextTokenizer.Tokens[] whole = p.whole().encode(texts);
    TextTokenizer.Tokens[] cut = p.cut().encode(texts);
    for (int i = 0; i < texts.size(); i++) {
      String text = texts.get(i);
      String label = p.name() + ": " + (text.length() > 200 ? text.substring(0, 200) : text);
      assertThat(cut[i].ids()).as("ids, %s", label).containsExactly(whole[i].ids());
      assertThat(cut[i].typeIds()).as("type ids, %s", label).containsExactly(whole[i].typeIds());
      assertThat(cut[i].truncated()).as("truncation, %s", label).isEqualTo(whole[i].truncated());
    }
  }

  @Provide
  Arbitrary<String> separators() {
    return Arbitraries.of(" ", "  ", "\n", " \t ", "\r\n", "   \n\n  ", ", ", " - ");
  }

  @Provide
  Arbitrary<List<String>> words() {
    return Arbitraries.of("the", "cat", "sat", "on", "a", "mat", "running", "café", "don't", "x2")
        .list()
        .ofMinSize(12)
        .ofMaxSize(12);
  }

  @Provide
  Arbitrary<List<String>> texts() {
    List<String> words = new ArrayList<>(AsciiWordPieceTest.WORDS);
    words.addAll(List.of("ΑΣ", "Σ", "İstanbul")); // final sigma, a lower case of two chars
    Arbitrary<String> word = Arbitraries.of(words);
    Arbitrary<String> longWord =
        Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.integers().between(95, 105).map("ab"::repeat)),
            Tuple.of(1, Arbitraries.integers().between(300, 2_000).map("é"::repeat)));
    Arbitrary<String> punctuation =
        Arbitraries.strings().withChars("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~").ofLength(1);
    Arbitrary<String> space =
        Arbitraries.frequencyOf(
            Tuple.of(10, Arbitraries.of(" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000", " \f")),
            Tuple.of(
                2,
                Arbitraries.integers()
                    .between(2, 400)
                    .flatMap(n -> Arbitraries.of(" ", "\n", " \n", "\t ").map(s -> s.repeat(n)))));
    Arbitrary<String> odd =
        Arbitraries.of(
            "\u0000", "\u0001", "\u000b", "\u007f", "[MASK]", "[SEP]", "<s>", "café", "’", "中文",
            "😀", "e\u0301", "\uD800", "\u00b4", "\u200b", "x\u200b");
    Arbitrary<String> part =
        Arbitraries.frequencyOf(
            Tuple.of(40, word),
            Tuple.of(30, space),
            Tuple.of(10, punctuation),
            Tuple.of(4, longWord),
            Tuple.of(6, odd));
    Arbitrary<String> text = part.list().ofMaxSize(120).map(parts -> String.join("", parts));
    return text.list().ofMinSize(1).ofMaxSize(4);
  }

  // ---------------------------------------------------------------- tokenizers of other shapes

  /**
   * Metaspace (sentencepiece style) with NFKC, collapsed space runs, and a WordPiece vocabulary.
   */
  private static ObjectNode metaspaceTokenizer() {
    ObjectNode root = skeleton();
    ArrayNode normalizers = JSON.createArrayNode();
    normalizers.add(JSON.createObjectNode().put("type", "NFKC"));
    ObjectNode collapse = JSON.createObjectNode().put("type", "Replace").put("content", " ");
    collapse.set("pattern", JSON.createObjectNode().put("Regex", " {2,}"));
    normalizers.add(collapse);
    normalizers.add(JSON.createObjectNode().put("type", "Lowercase"));
    root.set(
        "normalizer",
        JSON.createObjectNode().put("type", "Sequence").set("normalizers", normalizers));
    root.set(
        "pre_tokenizer",
        JSON.createObjectNode()
            .put("type", "Metaspace")
            .put("replacement", "▁")
            .put("prepend_scheme", "always")
            .put("split", true));
    Map<String, Integer> vocab = specials();
    for (String w : List.of("▁", "▁the", "▁cat", "▁sat", "▁a", "▁hello", "▁world", "▁e")) {
      vocab.putIfAbsent(w, vocab.size());
    }
    for (char c = 'a'; c <= 'z'; c++) {
      vocab.putIfAbsent("▁" + c, vocab.size());
      vocab.putIfAbsent("##" + c, vocab.size());
    }
    for (String piece : List.of("##ing", "##ed", "##s", "##.", "##,", "##-", "##é")) {
      vocab.putIfAbsent(piece, vocab.size());
    }
    root.set("model", wordPiece(vocab));
    return root;
  }

  /** Byte-level BPE (GPT-2/RoBERTa style) with a few merges. */
  private static ObjectNode byteLevelTokenizer() {
    ObjectNode root = skeleton();
    root.putNull("normalizer");
    root.set(
        "pre_tokenizer",
        JSON.createObjectNode()
            .put("type", "ByteLevel")
            .put("add_prefix_space", false)
            .put("trim_offsets", true)
            .put("use_regex", true));
    Map<String, Integer> vocab = specials();
    for (int b = 0; b < 256; b++) {
      vocab.putIfAbsent(String.valueOf(byteLevelChar(b)), vocab.size());
    }
    ArrayNode merges = JSON.createArrayNode();
    for (String[] m :
        new String[][] {
          {"Ġ", "t"},
          {"h", "e"},
          {"Ġt", "he"},
          {"a", "t"},
          {"Ġc", "at"},
          {"Ġ", "c"},
          {"Ġ", "Ġ"},
          {"Ċ", "Ċ"},
          {"Ġ", "s"},
          {"Ġs", "at"}
        }) {
      vocab.putIfAbsent(m[0] + m[1], vocab.size());
      merges.add(m[0] + " " + m[1]);
    }
    ObjectNode model =
        JSON.createObjectNode()
            .put("type", "BPE")
            .putNull("dropout")
            .putNull("unk_token")
            .putNull("continuing_subword_prefix")
            .putNull("end_of_word_suffix")
            .put("fuse_unk", false)
            .put("byte_fallback", false);
    model.set("vocab", JSON.valueToTree(vocab));
    model.set("merges", merges);
    root.set("model", model);
    return root;
  }

  /**
   * The Whitespace pre-tokenizer (\w+|[^\w\s]+) with BERT's normalizer and a WordPiece vocabulary.
   */
  private static ObjectNode whitespaceTokenizer() {
    ObjectNode root = skeleton();
    root.set(
        "normalizer",
        JSON.createObjectNode()
            .put("type", "BertNormalizer")
            .put("clean_text", true)
            .put("handle_chinese_chars", true)
            .putNull("strip_accents")
            .put("lowercase", true));
    root.set("pre_tokenizer", JSON.createObjectNode().put("type", "Whitespace"));
    Map<String, Integer> vocab = specials();
    for (String w : List.of("the", "cat", "sat", "hello", "world", "e", "mail", "'", "-", ".")) {
      vocab.putIfAbsent(w, vocab.size());
    }
    for (char c = 'a'; c <= 'z'; c++) {
      vocab.putIfAbsent(String.valueOf(c), vocab.size());
      vocab.putIfAbsent("##" + c, vocab.size());
    }
    root.set("model", wordPiece(vocab));
    return root;
  }

  /** GPT-2's map of bytes to printable characters. */
  private static char byteLevelChar(int b) {
    if ((b >= '!' && b <= '~') || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff)) {
      return (char) b;
    }
    int n = 0;
    for (int x = 0; x < b; x++) {
      if (!((x >= '!' && x <= '~') || (x >= 0xa1 && x <= 0xac) || (x >= 0xae && x <= 0xff))) {
        n++;
      }
    }
    return (char) (256 + n);
  }

  private static Map<String, Integer> specials() {
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (String s : List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]")) {
      vocab.put(s, vocab.size());
    }
    return vocab;
  }

  private static ObjectNode wordPiece(Map<String, Integer> vocab) {
    ObjectNode model =
        JSON.createObjectNode()
            .put("type", "WordPiece")
            .put("unk_token", "[UNK]")
            .put("continuing_subword_prefix", "##")
            .put("max_input_chars_per_word", 100);
    model.set("vocab", JSON.valueToTree(vocab));
    return model;
  }

  /** Added tokens and a [CLS] ... [SEP] template around the text. */
  private static ObjectNode skeleton() {
    ObjectNode root = JSON.createObjectNode().put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    String[] names = {"[PAD]", "[UNK]", "[CLS]", "[SEP]"};
    for (int i = 0; i < names.length; i++) {
      added.add(
          JSON.createObjectNode()
              .put("id", i)
              .put("content", names[i])
              .put("single_word", false)
              .put("lstrip", false)
              .put("rstrip", false)
              .put("normalized", false)
              .put("special", true));
    }
    ObjectNode post = JSON.createObjectNode().put("type", "TemplateProcessing");
    ArrayNode single = post.putArray("single");
    single.add(special("[CLS]"));
    single.add(
        JSON.createObjectNode()
            .set("Sequence", JSON.createObjectNode().put("id", "A").put("type_id", 0)));
    single.add(special("[SEP]"));
    ArrayNode pair = post.putArray("pair");
    pair.addAll(single.deepCopy());
    pair.add(
        JSON.createObjectNode()
            .set("Sequence", JSON.createObjectNode().put("id", "B").put("type_id", 1)));
    pair.add(special("[SEP]"));
    ObjectNode specialTokens = post.putObject("special_tokens");
    specialTokens.set("[CLS]", specialToken("[CLS]", 2));
    specialTokens.set("[SEP]", specialToken("[SEP]", 3));
    root.set("post_processor", post);
    root.putNull("decoder");
    return root;
  }

  private static ObjectNode special(String id) {
    return (ObjectNode)
        JSON.createObjectNode()
            .set("SpecialToken", JSON.createObjectNode().put("id", id).put("type_id", 0));
  }

  private static ObjectNode specialToken(String id, int value) {
    ObjectNode o = JSON.createObjectNode().put("id", id);
    o.putArray("ids").add(value);
    o.putArray("tokens").add(id);
    return o;
  }
}
