package io.jembed.plot;

import java.util.List;

/** The nine sentences the tutorials end their t-SNE plot with. */
final class TutorialSentences {
  static final List<String> TEXTS =
      List.of(
          "The cat sleeps on the warm windowsill.",
          "Dogs love to play fetch in the park.",
          "A herd of elephants crossed the river.",
          "Neural networks learn patterns from large datasets.",
          "Transformers revolutionized natural language processing.",
          "Gradient descent minimizes the loss function.",
          "Fresh basil makes the pasta sauce taste better.",
          "She baked a chocolate cake for the party.",
          "Sushi is made with vinegared rice and raw fish.");
  static final List<String> LABELS =
      List.of("Animals", "Animals", "Animals", "AI/ML", "AI/ML", "AI/ML", "Food", "Food", "Food");

  private TutorialSentences() {}
}
