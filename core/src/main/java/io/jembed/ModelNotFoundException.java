package io.jembed;

import java.util.List;

/** No model answers to the given name or path; {@link #suggestions()} lists close names. */
public class ModelNotFoundException extends JembedException {
  private static final long serialVersionUID = 1L;
  private final transient List<String> suggestions;

  public ModelNotFoundException(String message, List<String> suggestions) {
    super(message);
    this.suggestions = List.copyOf(suggestions);
  }

  public List<String> suggestions() {
    return suggestions;
  }
}
