package io.jembed.integrations;

import io.jembed.index.Filter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A filter on the fields a store knows. jembed refuses a filter on a field its index has never seen
 * (a typo should not answer "nothing"), but a framework filters on whatever keys its documents
 * might carry: there a field no document has is simply missing from every document. This rewrites
 * each condition on such a field into the constant {@link Filter#test} gives it on a document
 * without the field (a comparison, IN and CONTAINS are false; !=, NOT IN and IS NULL true), then
 * simplifies.
 */
public final class MissingFields {
  private MissingFields() {}

  /** What a filter comes to once fields no document has are taken as missing. */
  public sealed interface Resolved {
    /** Every document passes: search without a filter. */
    record All() implements Resolved {}

    /** No document passes: the answer is empty. */
    record None() implements Resolved {}

    /** Documents that pass this filter, on known fields only. */
    record Where(Filter filter) implements Resolved {}
  }

  private static final Resolved ALL = new Resolved.All();
  private static final Resolved NONE = new Resolved.None();

  /** Resolves {@code filter} (null means no filter) against the fields the store knows. */
  public static Resolved resolve(Filter filter, Set<String> knownFields) {
    return filter == null ? ALL : visit(filter, knownFields);
  }

  private static Resolved visit(Filter filter, Set<String> known) {
    return switch (filter) {
      case Filter.Compare c ->
          known.contains(c.field())
              ? new Resolved.Where(c)
              : constant(c.operator() == Filter.Operator.NE);
      case Filter.In in -> known.contains(in.field()) ? new Resolved.Where(in) : NONE;
      case Filter.NotIn nin -> known.contains(nin.field()) ? new Resolved.Where(nin) : ALL;
      case Filter.IsNull n -> known.contains(n.field()) ? new Resolved.Where(n) : ALL;
      case Filter.IsNotNull n -> known.contains(n.field()) ? new Resolved.Where(n) : NONE;
      case Filter.Contains c -> known.contains(c.field()) ? new Resolved.Where(c) : NONE;
      case Filter.And and -> combine(and.filters(), known, true);
      case Filter.Or or -> combine(or.filters(), known, false);
      case Filter.Not not ->
          switch (visit(not.filter(), known)) {
            case Resolved.All a -> NONE;
            case Resolved.None n -> ALL;
            case Resolved.Where w -> new Resolved.Where(Filter.not(w.filter()));
          };
    };
  }

  /** AND (all) or OR (any) of the operands, dropping the constants that decide nothing. */
  private static Resolved combine(List<Filter> operands, Set<String> known, boolean all) {
    List<Filter> kept = new ArrayList<>();
    for (Filter f : operands) {
      switch (visit(f, known)) {
        case Resolved.All a -> {
          if (!all) {
            return ALL;
          }
        }
        case Resolved.None n -> {
          if (all) {
            return NONE;
          }
        }
        case Resolved.Where w -> kept.add(w.filter());
      }
    }
    if (kept.isEmpty()) {
      return all ? ALL : NONE;
    }
    return new Resolved.Where(all ? Filter.and(kept) : Filter.or(kept.toArray(Filter[]::new)));
  }

  private static Resolved constant(boolean value) {
    return value ? ALL : NONE;
  }
}
