package io.jembed.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class FilterSemanticsTest {
  @Test
  void theFixedCasesCountWhatTheyClaim() {
    List<Document> docs = FilterCases.corpus(8);
    StringBuilder diffs = new StringBuilder();
    for (Map.Entry<String, Integer> e : new TreeMap<>(FilterCases.expressions()).entrySet()) {
      Filter f = Filter.parse(e.getKey());
      long n = docs.stream().filter(d -> f.test(d.metadata())).count();
      if (n != e.getValue()) {
        diffs
            .append(n)
            .append(" vs ")
            .append(e.getValue())
            .append("  ")
            .append(e.getKey())
            .append('\n');
      }
    }
    assertThat(diffs.toString()).isEmpty();
  }
}
