package io.jembed.springai.autoconfigure;

import io.jembed.EncodeOptions;
import io.jembed.LoadOptions;
import io.jembed.index.IndexOptions;
import io.jembed.index.Quantization;
import io.jembed.springai.JembedEmbeddingModel;
import io.jembed.springai.JembedVectorStore;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.vectorstore.VectorStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Spring AI's {@link EmbeddingModel} backed by the jembed model {@code jembed.model}, and, when
 * {@code jembed.index.path} is set, its {@link VectorStore} backed by a jembed index there. Either
 * steps aside for a bean of the same type the application defines.
 */
@AutoConfiguration
@EnableConfigurationProperties(JembedProperties.class)
public class JembedAutoConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(EmbeddingModel.class)
  public JembedEmbeddingModel jembedEmbeddingModel(JembedProperties p) {
    LoadOptions load =
        LoadOptions.builder()
            .threads(p.getThreads())
            .device(p.getDevice())
            .revision(p.getRevision())
            .offline(p.getOffline())
            .apiKey(p.getApiKey())
            .baseUrl(p.getBaseUrl())
            .build();
    EncodeOptions.Builder encode = EncodeOptions.builder().truncateDim(p.getTruncateDim());
    if (p.getBatchSize() != null) {
      encode.batchSize(p.getBatchSize());
    }
    return JembedEmbeddingModel.builder()
        .modelName(p.getModel())
        .loadOptions(load)
        .encodeOptions(encode.build())
        .queryPrompt(p.getQueryPrompt())
        .documentPrompt(p.getDocumentPrompt())
        .failOnTruncation(p.isFailOnTruncation())
        .build();
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(VectorStore.class)
  @ConditionalOnProperty(prefix = "jembed.index", name = "path")
  public JembedVectorStore jembedVectorStore(
      JembedEmbeddingModel model,
      JembedProperties p,
      ObjectProvider<ObservationRegistry> observations) {
    JembedProperties.Index index = p.getIndex();
    return JembedVectorStore.builder(model)
        .location(index.getPath())
        .indexOptions(
            IndexOptions.builder()
                .modelName(p.getModel())
                .quantization(Quantization.parse(index.getQuantization()))
                .hnswM(index.getHnswM())
                .beamWidth(index.getBeamWidth())
                .build())
        .autoCommit(index.isAutoCommit())
        .observationRegistry(observations.getIfUnique(() -> ObservationRegistry.NOOP))
        .build();
  }
}
