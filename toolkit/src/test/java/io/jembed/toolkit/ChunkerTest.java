package io.jembed.toolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jembed.testing.HashingModel;
import java.util.List;
import java.util.function.ToIntFunction;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ChunkerTest {
  private static final HashingModel MODEL = new HashingModel("words", 16, 512);
  private static final ToIntFunction<String> WORD_TOKENS = MODEL::countTokens;

  /** Not additive across joins: a join can merge or split tokens, like real subword tokenizers. */
  private static final ToIntFunction<String> CHARACTER_TOKENS =
      s -> 2 + (s.replaceAll("\\s+", " ").length() + 3) / 4;

  @Provide
  Arbitrary<String> documents() {
    Arbitrary<String> word =
        Arbitraries.oneOf(
            Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(8),
            Arbitraries.strings().withCharRange('a', 'z').ofMinLength(20).ofMaxLength(90),
            Arbitraries.of("Dr.", "U.S.", "3.14", "—", "日本語のテキスト", "😀", "a,b", "x\ty"));
    Arbitrary<String> sentence =
        word.list().ofMinSize(1).ofMaxSize(12).map(ws -> String.join(" ", ws) + ". ");
    Arbitrary<String> paragraph =
        sentence.list().ofMinSize(1).ofMaxSize(6).map(ss -> String.join("", ss));
    return paragraph
        .list()
        .ofMinSize(0)
        .ofMaxSize(6)
        .flatMap(
            ps ->
                Arbitraries.of("\n\n", "\n \n", "\n", "  ", "\r\n\r\n")
                    .map(sep -> "  " + String.join(sep, ps) + "\n"));
  }

  @Property(tries = 300)
  void chunksFitTheBudgetMapBackAndCoverTheText(
      @ForAll("documents") String text,
      @ForAll @IntRange(min = 9, max = 60) int maxTokens,
      @ForAll boolean additive,
      @ForAll boolean withPrompt) {
    ToIntFunction<String> counter = additive ? WORD_TOKENS : CHARACTER_TOKENS;
    String prompt = withPrompt ? "search document: " : "";
    Chunker chunker =
        Chunker.builder().tokenCounter(counter).maxTokens(maxTokens).prompt(prompt).build();
    List<Chunk> chunks = chunker.chunk(text);
    int covered = 0;
    for (int i = 0; i < chunks.size(); i++) {
      Chunk c = chunks.get(i);
      assertThat(c.index()).isEqualTo(i);
      assertThat(text.substring(c.start(), c.end())).isEqualTo(c.text());
      assertThat(c.text()).isNotBlank().isEqualTo(c.text().strip());
      assertThat(c.tokenCount()).isEqualTo(counter.applyAsInt(prompt + c.text()));
      // a budget smaller than one code point's tokens cannot be met; otherwise it always is
      if (c.text().codePointCount(0, c.text().length()) > 1) {
        assertThat(c.tokenCount()).isLessThanOrEqualTo(maxTokens);
      }
      assertThat(text.substring(covered, c.start())).as("gap before chunk %d", i).isBlank();
      covered = c.end();
    }
    assertThat(text.substring(covered)).isBlank();
  }

  @Property(tries = 200)
  void overlappingChunksStillCoverTheTextInOrder(
      @ForAll("documents") String text,
      @ForAll @IntRange(min = 8, max = 40) int maxTokens,
      @ForAll @IntRange(min = 1, max = 7) int overlap) {
    Chunker chunker =
        Chunker.builder()
            .tokenCounter(WORD_TOKENS)
            .maxTokens(maxTokens)
            .overlapTokens(overlap)
            .build();
    List<Chunk> chunks = chunker.chunk(text);
    int covered = 0;
    int previousStart = -1;
    for (Chunk c : chunks) {
      assertThat(c.start()).isGreaterThan(previousStart);
      assertThat(c.end()).isGreaterThan(covered);
      assertThat(c.tokenCount()).isLessThanOrEqualTo(maxTokens);
      assertThat(text.substring(c.start(), c.end())).isEqualTo(c.text());
      if (c.start() > covered) {
        assertThat(text.substring(covered, c.start())).isBlank();
      }
      previousStart = c.start();
      covered = c.end();
    }
    assertThat(text.substring(covered)).isBlank();
  }

  @Test
  void shortTextIsOneChunk() {
    Chunker chunker = Chunker.builder().tokenCounter(WORD_TOKENS).maxTokens(10).build();
    List<Chunk> chunks = chunker.chunk("\n  Hello world.  \n");
    assertThat(chunks).containsExactly(new Chunk(0, "Hello world.", 3, 15, 4));
    assertThat(chunker.chunk(" \n\t ")).isEmpty();
    assertThat(chunker.chunk("")).isEmpty();
  }

  @Test
  void prefersParagraphsThenSentences() {
    String text = "One two three. Four five six.\n\nSeven eight nine. Ten more words.";
    // 2 special tokens + 6 words: each paragraph fits, both together do not
    List<Chunk> chunks =
        Chunker.builder().tokenCounter(WORD_TOKENS).maxTokens(9).build().chunk(text);
    assertThat(chunks)
        .extracting(Chunk::text)
        .containsExactly("One two three. Four five six.", "Seven eight nine. Ten more words.");
    List<Chunk> sentences =
        Chunker.builder().tokenCounter(WORD_TOKENS).maxTokens(6).build().chunk(text);
    assertThat(sentences)
        .extracting(Chunk::text)
        .containsExactly(
            "One two three.", "Four five six.", "Seven eight nine.", "Ten more words.");
  }

  @Test
  void splitsAWordLongerThanTheBudget() {
    String url = "https://example.com/" + "abcdefghij".repeat(10);
    List<Chunk> chunks =
        Chunker.builder().tokenCounter(WORD_TOKENS).maxTokens(5).build().chunk(url);
    assertThat(chunks.size()).isGreaterThan(1);
    StringBuilder joined = new StringBuilder();
    chunks.forEach(c -> joined.append(c.text()));
    assertThat(joined.toString()).isEqualTo(url);
    chunks.forEach(c -> assertThat(c.tokenCount()).isLessThanOrEqualTo(5));
  }

  @Test
  void theModelsLimitAndPromptAreTheDefaultBudget() {
    HashingModel model =
        new HashingModel("prompted", 16, 12, true, java.util.Map.of("document", "passage: "));
    Chunker chunker = Chunker.forModel(model);
    assertThat(chunker.maxTokens()).isEqualTo(12);
    assertThat(chunker.prompt()).isEqualTo("passage: ");
    String text =
        "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron";
    for (Chunk c : chunker.chunk(text)) {
      assertThat(model.countTokens("passage: " + c.text())).isLessThanOrEqualTo(12);
    }
  }

  @Test
  void impossibleSettingsAreRefused() {
    assertThatThrownBy(
            () ->
                Chunker.builder()
                    .tokenCounter(WORD_TOKENS)
                    .maxTokens(3)
                    .prompt("a long prompt")
                    .build())
        .hasMessageContaining("leaves no room");
    assertThatThrownBy(
            () ->
                Chunker.builder().tokenCounter(WORD_TOKENS).maxTokens(10).overlapTokens(10).build())
        .hasMessageContaining("overlap");
    assertThatThrownBy(() -> Chunker.builder().maxTokens(10).build())
        .hasMessageContaining("token counter");
  }
}
