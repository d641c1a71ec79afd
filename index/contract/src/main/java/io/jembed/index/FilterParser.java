package io.jembed.index;

import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The text form of {@link Filter}, a superset of Spring AI's filter expressions:
 *
 * <pre>
 * filter     = or
 * or         = and { ("OR" | "||") and }
 * and        = unary { ("AND" | "&amp;&amp;") unary }
 * unary      = "NOT" unary | "(" or ")" | predicate
 * predicate  = field ( op value
 *                    | ["NOT"] "IN" list | "NIN" list
 *                    | "IS" ["NOT"] "NULL"
 *                    | "CONTAINS" value )
 * op         = "==" | "=" | "!=" | "&lt;&gt;" | "&gt;" | "&gt;=" | "&lt;" | "&lt;="
 * list       = "[" value { "," value } "]"  |  "(" value { "," value } ")"
 * field      = word | quoted
 * value      = quoted | word
 * </pre>
 *
 * Keywords are case-insensitive; NOT binds tighter than AND, AND tighter than OR. A quoted string
 * uses ' or " and \ escapes the next character. An unquoted value (a word: anything up to a space
 * or one of {@code ()[],'"=!<>&|}) is {@code true}/{@code false}, or a number, an ISO date or an
 * ISO instant when written in that type's own form ({@code 2020}, {@code -1.5}, {@code 2024-05-01},
 * {@code 2024-05-01T12:00:00Z}), or else a string as written ({@code en}, {@code 007}): so {@code
 * lang=en} and {@code year>=2022} read as they always did.
 */
final class FilterParser {
  private static final String OPERATORS = "=!<>";
  private static final String SPECIAL = "()[],'\"=!<>&|";
  private static final Set<String> KEYWORDS =
      Set.of("AND", "OR", "NOT", "IN", "NIN", "IS", "NULL", "CONTAINS", "TRUE", "FALSE");
  private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  private static final String VALUE = "a value (a quoted string, number, date, true or false)";
  private static final String COMPARISON =
      "a comparison (==, !=, >, >=, <, <=), IN, NOT IN, IS NULL, IS NOT NULL or CONTAINS";

  private enum Kind {
    WORD,
    QUOTED,
    OPERATOR,
    AND,
    OR,
    OPEN,
    CLOSE,
    OPEN_LIST,
    CLOSE_LIST,
    COMMA,
    END
  }

  private record Token(Kind kind, String text, int column) {
    boolean isKeyword(String keyword) {
      return kind == Kind.WORD && text.equalsIgnoreCase(keyword);
    }

    String describe() {
      return switch (kind) {
        case END -> "the end";
        case QUOTED -> "the string '" + text + "'";
        default -> "'" + text + "'";
      };
    }
  }

  private final String expression;
  private final List<Token> tokens;
  private int next;

  private FilterParser(String expression) {
    this.expression = expression;
    this.tokens = tokenize(expression);
  }

  static Filter parse(String expression) {
    if (expression == null || expression.isBlank()) {
      throw new FilterSyntaxException(
          expression == null ? "" : expression, 1, "a filter such as lang == 'en'", "nothing");
    }
    FilterParser p = new FilterParser(expression);
    Filter f = p.or();
    Token t = p.peek();
    if (t.kind() != Kind.END) {
      throw p.error(
          t, t.kind() == Kind.CLOSE ? "the end (this ')' closes nothing)" : "AND, OR or the end");
    }
    return f;
  }

  // -------------------------------------------------------------------------------- grammar

  private Filter or() {
    List<Filter> operands = new ArrayList<>(List.of(and()));
    while (peek().kind() == Kind.OR || peek().isKeyword("OR")) {
      next++;
      operands.add(and());
    }
    return operands.size() == 1 ? operands.get(0) : new Filter.Or(operands);
  }

