package io.jembed.index.opensearch;

import static io.jembed.index.opensearch.OpenSearchSchema.metadataField;

import io.jembed.index.FieldType;
import io.jembed.index.Filter;
import io.jembed.index.FilterCheck;
import io.jembed.index.MetadataValues;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.opensearch.client.json.JsonData;
import org.opensearch.client.opensearch._types.FieldValue;
import org.opensearch.client.opensearch._types.query_dsl.Query;
import org.opensearch.client.opensearch._types.query_dsl.RangeQuery;

/**
 * A {@link Filter} as OpenSearch query DSL, built with the client's typed query builders (no value
 * is ever spliced into a query string), with the semantics of {@link Filter#test}: a predicate
 * matches the documents whose field has a satisfying value (so none without the field), NOT ({@code
 * bool.must_not}) is the complement over all documents. Keywords are {@code term}/{@code terms}/
 * {@code range}/{@code wildcard} on keyword fields (code point order, case-sensitive), numbers
 * {@code range} on doubles (-0.0 and 0.0 are one number), dates {@code range} over epoch
 * milliseconds (a day is its whole UTC span). The filter was checked against the fields already.
 *
 * <p>The queries address the document, not its chunks: used as the {@code filter} of a nested k-NN
 * query, the k-NN plugin applies them to the parent documents and searches their chunks.
 */
final class OpenSearchFilters {
  private final Map<String, FieldType> fields;

  private OpenSearchFilters(Map<String, FieldType> fields) {
    this.fields = fields;
  }

  /** The query for {@code filter} (null: no condition) over an index with these fields. */
  static Query toQuery(Filter filter, Map<String, FieldType> fields) {
    return filter == null ? null : new OpenSearchFilters(fields).query(filter);
  }

  private Query query(Filter filter) {
    return switch (filter) {
      case Filter.Compare c -> compare(c);
      case Filter.In in -> in(in.field(), in.values());
      case Filter.NotIn nin -> not(in(nin.field(), nin.values()));
      case Filter.IsNull n -> not(exists(n.field()));
      case Filter.IsNotNull n -> exists(n.field());
      case Filter.Contains c -> contains(c);
      case Filter.And and -> Query.of(q -> q.bool(b -> b.filter(queries(and.filters()))));
      case Filter.Or or ->
          Query.of(q -> q.bool(b -> b.should(queries(or.filters())).minimumShouldMatch("1")));
      case Filter.Not not -> not(query(not.filter()));
    };
  }

  private List<Query> queries(List<Filter> filters) {
    List<Query> out = new ArrayList<>(filters.size());
    for (Filter f : filters) {
      out.add(query(f));
    }
    return out;
  }

  /** Every document the query does not match: those without the field included. */
  private static Query not(Query q) {
    return Query.of(x -> x.bool(b -> b.mustNot(q)));
  }

  private Query compare(Filter.Compare c) {
    String field = c.field();
    return switch (c.operator()) {
      case EQ -> equal(field, c.value());
      case NE -> not(equal(field, c.value()));
      case GT, GTE, LT, LTE -> range(field, c.operator(), c.value());
    };
  }

  private Query equal(String field, Object value) {
    String name = metadataField(field);
    return switch (type(field)) {
      case KEYWORD ->
          Query.of(
              q -> q.term(t -> t.field(name).value(FieldValue.of(MetadataValues.keyword(value)))));
      case NUMBER -> {
        double v = MetadataValues.number(field, value);
        yield numberRange(name, lowerInclusive(v), upperInclusive(v), true, true);
      }
      case DATE -> {
        long[] span = MetadataValues.dateSpan(field, value);
        yield dateRange(name, span[0], span[1]);
      }
    };
  }

