package io.jembed.springai;

import io.jembed.index.Filter;
import java.util.ArrayList;
import java.util.List;
import org.springframework.ai.vectorstore.filter.Filter.Expression;
import org.springframework.ai.vectorstore.filter.Filter.ExpressionType;
import org.springframework.ai.vectorstore.filter.Filter.Group;
import org.springframework.ai.vectorstore.filter.Filter.Key;
import org.springframework.ai.vectorstore.filter.Filter.Operand;
import org.springframework.ai.vectorstore.filter.Filter.Value;

/**
 * Spring AI's filter expressions ({@code ==, !=, >, >=, <, <=, IN, NIN, IS NULL, IS NOT NULL, AND,
 * OR, NOT}, groups) as jembed's {@link Filter}: a walk over Spring AI's AST, whether parsed from
 * text ({@code FilterExpressionTextParser}) or built ({@code FilterExpressionBuilder}), never a
 * query string.
 *
 * <p>Values keep their meaning: a {@code Date} is an instant, a number is compared as a number
 * (jembed compares as 64-bit floats, as Spring AI's in-memory store does). On a document without
 * the key a comparison is false (as in SQL); Spring AI's in-memory store orders a missing key
 * before every value instead, so {@code year < 2020} differs there, and only there.
 */
public final class SpringAiFilters {
  private SpringAiFilters() {}

  /** The jembed filter for a Spring AI expression; null stays null (no filter). */
  public static Filter toJembed(Expression expression) {
    return expression == null ? null : expression(expression);
  }

  private static Filter operand(Operand operand) {
    return switch (operand) {
      case Expression e -> expression(e);
      case Group g -> expression(g.content());
      default ->
          throw new IllegalArgumentException(
              "a filter condition expected, found the "
                  + operand.getClass().getSimpleName()
                  + " "
                  + operand);
    };
  }

  private static Filter expression(Expression e) {
    ExpressionType type = e.type();
    return switch (type) {
      case AND -> Filter.and(operand(e.left()), operand(e.right()));
      case OR -> Filter.or(operand(e.left()), operand(e.right()));
      case NOT -> Filter.not(operand(e.left()));
      case EQ -> new Filter.Compare(key(e), Filter.Operator.EQ, value(e));
      case NE -> new Filter.Compare(key(e), Filter.Operator.NE, value(e));
      case GT -> new Filter.Compare(key(e), Filter.Operator.GT, value(e));
      case GTE -> new Filter.Compare(key(e), Filter.Operator.GTE, value(e));
      case LT -> new Filter.Compare(key(e), Filter.Operator.LT, value(e));
      case LTE -> new Filter.Compare(key(e), Filter.Operator.LTE, value(e));
      case IN -> new Filter.In(key(e), values(e));
      case NIN -> new Filter.NotIn(key(e), values(e));
      case ISNULL -> new Filter.IsNull(key(e));
      case ISNOTNULL -> new Filter.IsNotNull(key(e));
    };
  }

  /** The key, without the quotes the text form may put around it. */
  private static String key(Expression e) {
    if (!(e.left() instanceof Key key)) {
      throw new IllegalArgumentException(
          e.type() + " needs a metadata key on its left, found " + e.left());
    }
    String k = key.key();
    if (k.length() >= 2
        && ((k.startsWith("\"") && k.endsWith("\"")) || (k.startsWith("'") && k.endsWith("'")))) {
      k = k.substring(1, k.length() - 1);
    }
    return k;
  }

  private static Object value(Expression e) {
    if (!(e.right() instanceof Value v) || v.value() instanceof List<?>) {
      throw new IllegalArgumentException(
          e.type() + " on '" + key(e) + "' needs one value on its right, found " + e.right());
    }
    return v.value();
  }

  private static List<Object> values(Expression e) {
    if (!(e.right() instanceof Value v)) {
      throw new IllegalArgumentException(
          e.type() + " on '" + key(e) + "' needs a list of values, found " + e.right());
    }
    return v.value() instanceof List<?> list ? new ArrayList<>(list) : List.of(v.value());
  }
}
