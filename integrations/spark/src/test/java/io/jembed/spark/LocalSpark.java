package io.jembed.spark;

import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;

/**
 * One local Spark session per test class (starting one takes seconds), on loopback only: local[2]
 * unless the class names another master with {@link Master}.
 */
abstract class LocalSpark {
  static SparkSession spark;

  /** The master of a test class's session, e.g. local[2,3] to let a failed task run again. */
  @Retention(RetentionPolicy.RUNTIME)
  @interface Master {
    String value();
  }

  @BeforeAll
  static void startSpark(TestInfo info) {
    Master master = info.getTestClass().orElseThrow().getAnnotation(Master.class);
    spark =
        SparkSession.builder()
            .master(master == null ? "local[2]" : master.value())
            .appName("jembed-spark-test")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .getOrCreate();
  }

  @AfterAll
  static void stopSpark() {
    if (spark != null) {
      spark.stop();
      spark = null;
    }
  }
}
