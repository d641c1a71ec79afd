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
  void theCommandLinesShortFormsStillRead(
      @ForAll @AlphaChars @StringLength(min = 1, max = 12) String field,
      @ForAll @AlphaChars @NumericChars @StringLength(min = 1, max = 20) String value) {
    Object read = FilterParser.word(value);
    if (!FilterParser.isReserved(field) && !FilterParser.isReserved(value)) {
      assertThat(Filter.parse(field + "=" + value)).isEqualTo(Filter.eq(field, read));
      assertThat(Filter.parse(" " + field + " >= " + value + " "))
          .isEqualTo(Filter.gte(field, read));
      assertThat(Filter.parse(field + "<" + value)).isEqualTo(Filter.lt(field, read));
    }
  }

  @Property
  void anythingElseIsAClearErrorOrAFilter(@ForAll String expression) {
    try {
      Filter f = Filter.parse(expression);
      assertThat(Filter.parse(f.toString())).isEqualTo(f);
    } catch (FilterSyntaxException e) {
      assertThat(e.getMessage()).startsWith("bad filter").contains("expected");
      assertThat(e.column()).isBetween(1, expression.length() + 1);
    } catch (IllegalArgumentException e) {
      // a well-formed expression with a value no filter takes: AND of one, IN of none, ...
      assertThat(e.getMessage()).isNotBlank();
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
