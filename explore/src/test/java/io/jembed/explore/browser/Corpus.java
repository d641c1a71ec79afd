package io.jembed.explore.browser;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The texts the browser tests serve: the tutorials' five documents and a labelled topic corpus. */
final class Corpus {
  /** The five documents of the semantic-search tutorial (examples' SemanticSearchExample). */
  static final Map<String, String> TUTORIAL = tutorial();

  static final String NGINX_QUESTION = "how do I run a website behind nginx?";

  static final List<String> TOPICS = List.of("sports", "cooking", "programming", "travel", "music");

  private static final String[][][] PARTS = {
    { // sports
      {
        "The home team",
        "Our striker",
        "The goalkeeper",
        "The coach",
        "The young sprinter",
        "The captain",
        "The tennis champion",
        "The cycling team"
      },
      {
        "won the final",
        "trained all week",
        "scored twice",
        "lost on penalties",
        "broke the record",
        "signed a new contract",
        "injured a knee",
        "celebrated with fans"
      },
      {
        "after a late goal.",
        "in the rain.",
        "before the season opener.",
        "at the national stadium.",
        "despite a red card.",
        "in front of a sold-out crowd."
      }
    },
    { // cooking
      {
        "This risotto",
        "The sourdough bread",
        "A spicy curry",
        "The chocolate cake",
        "Grandma's soup",
        "The tomato sauce",
        "A fresh salad",
        "The roast chicken"
      },
      {
        "needs slow simmering",
        "tastes better with garlic",
        "bakes for forty minutes",
        "uses fresh basil",
        "is seasoned with cumin",
        "should rest overnight",
        "pairs with red wine",
        "is cooked in butter"
      },
      {
        "for a rich flavour.",
        "on a low flame.",
        "before serving.",
        "in a cast-iron pan.",
        "with a pinch of salt.",
        "for the family dinner."
      }
    },
    { // programming
      {
        "The compiler",
        "This Python script",
        "Our Java service",
        "The database query",
        "The unit test",
        "A memory leak",
        "The REST API",
        "The build pipeline"
      },
      {
        "throws a null pointer exception",
        "runs in linear time",
        "needs a bigger heap",
        "was refactored into modules",
        "fails on the CI server",
        "returns JSON",
        "caches the results",
        "crashes under load"
      },
      {
        "after the last commit.",
        "in production.",
        "on every pull request.",
        "with Java 21.",
        "when the input is empty.",
        "behind the load balancer."
      }
    },
    { // travel
      {
        "Our flight to Lisbon",
        "The night train",
        "The hotel in Kyoto",
        "A road trip through Norway",
        "The ferry to the island",
        "The hostel in Berlin",
        "A weekend in Rome",
        "The hiking trail"
      },
      {
        "was delayed by two hours",
        "offered a sea view",
        "needs a visa",
        "was cheaper in spring",
        "crossed the mountains",
        "had free breakfast",
        "was fully booked",
        "took us along the coast"
      },
      {
        "during the holidays.",
        "with our backpacks.",
        "near the old town.",
        "at sunrise.",
        "on our honeymoon.",
        "for the summer vacation."
      }
    },
    { // music
      {
        "The orchestra",
        "Her new album",
        "The jazz trio",
        "The guitarist",
        "The choir",
        "The rock band",
        "A piano sonata",
        "The festival headliner"
      },
      {
        "played a long encore",
        "topped the charts",
        "was recorded live",
        "tuned the strings",
        "sang in four-part harmony",
        "sold out the tour",
        "mixed classical and pop",
        "opened with a ballad"
      },
      {
        "at the concert hall.",
        "last Friday night.",
        "in a small club.",
        "to a cheering audience.",
        "on vinyl.",
        "with a string quartet."
      }
    }
  };

  private Corpus() {}

  private static Map<String, String> tutorial() {
    Map<String, String> docs = new LinkedHashMap<>();
    docs.put("ssh", "How to generate SSH keys and add them to your GitHub account.");
    docs.put("docker", "Docker containers package an application together with its dependencies.");
    docs.put("nginx", "Configure nginx as a reverse proxy that forwards requests to your web app.");
    docs.put("postgres", "Tuning PostgreSQL: shared_buffers, work_mem and autovacuum settings.");
    docs.put("lambda", "AWS Lambda runs your code without provisioning or managing servers.");
    return docs;
  }

  /**
   * A guide per topic, its sentences among the first 225 of {@link #topics} joined (about 45, 550
   * tokens: more than the model reads, so the index cuts it into chunks), and a one-sentence note
   * per topic (one chunk): documents that are several points of a map, and documents that are one.
   */
  static List<Text> handbook() {
    List<Text> sentences = topics(45 * TOPICS.size());
    List<Text> docs = new ArrayList<>();
    for (String topic : TOPICS) {
      List<String> own =
          sentences.stream().filter(t -> t.topic().equals(topic)).map(Text::text).toList();
      docs.add(new Text("guide-" + topic, String.join(" ", own), topic));
      docs.add(new Text("note-" + topic, own.get(0), topic));
    }
    return docs;
  }

  /** One labelled text: {@code topic} is also its metadata "label". */
  record Text(String id, String text, String topic) {}

  /**
   * {@code n} distinct sentences, round-robin over the five topics; past the 384 combinations a
   * topic has, a sentence number keeps them distinct. The last {@code n / 100} repeat earlier
   * sentences with small edits, so the collection has near-duplicates to find.
   */
  static List<Text> topics(int n) {
    List<Text> texts = new ArrayList<>(n);
    int duplicates = n / 100;
    for (int i = 0; i < n - duplicates; i++) {
      int topic = i % PARTS.length;
      int k = i / PARTS.length;
      String[][] p = PARTS[topic];
      int a = k % p[0].length;
      int q = k / p[0].length;
      // mixed so neighbours in the list differ in every part; one-to-one below the combinations
      int b = (q + a) % p[1].length;
      int c = (q / p[1].length + a) % p[2].length;
      int combinations = p[0].length * p[1].length * p[2].length;
      String sentence = p[0][a] + " " + p[1][b] + " " + p[2][c];
      if (k >= combinations) {
        sentence = sentence.substring(0, sentence.length() - 1) + " (" + (k / combinations) + ").";
      }
      texts.add(new Text("t" + i, sentence, TOPICS.get(topic)));
    }
    for (int d = 0; d < duplicates; d++) {
      Text original = texts.get(d * 7);
      String edited = original.text().replace(".", "!").replace("The ", "the ");
      texts.add(new Text("t" + texts.size(), edited, original.topic()));
    }
    return texts;
  }
}
