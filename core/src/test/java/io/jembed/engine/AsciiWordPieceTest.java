package io.jembed.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jembed.LoadOptions;
import io.jembed.model.ModelResolver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java WordPiece path gives the tokenizers library's ids, type ids and truncation flags: for
 * generated text made of the pieces that matter (vocabulary words and fragments, unknown and very
 * long words, punctuation, whitespace, control characters, added tokens, some non-ASCII text that
 * must go to the library), for the whole STS benchmark, and for cased and BertProcessing variants.
 */
class AsciiWordPieceTest {
  /** Loaded once for both test engines (jqwik runs the properties, Jupiter the tests). */
  private static final class Shared {
    static final Path JSON =
        ModelResolver.resolve("all-MiniLM-L6-v2", LoadOptions.defaults())
            .directory()
            .resolve("tokenizer.json");
    static final TextTokenizer JAVA = TextTokenizer.load(JSON, 256, true, true, true);
    static final TextTokenizer LIBRARY = TextTokenizer.load(JSON, 256, true, false, true);
    // a short limit, so generated texts are often truncated
    static final TextTokenizer JAVA_SHORT = TextTokenizer.load(JSON, 9, false, true, true);
    static final TextTokenizer LIBRARY_SHORT = TextTokenizer.load(JSON, 9, false, false, true);
    static final AsciiWordPiece WORD_PIECE = AsciiWordPiece.of(JSON);

    static {
      // the Java path is built in the background; without it both sides would be the library
      assertThat(JAVA.awaitWordPiece()).isNotNull();
      assertThat(JAVA_SHORT.awaitWordPiece()).isNotNull();
      assertThat(LIBRARY.awaitWordPiece()).isNull();
    }
  }

  @Property(tries = 400)
  void generatedTextGetsTheLibrarysTokens(@ForAll("texts") List<String> texts) {
    assertSameTokens(Shared.JAVA, Shared.LIBRARY, texts);
    assertSameTokens(Shared.JAVA_SHORT, Shared.LIBRARY_SHORT, texts);
    for (String text : texts) {
      assertThat(Shared.JAVA.countTokens(text))
          .as(text)
          .isEqualTo(Shared.LIBRARY.countTokens(text));
    }
  }

  @Property(tries = 200)
  void plainAsciiTakesTheJavaPathAndOtherTextTheLibrary(
      @ForAll("texts") List<String> texts, @ForAll @IntRange(min = 3, max = 300) int maxLength) {
    for (String text : texts) {
      boolean ascii = text.chars().allMatch(c -> c < 0x80);
      boolean added = text.toLowerCase().matches("(?s).*\\[(pad|unk|cls|sep|mask)].*");
      assertThat(Shared.WORD_PIECE.encode(text, maxLength) != null)
          .as(text)
          .isEqualTo(ascii && !added);
    }
  }

  @Test
  void everyStsSentenceGetsTheLibrarysTokensOnTheJavaPath() throws Exception {
    Path sts =
        Path.of(System.getProperty("jembed.shared.dir", "../../shared"), "data", "sts-test.csv");
    assumeTrue(Files.exists(sts), "STS benchmark not available");
    List<String> sentences = new ArrayList<>();
    for (String line : Files.readAllLines(sts, StandardCharsets.UTF_8)) {
      String[] fields = line.split("\t");
      if (fields.length >= 7) {
        sentences.add(fields[5]);
        sentences.add(fields[6]);
      }
    }
    assertThat(sentences).hasSizeGreaterThan(2000);
    assertSameTokens(Shared.JAVA, Shared.LIBRARY, sentences);
    long javaPath =
        sentences.stream().filter(s -> Shared.WORD_PIECE.encode(s, 256) != null).count();
    assertThat(javaPath).isEqualTo(sentences.size());
  }

  @Test
  void casedAndBertProcessingVariantsGetTheLibrarysTokens(@TempDir Path dir) throws Exception {
    ObjectNode cased = bundledTokenizerJson();
    ((ObjectNode) cased.get("normalizer")).put("lowercase", false);
    ObjectNode bert = bundledTokenizerJson();
    ObjectNode post = JSON.createObjectNode().put("type", "BertProcessing");
    post.set("sep", JSON.createArrayNode().add("[SEP]").add(102));
    post.set("cls", JSON.createArrayNode().add("[CLS]").add(101));
    bert.set("post_processor", post);
    List<String> texts =
        List.of(
            "The Cat sat on the MAT.",
            "Hello, WORLD!! (x2) -- e-mail: A.B@example.com",
            "UNAFFABLE Unaffable unaffable",
            "",
            "  \t\n ");
    for (ObjectNode variant : new ObjectNode[] {cased, bert}) {
      Path file = write(dir, variant);
      assertThat(AsciiWordPiece.of(file)).isNotNull();
      try (TextTokenizer a = TextTokenizer.load(file, 256, false, true, true);
          TextTokenizer b = TextTokenizer.load(file, 256, false, false, true)) {
        assertThat(a.awaitWordPiece()).isNotNull();
        assertSameTokens(a, b, texts);
      }
    }
  }

