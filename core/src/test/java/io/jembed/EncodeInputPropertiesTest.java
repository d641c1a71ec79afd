package io.jembed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Any text, including malformed Unicode, gives a finite unit vector in input order. */
class EncodeInputPropertiesTest {
  static SentenceTransformer model;

  @BeforeContainer
  static void load() {
    model = SentenceTransformer.load("all-MiniLM-L6-v2");
  }

  @AfterContainer
  static void close() {
    model.close();
  }

  @Property(tries = 60)
  void anyStringEncodesToAFiniteUnitVector(
      @ForAll @StringLength(max = 300) @CharRange(from = '\u0000', to = '\uFFFF') String text) {
    float[] v = model.encode(text);
    assertThat(v).hasSize(384);
    for (float x : v) {
      assertThat(Float.isFinite(x)).isTrue();
    }
    assertThat(Vectors.norm(v)).isCloseTo(1.0, within(1e-4));
    assertThat(model.countTokens(text)).isGreaterThanOrEqualTo(2);
  }

  @Property(tries = 15)
  void batchesKeepInputOrder(
      @ForAll @Size(min = 1, max = 12)
          List<@StringLength(max = 40) @Chars({'a', 'b', ' ', 'z', '.', 'é'}) String> texts) {
    Embeddings batch = model.encode(texts, EncodeOptions.builder().batchSize(3).build());
    assertThat(batch.size()).isEqualTo(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      assertThat(batch.get(i)).containsExactly(model.encode(texts.get(i)), within(1e-5f));
    }
  }
}