  private Query range(String field, Filter.Operator op, Object value) {
    boolean lower = op == Filter.Operator.GT || op == Filter.Operator.GTE;
    boolean inclusive = op == Filter.Operator.GTE || op == Filter.Operator.LTE;
    String name = metadataField(field);
    return switch (type(field)) {
      case KEYWORD -> {
        JsonData v = JsonData.of(MetadataValues.keyword(value));
        yield rangeQuery(
            r -> {
              r.field(name);
              if (lower) {
                return inclusive ? r.gte(v) : r.gt(v);
              }
              return inclusive ? r.lte(v) : r.lt(v);
            });
      }
      case NUMBER -> {
        double v = MetadataValues.number(field, value);
        // a strict bound excludes both zeros, an inclusive one takes both
        yield lower
            ? numberRange(
                name, inclusive ? lowerInclusive(v) : upperInclusive(v), null, inclusive, true)
            : numberRange(
                name, null, inclusive ? upperInclusive(v) : lowerInclusive(v), true, inclusive);
      }
      case DATE -> {
        // a day is a span: "after 2024-05-01" starts after its last millisecond
        long[] span = MetadataValues.dateSpan(field, value);
        long from = lower ? (inclusive ? span[0] : span[1] + 1) : Long.MIN_VALUE;
        long to = lower ? Long.MAX_VALUE : (inclusive ? span[1] : span[0] - 1);
        yield from > to ? Query.of(q -> q.matchNone(m -> m)) : dateRange(name, from, to);
      }
    };
  }

  /** -0.0 for zero: the lowest double that equals it. */
  private static double lowerInclusive(double v) {
    return v == 0 ? -0.0 : v;
  }

  /** 0.0 for zero: the highest double that equals it. */
  private static double upperInclusive(double v) {
    return v + 0.0;
  }

  private static Query numberRange(
      String field, Double from, Double to, boolean fromInclusive, boolean toInclusive) {
    return rangeQuery(
        r -> {
          r.field(field);
          if (from != null) {
            r = fromInclusive ? r.gte(JsonData.of(from)) : r.gt(JsonData.of(from));
          }
          if (to != null) {
            r = toInclusive ? r.lte(JsonData.of(to)) : r.lt(JsonData.of(to));
          }
          return r;
        });
  }

  private static Query dateRange(String field, long from, long to) {
    return rangeQuery(
        r -> {
          r.field(field).format("epoch_millis");
          if (from != Long.MIN_VALUE) {
            r.gte(JsonData.of(from));
          }
          if (to != Long.MAX_VALUE) {
            r.lte(JsonData.of(to));
          }
          return r;
        });
  }

  private static Query rangeQuery(
      java.util.function.Function<RangeQuery.Builder, RangeQuery.Builder> build) {
    return Query.of(q -> q.range(r -> build.apply(r)));
  }

  private Query in(String field, List<Object> values) {
    String name = metadataField(field);
    if (type(field) == FieldType.KEYWORD) {
      List<FieldValue> terms = new ArrayList<>(values.size());
      for (Object v : values) {
        terms.add(FieldValue.of(MetadataValues.keyword(v)));
      }
      return Query.of(q -> q.terms(t -> t.field(name).terms(tv -> tv.value(terms))));
    }
    List<Query> equals = new ArrayList<>(values.size());
    for (Object v : values) {
      equals.add(equal(field, v));
    }
    return Query.of(q -> q.bool(b -> b.should(equals).minimumShouldMatch("1")));
  }

  /** Documents with any value in the field. */
  private Query exists(String field) {
    type(field);
    return Query.of(q -> q.exists(e -> e.field(metadataField(field))));
  }

  private Query contains(Filter.Contains c) {
    type(c.field()); // checked to be a keyword
    StringBuilder pattern = new StringBuilder("*");
    c.text()
        .codePoints()
        .forEach(
            cp -> {
              if (cp == '*' || cp == '?' || cp == '\\') {
                pattern.append('\\');
              }
              pattern.appendCodePoint(cp);
            });
    pattern.append('*');
    return Query.of(
        q -> q.wildcard(w -> w.field(metadataField(c.field())).value(pattern.toString())));
  }

  private FieldType type(String field) {
    return FilterCheck.type(field, fields);
  }
}
