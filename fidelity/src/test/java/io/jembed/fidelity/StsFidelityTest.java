package io.jembed.fidelity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jembed.SentenceTransformer;
import io.jembed.toolkit.eval.StsEvaluator;
import io.jembed.toolkit.eval.StsResult;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * STS benchmark (dev split) Spearman correlations of every bundled model. all-MiniLM-L6-v2 must
 * reproduce sentence-transformers' 0.867; int8 variants must stay within 0.005 of their float32
 * models.
 */
class StsFidelityTest {
  static final Map<String, StsResult> results = new LinkedHashMap<>();

  static StsResult evaluate(String name) {
    return results.computeIfAbsent(
        name,
        n -> {
          try (SentenceTransformer m = SentenceTransformer.load(n)) {
            return StsEvaluator.evaluate(m, Shared.data("sts-dev.csv"), 64);
          }
        });
  }

  @AfterAll
  static void report() {
    results.forEach(
        (name, r) ->
            System.out.printf(
                "STS-B dev %-24s spearman %.4f pearson %.4f pairs %d (%.1f s)%n",
                name, r.spearman(), r.pearson(), r.pairs(), r.seconds()));
  }

  @Test
  void allMiniLmMatchesSentenceTransformers() {
    StsResult r = evaluate("all-MiniLM-L6-v2");
    assertThat(r.pairs()).isEqualTo(1500);
    assertThat(r.spearman()).isCloseTo(0.867, within(0.002));
  }

  @Test
  void allMiniLmInt8StaysClose() {
    assertThat(evaluate("all-MiniLM-L6-v2-int8").spearman())
        .isCloseTo(evaluate("all-MiniLM-L6-v2").spearman(), within(0.005));
  }

  @Test
  void bgeSmallAndItsInt8Variant() {
    double fp32 = evaluate("bge-small-en-v1.5").spearman();
    assertThat(fp32).isGreaterThan(0.85);
    assertThat(evaluate("bge-small-en-v1.5-int8").spearman()).isCloseTo(fp32, within(0.005));
  }

  @Test
  void e5SmallAndItsInt8Variant() {
    double fp32 = evaluate("e5-small-v2").spearman();
    assertThat(fp32).isGreaterThan(0.85);
    assertThat(evaluate("e5-small-v2-int8").spearman()).isCloseTo(fp32, within(0.005));
  }
}
