package io.jembed.index.lucene;

import io.jembed.index.Quantization;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene102.Lucene102HnswBinaryQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene103.Lucene103Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;

/**
 * Lucene's default codec with the vector format chosen by the index's quantization. The format's
 * name is written per field, so the index reads back with the stock codec: no SPI registration.
 */
final class JembedCodec extends Lucene103Codec {
  private final KnnVectorsFormat vectors;

  JembedCodec(Quantization quantization, int m, int beamWidth) {
    this.vectors =
        switch (quantization) {
          case NONE -> new Lucene99HnswVectorsFormat(m, beamWidth);
          // 7 bits rather than 8: Lucene's int8 uses signed 7-bit values for fast dot products
          case INT8 ->
              new Lucene99HnswScalarQuantizedVectorsFormat(m, beamWidth, 1, 7, false, null, null);
          case INT4 ->
              new Lucene99HnswScalarQuantizedVectorsFormat(m, beamWidth, 1, 4, true, null, null);
          case BINARY -> new Lucene102HnswBinaryQuantizedVectorsFormat(m, beamWidth);
        };
  }

  @Override
  public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
    return vectors;
  }
}
