package io.jembed.explore;

import com.fasterxml.jackson.databind.JsonNode;
import io.jembed.InputType;
import io.jembed.SimilarityFunction;
import io.jembed.server.ApiException;
import io.jembed.server.ApiRequest;
import io.jembed.server.ApiResponse;
import io.jembed.server.ServerContext;
import io.jembed.server.ServerContext.ServedModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The endpoints about texts rather than collections: {@code /tokenize} (tokens, offsets and where
 * truncation cuts), {@code /compare} (a similarity matrix and a clustered order) and {@code
 * /explain} (how much each token adds to a query-text score).
 */
final class TextEndpoints {
  /** Texts one {@code /compare} takes at most (the heatmap's size). */
  static final int MAX_COMPARE_INPUTS = 100;

  /** Tokens explained per side at most: each costs one more text to encode. */
  static final int MAX_EXPLAINED_TOKENS = 64;

  private final ServerContext context;
  private final TokenOffsets tokens;

  TextEndpoints(ServerContext context, TokenOffsets tokens) {
    this.context = context;
    this.tokens = tokens;
  }

  ApiResponse tokenize(ApiRequest request) {
    JsonNode body = ServerContext.readJson(request);
    ServedModel model = context.model(body);
    List<String> texts = context.texts(body, "inputs");
    List<Map<String, Object>> out = new ArrayList<>(texts.size());
    for (String text : texts) {
      TokenOffsets.Tokenized t = tokens.tokenize(model.model(), text);
      Map<String, Object> e = new LinkedHashMap<>();
      List<Map<String, Object>> list = new ArrayList<>(t.tokens().size());
      for (TokenOffsets.Token token : t.tokens()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", token.id());
        m.put("text", token.text());
        m.put("start", token.start());
        m.put("end", token.end());
        m.put("special", token.special());
        m.put("kept", token.kept());
        list.add(m);
      }
      e.put("tokens", list);
      putCounts(e, t);
      out.add(e);
    }
    return ApiResponse.json(200, out);
  }

  ApiResponse compare(ApiRequest request) {
    JsonNode body = ServerContext.readJson(request);
    ServedModel model = context.model(body);
    JsonNode in = body.get("inputs");
    if (in == null || !in.isArray()) {
      throw ApiException.invalid("inputs must be an array of 1 to 100 strings");
    }
    if (in.size() > MAX_COMPARE_INPUTS) {
      throw ApiException.invalid(
          "too many inputs: " + in.size() + ", /compare takes at most " + MAX_COMPARE_INPUTS);
    }
    List<String> texts = context.texts(body, "inputs");
    // the same encoding as /similarity: no prompt, the model's own normalization
    float[][] v = context.encode(request, model, texts, InputType.NONE);
    SimilarityFunction similarity = model.model().similarityFunction();
    int n = v.length;
    float[][] matrix = new float[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = i; j < n; j++) {
        matrix[i][j] = similarity.score(v[i], v[j]);
        matrix[j][i] = matrix[i][j];
      }
    }
    List<Map<String, Object>> inputs = new ArrayList<>(n);
    for (String text : texts) {
      Map<String, Object> e = new LinkedHashMap<>();
      putCounts(e, tokens.tokenize(model.model(), text));
      inputs.add(e);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", model.name());
    out.put("similarity", similarity.name().toLowerCase(Locale.ROOT));
    out.put("matrix", matrix);
    out.put("order", SimilarityOrder.of(matrix));
    out.put("inputs", inputs);
    return ApiResponse.json(200, out);
  }

