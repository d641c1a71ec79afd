package io.jembed.plot;

import java.awt.Color;
import java.util.List;
import java.util.Locale;

/** Writes SVG elements; in interactive mode points carry data attributes for the HTML page. */
final class SvgCanvas implements Canvas {
  static final String FONT = "DejaVu Sans, Helvetica, Arial, sans-serif";
  private final StringBuilder out = new StringBuilder();
  private final boolean interactive;
  private final List<String> labels;
  private final List<String> texts;

  SvgCanvas(boolean interactive, List<String> labels, List<String> texts) {
    this.interactive = interactive;
    this.labels = labels;
    this.texts = texts;
  }

  String body() {
    return out.toString();
  }

  @Override
  public void rect(double x, double y, double w, double h, Color fill, Color stroke) {
    out.append("<rect x=\"")
        .append(n(x))
        .append("\" y=\"")
        .append(n(y))
        .append("\" width=\"")
        .append(n(w))
        .append("\" height=\"")
        .append(n(h))
        .append("\" fill=\"")
        .append(fill == null ? "none" : hex(fill))
        .append('"');
    if (stroke != null) {
      out.append(" stroke=\"").append(hex(stroke)).append("\" stroke-width=\"1\"");
    }
    out.append("/>\n");
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
    out.append("<circle cx=\"")
        .append(n(cx))
        .append("\" cy=\"")
        .append(n(cy))
        .append("\" r=\"")
        .append(n(r))
        .append("\" fill=\"")
        .append(hex(fill))
        .append('"');
    if (opacity < 1) {
      out.append(" fill-opacity=\"").append(n(opacity)).append('"');
    }
    if (stroke != null) {
      out.append(" stroke=\"").append(hex(stroke)).append("\" stroke-width=\"0.8\"");
    }
    if (index >= 0) { // the HTML legend toggles points by class; "g-1" is the unlabelled group
      out.append(" class=\"g").append(group).append('"');
    }
    if (index < 0) {
      out.append("/>\n");
      return;
    }
    String label = labels == null ? null : labels.get(index);
    String text = texts == null ? null : texts.get(index);
    if (interactive) {
      if (label != null) {
        out.append(" data-l=\"").append(escape(label)).append('"');
      }
      if (text != null) {
        out.append(" data-t=\"").append(escape(text)).append('"');
      }
      out.append("/>\n");
    } else {
      String tip = text != null ? (label != null ? label + ": " + text : text) : label;
      if (tip == null) {
        out.append("/>\n");
      } else {
        out.append("><title>").append(escape(tip)).append("</title></circle>\n");
      }
    }
  }

  @Override
  public void legendEntry(double x, double y, double r, Color fill, String s, int group) {
    out.append("<g class=\"legend\" data-g=\"").append(group).append("\">");
    point(x, y, r, fill, 1, null, -1, -1);
    text(x + r + 6, y + 4, s, 12, new Color(0x33, 0x33, 0x33), Anchor.START, false, false);
    out.append("</g>\n");
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
    out.append("<text x=\"").append(n(x)).append("\" y=\"").append(n(y)).append('"');
    if (vertical) {
      out.append(" transform=\"rotate(-90 ").append(n(x)).append(' ').append(n(y)).append(")\"");
    }
    out.append(" font-size=\"").append(n(size)).append("\" fill=\"").append(hex(color)).append('"');
    if (bold) {
      out.append(" font-weight=\"bold\"");
    }
    if (anchor != Anchor.START) {
      out.append(" text-anchor=\"").append(anchor == Anchor.MIDDLE ? "middle" : "end").append('"');
    }
    out.append('>').append(escape(s)).append("</text>\n");
  }

  static String n(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e9) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }

  static String hex(Color c) {
    return String.format(Locale.ROOT, "#%02x%02x%02x", c.getRed(), c.getGreen(), c.getBlue());
  }

  /** Escapes for XML text and attributes, dropping characters XML cannot hold. */
  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        case '\t', '\n', '\r' -> b.append(' ');
        default -> {
          if (c >= 0x20 && c != 0xFFFE && c != 0xFFFF) {
            if (Character.isHighSurrogate(c)) {
              if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i));
              }
            } else if (!Character.isLowSurrogate(c)) {
              b.append(c);
            }
          }
        }
      }
    }
    return b.toString();
  }
}
