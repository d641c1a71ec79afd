package io.jembed.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.jembed.index.spi.ChunkHit;
import io.jembed.index.spi.RankFusion;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class RankFusionTest {
  @Test
  void scoresAreSumsOfWeightOverRankAndHitsMeetByDocument() {
    List<ChunkHit> vector = List.of(hit("a", 0), hit("b", 0), hit("c", 1));
    List<ChunkHit> keyword = List.of(hit("c", 0), hit("a", 3));
    List<ChunkHit> fused = RankFusion.fuse(vector, 1.0, keyword, 2.0, 60, true);
    assertThat(fused).extracting(ChunkHit::id).containsExactly("c", "a", "b");
    assertThat(fused.get(0).score()).isCloseTo(1.0 / 63 + 2.0 / 61, Offset.offset(1e-12));
    assertThat(fused.get(1).score()).isCloseTo(1.0 / 61 + 2.0 / 62, Offset.offset(1e-12));
    assertThat(fused.get(0).chunk()).isEqualTo(1); // the chunk seen first (the vector ranking's)
    // by chunk: a#0 and a#3 are two hits
    assertThat(RankFusion.fuse(vector, 1.0, keyword, 2.0, 60, false)).hasSize(5);
  }

  private static ChunkHit hit(String id, int chunk) {
    return new ChunkHit(id, chunk, 0.5, 0);
  }
}
