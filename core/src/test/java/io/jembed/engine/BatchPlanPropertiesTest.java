package io.jembed.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** How the engine cuts length-sorted texts into batches, for any lengths and limits. */
class BatchPlanPropertiesTest {

  @Property
  void batchesCoverEveryTextOnceWithinTheLimits(
      @ForAll @Size(max = 300) List<@IntRange(min = 1, max = 256) Integer> lengths,
      @ForAll @IntRange(min = 1, max = 64) int batchSize,
      @ForAll @IntRange(min = 1, max = 4096) int maxBatchTokens,
      @ForAll boolean equalLengths) {
    TextTokenizer.Tokens[] tokens = tokens(lengths);
    Integer[] order = longestFirst(tokens);

    List<int[]> batches =
        Pipeline.planBatches(tokens, order, batchSize, maxBatchTokens, equalLengths);

    int next = 0;
    for (int[] batch : batches) {
      assertThat(batch[0]).isEqualTo(next);
      assertThat(batch[1]).isBetween(1, batchSize);
      int longest = tokens[order[batch[0]]].length();
      // a single text longer than the budget still gets a batch of its own
      assertThat(batch[1] == 1 || batch[1] * longest <= maxBatchTokens).isTrue();
      if (equalLengths) {
        for (int k = batch[0]; k < batch[0] + batch[1]; k++) {
          assertThat(tokens[order[k]].length()).isEqualTo(longest);
        }
      }
      next += batch[1];
    }
    assertThat(next).isEqualTo(tokens.length);
  }

  @Property
  void equalLengthBatchesAddAtMostOneBatchPerDistinctLength(
      @ForAll @Size(max = 300) List<@IntRange(min = 1, max = 40) Integer> lengths) {
    TextTokenizer.Tokens[] tokens = tokens(lengths);
    Integer[] order = longestFirst(tokens);
    int padded = Pipeline.planBatches(tokens, order, 32, 1 << 20, false).size();
    int equal = Pipeline.planBatches(tokens, order, 32, 1 << 20, true).size();
    long distinct = lengths.stream().distinct().count();
    assertThat(equal).isBetween(padded, padded + (int) distinct);
  }

  private static TextTokenizer.Tokens[] tokens(List<Integer> lengths) {
    return lengths.stream()
        .map(n -> new TextTokenizer.Tokens(new long[n], new long[n], false))
        .toArray(TextTokenizer.Tokens[]::new);
  }

  /** The engine's order: longest first. */
  private static Integer[] longestFirst(TextTokenizer.Tokens[] tokens) {
    Integer[] order = new Integer[tokens.length];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, (a, b) -> Integer.compare(tokens[b].length(), tokens[a].length()));
    return order;
  }
}
