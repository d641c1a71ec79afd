package io.jembed.plot;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

/** The few drawing operations a map needs, implemented for Java2D (PNG) and SVG. */
interface Canvas {
  enum Anchor {
    START,
    MIDDLE,
    END
  }

  void rect(double x, double y, double w, double h, Color fill, Color stroke);

  /**
   * A data point; {@code index} identifies it for tooltips, {@code group} its label's position in
   * the legend (or -1).
   */
  void point(
      double cx,
      double cy,
      double r,
      Color fill,
      double opacity,
      Color stroke,
      int index,
      int group);

  void text(
      double x,
      double y,
      String s,
      double size,
      Color color,
      Anchor anchor,
      boolean bold,
      boolean vertical);

  /** A legend entry, which the HTML page makes clickable. */
  default void legendEntry(double x, double y, double r, Color fill, String s, int group) {
    point(x, y, r, fill, 1, null, -1, group);
    text(x + r + 6, y + 4, s, 12, new Color(0x33, 0x33, 0x33), Anchor.START, false, false);
  }

  /** Text width in pixels, measured with the same font Java2D uses (estimated without fonts). */
  static double textWidth(String s, double size, boolean bold) {
    FontMetrics fm = Metrics.metrics(size, bold);
    if (fm == null) {
      return s.length() * size * 0.6;
    }
    return fm.getStringBounds(s, null).getWidth();
  }

  /** A shared font measurer; null where no font can be loaded (a headless JVM without fonts). */
  final class Metrics {
    private static final Graphics2D G;

    static {
      Graphics2D g = null;
      try {
        g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB).createGraphics();
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.getFontMetrics().stringWidth("x");
      } catch (Throwable e) { // no fontconfig or fonts: fall back to estimates
        g = null;
      }
      G = g;
    }

    private Metrics() {}

    static synchronized FontMetrics metrics(double size, boolean bold) {
      if (G == null) {
        return null;
      }
      return G.getFontMetrics(
          new Font(Font.SANS_SERIF, bold ? Font.BOLD : Font.PLAIN, 1).deriveFont((float) size));
    }
  }
}