  @Test
  void otherTokenizerShapesStayWithTheLibrary(@TempDir Path dir) throws Exception {
    ObjectNode noClean = bundledTokenizerJson();
    ((ObjectNode) noClean.get("normalizer")).put("clean_text", false);
    ObjectNode sequence = bundledTokenizerJson();
    ArrayNode steps = JSON.createArrayNode().add(sequence.get("normalizer"));
    sequence.set(
        "normalizer", JSON.createObjectNode().put("type", "Sequence").set("normalizers", steps));
    for (ObjectNode variant : new ObjectNode[] {noClean, sequence}) {
      assertThat(AsciiWordPiece.of(write(dir, variant))).isNull();
    }
    assertThat(AsciiWordPiece.of(dir.resolve("missing.json"))).isNull();
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode bundledTokenizerJson() throws IOException {
    return (ObjectNode) JSON.readTree(Shared.JSON.toFile());
  }

  private static Path write(Path dir, ObjectNode tokenizerJson) throws IOException {
    Path file = Files.createTempFile(dir, "tokenizer", ".json");
    JSON.writeValue(file.toFile(), tokenizerJson);
    return file;
  }

  private static void assertSameTokens(TextTokenizer a, TextTokenizer b, List<String> texts) {
    TextTokenizer.Tokens[] x = a.encode(texts);
    TextTokenizer.Tokens[] y = b.encode(texts);
    assertThat(x).hasSameSizeAs(y);
    for (int i = 0; i < x.length; i++) {
      String text = texts.get(i);
      assertThat(x[i].ids()).as("ids of %s", text).containsExactly(y[i].ids());
      assertThat(x[i].typeIds()).as("type ids of %s", text).containsExactly(y[i].typeIds());
      assertThat(x[i].truncated()).as("truncation of %s", text).isEqualTo(y[i].truncated());
    }
  }

  /** Vocabulary words and fragments, cased, unknown and very long ones. */
  static final List<String> WORDS =
      List.of(
          "the",
          "The",
          "CAT",
          "sat",
          "unaffable",
          "embeddings",
          "jembed",
          "qzxv",
          "##ing",
          "ing",
          "a",
          "I",
          "don",
          "t",
          "e-mail",
          "3.14",
          "1999",
          "x2",
          "hello",
          "WORLD",
          "sentence",
          "transformers",
          "Xylophonist",
          "antidisestablishmentarianism");

  @Provide
  Arbitrary<List<String>> texts() {
    Arbitrary<String> word = Arbitraries.of(WORDS);
    Arbitrary<String> longWord =
        Arbitraries.integers().between(95, 105).map(n -> "ab".repeat(n).substring(0, n));
    Arbitrary<String> punctuation =
        Arbitraries.strings()
            .withChars("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
            .ofMinLength(1)
            .ofMaxLength(3);
    Arbitrary<String> space = Arbitraries.of(" ", "  ", "\t", "\n", "\r\n", " \u000b ", "\f");
    Arbitrary<String> control = Arbitraries.of("\u0000", "\u0001", "\u001f", "\u007f", "\u000b");
    Arbitrary<String> added = Arbitraries.of("[MASK]", "[cls]", "[SEP]", "[unk]", "[PAD]", "[MAS");
    Arbitrary<String> nonAscii =
        Arbitraries.of("café", "naïve", "\u00a0", "’", "中文", "Ω", "\uFFFD", "😀", "e\u0301");
    Arbitrary<String> anyAscii = Arbitraries.strings().ascii().ofMaxLength(6);
    Arbitrary<String> part =
        Arbitraries.frequencyOf(
            Tuple.of(30, word),
            Tuple.of(20, space),
            Tuple.of(10, punctuation),
            Tuple.of(6, anyAscii),
            Tuple.of(3, control),
            Tuple.of(2, longWord),
            Tuple.of(2, added),
            Tuple.of(2, nonAscii));
    Arbitrary<String> text = part.list().ofMaxSize(24).map(parts -> String.join("", parts));
    return text.list().ofMinSize(1).ofMaxSize(6);
  }
}
