package io.jembed.explore.browser;

import io.jembed.testing.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * Takes the documentation's screenshots of each view at 1280x800 (and one narrow window) in
 * headless Chromium: {@code java -cp TEST_CLASSPATH io.jembed.explore.browser.ExploreScreenshots
 * docs/images}.
 */
public final class ExploreScreenshots {
  private ExploreScreenshots() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "docs/images");
    TestServers.Chromium chromium =
        new TestServers.Chromium(
            Path.of(System.getenv().getOrDefault(TestServers.CHROMIUM, "/usr/bin/chromium")),
            Path.of(
                System.getenv().getOrDefault(TestServers.CHROMEDRIVER, "/usr/bin/chromedriver")));
    Path dir = Files.createTempDirectory("jembed-explore-shots-");
    try (ExploreServer explore = new ExploreServer(dir, 1000);
        Browser browser = new Browser(chromium, 1280, 800)) {
      search(explore, browser, out);
      compare(explore, browser, out);
      map(explore, browser, out);
      models(explore, browser, out);
      duplicates(explore, browser, out);
      narrow(explore, browser, out);
    }
    System.out.println("screenshots written to " + out.toAbsolutePath());
  }

  static void search(ExploreServer explore, Browser browser, Path out) {
    browser.open(explore.page("search"));
    new Select(browser.byId("search-index")).selectByValue("tutorial");
    browser.byId("search-query").sendKeys(Corpus.NGINX_QUESTION, Keys.ENTER);
    WebElement first =
        browser.waitUntil(d -> first(d.findElements(By.cssSelector("#search-hits > li"))));
    first.findElement(By.cssSelector("button.link")).click();
    browser.waitUntil(d -> first(first.findElements(By.cssSelector(".tokens [data-drop]"))));
    browser.screenshot(out.resolve("explore-search.png"));
  }

  static void compare(ExploreServer explore, Browser browser, Path out) {
    browser.open(explore.page("compare"));
    List<String> sentences =
        List.of(
            "The cat sat on the mat.",
            "A kitten was sleeping on the carpet.",
            "A dog rested on the rug.",
            "LLMs are trained on large text datasets.",
            "Language models learn from huge amounts of text.",
            "The stock market fell sharply on Monday.",
            "Shares dropped at the start of the week.",
            "Release notes: "
                + "this version speeds up batch encoding, fixes tokenizer offsets, adds prompts and "
                    .repeat(14)
                + "finally drops support for the old cache layout.");
    WebElement box = browser.byId("compare-input");
    browser.js(
        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'))",
        box,
        String.join("\n", sentences));
    browser.waitForText("compare-status", "8 sentence(s),");
    browser.find(By.cssSelector("input[name='compare-order'][value='clustered']")).click();
    browser.find(By.cssSelector("#compare-heatmap [data-i='0'][data-j='1']")).click();
    browser.screenshot(out.resolve("explore-compare.png"));
  }

  static void map(ExploreServer explore, Browser browser, Path out) {
    browser.open(explore.page("map?index=topics&method=tsne&color=label"));
    browser.waitUntil(
        d -> "true".equals(browser.byId("map-wrap").getDomAttribute("data-drawn")) ? true : null);
    browser.byId("map-query").sendKeys("a recipe with lots of garlic", Keys.ENTER);
    browser.waitForText("map-neighbours", "nearest");
    browser.hoverMapPoint(browser.mostIsolatedMapPoint());
    browser.waitUntil(
        d -> browser.byId("map-tooltip").getDomAttribute("data-point") != null ? true : null);
    browser.screenshot(out.resolve("explore-map.png"));
  }

  static void models(ExploreServer explore, Browser browser, Path out) {
    browser.open(explore.page("models"));
    new Select(browser.byId("models-left")).selectByValue("topics");
    new Select(browser.byId("models-right")).selectByValue("topics-words");
    browser.byId("models-query").sendKeys("a delayed train journey", Keys.ENTER);
    browser.waitUntil(d -> first(d.findElements(By.cssSelector("#models-right-hits .hit"))));
    browser.screenshot(out.resolve("explore-models.png"));
  }

  static void duplicates(ExploreServer explore, Browser browser, Path out) {
    browser.open(explore.page("duplicates"));
    new Select(browser.byId("dup-index")).selectByValue("topics");
    browser.byId("dup-threshold").clear();
    browser.byId("dup-threshold").sendKeys("0.9", Keys.ENTER);
    browser.waitForText("dup-status", "group(s)");
    browser.screenshot(out.resolve("explore-duplicates.png"));
  }

  static void narrow(ExploreServer explore, Browser browser, Path out) {
    browser.resize(390, 844);
    browser.open(
        explore.page("search?index=tutorial&q=" + Corpus.NGINX_QUESTION.replace(" ", "%20")));
    browser.waitUntil(d -> first(d.findElements(By.cssSelector("#search-hits > li"))));
    browser.screenshot(out.resolve("explore-narrow.png"));
    browser.resize(1280, 800);
  }

  private static <T> T first(List<T> list) {
    return list.isEmpty() ? null : list.get(0);
  }
}
