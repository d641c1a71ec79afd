package io.jembed;

/**
 * What a text is for. Local models map it to their prompts ("query" / "document"), hosted models to
 * their own input type (Voyage's and Cohere's input_type, for example).
 */
public enum InputType {
  /** No role: the model's default prompt, if it has one. */
  NONE,
  /** A search query. */
  QUERY,
  /** A document, passage or corpus entry to be searched. */
  DOCUMENT
}
