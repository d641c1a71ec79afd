package io.jembed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real model gives the same vectors, truncation flags and token counts whether a long text is
 * tokenized whole ({@code tokenizePrefix=false}) or only as far as max_seq_length needs: STS-B
 * passages of every length from below the first cut to 30,000 characters, texts whose first cut
 * falls right around the 256th token, long whitespace runs, very long words, non-ASCII text (the
 * library path) and a prompt.
 */
class LongTextTest {
  static SentenceTransformer cut;
  static SentenceTransformer whole;

  @BeforeAll
  static void load() {
    cut = SentenceTransformer.load("all-MiniLM-L6-v2");
    whole =
        SentenceTransformer.load(
            "all-MiniLM-L6-v2", LoadOptions.builder().property("tokenizePrefix", "false").build());
  }

  @AfterAll
  static void close() {
    cut.close();
    whole.close();
  }

  @Test
  void stsPassagesOfAnyLengthGetTheVectorsOfWholeTexts() throws IOException {
    List<String> sentences = stsSentences();
    List<String> texts = new ArrayList<>();
    int next = 0;
    for (int length : new int[] {800, 1_900, 2_047, 2_100, 2_600, 5_000, 9_000, 30_000}) {
      StringBuilder sb = new StringBuilder();
      while (sb.length() < length) {
        sb.append(sentences.get(next++ % sentences.size())).append(' ');
      }
      String passage = sb.toString().strip();
      texts.add(passage);
      texts.add("’" + passage); // not ASCII: the library tokenizes it
      texts.add(passage.replace(". ", ".\n\n" + " ".repeat(300)));
    }
    // the first cut (2,048 characters) lands around the 256th token
    String tail = String.join(" ", sentences.subList(0, 200));
    for (int words = 248; words <= 262; words++) {
      texts.add("between ".repeat(words) + tail);
      texts.add("between ".repeat(words).strip());
    }
    texts.add("x".repeat(50_000) + " " + tail);
    assertSameEmbeddings(texts, EncodeOptions.defaults());
    assertSameEmbeddings(texts.subList(0, 12), EncodeOptions.builder().prompt("query: ").build());
  }

  private static void assertSameEmbeddings(List<String> texts, EncodeOptions options) {
    Embeddings a = cut.encode(texts, options);
    Embeddings b = whole.encode(texts, options);
    assertThat(a.truncatedCount()).isPositive();
    for (int i = 0; i < texts.size(); i++) {
      String label = texts.get(i).substring(0, Math.min(80, texts.get(i).length()));
      assertThat(a.get(i)).as("vector %d: %s", i, label).containsExactly(b.get(i));
      assertThat(a.truncated(i)).as("truncated %d: %s", i, label).isEqualTo(b.truncated(i));
      assertThat(a.tokenCounts()[i]).as("tokens %d: %s", i, label).isEqualTo(b.tokenCounts()[i]);
    }
  }

  static List<String> stsSentences() throws IOException {
    Path shared = Path.of(System.getProperty("jembed.shared.dir", "../../shared"), "data");
    List<String> sentences = new ArrayList<>();
    for (String name : List.of("sts-dev.csv", "sts-test.csv")) {
      Path file = shared.resolve(name);
      assumeTrue(Files.exists(file), "STS benchmark not available");
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String[] fields = line.split("\t");
        if (fields.length >= 7) {
          sentences.add(fields[5]);
          sentences.add(fields[6]);
        }
      }
    }
    return sentences;
  }
}
