package io.jembed.hosted;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class InputHandlingPropertiesTest {

  @Property
  void batchesCoverEveryInputOnceInOrderWithinLimits(
      @ForAll @Size(max = 300) List<@IntRange(min = 1, max = 5_000) Integer> estimates,
      @ForAll @IntRange(min = 1, max = 50) int maxInputs,
      @ForAll @IntRange(min = 1, max = 20_000) int maxTokens) {
    int[] tokens = estimates.stream().mapToInt(Integer::intValue).toArray();
    var batches = BatchPlanner.plan(tokens, maxInputs, maxTokens);
    int expectedStart = 0;
    for (var b : batches) {
      assertThat(b.start()).isEqualTo(expectedStart);
      assertThat(b.size()).isBetween(1, maxInputs);
      long sum = 0;
      for (int i = b.start(); i < b.end(); i++) {
        sum += tokens[i];
      }
      assertThat(b.estimatedTokens()).isEqualTo(sum);
      // only an input over the budget on its own may exceed it
      assertThat(sum <= maxTokens || b.size() == 1).isTrue();
      expectedStart = b.end();
    }
    assertThat(expectedStart).isEqualTo(tokens.length);
  }

  @Property
  void tokenEstimateIsAtLeastTheWordCount(@ForAll String text) {
    String t = text.strip();
    int words = t.isEmpty() ? 0 : t.split("\\s+").length;
    assertThat(TokenEstimator.estimate(text)).isGreaterThanOrEqualTo(Math.max(words, 1));
  }

  @Property
  void base64EmbeddingsDecodeToTheSameFloats(@ForAll @Size(min = 1, max = 64) float[] values)
      throws Exception {
    ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(values);
    float[] decoded = Wire.decodeBase64(Base64.getEncoder().encodeToString(buf.array()), "x");
    assertThat(decoded).containsExactly(values);
  }
}
