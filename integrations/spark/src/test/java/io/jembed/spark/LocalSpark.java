package io.jembed.spark;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** One local[2] Spark session per test class (starting one takes seconds), on loopback only. */
abstract class LocalSpark {
  static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark = session("local[2]");
  }

  @AfterAll
  static void stopSpark() {
    if (spark != null) {
      spark.stop();
      spark = null;
    }
  }

  static SparkSession session(String master) {
    return SparkSession.builder()
        .master(master)
        .appName("jembed-spark-test")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate();
  }
}
