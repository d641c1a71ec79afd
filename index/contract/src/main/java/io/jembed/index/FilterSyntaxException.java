package io.jembed.index;

/**
 * A filter expression that does not parse: says where (the 1-based column) and what was expected
 * there.
 */
public final class FilterSyntaxException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String expression;
  private final int column;
  private final String expected;

  FilterSyntaxException(String expression, int column, String expected, String found) {
    super(
        "bad filter '"
            + expression
            + "': at column "
            + column
            + " expected "
            + expected
            + ", found "
            + found
            + " (examples: lang == 'en', year >= 2020 AND tags IN ['a', 'b'], NOT (draft == true))");
    this.expression = expression;
    this.column = column;
    this.expected = expected;
  }

  /** The expression as given. */
  public String expression() {
    return expression;
  }

  /** Where the problem is: 1 for the first character. */
  public int column() {
    return column;
  }

  /** What the parser expected there, in words. */
  public String expected() {
    return expected;
  }
}
