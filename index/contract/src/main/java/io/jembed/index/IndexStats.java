package io.jembed.index;

import io.jembed.ModelInfo;
import java.util.Map;

/**
 * What an index holds and costs.
 *
 * @param documents live documents
 * @param chunks live chunks (vectors)
 * @param deletedChunks chunks deleted or replaced but not yet merged away
 * @param segments Lucene segments
 * @param bytesOnDisk total size of the index files
 * @param bytesByPart size on disk by part: "vectors (float)", "vectors (quantized)", "graph", "text
 *     and metadata", ...
 * @param model the model the index was built with
 * @param quantization how the graph stores vectors
 */
public record IndexStats(
    long documents,
    long chunks,
    long deletedChunks,
    int segments,
    long bytesOnDisk,
    Map<String, Long> bytesByPart,
    ModelInfo model,
    Quantization quantization) {
  public IndexStats {
    bytesByPart = Map.copyOf(bytesByPart);
  }
}
