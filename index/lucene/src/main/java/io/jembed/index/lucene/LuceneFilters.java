package io.jembed.index.lucene;

import static io.jembed.index.lucene.LuceneSchema.dateField;
import static io.jembed.index.lucene.LuceneSchema.keywordField;
import static io.jembed.index.lucene.LuceneSchema.numberField;

import io.jembed.index.FieldType;
import io.jembed.index.Filter;
import io.jembed.index.FilterCheck;
import io.jembed.index.MetadataValues;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TermRangeQuery;
import org.apache.lucene.search.WildcardQuery;
import org.apache.lucene.util.BytesRef;

/**
 * A {@link Filter} as Lucene {@link Query} objects, with the semantics of {@link Filter#test}: a
 * predicate matches the chunks whose field has a satisfying value (so none without the field), NOT
 * is the complement over all chunks. Keyword values are terms, numbers double points, dates
 * epoch-millisecond long points; the filter was checked against the fields already.
 */
final class LuceneFilters {
  private final Map<String, FieldType> fields;

  private LuceneFilters(Map<String, FieldType> fields) {
    this.fields = fields;
  }

  /** The query for {@code filter} (null: no condition) over an index with these fields. */
  static Query toQuery(Filter filter, Map<String, FieldType> fields) {
    return filter == null ? null : new LuceneFilters(fields).query(filter);
  }

  private Query query(Filter filter) {
    return switch (filter) {
      case Filter.Compare c -> compare(c);
      case Filter.In in -> in(in.field(), in.values());
      case Filter.NotIn nin -> not(in(nin.field(), nin.values()));
      case Filter.IsNull n -> not(exists(n.field()));
      case Filter.IsNotNull n -> exists(n.field());
      case Filter.Contains c -> contains(c);
      case Filter.And and -> group(and.filters(), Occur.FILTER);
      case Filter.Or or -> group(or.filters(), Occur.SHOULD);
      case Filter.Not not -> not(query(not.filter()));
    };
  }

  private Query group(List<Filter> filters, Occur occur) {
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    for (Filter f : filters) {
      b.add(query(f), occur);
    }
    if (occur == Occur.SHOULD) {
      b.setMinimumNumberShouldMatch(1);
    }
    return b.build();
  }

  /** Every chunk the query does not match: those without the field included. */
  private static Query not(Query q) {
    return new BooleanQuery.Builder()
        .add(new MatchAllDocsQuery(), Occur.FILTER)
        .add(q, Occur.MUST_NOT)
        .build();
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
    return switch (type(field)) {
      case KEYWORD -> new TermQuery(new Term(keywordField(field), MetadataValues.keyword(value)));
      case NUMBER ->
          DoublePoint.newExactQuery(numberField(field), MetadataValues.number(field, value));
      case DATE -> {
        long[] span = MetadataValues.dateSpan(field, value);
        yield LongPoint.newRangeQuery(dateField(field), span[0], span[1]);
      }
    };
  }

  private Query range(String field, Filter.Operator op, Object value) {
    boolean lower = op == Filter.Operator.GT || op == Filter.Operator.GTE;
    boolean inclusive = op == Filter.Operator.GTE || op == Filter.Operator.LTE;
    return switch (type(field)) {
      case KEYWORD -> {
        String v = MetadataValues.keyword(value);
        yield lower
            ? TermRangeQuery.newStringRange(keywordField(field), v, null, inclusive, true)
            : TermRangeQuery.newStringRange(keywordField(field), null, v, true, inclusive);
      }
      case NUMBER -> {
        double v = MetadataValues.number(field, value);
        yield lower
            ? DoublePoint.newRangeQuery(
                numberField(field), inclusive ? v : Math.nextUp(v), Double.POSITIVE_INFINITY)
            : DoublePoint.newRangeQuery(
                numberField(field), Double.NEGATIVE_INFINITY, inclusive ? v : Math.nextDown(v));
      }
      case DATE -> {
        // a day is a span: "after 2024-05-01" starts after its last millisecond
        long[] span = MetadataValues.dateSpan(field, value);
        long from = lower ? (inclusive ? span[0] : span[1] + 1) : Long.MIN_VALUE;
        long to = lower ? Long.MAX_VALUE : (inclusive ? span[1] : span[0] - 1);
        yield from > to
            ? new MatchNoDocsQuery()
            : LongPoint.newRangeQuery(dateField(field), from, to);
      }
    };
  }

  private Query in(String field, List<Object> values) {
    return switch (type(field)) {
      case KEYWORD -> {
        List<BytesRef> terms = new ArrayList<>(values.size());
        for (Object v : values) {
          terms.add(new BytesRef(MetadataValues.keyword(v)));
        }
        yield new TermInSetQuery(keywordField(field), terms);
      }
      case NUMBER -> {
        double[] numbers = new double[values.size()];
        for (int i = 0; i < numbers.length; i++) {
          numbers[i] = MetadataValues.number(field, values.get(i));
        }
        yield DoublePoint.newSetQuery(numberField(field), numbers);
      }
      case DATE -> {
        BooleanQuery.Builder b = new BooleanQuery.Builder().setMinimumNumberShouldMatch(1);
        for (Object v : values) {
          b.add(equal(field, v), Occur.SHOULD);
        }
        yield b.build();
      }
    };
  }

  /** Chunks with any value in the field. */
  private Query exists(String field) {
    return switch (type(field)) {
      case KEYWORD -> TermRangeQuery.newStringRange(keywordField(field), null, null, true, true);
      case NUMBER ->
          DoublePoint.newRangeQuery(
              numberField(field), Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
      case DATE -> LongPoint.newRangeQuery(dateField(field), Long.MIN_VALUE, Long.MAX_VALUE);
    };
  }

  private Query contains(Filter.Contains c) {
    type(c.field()); // checked to be a keyword
    StringBuilder pattern = new StringBuilder().append(WildcardQuery.WILDCARD_STRING);
    c.text()
        .codePoints()
        .forEach(
            cp -> {
              if (cp == WildcardQuery.WILDCARD_STRING
                  || cp == WildcardQuery.WILDCARD_CHAR
                  || cp == WildcardQuery.WILDCARD_ESCAPE) {
                pattern.append(WildcardQuery.WILDCARD_ESCAPE);
              }
              pattern.appendCodePoint(cp);
            });
    pattern.append(WildcardQuery.WILDCARD_STRING);
    return new WildcardQuery(new Term(keywordField(c.field()), pattern.toString()));
  }

  private FieldType type(String field) {
    return FilterCheck.type(field, fields);
  }
}
