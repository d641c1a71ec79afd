package io.jembed.plot;

import io.jembed.JembedException;
import java.nio.file.Path;
import java.util.Locale;

/** The file formats a map is written in, chosen by file extension. */
public enum PlotFormat {
  PNG,
  SVG,
  /** One self-contained page: inline SVG plus a little inline script for hover tooltips. */
  HTML;

  /** The format for a file name ending in .png, .svg, .html or .htm. */
  public static PlotFormat fromPath(Path path) {
    Path name = path.getFileName();
    String s = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
    if (s.endsWith(".png")) {
      return PNG;
    }
    if (s.endsWith(".svg")) {
      return SVG;
    }
    if (s.endsWith(".html") || s.endsWith(".htm")) {
      return HTML;
    }
    throw new JembedException(
        "cannot tell the image format of '" + path + "': name it .png, .svg or .html");
  }
}
