package io.jembed.index.spi;

import io.jembed.EmbeddingModel;
import io.jembed.EncodeOptions;
import io.jembed.JembedException;
import io.jembed.index.Document;
import io.jembed.index.IndexMetadata;
import io.jembed.index.StoredDocument;
import io.jembed.toolkit.Chunk;
import io.jembed.toolkit.Chunker;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Chunking on ingest, the same for every store: a document's text is cut to the model's token
 * budget (the index's max tokens and overlap) and every chunk of a batch is embedded in one call; a
 * document that brings its own vector is one chunk.
 */
final class Ingest {
  private final EmbeddingModel model; // null: only documents with their own vectors
  private final Chunker chunker;

  Ingest(EmbeddingModel model, IndexMetadata metadata) {
    this.model = model;
    this.chunker =
        model == null
            ? null
            : Chunker.builder()
                .model(model)
                .maxTokens(metadata.maxTokens())
                .overlapTokens(metadata.overlapTokens())
                .build();
  }

  List<StoredDocument> embed(Collection<Document> documents) {
    List<List<Chunk>> chunksPerDoc = new ArrayList<>(documents.size());
    List<String> toEmbed = new ArrayList<>();
    for (Document doc : documents) {
      if (doc.hasVector()) {
        chunksPerDoc.add(List.of(new Chunk(0, doc.text(), 0, doc.text().length(), 0)));
        continue;
      }
      if (doc.text().isBlank()) {
        throw new IllegalArgumentException(
            "document '" + doc.id() + "' has no text and no vector: nothing to index");
      }
      if (chunker == null) {
        throw new JembedException(
            "this index was opened without a model: give documents pre-computed vectors");
      }
      List<Chunk> chunks = chunker.chunk(doc.text());
      chunksPerDoc.add(chunks);
      for (Chunk c : chunks) {
        toEmbed.add(c.text());
      }
    }
    // every chunk of the batch in one call: batched inference
    float[][] vectors =
        toEmbed.isEmpty()
            ? new float[0][]
            : model.encodeDocument(toEmbed, EncodeOptions.defaults()).vectors();
    List<StoredDocument> out = new ArrayList<>(documents.size());
    int next = 0;
    int i = 0;
    for (Document doc : documents) {
      List<StoredDocument.Chunk> chunks = new ArrayList<>();
      for (Chunk c : chunksPerDoc.get(i++)) {
        float[] v = doc.hasVector() ? doc.vector() : vectors[next++];
        chunks.add(new StoredDocument.Chunk(c.index(), c.text(), c.start(), c.end(), v));
      }
      out.add(new StoredDocument(doc.id(), doc.text(), doc.metadata(), chunks));
    }
    return out;
  }
}
