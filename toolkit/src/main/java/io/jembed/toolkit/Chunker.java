package io.jembed.toolkit;

import io.jembed.EmbeddingModel;
import io.jembed.ModelInfo;
import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.ToIntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits long documents into chunks that fit a token budget, on the most natural boundary that
 * works: paragraphs, then sentences, then words, and characters only for a "word" longer than the
 * budget (a URL, a run of CJK text). The budget defaults to the model's max_seq_length and counts
 * what the model counts: special tokens and the prompt.
 *
 * <p>Guarantees: every chunk's {@code countTokens(prompt + text) <= maxTokens}; {@code
 * document.substring(start, end)} is the chunk's text; chunks are in document order and, without
 * overlap, never overlap and leave out only whitespace, so no text is lost. With {@code
 * overlapTokens > 0} a chunk starts with the last pieces (up to that many tokens) of the previous
 * one.
 */
public final class Chunker {
  private static final Pattern PARAGRAPH_BREAK = Pattern.compile("\\n[ \\t\\x0B\\f\\r]*\\n\\s*");
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private final ToIntFunction<String> tokenCounter;
  private final int maxTokens;
  private final int overlapTokens;
  private final String prompt;
  private final int promptTokens;

  private Chunker(Builder b) {
    this.tokenCounter = b.tokenCounter;
    this.maxTokens = b.maxTokens;
    this.overlapTokens = b.overlapTokens;
    this.prompt = b.prompt;
    this.promptTokens = tokenCounter.applyAsInt(prompt);
    if (promptTokens >= maxTokens) {
      throw new IllegalArgumentException(
          "a budget of "
              + maxTokens
              + " tokens leaves no room for text: the prompt and special tokens already take "
              + promptTokens);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A chunker for documents to be embedded by {@code model}: its tokens, limit and prompt. */
  public static Chunker forModel(EmbeddingModel model) {
    return builder().model(model).build();
  }

  public int maxTokens() {
    return maxTokens;
  }

  public int overlapTokens() {
    return overlapTokens;
  }

  public String prompt() {
    return prompt;
  }

  /** A short description of the settings (stored with cached chunk embeddings). */
  public String settings() {
    return "maxTokens=" + maxTokens + ";overlap=" + overlapTokens + ";prompt=" + prompt.hashCode();
  }

  /** The chunks of {@code text}; none for a blank text. */
  public List<Chunk> chunk(String text) {
    Objects.requireNonNull(text, "text");
    List<Chunk> chunks = new ArrayList<>();
    int[] trimmed = trim(text, 0, text.length());
    if (trimmed[0] == trimmed[1]) {
      return chunks;
    }
    int whole = count(text, trimmed[0], trimmed[1]);
    if (whole <= maxTokens) {
      chunks.add(
          new Chunk(0, text.substring(trimmed[0], trimmed[1]), trimmed[0], trimmed[1], whole));
      return chunks;
    }
    List<int[]> units = new ArrayList<>();
    split(text, 0, text.length(), 0, units);
    pack(text, units, chunks);
    return chunks;
  }

  /** Tokens of the prompt plus the trimmed span, as the model counts them. */
  private int count(String text, int start, int end) {
    return tokenCounter.applyAsInt(prompt + text.substring(start, end));
  }

  private int countTrimmed(String text, int start, int end) {
    int[] t = trim(text, start, end);
    return count(text, t[0], t[1]);
  }

  /**
   * Cuts [start, end) into units that fit, each {start, end, contentTokens}; units tile the span.
   */
  private void split(String text, int start, int end, int level, List<int[]> units) {
    List<int[]> spans =
        switch (level) {
          case 0 -> splitByPattern(text, start, end, PARAGRAPH_BREAK);
          case 1 -> splitSentences(text, start, end);
          case 2 -> splitByPattern(text, start, end, WHITESPACE);
          default -> null;
        };
    if (spans == null) {
      splitCharacters(text, start, end, units);
      return;
    }
    if (spans.size() == 1 && level < 2) {
      split(text, start, end, level + 1, units);
      return;
    }
    for (int[] s : spans) {
      int tokens = countTrimmed(text, s[0], s[1]);
      if (tokens <= maxTokens) {
        units.add(new int[] {s[0], s[1], tokens - promptTokens});
      } else {
        split(text, s[0], s[1], level + 1, units);
      }
    }
  }

  /** Spans ending where each match of the separator ends. */
  private static List<int[]> splitByPattern(String text, int start, int end, Pattern separator) {
    List<int[]> spans = new ArrayList<>();
    Matcher m = separator.matcher(text).region(start, end);
    int from = start;
    while (m.find()) {
      if (m.end() > from && m.start() > start) {
        spans.add(new int[] {from, m.end()});
        from = m.end();
      }
    }
    if (from < end) {
      spans.add(new int[] {from, end});
    }
    return spans;
  }

  private static List<int[]> splitSentences(String text, int start, int end) {
    BreakIterator it = BreakIterator.getSentenceInstance(Locale.ROOT);
    it.setText(text.substring(start, end));
    List<int[]> spans = new ArrayList<>();
    int from = 0;
    for (int b = it.next(); b != BreakIterator.DONE; b = it.next()) {
      if (b > from) {
        spans.add(new int[] {start + from, start + b});
        from = b;
      }
    }
    if (start + from < end) {
      spans.add(new int[] {start + from, end});
    }
    return spans;
  }

  /** Longest prefixes that fit, found by binary search; never splits a surrogate pair. */
  private void splitCharacters(String text, int start, int end, List<int[]> units) {
    int from = start;
    while (from < end) {
      int lo = Character.offsetByCodePoints(text, from, 1);
      int hi = end;
      int best = lo;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        if (mid < end && Character.isLowSurrogate(text.charAt(mid)) && mid > from + 1) {
          mid--;
        }
        if (countTrimmed(text, from, mid) <= maxTokens) {
          best = Math.max(best, mid);
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      // one code point always advances, even if a budget that small cannot hold it
      units.add(new int[] {from, best, countTrimmed(text, from, best) - promptTokens});
      from = best;
    }
  }

  /** Greedy packing of units into chunks, each checked with the real token count. */
  private void pack(String text, List<int[]> units, List<Chunk> chunks) {
    int n = units.size();
    int next = 0;
    int previousFirst = -1;
    while (next < n) {
      int first = next;
      if (overlapTokens > 0 && previousFirst >= 0) {
        int sum = 0;
        while (first - 1 > previousFirst && sum + units.get(first - 1)[2] <= overlapTokens) {
          first--;
          sum += units.get(first)[2];
        }
      }
      int estimate = promptTokens;
      for (int u = first; u < next; u++) {
        estimate += units.get(u)[2];
      }
      // overlap must leave room for at least the next unit
      while (first < next && estimate + units.get(next)[2] > maxTokens) {
        estimate -= units.get(first)[2];
        first++;
      }
      int last = next;
      estimate += units.get(next)[2];
      while (last + 1 < n && estimate + units.get(last + 1)[2] <= maxTokens) {
        last++;
        estimate += units.get(last)[2];
      }
      int[] span = trim(text, units.get(first)[0], units.get(last)[1]);
      int tokens = span[0] == span[1] ? 0 : count(text, span[0], span[1]);
      // token counts are not always additive across joins: shrink until the real count fits
      while (tokens > maxTokens && (last > next || first < next)) {
        if (first < next) {
          first++;
        } else {
          last--;
        }
        span = trim(text, units.get(first)[0], units.get(last)[1]);
        tokens = count(text, span[0], span[1]);
      }
      if (span[0] < span[1]) {
        chunks.add(
            new Chunk(chunks.size(), text.substring(span[0], span[1]), span[0], span[1], tokens));
      }
      previousFirst = first;
      next = last + 1;
    }
  }

  private static int[] trim(String text, int start, int end) {
    while (start < end && Character.isWhitespace(text.charAt(start))) {
      start++;
    }
    while (end > start && Character.isWhitespace(text.charAt(end - 1))) {
      end--;
    }
    return new int[] {start, end};
  }

  /** The prompt the model puts before documents, so the budget can count it. */
  static String documentPrompt(ModelInfo info) {
    for (String name : List.of("document", "passage", "doc", "corpus")) {
      String p = info.prompts().get(name);
      if (p != null) {
        return p;
      }
    }
    if (info.defaultPromptName() != null) {
      String p = info.prompts().get(info.defaultPromptName());
      if (p != null) {
        return p;
      }
    }
    return "";
  }

  /** Builder for {@link Chunker}. */
  public static final class Builder {
    private ToIntFunction<String> tokenCounter;
    private int maxTokens = -1;
    private int overlapTokens;
    private String prompt = "";

    private Builder() {}

    /**
     * Counts with the model's tokenizer, budgets its max_seq_length and counts the prompt it puts
     * before documents.
     */
    public Builder model(EmbeddingModel model) {
      Objects.requireNonNull(model, "model");
      this.tokenCounter = model::countTokens;
      if (maxTokens < 0) {
        this.maxTokens = model.maxSeqLength();
      }
      this.prompt = documentPrompt(model.info());
      return this;
    }

    /** How tokens are counted (special tokens included), when there is no model. */
    public Builder tokenCounter(ToIntFunction<String> tokenCounter) {
      this.tokenCounter = Objects.requireNonNull(tokenCounter, "tokenCounter");
      return this;
    }

    /** Token budget per chunk, special tokens and prompt included (default: max_seq_length). */
    public Builder maxTokens(int maxTokens) {
      if (maxTokens < 1) {
        throw new IllegalArgumentException("max tokens must be at least 1, got " + maxTokens);
      }
      this.maxTokens = maxTokens;
      return this;
    }

    /** Tokens repeated from the end of the previous chunk (default 0). */
    public Builder overlapTokens(int overlapTokens) {
      if (overlapTokens < 0) {
        throw new IllegalArgumentException("overlap must not be negative, got " + overlapTokens);
      }
      this.overlapTokens = overlapTokens;
      return this;
    }

    /** A prompt put before every chunk when it is embedded; counted in the budget. */
    public Builder prompt(String prompt) {
      this.prompt = prompt == null ? "" : prompt;
      return this;
    }

    public Chunker build() {
      if (tokenCounter == null) {
        throw new IllegalArgumentException("a chunker needs a model or a token counter");
      }
      if (maxTokens < 0) {
        throw new IllegalArgumentException("a chunker without a model needs maxTokens");
      }
      if (overlapTokens >= maxTokens) {
        throw new IllegalArgumentException(
            "overlap (" + overlapTokens + ") must be smaller than max tokens (" + maxTokens + ")");
      }
      return new Chunker(this);
    }
  }
}
