package io.jembed.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jembed.ModelInfo;
import io.jembed.SimilarityFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class TokenCountingTest {

  /** A local model (so inputs may be cut) that records how long the texts it counted were. */
  static final class RecordingModel extends FakeModel {
    final List<Integer> counted = new ArrayList<>();

    @Override
    public ModelInfo info() {
      return new ModelInfo(
          "local", "fake", "", 4, MAX_SEQ, false, SimilarityFunction.COSINE, Map.of(), null);
    }

    @Override
    public int countTokens(String text) {
      counted.add(text.length());
      return super.countTokens(text);
    }
  }

  @Test
  void aHugeInputIsCountedByItsHeadOnly() {
    RecordingModel model = new RecordingModel();
    String huge = "word ".repeat(400_000); // 2 MB
    Batcher.Inputs inputs = TokenCounting.count(model, "fake", List.of(huge, "short one"), true);
    assertThat(model.counted).allMatch(n -> n <= FakeModel.MAX_SEQ * TokenCounting.CHARS_PER_TOKEN);
    assertThat(inputs.texts().get(0))
        .isNotEqualTo(huge)
        .satisfies(t -> assertThat(huge).startsWith(t));
    assertThat(inputs.tokenCounts()).containsExactly(FakeModel.MAX_SEQ, 4);
    assertThat(inputs.truncated()).containsExactly(true, false);
  }

  @Test
  void textOfFewLongWordsIsTriedWithMoreCharactersThenWhole() {
    RecordingModel model = new RecordingModel();
    String sparse = ("x".repeat(300) + " ").repeat(100); // one token per 301 characters
    Batcher.Inputs inputs = TokenCounting.count(model, "fake", List.of(sparse), true);
    assertThat(inputs.texts().get(0))
        .isEqualTo(sparse.substring(0, inputs.texts().get(0).length()));
    // the kept head (or the whole) still holds everything the model keeps
    assertThat(FakeModel.tokens(inputs.texts().get(0))).isGreaterThanOrEqualTo(FakeModel.MAX_SEQ);
  }

  @Test
  void tooLongInputsAreRefusedWhenTruncationIsOff() {
    RecordingModel model = new RecordingModel();
    assertThatThrownBy(
            () ->
                TokenCounting.count(model, "fake", List.of("fine", "word ".repeat(100_000)), false))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("input 1 has more than")
        .hasMessageContaining("tokens");
  }

  /**
   * Whatever the text, the cut one starts the same words and keeps at least what the model keeps.
   */
  @Property(tries = 60)
  void aCutTextKeepsEveryTokenTheModelKeeps(
      @ForAll @IntRange(min = 1, max = 40) int wordLength,
      @ForAll @IntRange(min = 0, max = 3000) int words) {
    RecordingModel model = new RecordingModel();
    String text = ("y".repeat(wordLength) + " ").repeat(words);
    Batcher.Inputs inputs = TokenCounting.count(model, "fake", List.of(text), true);
    String kept = inputs.texts().get(0);
    assertThat(text).startsWith(kept);
    int all = FakeModel.tokens(text);
    assertThat(FakeModel.tokens(kept)).isGreaterThanOrEqualTo(Math.min(all, FakeModel.MAX_SEQ));
    assertThat(inputs.tokenCounts()[0]).isEqualTo(Math.min(all, FakeModel.MAX_SEQ));
    assertThat(inputs.truncated()[0])
        .isEqualTo(!kept.equals(text) && !text.substring(kept.length()).isBlank());
  }
}
