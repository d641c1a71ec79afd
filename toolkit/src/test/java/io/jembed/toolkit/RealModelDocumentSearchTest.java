package io.jembed.toolkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.jembed.EmbeddingModel;
import io.jembed.EncodeOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Long documents with the real default model: the answer sits past its 256-token limit. */
class RealModelDocumentSearchTest {

  @Test
  void findsTheAnswerPastTheModelsLimit() {
    try (EmbeddingModel model = EmbeddingModel.load("all-MiniLM-L6-v2")) {
      String filler =
          "The committee reviewed the quarterly budget and approved the minutes of the last"
              + " meeting without further discussion. ";
      String manual =
          filler.repeat(20)
              + "\n\nTo renew a TLS certificate with certbot, run certbot renew and reload nginx.";
      List<Document> docs =
          List.of(
              new Document("minutes", filler.repeat(3)),
              new Document("manual", manual),
              new Document("recipe", "Whisk eggs and sugar, fold in flour, bake for 25 minutes."));
      assertThat(model.countTokens(manual)).isGreaterThan(model.maxSeqLength());
      assertThat(model.encode(List.of(manual), EncodeOptions.defaults()).truncated(0)).isTrue();

      DocumentSearch index = DocumentSearch.build(model, docs);
      for (int i = 0; i < index.chunkCount(); i++) {
        assertThat(model.countTokens(index.chunk(i).text()))
            .isLessThanOrEqualTo(model.maxSeqLength());
      }
      DocumentHit best = index.search(model, "how do I renew my TLS certificate?", 3).get(0);
      assertThat(best.document().id()).isEqualTo("manual");
      assertThat(best.chunkCount()).isGreaterThan(1);
      assertThat(best.chunk().text()).contains("certbot");
      assertThat(manual.substring(best.chunk().start(), best.chunk().end()))
          .isEqualTo(best.chunk().text());
    }
  }
}
