package io.jembed.model;

/** sentence-transformers' pooling modes, in the order their outputs are concatenated. */
public enum PoolingMode {
  CLS("cls", "pooling_mode_cls_token"),
  MAX("max", "pooling_mode_max_tokens"),
  MEAN("mean", "pooling_mode_mean_tokens"),
  MEAN_SQRT_LEN_TOKENS("mean_sqrt_len_tokens", "pooling_mode_mean_sqrt_len_tokens"),
  WEIGHTED_MEAN("weightedmean", "pooling_mode_weightedmean_tokens"),
  LAST_TOKEN("lasttoken", "pooling_mode_lasttoken");

  private final String externalName;
  private final String configKey;

  PoolingMode(String externalName, String configKey) {
    this.externalName = externalName;
    this.configKey = configKey;
  }

  /** The name in sentence-transformers ("cls", "mean", ...). */
  public String externalName() {
    return externalName;
  }

  /** The boolean key in 1_Pooling/config.json. */
  public String configKey() {
    return configKey;
  }

  public static PoolingMode parse(String name) {
    for (PoolingMode m : values()) {
      if (m.externalName.equalsIgnoreCase(name) || m.name().equalsIgnoreCase(name)) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "unknown pooling mode '"
            + name
            + "': expected cls, max, mean, mean_sqrt_len_tokens, weightedmean or lasttoken");
  }
}
