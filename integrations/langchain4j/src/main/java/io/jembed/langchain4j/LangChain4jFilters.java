package io.jembed.langchain4j;

import dev.langchain4j.store.embedding.filter.Filter;
import dev.langchain4j.store.embedding.filter.comparison.ContainsString;
import dev.langchain4j.store.embedding.filter.comparison.IsEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThan;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThanOrEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsIn;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThan;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThanOrEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsNotEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsNotIn;
import dev.langchain4j.store.embedding.filter.logical.And;
import dev.langchain4j.store.embedding.filter.logical.Not;
import dev.langchain4j.store.embedding.filter.logical.Or;
import java.util.ArrayList;
import java.util.UUID;

/**
 * LangChain4j's metadata filters as jembed's {@link io.jembed.index.Filter}: one class to one
 * record, the same meaning ({@code Filter.test} in both agrees, tested on random filters and
 * metadata): a comparison, IN and CONTAINS are false where the key is missing, NOT, != and NOT IN
 * true. jembed compares numbers as 64-bit floats (LangChain4j as decimals: they differ only between
 * a float and the double nearest it, and past 2^53) and keeps UUIDs as text, so ordered comparisons
 * with a UUID are refused. A filter class jembed does not know is refused with its name.
 */
public final class LangChain4jFilters {
  private LangChain4jFilters() {}

  /** The jembed filter for a LangChain4j one; null stays null (no filter). */
  public static io.jembed.index.Filter toJembed(Filter filter) {
    return switch (filter) {
      case null -> null;
      case IsEqualTo f -> compare(f.key(), io.jembed.index.Filter.Operator.EQ, f.comparisonValue());
      case IsNotEqualTo f ->
          compare(f.key(), io.jembed.index.Filter.Operator.NE, f.comparisonValue());
      case IsGreaterThan f ->
          ordered(f, f.key(), io.jembed.index.Filter.Operator.GT, f.comparisonValue());
      case IsGreaterThanOrEqualTo f ->
          ordered(f, f.key(), io.jembed.index.Filter.Operator.GTE, f.comparisonValue());
      case IsLessThan f ->
          ordered(f, f.key(), io.jembed.index.Filter.Operator.LT, f.comparisonValue());
      case IsLessThanOrEqualTo f ->
          ordered(f, f.key(), io.jembed.index.Filter.Operator.LTE, f.comparisonValue());
      case IsIn f -> new io.jembed.index.Filter.In(f.key(), new ArrayList<>(f.comparisonValues()));
      case IsNotIn f ->
          new io.jembed.index.Filter.NotIn(f.key(), new ArrayList<>(f.comparisonValues()));
      case ContainsString f -> new io.jembed.index.Filter.Contains(f.key(), f.comparisonValue());
      case And f -> io.jembed.index.Filter.and(toJembed(f.left()), toJembed(f.right()));
      case Or f -> io.jembed.index.Filter.or(toJembed(f.left()), toJembed(f.right()));
      case Not f -> io.jembed.index.Filter.not(toJembed(f.expression()));
      default ->
          throw new UnsupportedOperationException(
              "LangChain4j filter "
                  + filter.getClass().getSimpleName()
                  + " ("
                  + filter
                  + ") has no jembed equivalent: jembed filters on ==, !=, >, >=, <, <=, IN, NOT IN,"
                  + " CONTAINS, AND, OR and NOT");
    };
  }

  private static io.jembed.index.Filter compare(
      String key, io.jembed.index.Filter.Operator op, Object value) {
    return new io.jembed.index.Filter.Compare(key, op, value);
  }

  private static io.jembed.index.Filter ordered(
      Filter filter, String key, io.jembed.index.Filter.Operator op, Object value) {
    if (value instanceof UUID) {
      throw new UnsupportedOperationException(
          "LangChain4j filter "
              + filter
              + " orders UUIDs; jembed keeps UUIDs as text and compares them only for equality");
    }
    return compare(key, op, value);
  }
}
