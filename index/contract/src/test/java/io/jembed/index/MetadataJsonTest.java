package io.jembed.index;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MetadataJsonTest {
  @Test
  void integralNumbersPastLongComeBackAsDoubles() {
    // how PostgreSQL's jsonb gives back -Float.MAX_VALUE written as a double
    String json = "{\"min\": -340282346638528860000000000000000000000, \"n\": 42}";
    assertThat(MetadataJson.read(json))
        .containsEntry("min", (double) -Float.MAX_VALUE)
        .containsEntry("n", 42L);
  }

  @Test
  void numbersRoundTrip() {
    var values = java.util.Map.<String, Object>of("big", Double.MAX_VALUE, "long", Long.MIN_VALUE);
    assertThat(MetadataJson.read(MetadataJson.write(values))).isEqualTo(values);
  }
}