  private Filter and() {
    List<Filter> operands = new ArrayList<>(List.of(unary()));
    while (peek().kind() == Kind.AND || peek().isKeyword("AND")) {
      next++;
      operands.add(unary());
    }
    return operands.size() == 1 ? operands.get(0) : new Filter.And(operands);
  }

  private Filter unary() {
    Token t = peek();
    if (t.isKeyword("NOT")) {
      next++;
      return new Filter.Not(unary());
    }
    if (t.kind() == Kind.OPEN) {
      next++;
      Filter inner = or();
      expect(Kind.CLOSE, "')' to close the '(' at column " + t.column());
      return inner;
    }
    return predicate();
  }

  private Filter predicate() {
    Token f = peek();
    if (f.kind() == Kind.QUOTED || (f.kind() == Kind.WORD && !isReserved(f.text()))) {
      next++;
    } else {
      throw error(f, "a field name, '(' or NOT");
    }
    String field = f.text();
    Token t = peek();
    if (t.kind() == Kind.OPERATOR) {
      next++;
      Filter.Operator op = operator(t);
      return new Filter.Compare(field, op, value());
    }
    if (t.isKeyword("IN")) {
      next++;
      return new Filter.In(field, list());
    }
    if (t.isKeyword("NIN")) {
      next++;
      return new Filter.NotIn(field, list());
    }
    if (t.isKeyword("NOT")) {
      next++;
      Token in = peek();
      if (!in.isKeyword("IN")) {
        throw error(in, "IN after NOT");
      }
      next++;
      return new Filter.NotIn(field, list());
    }
    if (t.isKeyword("IS")) {
      next++;
      boolean not = peek().isKeyword("NOT");
      if (not) {
        next++;
      }
      Token nul = peek();
      if (!nul.isKeyword("NULL")) {
        throw error(nul, not ? "NULL after IS NOT" : "NULL or NOT NULL after IS");
      }
      next++;
      return not ? new Filter.IsNotNull(field) : new Filter.IsNull(field);
    }
    if (t.isKeyword("CONTAINS")) {
      next++;
      Token v = peek();
      if (v.kind() != Kind.QUOTED && v.kind() != Kind.WORD) {
        throw error(v, "a quoted string after CONTAINS");
      }
      next++;
      return new Filter.Contains(field, v.text());
    }
    throw error(t, COMPARISON + " after the field '" + field + "'");
  }

  private Filter.Operator operator(Token t) {
    return switch (t.text()) {
      case "==", "=" -> Filter.Operator.EQ;
      case "!=", "<>" -> Filter.Operator.NE;
      case ">" -> Filter.Operator.GT;
      case ">=" -> Filter.Operator.GTE;
      case "<" -> Filter.Operator.LT;
      case "<=" -> Filter.Operator.LTE;
      default -> throw error(t, "one of ==, !=, >, >=, <, <=");
    };
  }

  private List<Object> list() {
    Token open = peek();
    Kind close;
    if (open.kind() == Kind.OPEN_LIST) {
      close = Kind.CLOSE_LIST;
    } else if (open.kind() == Kind.OPEN) {
      close = Kind.CLOSE;
    } else {
      throw error(open, "a list of values such as ['a', 'b']");
    }
    next++;
    List<Object> values = new ArrayList<>(List.of(value()));
    while (peek().kind() == Kind.COMMA) {
      next++;
      values.add(value());
    }
    expect(
        close,
        (close == Kind.CLOSE ? "')'" : "']'")
            + " or ',' in the list opened at column "
            + open.column());
    return values;
  }

  private Object value() {
    Token t = peek();
    if (t.kind() == Kind.QUOTED) {
      next++;
      return t.text();
    }
    if (t.kind() != Kind.WORD) {
      throw error(t, VALUE);
    }
    if (t.isKeyword("NULL")) {
      throw error(t, VALUE + " (to test for a missing field write IS NULL or IS NOT NULL)");
    }
    if (isReserved(t.text()) && !t.isKeyword("TRUE") && !t.isKeyword("FALSE")) {
      throw error(t, VALUE + " (quote a value that is a keyword: '" + t.text() + "')");
    }
    next++;
    return word(t.text());
  }

