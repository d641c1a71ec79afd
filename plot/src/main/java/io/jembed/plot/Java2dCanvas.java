package io.jembed.plot;

import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Composite;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;

/** Draws onto a Graphics2D (for PNG), antialiased. */
final class Java2dCanvas implements Canvas {
  private final Graphics2D g;

  Java2dCanvas(Graphics2D g) {
    this.g = g;
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
    g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
  }

  @Override
  public void rect(double x, double y, double w, double h, Color fill, Color stroke) {
    Rectangle2D r = new Rectangle2D.Double(x, y, w, h);
    if (fill != null) {
      g.setColor(fill);
      g.fill(r);
    }
    if (stroke != null) {
      g.setColor(stroke);
      g.setStroke(new BasicStroke(1f));
      g.draw(r);
    }
  }

  @Override
  public void point(
      double cx,
      double cy,
      double r,
      Color fill,
      double opacity,
      Color stroke,
      int index,
      int group) {
    Ellipse2D e = new Ellipse2D.Double(cx - r, cy - r, 2 * r, 2 * r);
    Composite old = g.getComposite();
    g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, (float) opacity));
    g.setColor(fill);
    g.fill(e);
    if (stroke != null) {
      g.setColor(stroke);
      g.setStroke(new BasicStroke(1f));
      g.draw(e);
    }
    g.setComposite(old);
  }

  @Override
  public void text(
      double x,
      double y,
      String s,
      double size,
      Color color,
      Anchor anchor,
      boolean bold,
      boolean vertical) {
    Font font =
        new Font(Font.SANS_SERIF, bold ? Font.BOLD : Font.PLAIN, 1).deriveFont((float) size);
    g.setFont(font);
    g.setColor(color);
    double w = g.getFontMetrics().getStringBounds(s, g).getWidth();
    double shift =
        switch (anchor) {
          case START -> 0;
          case MIDDLE -> -w / 2;
          case END -> -w;
        };
    AffineTransform old = g.getTransform();
    g.translate(x, y);
    if (vertical) {
      g.rotate(-Math.PI / 2);
    }
    g.drawString(s, (float) shift, 0f);
    g.setTransform(old);
  }
}
