package io.jembed.toolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jembed.SimilarityFunction;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class FloatCorpusTest {
  @Property(tries = 60)
  void searchingAFloatCorpusEqualsSearchingTheRows(
      @ForAll long seed,
      @ForAll @IntRange(min = 0, max = 20) int queries,
      @ForAll @IntRange(min = 1, max = 150) int corpusSize,
      @ForAll @IntRange(min = 1, max = 40) int dim,
      @ForAll @IntRange(min = 1, max = 15) int k,
      @ForAll @IntRange(min = 1, max = 30) int corpusChunk,
      @ForAll SimilarityFunction similarity) {
    Random random = new Random(seed);
    float[][] q = SemanticSearchTest.randomVectors(random, queries, dim, 50);
    float[][] c = SemanticSearchTest.randomVectors(random, corpusSize, dim, corpusSize);
    FloatCorpus corpus = FloatCorpus.of(c);
    assertThat(corpus.size()).isEqualTo(corpusSize);
    assertThat(corpus.vector(corpusSize - 1)).containsExactly(c[corpusSize - 1]);
    List<List<Hit>> rows = SemanticSearch.search(q, c, k, similarity);
    assertThat(SemanticSearch.search(q, corpus, k, similarity, 7, corpusChunk)).isEqualTo(rows);
  }

  @Test
  void largeCorporaSpanSeveralPages() {
    // 300-d: 8192 vectors per 16 MB page, so 20000 vectors need three pages
    Random random = new Random(3);
    FloatCorpus.Builder builder = FloatCorpus.builder(300);
    float[][] rows = new float[20_000][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = SemanticSearchTest.randomVectors(random, 1, 300, 1)[0];
      builder.add(rows[i]);
    }
    FloatCorpus corpus = builder.build();
    assertThat(corpus.bytes()).isEqualTo(20_000L * 300 * 4);
    assertThat(corpus.vector(19_999)).containsExactly(rows[19_999]);
    assertThat(corpus.vector(8192)).containsExactly(rows[8192]);
    float[][] queries = {rows[12_345], rows[5]};
    List<List<Hit>> hits = SemanticSearch.search(queries, corpus, 3, SimilarityFunction.COSINE);
    assertThat(hits.get(0).get(0).corpusId()).isEqualTo(12_345);
    assertThat(hits.get(1).get(0).corpusId()).isEqualTo(5);
    assertThat(hits).isEqualTo(SemanticSearch.search(queries, rows, 3, SimilarityFunction.COSINE));
  }

  @Test
  void badInputIsRefusedWithAMessage() {
    assertThatThrownBy(() -> FloatCorpus.builder(2).add(new float[] {1, 2, 3}))
        .hasMessageContaining("corpus vector 0 has dimension 3, expected 2");
    assertThatThrownBy(() -> FloatCorpus.builder(0)).hasMessageContaining("dimension");
    FloatCorpus corpus = FloatCorpus.of(new float[][] {{1, 0}});
    assertThatThrownBy(() -> corpus.vector(1)).hasMessageContaining("vector 1 of a corpus of 1");
    assertThatThrownBy(
            () ->
                SemanticSearch.search(
                    new float[][] {{1, 0, 0}}, corpus, 1, SimilarityFunction.COSINE))
        .hasMessageContaining("dimension 3")
        .hasMessageContaining("dimension 2");
  }
}
