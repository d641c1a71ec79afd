package io.jembed.explore.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jembed.server.EmbeddingServer;
import io.jembed.server.ServerOptions;
import io.jembed.testing.RequiresServers;
import io.jembed.testing.TestServer;
import io.jembed.testing.TestServers;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/** The explore page in a real headless Chromium against a real server and model. */
@RequiresServers(TestServer.CHROMIUM)
class ExplorePageTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path dir;
  static ExploreServer explore;
  static Browser browser;

  @BeforeAll
  static void start(TestServers.Chromium chromium) {
    explore = new ExploreServer(dir, 1000);
    browser = new Browser(chromium, 1280, 800);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (explore != null) {
      explore.close();
    }
  }

  @BeforeEach
  void desktopSize() {
    browser.resize(1280, 800);
  }

  @Test
  void searchRanksTheNginxDocumentFirstForTheNginxQuestion() {
    browser.open(explore.page("search"));
    assertThat(browser.js("return document.activeElement.id")).isEqualTo("search-query");
    new org.openqa.selenium.support.ui.Select(browser.byId("search-index"))
        .selectByValue("tutorial");
    WebElement query = browser.byId("search-query");
    query.sendKeys(Corpus.NGINX_QUESTION, Keys.ENTER);
    List<WebElement> hits =
        browser.waitUntil(d -> nonEmpty(d.findElements(By.cssSelector("#search-hits > li"))));
    assertThat(hits).hasSize(5);
    assertThat(hits.get(0).getDomAttribute("data-id")).isEqualTo("nginx");
    assertThat(hits.get(0).getText())
        .contains(Corpus.TUTORIAL.get("nginx"))
        .contains("above 80% of the collection"); // the other four score lower
    assertThat(browser.byId("search-status").getText()).contains("5 hit(s)");
  }

  @Test
  void aChunkIsMarkedInsideItsDocumentAndADocumentOfOneChunkIsShownPlain() throws Exception {
    browser.open(explore.page("search?index=handbook&k=20&q=recipes"));
    List<WebElement> shown =
        browser.waitUntil(d -> nonEmpty(d.findElements(By.cssSelector("#search-hits > li"))));
    JsonNode answer =
        post(
            "/search",
            Map.of("index", "handbook", "query", "recipes", "k", 20, "percentiles", true));
    assertThat(shown).hasSize(answer.get("hits").size());
    int guides = 0;
    for (int i = 0; i < shown.size(); i++) {
      JsonNode hit = answer.get("hits").get(i);
      List<WebElement> marks = shown.get(i).findElements(By.tagName("mark"));
      if (hit.get("id").asText().startsWith("guide-")) {
        guides++;
        assertThat(marks).hasSize(1);
        assertThat(marks.get(0).getText()).isEqualTo(hit.get("text").asText().strip());
      } else {
        assertThat(marks).as("hit %s", hit.get("id")).isEmpty();
      }
    }
    assertThat(guides).isPositive();
    assertThat(guides).as("the notes are whole documents").isLessThan(shown.size());
  }

  @Test
  void compareCellsEqualWhatSimilarityAnswers() throws Exception {
    List<String> sentences =
        List.of(
            "The cat sat on the mat.",
            "A dog rested on the rug.",
            "LLMs are trained on large text datasets.");
    browser.open(explore.page("compare"));
    typeSentences(String.join("\n", sentences));
    browser.waitForText("compare-status", "3 sentence(s),");
    for (int i = 0; i < 3; i++) {
      JsonNode scores =
          post(
              "/similarity",
              Map.of(
                  "inputs", Map.of("source_sentence", sentences.get(i), "sentences", sentences)));
      for (int j = 0; j < 3; j++) {
        double cell = Double.parseDouble(cell(i, j).getDomAttribute("data-score"));
        assertThat(cell).as("cell %d,%d", i, j).isCloseTo(scores.get(j).asDouble(), within(5e-4));
      }
    }
    cell(0, 1).click();
    String detail = browser.byId("compare-detail").getText();
    assertThat(detail).contains(sentences.get(0)).contains(sentences.get(1));
    double shown =
        Double.parseDouble(browser.find(By.cssSelector("#compare-detail .big-score")).getText());
    assertThat(shown)
        .isCloseTo(Double.parseDouble(cell(0, 1).getDomAttribute("data-score")), within(1e-4));
    // keyboard: the grid is reachable and walkable with arrow keys, Enter picks
    cell(0, 0).sendKeys(Keys.ARROW_DOWN, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ENTER);
    assertThat(browser.byId("compare-detail").getText())
        .contains(sentences.get(1))
        .contains(sentences.get(2));
  }

  @Test
  void aTextPastMaxSeqLengthShowsItsCutTailGreyed() throws Exception {
    String longText = "word ".repeat(300) + "and this tail is never read by the model.";
    String shortText = "A short sentence.";
    browser.open(explore.page("compare"));
    typeSentences(shortText + "\n" + longText.strip());
    WebElement truncated =
        browser.waitUntil(
            d -> first(d.findElements(By.cssSelector("#compare-texts li[data-truncated='true']"))));
    JsonNode tokenized = post("/tokenize", Map.of("inputs", List.of(longText.strip()))).get(0);
    assertThat(tokenized.get("truncated").asBoolean()).isTrue();
    String tail = longText.strip().substring(tokenized.get("kept_chars").asInt());
    WebElement cut = truncated.findElement(By.cssSelector(".cut"));
    assertThat(cut.getText().strip()).isEqualTo(tail.strip()).contains("never read");
    assertThat(cut.getCssValue("color")).isNotEqualTo(truncated.getCssValue("color"));
    assertThat(truncated.findElement(By.cssSelector(".count")).getText())
        .isEqualTo(tokenized.get("token_count").asInt() + " / 256 tokens · truncated");
    List<WebElement> whole =
        browser.all(By.cssSelector("#compare-texts li[data-truncated='false']"));
    assertThat(whole).hasSize(1);
    assertThat(whole.get(0).findElements(By.cssSelector(".cut"))).isEmpty();
  }

  @Test
  void badInputIsAClearMessageAndTheServerStaysUp() throws Exception {
    browser.open(explore.page("compare"));
    // a paste larger than the server takes: the server refuses it, the page says why
    browser.js(
        "const box = document.getElementById('compare-input');"
            + "box.value = Array.from({length: 60}, (_, i) => i + ' ' + 'x'.repeat(50000)).join('\\n');"
            + "box.dispatchEvent(new Event('input'));");
    browser.waitForText("compare-status", "413");
    assertThat(browser.byId("compare-status").getText()).contains("too large");
    assertThat(browser.byId("compare-status").getDomAttribute("class")).contains("error");

    // more sentences than Compare takes: said before anything is sent
    browser.js(
        "const box = document.getElementById('compare-input');"
            + "box.value = Array.from({length: 101}, (_, i) => 'sentence ' + i).join('\\n');"
            + "box.dispatchEvent(new Event('input'));");
    browser.waitForText("compare-status", "at most 100");

    // a file that is not UTF-8
    Path latin1 = dir.resolve("notes-latin1.txt");
    Files.write(
        latin1,
        new byte[] {'c', 'a', 'f', (byte) 0xE9, ' ', 'a', 'u', ' ', 'l', 'a', 'i', 't', '\n'});
    browser.byId("compare-file").sendKeys(latin1.toString());
    browser.waitForText("compare-status", "not UTF-8");
    assertThat(browser.byId("compare-status").getText())
        .contains("notes-latin1.txt")
        .contains("byte 3 (0xe9)");

    // an index the server does not serve
    browser.open(explore.page("search?index=no-such-index&q=hello"));
    browser.waitForText("search-status", "404");
    assertThat(browser.byId("search-status").getText()).contains("no-such-index");

    // the server is still up and the page still works
    HttpResponse<String> health =
        HTTP.send(
            HttpRequest.newBuilder(explore.uri().resolve("/health")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    browser.open(
        explore.page("search?index=tutorial&q=" + Corpus.NGINX_QUESTION.replace(" ", "%20")));
    WebElement top =
        browser.waitUntil(d -> first(d.findElements(By.cssSelector("#search-hits > li"))));
    assertThat(top.getDomAttribute("data-id")).isEqualTo("nginx");
  }

  @Test
  void aMapOfAThousandPointsIsDrawnAndHoverShowsTheText() throws Exception {
    String mapId = drawMap("topics");
    assertThat(browser.byId("map-status").getDomAttribute("data-points")).isEqualTo("1000");

    // the canvas is not blank: many pixels differ from the background, in several colours
    BufferedImage image =
        ImageIO.read(
            new ByteArrayInputStream(browser.byId("map-canvas").getScreenshotAs(OutputType.BYTES)));
    int background = image.getRGB(2, 2);
    int lit = 0;
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y) & 0xFFFFFF;
        if (rgb != (background & 0xFFFFFF)) {
          lit++;
          colours.add(rgb & 0xF0F0F0);
        }
      }
    }
    assertThat(lit).as("lit pixels").isGreaterThan(2000);
    assertThat(colours.size()).as("colours").isGreaterThanOrEqualTo(5);
    assertThat(browser.all(By.cssSelector("#map-legend li"))).hasSize(1 + Corpus.TOPICS.size());

    // hover the most isolated point, so no neighbour can take the hover
    int point = browser.mostIsolatedMapPoint();
    browser.hoverMapPoint(point);
    WebElement tip =
        browser.waitUntil(
            d -> {
              WebElement t = browser.byId("map-tooltip");
              return t.isDisplayed()
                      && String.valueOf(point).equals(t.getDomAttribute("data-point"))
                  ? t
                  : null;
            });
    JsonNode expected = get("/maps/" + mapId + "/points?from=" + point + "&to=" + (point + 1));
    String chunkId = expected.get(0).get("id").asText(); // "t123#0": chunk 0 of document t123
    Corpus.Text text =
        explore.topics.stream()
            .filter(t -> chunkId.equals(t.id() + "#0"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no text for " + chunkId));
    assertThat(tip.getText()).contains(text.text()).contains(text.id());

    // a click lists the nearest neighbours in the original space, as /neighbours ranks them
    new Actions(browser.driver).click().perform();
    browser.waitForText("map-neighbours", "Nearest in the original space");
    JsonNode neighbours =
        post("/neighbours", Map.of("index", "topics", "map", mapId, "point", point, "k", 10));
    List<String> expectedIds = new ArrayList<>();
    neighbours.forEach(
        n -> {
          if (!n.get("id").asText().equals(chunkId)) {
            expectedIds.add(n.get("id").asText());
          }
        });
    List<String> shownIds =
        browser.all(By.cssSelector("#map-neighbours li b")).stream()
            .map(WebElement::getText)
            .toList();
    assertThat(shownIds).isNotEmpty().isEqualTo(expectedIds);
  }

  @Test
  void aTypedQueryIsPlacedAndLightsItsHits() throws Exception {
    String mapId = drawMap("topics");

    // a typed query: placed on the map, its hits are the k nearest /place ranks
    browser.byId("map-query").sendKeys("a recipe with lots of garlic", Keys.ENTER);
    browser.waitForText("map-neighbours", "its 10 nearest");
    JsonNode placed =
        post("/maps/" + mapId + "/place", Map.of("query", "a recipe with lots of garlic", "k", 10));
    List<String> hitIds = new ArrayList<>();
    for (JsonNode i : placed.get("hits")) {
      hitIds.add(
          get("/maps/" + mapId + "/points?from=" + i.asInt() + "&to=" + (i.asInt() + 1))
              .get(0)
              .get("id")
              .asText());
    }
    assertThat(
            browser.all(By.cssSelector("#map-neighbours li b")).stream()
                .map(WebElement::getText)
                .toList())
        .isEqualTo(hitIds);
  }

  @Test
  void aLassoSelectionExportsTheIdsOfTheDocumentsItsChunksBelongTo() throws Exception {
    String mapId = drawMap("handbook");
    int n = Integer.parseInt(browser.byId("map-status").getDomAttribute("data-points"));
    JsonNode points = get("/maps/" + mapId + "/points?from=0&to=" + n);
    assertThat(n).as("the guides are several chunks each").isGreaterThan(explore.handbook.size());

    // the lasso (its button, then a drag around every point) selects; Export downloads
    browser.byId("map-lasso").click();
    WebElement canvas = browser.byId("map-canvas");
    int width = canvas.getRect().getWidth();
    int height = canvas.getRect().getHeight();
    double[] box = {width, height, 0, 0}; // min x, min y, max x, max y on the canvas
    for (int i = 0; i < n; i++) {
      List<?> xy =
          (List<?>)
              browser.js(
                  "return Array.from(window.jembedExplore.mapPointPosition(arguments[0]))", i);
      double x = ((Number) xy.get(0)).doubleValue();
      double y = ((Number) xy.get(1)).doubleValue();
      box =
          new double[] {
            Math.min(box[0], x), Math.min(box[1], y), Math.max(box[2], x), Math.max(box[3], y)
          };
    }
    // Selenium's offsets are from the canvas's centre; the lasso keeps 20 px off the points
    int left = (int) Math.max(3, box[0] - 20) - width / 2;
    int top = (int) Math.max(3, box[1] - 20) - height / 2;
    int right = (int) Math.min(width - 3, box[2] + 20) - width / 2;
    int bottom = (int) Math.min(height - 3, box[3] + 20) - height / 2;
    Actions lasso = new Actions(browser.driver).moveToElement(canvas, left, top).clickAndHold();
    int[][] corners = {{right, top}, {right, bottom}, {left, bottom}, {left, top}};
    int x = left;
    int y = top;
    for (int[] corner : corners) {
      for (int step = 1; step <= 10; step++) {
        int nx = x + (corner[0] - x) * step / 10;
        int ny = y + (corner[1] - y) * step / 10;
        lasso.moveToElement(canvas, nx, ny).pause(Duration.ofMillis(25));
      }
      x = corner[0];
      y = corner[1];
    }
    lasso.release().perform();
    browser.waitForText("map-selection", n + " selected");
    List<?> selection = (List<?>) browser.js("return window.jembedExplore.mapSelection()");
    assertThat(selection).hasSize(n);
    // each selected chunk's document, once, in the order the selection first meets it
    List<String> documents = new ArrayList<>();
    for (Object i : selection) {
      JsonNode point = points.get(((Number) i).intValue());
      assertThat(point.get("id").asText()).startsWith(point.get("document").asText() + "#");
      if (!documents.contains(point.get("document").asText())) {
        documents.add(point.get("document").asText());
      }
    }
    assertThat(documents)
        .containsExactlyInAnyOrderElementsOf(
            explore.handbook.stream().map(Corpus.Text::id).toList());

    browser.find(By.cssSelector("#map-selection button")).click();
    WebElement link =
        browser.waitUntil(d -> first(d.findElements(By.cssSelector("#map-export-status a"))));
    assertThat(link.getText())
        .isEqualTo("download " + documents.size() + " document ids (" + n + " chunks)");
    String exported =
        (String)
            browser.asyncJs(
                "fetch(arguments[0]).then((r) => r.text()).then(arguments[arguments.length - 1])",
                link.getDomAttribute("href"));
    assertThat(exported.lines().toList()).isEqualTo(documents);
  }

  @Test
  void whyItMatchedGreysTheTailOfAQueryPastMaxSeqLength() throws Exception {
    String query =
        Corpus.NGINX_QUESTION + " " + "please ".repeat(260) + "and this tail is never read";
    browser.open(explore.page("search?index=tutorial"));
    WebElement box = browser.byId("search-query");
    browser.js("arguments[0].value = arguments[1]", box, query);
    box.sendKeys(Keys.ENTER);
    WebElement top =
        browser.waitUntil(d -> first(d.findElements(By.cssSelector("#search-hits > li"))));
    top.findElement(By.cssSelector(".hit-head button.link")).click();
    WebElement querySide =
        browser.waitUntil(
            d -> first(top.findElements(By.cssSelector(".tokens[data-side='query']"))));
    JsonNode tokenized = post("/tokenize", Map.of("inputs", List.of(query))).get(0);
    assertThat(tokenized.get("truncated").asBoolean()).isTrue();
    String tail = query.substring(tokenized.get("kept_chars").asInt()).strip();
    WebElement cut = querySide.findElement(By.cssSelector(".cut"));
    assertThat(cut.getText().strip()).isEqualTo(tail).endsWith("never read");
    assertThat(cut.findElements(By.cssSelector(".tok"))).isEmpty();
    assertThat(cut.getCssValue("color")).isNotEqualTo(querySide.getCssValue("color"));
    // what the model reads is shaded as before; the hit's own text is whole
    assertThat(querySide.findElements(By.cssSelector(".tok[data-drop]"))).isNotEmpty();
    assertThat(top.findElements(By.cssSelector(".tokens[data-side='text'] .cut"))).isEmpty();
    assertThat(top.findElements(By.tagName("h4")).get(0).getText()).contains("truncated");
    assertThat(top.findElements(By.tagName("h4")).get(1).getText()).isEqualTo("Text");
  }

  @Test
  void aNarrowWindowNeedsNoSidewaysScrollAndTheKeyboardReachesTheViews() {
    browser.resize(390, 844);
    for (String view : List.of("search", "compare", "map", "models", "duplicates")) {
      browser.open(explore.page(view));
      browser.waitUntil(d -> browser.byId("view-" + view).isDisplayed() ? true : null);
      assertThat(((Number) browser.js("return document.documentElement.scrollWidth")).intValue())
          .as("page width in the %s view", view)
          .isLessThanOrEqualTo(390);
    }
    browser.resize(1280, 800);
    browser.open(explore.page(""));
    WebElement query = browser.byId("search-query");
    assertThat(browser.js("return document.activeElement")).isEqualTo(query);
    query.sendKeys(Keys.TAB);
    assertThat(browser.js("return document.activeElement.textContent")).isEqualTo("Search");
    browser.byId("tab-search").sendKeys(Keys.ARROW_RIGHT);
    browser.waitUntil(d -> browser.byId("view-compare").isDisplayed() ? true : null);
    assertThat(browser.js("return document.activeElement.id")).isEqualTo("tab-compare");
  }

  @Test
  void asksForTheKeyOnlyWhenTheServerWantsOneAndKeepsItInMemory() {
    browser.open(explore.page(""));
    assertThat(browser.byId("key-dialog").isDisplayed()).isFalse();
    try (EmbeddingServer keyed =
        EmbeddingServer.builder()
            .model(ExploreServer.MODEL, explore.model)
            .options(ServerOptions.builder().port(0).apiKey("s3cret-key").build())
            .start()) {
      browser.driver.get("about:blank");
      browser.driver.get(keyed.uri().resolve("/").toString());
      WebElement key =
          browser.waitUntil(
              d -> browser.byId("key-input").isDisplayed() ? browser.byId("key-input") : null);
      key.sendKeys("s3cret-key", Keys.ENTER);
      browser.waitUntil(
          d ->
              "true".equals(browser.find(By.tagName("body")).getDomAttribute("data-ready"))
                  ? true
                  : null);
      assertThat(browser.byId("server-info").getText()).contains("1 model(s)");
      assertThat(
              browser.js(
                  "return localStorage.length + sessionStorage.length + document.cookie.length"))
          .isEqualTo(0L);
    }
  }

  /** Opens the Map view on an index (PCA, coloured by label), waits for the drawing: its map id. */
  private static String drawMap(String index) {
    browser.open(explore.page("map?index=" + index + "&method=pca&color=label"));
    browser.waitUntil(d -> "true".equals(browser.byId("map-wrap").getDomAttribute("data-drawn")));
    return (String) browser.js("return document.getElementById('map-status').dataset.mapId");
  }

  private static void typeSentences(String text) {
    WebElement box = browser.byId("compare-input");
    box.clear();
    box.sendKeys(text);
  }

  private static WebElement cell(int i, int j) {
    return browser.find(
        By.cssSelector("#compare-heatmap [data-i='" + i + "'][data-j='" + j + "']"));
  }

  private static <T> List<T> nonEmpty(List<T> list) {
    return list.isEmpty() ? null : list;
  }

  private static <T> T first(List<T> list) {
    return list.isEmpty() ? null : list.get(0);
  }

  static JsonNode post(String path, Object body) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(explore.uri().resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  static JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(explore.uri().resolve("/") + path.substring(1)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }
}
