package io.jembed.plot;

import java.util.List;

/**
 * The result of projecting n vectors to 2-D: one (x, y) per input vector, in input order, plus what
 * was adjusted on the way (a clamped perplexity, for example) so callers can tell the user.
 */
public final class Projection {
  private final ProjectionMethod method;
  private final double[][] coordinates;
  private final String xAxisName;
  private final String yAxisName;
  private final List<String> notes;

  Projection(
      ProjectionMethod method,
      double[][] coordinates,
      String xAxisName,
      String yAxisName,
      List<String> notes) {
    this.method = method;
    this.coordinates = deepCopy(coordinates);
    this.xAxisName = xAxisName;
    this.yAxisName = yAxisName;
    this.notes = List.copyOf(notes);
  }

  /** Wraps coordinates computed elsewhere, e.g. to render a map of your own layout. */
  public static Projection of(double[][] coordinates, String xAxisName, String yAxisName) {
    for (double[] p : coordinates) {
      if (p.length != 2) {
        throw new io.jembed.JembedException("coordinates must be n x 2");
      }
    }
    return new Projection(null, coordinates, xAxisName, yAxisName, List.of());
  }

  /** The method used, or null for {@link #of wrapped} coordinates. */
  public ProjectionMethod method() {
    return method;
  }

  public int size() {
    return coordinates.length;
  }

  /** n x 2, in input order (a copy). */
  public double[][] coordinates() {
    return deepCopy(coordinates);
  }

  public double x(int i) {
    return coordinates[i][0];
  }

  public double y(int i) {
    return coordinates[i][1];
  }

  /** "t-SNE 1", "PC 1 (31% of variance)", ... */
  public String xAxisName() {
    return xAxisName;
  }

  public String yAxisName() {
    return yAxisName;
  }

  /** Adjustments made to the requested options, as sentences for the user (may be empty). */
  public List<String> notes() {
    return notes;
  }

  private static double[][] deepCopy(double[][] a) {
    double[][] c = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      c[i] = a[i].clone();
    }
    return c;
  }
}
