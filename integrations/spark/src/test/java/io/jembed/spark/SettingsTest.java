package io.jembed.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/** What the transformer and the job read from their users before Spark is involved. */
class SettingsTest {

  @Property(tries = 200)
  void modelPropertiesReadBackWhatWasWritten(
      @ForAll @Size(max = 6)
          Map<
                  @AlphaChars @StringLength(min = 1, max = 12) String,
                  @AlphaChars @NumericChars @StringLength(max = 12) String>
              properties) {
    String written =
        properties.entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(","));
    assertThat(JembedEmbedder.parseProperties(written)).isEqualTo(properties);
  }

  @Test
  void aPropertyWithoutValueIsNamed() {
    assertThatThrownBy(() -> JembedEmbedder.parseProperties("workers=2,threads"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("model property 'threads' is not key=value (in 'workers=2,threads')");
    assertThatThrownBy(() -> new JembedEmbedder().setModelProperties("=3"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void hostedNamesAreToldFromLocalOnes() {
    assertThat(spec("openai:text-embedding-3-small").hosted()).isTrue();
    assertThat(spec("openai-compatible:my-model").hosted()).isTrue();
    assertThat(spec("all-MiniLM-L6-v2").hosted()).isFalse();
    assertThat(spec("sentence-transformers/all-MiniLM-L6-v2").hosted()).isFalse();
    assertThat(spec("C:\\models\\minilm").hosted()).isFalse();
  }

  @Test
  void aLocalModelIsSizedForItsExecutorAndAHostedOneIsNot() {
    assertThat(spec("all-MiniLM-L6-v2").forExecutor(8).threads()).isEqualTo(8);
    assertThat(new ModelSpec("all-MiniLM-L6-v2", null, 2, Map.of()).forExecutor(8).threads())
        .isEqualTo(2);
    assertThat(spec("openai:text-embedding-3-small").forExecutor(8).threads()).isNull();
    assertThat(spec("all-MiniLM-L6-v2").loadOptions().properties())
        .containsEntry("latencySession", "false");
    assertThat(spec("openai:text-embedding-3-small").loadOptions().properties()).isEmpty();
  }

  @Test
  void storeLocationsAreFoldersOrRemote() {
    assertThat(StoreOutput.isLocalFolder("index")).isTrue();
    assertThat(StoreOutput.isLocalFolder("/data/index")).isTrue();
    assertThat(StoreOutput.isLocalFolder("file:///data/index")).isTrue();
    assertThat(StoreOutput.isLocalFolder("C:\\data\\index")).isTrue();
    assertThat(StoreOutput.isLocalFolder("postgresql://db/jembed?table=docs")).isFalse();
    assertThat(StoreOutput.isLocalFolder("opensearch://search:9200/docs")).isFalse();
  }

  @Test
  void inputFormatsFromNamesAndExtensions() {
    assertThat(JobInput.Format.guess("s3a://bucket/docs.jsonl")).isEqualTo(JobInput.Format.JSONL);
    assertThat(JobInput.Format.guess("corpus/part.parquet/")).isEqualTo(JobInput.Format.PARQUET);
    assertThat(JobInput.Format.guess("lines.TXT")).isEqualTo(JobInput.Format.TEXT);
    assertThat(JobInput.Format.guess("folder")).isNull();
    assertThatThrownBy(() -> JobInput.Format.parse("csv"))
        .hasMessage("unknown input format 'csv': expected text, jsonl or parquet");
  }

  private static ModelSpec spec(String name) {
    return new ModelSpec(name, null, null, Map.of());
  }
}