  ApiResponse explain(ApiRequest request) {
    JsonNode body = ServerContext.readJson(request);
    String query = Fields.requiredText(body, "query");
    String text = Fields.requiredText(body, "text");
    String index = Fields.optionalString(body, "index");
    ServedModel model =
        index != null ? context.indexModel(context.indexName(index)) : context.model(body);
    Side q = side(model, query);
    Side t = side(model, text);
    float[][] qv = context.encode(request, model, q.variants(), InputType.QUERY);
    float[][] tv = context.encode(request, model, t.variants(), InputType.DOCUMENT);
    SimilarityFunction similarity = model.model().similarityFunction();
    float score = similarity.score(qv[0], tv[0]);
    float[] queryDrops = new float[q.units().size()];
    for (int i = 0; i < queryDrops.length; i++) {
      queryDrops[i] = score - similarity.score(qv[i + 1], tv[0]);
    }
    float[] textDrops = new float[t.units().size()];
    for (int i = 0; i < textDrops.length; i++) {
      textDrops[i] = score - similarity.score(qv[0], tv[i + 1]);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", model.name());
    out.put("score", score);
    out.put("query_tokens", q.describe(queryDrops));
    out.put("text_tokens", t.describe(textDrops));
    out.put("truncated", q.tokenized().truncated() || t.tokenized().truncated());
    out.put("explained_tokens", MAX_EXPLAINED_TOKENS);
    return ApiResponse.json(200, out);
  }

  /**
   * One side of an explanation: its tokens, the ones explained (the first {@link
   * #MAX_EXPLAINED_TOKENS} the model keeps, or words for a model without a local tokenizer), and
   * the texts to encode: the text as the model keeps it, then that text without each explained
   * unit.
   */
  private record Side(
      String text, TokenOffsets.Tokenized tokenized, List<int[]> units, List<String> variants) {

    List<Map<String, Object>> describe(float[] drops) {
      List<Map<String, Object>> out = new ArrayList<>();
      int u = 0;
      for (Unit unit : allUnits()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text", text.substring(unit.start(), unit.end()));
        m.put("start", unit.start());
        m.put("end", unit.end());
        boolean explained =
            u < units.size() && units.get(u)[0] == unit.start() && units.get(u)[1] == unit.end();
        m.put("drop", explained ? drops[u++] : null);
        m.put("kept", unit.kept());
        out.add(m);
      }
      return out;
    }

    /**
     * Every non-special token, explained or not, and whether the model keeps it; for a model
     * without a local tokenizer, the words (where its cut falls is not known: all count as kept).
     */
    private List<Unit> allUnits() {
      List<Unit> all = new ArrayList<>();
      if (tokenized.tokens().isEmpty()) {
        for (int[] w : words(text)) {
          all.add(new Unit(w[0], w[1], true));
        }
        return all;
      }
      for (TokenOffsets.Token t : tokenized.tokens()) {
        if (!t.special()) {
          all.add(new Unit(t.start(), t.end(), t.kept()));
        }
      }
      return all;
    }
  }

  /** A token (or word) of one side: its characters and whether the model reads it. */
  private record Unit(int start, int end, boolean kept) {}

  private Side side(ServedModel model, String text) {
    TokenOffsets.Tokenized tokenized = tokens.tokenize(model.model(), text);
    String kept = text.substring(0, tokenized.keptChars());
    List<int[]> units = new ArrayList<>();
    if (tokenized.tokens().isEmpty()) {
      for (int[] w : words(kept)) {
        if (units.size() < MAX_EXPLAINED_TOKENS) {
          units.add(w);
        }
      }
    } else {
      for (TokenOffsets.Token t : tokenized.tokens()) {
        if (!t.special()
            && t.kept()
            && t.end() > t.start()
            && units.size() < MAX_EXPLAINED_TOKENS) {
          units.add(new int[] {t.start(), t.end()});
        }
      }
    }
    List<String> variants = new ArrayList<>(units.size() + 1);
    variants.add(kept);
    for (int[] u : units) {
      variants.add(kept.substring(0, u[0]) + kept.substring(u[1]));
    }
    return new Side(text, tokenized, units, variants);
  }

  /** Whitespace-separated words with their ranges. */
  private static List<int[]> words(String s) {
    List<int[]> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < s.length() && !Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      if (i > start) {
        out.add(new int[] {start, i});
      }
    }
    return out;
  }

  private static void putCounts(Map<String, Object> e, TokenOffsets.Tokenized t) {
    e.put("token_count", t.tokenCount());
    e.put("max_seq_length", t.maxSeqLength());
    e.put("truncated", t.truncated());
    e.put("kept_chars", t.keptChars());
  }
}
