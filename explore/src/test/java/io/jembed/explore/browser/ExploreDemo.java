package io.jembed.explore.browser;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Serves the browser tests' corpus with the explore page until interrupted, to look at the page by
 * hand: {@code java -cp TEST_CLASSPATH io.jembed.explore.browser.ExploreDemo [TOPIC_TEXTS]}.
 */
public final class ExploreDemo {
  private ExploreDemo() {}

  public static void main(String[] args) throws Exception {
    int texts = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    Path dir = Files.createTempDirectory("jembed-explore-demo-");
    ExploreServer explore = new ExploreServer(dir, texts);
    Runtime.getRuntime().addShutdownHook(new Thread(explore::close));
    System.out.println(explore.page(""));
    Thread.currentThread().join();
  }
}
