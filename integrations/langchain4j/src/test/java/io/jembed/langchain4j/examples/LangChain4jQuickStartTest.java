package io.jembed.langchain4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LangChain4jQuickStartTest {
  @Test
  void findsTheNginxPassage(@TempDir Path folder) {
    var matches = LangChain4jQuickStart.run(folder.resolve("my-index"));
    assertThat(matches).isNotEmpty();
    assertThat(matches.get(0).embedded().text()).contains("nginx");
    assertThat(matches).allSatisfy(m -> assertThat(m.score()).isGreaterThanOrEqualTo(0.6));
  }
}
