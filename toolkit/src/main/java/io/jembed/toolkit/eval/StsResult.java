package io.jembed.toolkit.eval;

/**
 * How well a model's similarities follow human judgement on an STS benchmark.
 *
 * @param model the model's id
 * @param similarity the similarity function compared with the gold scores
 * @param spearman Spearman's rho of similarity vs gold score (the STS-B headline number); NaN when
 *     the gold scores or the similarities are all equal (the correlation is undefined)
 * @param pearson Pearson's r of similarity vs gold score; NaN as Spearman's
 * @param pairs sentence pairs evaluated
 * @param sentences distinct sentences encoded
 * @param seconds time spent encoding and scoring
 * @param truncated distinct sentences cut to the model's maximum sequence length
 */
public record StsResult(
    String model,
    String similarity,
    double spearman,
    double pearson,
    int pairs,
    int sentences,
    double seconds,
    int truncated) {}
