package io.jembed.toolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jembed.EncodeOptions;
import io.jembed.testing.HashingModel;
import java.util.List;
import org.junit.jupiter.api.Test;

class DocumentSearchTest {
  private final HashingModel model = new HashingModel("docs", 256, 16);

  @Test
  void findsTextPastTheModelsLimitAndReportsTheChunk() {
    String filler = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do. ".repeat(6);
    String longDoc = filler + "\n\nThe kraken sleeps beneath the northern glacier.";
    List<Document> docs =
        List.of(
            new Document("a", "Bread needs flour, water and salt."),
            new Document("b", longDoc),
            new Document("c", "Trains leave the station every hour."));
    DocumentSearch index = DocumentSearch.build(model, docs);
    assertThat(index.chunkCount()).isGreaterThan(3);
    // the whole document, truncated to 16 tokens, would never mention the kraken
    assertThat(model.encode(List.of(longDoc), EncodeOptions.defaults()).truncated(0)).isTrue();

    List<DocumentHit> hits = index.search(model, "kraken sleeps beneath glacier", 2);
    DocumentHit best = hits.get(0);
    assertThat(best.document().id()).isEqualTo("b");
    assertThat(best.chunkCount()).isGreaterThan(1);
    assertThat(best.chunk().text()).contains("kraken");
    assertThat(longDoc.substring(best.chunk().start(), best.chunk().end()))
        .isEqualTo(best.chunk().text());
    assertThat(hits).hasSize(2);
    assertThat(hits.get(1).score()).isLessThan(best.score());
  }

  @Test
  void eachDocumentAppearsOnceAndKIsCapped() {
    List<Document> docs =
        List.of(new Document("1", "alpha beta"), new Document("2", "alpha gamma"));
    List<DocumentHit> hits = DocumentSearch.build(model, docs).search(model, "alpha", 10);
    assertThat(hits).extracting(h -> h.document().id()).containsExactlyInAnyOrder("1", "2");
  }

  @Test
  void refusesQueriesFromAnotherModelAndBlankQueries() {
    DocumentSearch index = DocumentSearch.build(model, List.of(new Document("1", "alpha")));
    HashingModel other = new HashingModel("other", 256, 16);
    assertThatThrownBy(() -> index.search(other, "alpha", 1))
        .hasMessageContaining("not comparable")
        .hasMessageContaining("other");
    assertThatThrownBy(() -> index.search(model, " ", 1)).hasMessageContaining("blank");
    assertThatThrownBy(() -> DocumentSearch.build(model, List.of(new Document("1", "  "))))
        .hasMessageContaining("empty");
  }
}
