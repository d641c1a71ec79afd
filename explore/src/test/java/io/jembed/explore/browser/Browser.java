package io.jembed.explore.browser;

import io.jembed.testing.TestServers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's Chromium, headless with software WebGL, driven by Debian's chromedriver. Both binaries
 * are named explicitly, so Selenium Manager never looks for (or downloads) either.
 */
final class Browser implements AutoCloseable {
  final ChromeDriver driver;
  private final Path profile;

  Browser(TestServers.Chromium chromium, int width, int height) {
    try {
      profile = Files.createTempDirectory("jembed-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.browser().toFile());
    options.addArguments(TestServers.CHROMIUM_HEADLESS_FLAGS);
    // WebGL on the CPU (SwiftShader): there is no GPU here, and Chromium wants the opt-in since
    // 2025
    options.addArguments(
        "--user-data-dir=" + profile, "--enable-unsafe-swiftshader", "--hide-scrollbars");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(chromium.driver().toFile())
            .usingAnyFreePort()
            .build();
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
    resize(width, height);
  }

  /** The viewport (not the window) at exactly this size, one CSS pixel per device pixel. */
  void resize(int width, int height) {
    driver.executeCdpCommand(
        "Emulation.setDeviceMetricsOverride",
        Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
  }

  /** Loads the page afresh (a URL differing only after the hash would not reload it). */
  void open(String url) {
    driver.get("about:blank");
    driver.get(url);
    waitUntil(d -> "true".equals(find(By.tagName("body")).getDomAttribute("data-ready")));
  }

  WebElement find(By by) {
    return driver.findElement(by);
  }

  WebElement byId(String id) {
    return driver.findElement(By.id(id));
  }

  List<WebElement> all(By by) {
    return driver.findElements(by);
  }

  <T> T waitUntil(Function<WebDriver, T> condition) {
    return new WebDriverWait(driver, Duration.ofSeconds(90)).until(condition);
  }

  /** Waits until the element's text contains {@code part}; a timeout names the text it had. */
  String waitForText(String id, String part) {
    WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(90));
    wait.withMessage(
        () -> "#" + id + " never showed \"" + part + "\"; it shows: " + byId(id).getText());
    return wait.until(d -> byId(id).getText().contains(part) ? byId(id).getText() : null);
  }

  /** The map's point farthest from any other, which no neighbour can take the hover from. */
  int mostIsolatedMapPoint() {
    return ((Number)
            js(
                "const p = window.jembedExplore.mapPoints(); let best = 0, far = -1;"
                    + "for (let i = 0; i < p.n; i++) { let near = Infinity;"
                    + "  for (let j = 0; j < p.n; j++) { if (i === j) continue;"
                    + "    const dx = p.x[i] - p.x[j], dy = p.y[i] - p.y[j];"
                    + "    near = Math.min(near, dx * dx + dy * dy); }"
                    + "  if (near > far) { far = near; best = i; } }"
                    + "return best;"))
        .intValue();
  }

  /** Moves the mouse onto map point {@code i}, where the page's renderer drew it. */
  void hoverMapPoint(int i) {
    List<?> xy =
        (List<?>) js("return Array.from(window.jembedExplore.mapPointPosition(arguments[0]))", i);
    WebElement canvas = byId("map-canvas");
    // Selenium's offsets are from the element's centre
    int x = (int) Math.round(((Number) xy.get(0)).doubleValue()) - canvas.getRect().getWidth() / 2;
    int y = (int) Math.round(((Number) xy.get(1)).doubleValue()) - canvas.getRect().getHeight() / 2;
    new Actions(driver)
        .moveToElement(canvas, x + 4, y + 4)
        .pause(Duration.ofMillis(100))
        .moveToElement(canvas, x, y)
        .perform();
  }

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  Object asyncJs(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
  }

  byte[] screenshot() {
    return driver.getScreenshotAs(OutputType.BYTES);
  }

  void screenshot(Path file) {
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, screenshot());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // a leftover temporary profile is harmless
      }
    }
  }
}
