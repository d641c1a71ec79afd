package io.jembed.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;

class FilterPropertiesTest {

  @Property
  void equalityRoundTrips(
      @ForAll @AlphaChars @StringLength(min = 1, max = 12) String field,
      @ForAll @AlphaChars @NumericChars @StringLength(min = 1, max = 20) String value) {
    assertThat(Filter.parse(field + "=" + value)).isEqualTo(new Filter.Term(field, value));
    assertThat(Filter.parse(" " + field + " >= " + value + " "))
        .isEqualTo(new Filter.Range(field, value, true, null, false));
    assertThat(Filter.parse(field + "<" + value))
        .isEqualTo(new Filter.Range(field, null, false, value, false));
  }

  @Property
  void anythingElseIsAClearErrorOrAFilter(@ForAll String expression) {
    try {
      Filter f = Filter.parse(expression);
      assertThat(f).isNotNull();
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).contains("bad filter").contains("field=value");
    }
  }

  @Property
  void quantizationAndModeNamesParseOrExplain(@ForAll String name) {
    try {
      assertThat(Quantization.parse(name)).isNotNull();
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).contains("none, int8, int4 or binary");
    }
    try {
      assertThat(SearchMode.parse(name)).isNotNull();
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).contains("vector, keyword or hybrid");
    }
  }

  @Property
  void metadataValuesOfUnsupportedTypesAreRefused(@ForAll int[] values) {
    assertThatThrownBy(() -> Document.builder("x").metadata("f", values))
        .hasMessageContaining("unsupported value");
  }
}
