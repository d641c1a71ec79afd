package io.jembed.spark;

import io.jembed.EmbeddingModel;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;

/**
 * The models of this JVM: each is loaded once, by the first task that needs it, and then shared by
 * every task of the executor (and, in local mode, by the driver) until the JVM exits. A local model
 * is thread-safe and runs on as many threads as the executor has cores, so tasks running at once
 * share its workers instead of each loading a copy.
 */
final class ExecutorModels {
  private static final System.Logger LOG = System.getLogger(ExecutorModels.class.getName());
  private static final Pattern LOCAL_MASTER = Pattern.compile("local\\[(\\d+|\\*)(,\\d+)?]");
  private static final int LOAD_ATTEMPTS = 3;
  private static final Map<ModelSpec, Slot> MODELS = new ConcurrentHashMap<>();

  private ExecutorModels() {}

  /** The loaded model for {@code spec}; loads it now if no task of this JVM has. */
  static EmbeddingModel get(ModelSpec spec, EmbedMetrics metrics) {
    ModelSpec sized = spec.forExecutor(executorCores());
    return MODELS.computeIfAbsent(sized, k -> new Slot()).get(sized, metrics);
  }

  /** One model, loaded under the slot's lock so that concurrent tasks wait for one load. */
  private static final class Slot {
    private EmbeddingModel model;

    synchronized EmbeddingModel get(ModelSpec spec, EmbedMetrics metrics) {
      if (model == null) {
        long start = System.nanoTime();
        model = load(spec);
        long millis = (System.nanoTime() - start) / 1_000_000;
        LOG.log(
            System.Logger.Level.INFO, "jembed: loaded " + spec.name() + " in " + millis + " ms");
        if (metrics != null) {
          metrics.modelLoads.add(1);
          metrics.modelLoadMillis.add(millis);
        }
      }
      return model;
    }
  }

  /**
   * Loads with a few attempts when the file system is what failed: a cache on a network file system
   * or a disk that fills up can fail once and then succeed (concurrent first use of one cache by
   * several executors is safe in core itself).
   */
  private static EmbeddingModel load(ModelSpec spec) {
    for (int attempt = 1; ; attempt++) {
      try {
        return EmbeddingModel.load(spec.name(), spec.loadOptions());
      } catch (RuntimeException e) {
        if (attempt == LOAD_ATTEMPTS || !causedByIo(e)) {
          throw e;
        }
        LOG.log(
            System.Logger.Level.WARNING,
            "jembed: loading " + spec.name() + " failed (" + e.getMessage() + "), trying again");
        try {
          Thread.sleep(500L * attempt);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private static boolean causedByIo(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IOException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Task slots of this executor: {@code spark.executor.cores}, else N of a {@code local[N]} master,
   * else the JVM's processors.
   */
  static int executorCores() {
    SparkEnv env = SparkEnv.get();
    if (env != null) {
      SparkConf conf = env.conf();
      if (conf.contains("spark.executor.cores")) {
        return Math.max(1, conf.getInt("spark.executor.cores", 1));
      }
      String master = conf.get("spark.master", "");
      if (master.equals("local")) {
        return 1;
      }
      Matcher m = LOCAL_MASTER.matcher(master);
      if (m.matches() && !m.group(1).equals("*")) {
        return Math.max(1, Integer.parseInt(m.group(1)));
      }
    }
    return Runtime.getRuntime().availableProcessors();
  }
}
