package io.jembed.index.spi;

import io.jembed.index.Filter;

/**
 * One vector search as a store runs it.
 *
 * @param vector the query vector (unit length for models whose vectors are normalized)
 * @param count how many chunks to return, best first
 * @param filter the metadata condition every returned chunk meets, checked against the store's
 *     fields already; null for none
 * @param rescore whether approximate (quantized) scores must be replaced by exact ones from the
 *     full vectors before ranking
 */
public record VectorQuery(float[] vector, int count, Filter filter, boolean rescore) {}