  /** An unquoted value: a boolean, or a number, date or instant in its own form, else text. */
  static Object word(String w) {
    if (w.equalsIgnoreCase("true") || w.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(w);
    }
    if (INTEGER.matcher(w).matches()) {
      try {
        long l = Long.parseLong(w);
        return Long.toString(l).equals(w) ? l : w;
      } catch (NumberFormatException e) {
        return w;
      }
    }
    if (DECIMAL.matcher(w).matches()) {
      double d = Double.parseDouble(w);
      return Double.isFinite(d) && Double.toString(d).equals(w) ? d : w;
    }
    if (w.length() >= 10 && Character.isDigit(w.charAt(0))) {
      try {
        LocalDate day = LocalDate.parse(w);
        return day.toString().equals(w) ? day : w;
      } catch (DateTimeParseException e) {
        Instant t = MetadataValues.parseInstant(w);
        return t != null && t.toString().equals(w) ? t : w;
      }
    }
    return w;
  }

  static boolean isReserved(String word) {
    return KEYWORDS.contains(word.toUpperCase(Locale.ROOT));
  }

  // ---------------------------------------------------------------------------------- tokens

  private Token peek() {
    return tokens.get(next);
  }

  private void expect(Kind kind, String what) {
    Token t = peek();
    if (t.kind() != kind) {
      throw error(t, what);
    }
    next++;
  }

  private FilterSyntaxException error(Token at, String expected) {
    return new FilterSyntaxException(expression, at.column(), expected, at.describe());
  }

  private List<Token> tokenize(String s) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      int column = i + 1;
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '\'' || c == '"') {
        StringBuilder b = new StringBuilder();
        int j = i + 1;
        while (j < s.length() && s.charAt(j) != c) {
          if (s.charAt(j) == '\\' && j + 1 < s.length()) {
            j++;
          }
          b.append(s.charAt(j++));
        }
        if (j >= s.length()) {
          throw new FilterSyntaxException(
              s, column, "the closing " + c + " of the string opened here", "the end");
        }
        out.add(new Token(Kind.QUOTED, b.toString(), column));
        i = j + 1;
      } else if (OPERATORS.indexOf(c) >= 0) {
        int j = i + 1;
        if (j < s.length() && (s.charAt(j) == '=' || (c == '<' && s.charAt(j) == '>'))) {
          j++;
        }
        String op = s.substring(i, j);
        if (op.equals("!")) {
          throw new FilterSyntaxException(s, column, "!= (for negation write NOT)", "'!'");
        }
        out.add(new Token(Kind.OPERATOR, op, column));
        i = j;
      } else if (c == '&' || c == '|') {
        if (i + 1 >= s.length() || s.charAt(i + 1) != c) {
          throw new FilterSyntaxException(
              s, column, c == '&' ? "&& (or AND)" : "|| (or OR)", "'" + c + "'");
        }
        out.add(new Token(c == '&' ? Kind.AND : Kind.OR, s.substring(i, i + 2), column));
        i += 2;
      } else if ("()[],".indexOf(c) >= 0) {
        Kind kind =
            switch (c) {
              case '(' -> Kind.OPEN;
              case ')' -> Kind.CLOSE;
              case '[' -> Kind.OPEN_LIST;
              case ']' -> Kind.CLOSE_LIST;
              default -> Kind.COMMA;
            };
        out.add(new Token(kind, String.valueOf(c), column));
        i++;
      } else {
        int j = i;
        while (j < s.length()
            && !Character.isWhitespace(s.charAt(j))
            && SPECIAL.indexOf(s.charAt(j)) < 0) {
          j++;
        }
        out.add(new Token(Kind.WORD, s.substring(i, j), column));
        i = j;
      }
    }
    out.add(new Token(Kind.END, "", s.length() + 1));
    return out;
  }
}
