package io.jembed.toolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class DotKernelTest {
  private static final DotKernel SCALAR = new ScalarKernel();

  private static DotKernel panama() {
    assumeThat(ModuleLayer.boot().findModule("jdk.incubator.vector")).isPresent();
    return new PanamaKernel();
  }

  private static float[] random(Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  @Property(tries = 200)
  void panamaAndScalarAgreeBitForBit(
      @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 100) int dim,
      @ForAll @IntRange(min = 0, max = 5) int offset) {
    DotKernel panama = panama();
    Random r = new Random(seed);
    float[] q = random(r, 4 * dim + offset);
    float[] c = random(r, dim + offset);
    float expected = SCALAR.dot(q, offset, c, offset, dim);
    assertThat(panama.dot(q, offset, c, offset, dim)).isEqualTo(expected);
    // symmetric, which paraphrase mining relies on
    assertThat(SCALAR.dot(c, offset, q, offset, dim)).isEqualTo(expected);
    float[] four = new float[4];
    float[] fourScalar = new float[4];
    panama.dot4(q, offset, c, offset, dim, four);
    SCALAR.dot4(q, offset, c, offset, dim, fourScalar);
    assertThat(four).containsExactly(fourScalar);
    for (int i = 0; i < 4; i++) {
      assertThat(four[i]).isEqualTo(SCALAR.dot(q, offset + i * dim, c, offset, dim));
    }
    byte[] codes = new byte[dim + offset];
    r.nextBytes(codes);
    assertThat(panama.dotCodes(q, offset, codes, offset, dim))
        .isEqualTo(SCALAR.dotCodes(q, offset, codes, offset, dim));
  }

  @Property(tries = 100)
  void dotIsCloseToTheDoubleSum(@ForAll long seed, @ForAll @IntRange(min = 1, max = 400) int dim) {
    Random r = new Random(seed);
    float[] a = random(r, dim);
    float[] b = random(r, dim);
    double exact = 0;
    double magnitude = 0;
    for (int i = 0; i < dim; i++) {
      exact += (double) a[i] * b[i];
      magnitude += Math.abs((double) a[i] * b[i]);
    }
    assertThat((double) DotKernel.INSTANCE.dot(a, 0, b, 0, dim))
        .isCloseTo(exact, org.assertj.core.data.Offset.offset(1e-5 * magnitude + 1e-6));
    byte[] codes = new byte[dim];
    r.nextBytes(codes);
    double codeSum = 0;
    for (int i = 0; i < dim; i++) {
      codeSum += (double) a[i] * codes[i];
    }
    assertThat((double) SCALAR.dotCodes(a, 0, codes, 0, dim))
        .isCloseTo(codeSum, org.assertj.core.data.Offset.offset(1e-3 * dim));
  }
}
