package io.jembed.plot;

import io.jembed.JembedException;
import java.util.Locale;

/** What is written next to each point. */
public enum Annotation {
  /** Nothing: colours and the legend say it all. */
  NONE,
  /** The point's label. */
  LABEL,
  /** The start of the point's text (shortened to 40 characters). */
  TEXT;

  public static Annotation parse(String name) {
    for (Annotation a : values()) {
      if (a.name().equalsIgnoreCase(name == null ? "" : name.trim())) {
        return a;
      }
    }
    throw new JembedException(
        "unknown annotation '" + name + "': use one of none, label, text".toLowerCase(Locale.ROOT));
  }
}
