package io.jembed.springai.autoconfigure;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** jembed's settings in a Spring Boot application ({@code jembed.*}). */
@ConfigurationProperties(prefix = "jembed")
public class JembedProperties {
  /**
   * The embedding model: a bundled name (all-MiniLM-L6-v2, bge-small-en-v1.5, e5-small-v2, and
   * -int8 versions), a local sentence-transformers folder, a Hugging Face Hub id, or a hosted model
   * (openai:text-embedding-3-small, with jembed-hosted on the class path).
   */
  private String model = "all-MiniLM-L6-v2";

  /** Threads for the local engine (default: as many as cores). */
  private Integer threads;

  /** Device for the local engine: cpu, or cuda (with ONNX Runtime's GPU build). */
  private String device;

  /** Hub revision (branch, tag or commit) of a Hugging Face model. */
  private String revision;

  /** Never download: use only models already cached. */
  private Boolean offline;

  /** API key of a hosted model (default: the provider's environment variable). */
  private String apiKey;

  /** Base URL of a hosted or OpenAI-compatible model. */
  private String baseUrl;

  /** Texts per batch. */
  private Integer batchSize;

  /** Length of the vectors (Matryoshka truncation); default the model's. */
  private Integer truncateDim;

  /** Put before every search query (default: the model's own query prompt). */
  private String queryPrompt;

  /** Put before every document (default: the model's own document prompt). */
  private String documentPrompt;

  /** Refuse texts longer than the model reads instead of truncating them. */
  private boolean failOnTruncation;

  private final Index index = new Index();

  /** The vector index behind Spring AI's VectorStore. */
  public static class Index {
    /**
     * Where the index lives: a folder (created on first start), or another jembed store location
     * (postgresql://..., opensearch://... with their modules). No VectorStore without it.
     */
    private String path;

    /** How a new index stores vectors for search: none, int8, int4 or binary. */
    private String quantization = "int8";

    /** Neighbours per node in a new index's HNSW graph. */
    private int hnswM = 16;

    /** Candidates considered while inserting into a new index's graph. */
    private int beamWidth = 100;

    /** Commit (durable and visible) after every add and delete. */
    private boolean autoCommit = true;

    public String getPath() {
      return path;
    }

    public void setPath(String path) {
      this.path = path;
    }

    public String getQuantization() {
      return quantization;
    }

    public void setQuantization(String quantization) {
      this.quantization = quantization;
    }

    public int getHnswM() {
      return hnswM;
    }

    public void setHnswM(int hnswM) {
      this.hnswM = hnswM;
    }

    public int getBeamWidth() {
      return beamWidth;
    }

    public void setBeamWidth(int beamWidth) {
      this.beamWidth = beamWidth;
    }

    public boolean isAutoCommit() {
      return autoCommit;
    }

    public void setAutoCommit(boolean autoCommit) {
      this.autoCommit = autoCommit;
    }
  }

  public String getModel() {
    return model;
  }

  public void setModel(String model) {
    this.model = model;
  }

  public Integer getThreads() {
    return threads;
  }

  public void setThreads(Integer threads) {
    this.threads = threads;
  }

  public String getDevice() {
    return device;
  }

  public void setDevice(String device) {
    this.device = device;
  }

  public String getRevision() {
    return revision;
  }

  public void setRevision(String revision) {
    this.revision = revision;
  }

  public Boolean getOffline() {
    return offline;
  }

  public void setOffline(Boolean offline) {
    this.offline = offline;
  }

  public String getApiKey() {
    return apiKey;
  }

  public void setApiKey(String apiKey) {
    this.apiKey = apiKey;
  }

  public String getBaseUrl() {
    return baseUrl;
  }

  public void setBaseUrl(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  public Integer getBatchSize() {
    return batchSize;
  }

  public void setBatchSize(Integer batchSize) {
    this.batchSize = batchSize;
  }

  public Integer getTruncateDim() {
    return truncateDim;
  }

  public void setTruncateDim(Integer truncateDim) {
    this.truncateDim = truncateDim;
  }

  public String getQueryPrompt() {
    return queryPrompt;
  }

  public void setQueryPrompt(String queryPrompt) {
    this.queryPrompt = queryPrompt;
  }

  public String getDocumentPrompt() {
    return documentPrompt;
  }

  public void setDocumentPrompt(String documentPrompt) {
    this.documentPrompt = documentPrompt;
  }

  public boolean isFailOnTruncation() {
    return failOnTruncation;
  }

  public void setFailOnTruncation(boolean failOnTruncation) {
    this.failOnTruncation = failOnTruncation;
  }

  public Index getIndex() {
    return index;
  }
}
