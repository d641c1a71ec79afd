package io.jembed.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class BatcherTest {

  private static List<String> texts(String prefix, int n, int words) {
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(prefix + i + " w".repeat(Math.max(0, words - 1)));
    }
    return out;
  }

  static final long NO_DEADLINE = Long.MAX_VALUE / 2;

  static CompletableFuture<Batcher.Result> submit(
      Batcher batcher, List<String> texts, int[] counts, Batcher.Key key) {
    return batcher
        .submit(new Batcher.Inputs(texts, counts), key, System.nanoTime() + NO_DEADLINE)
        .future();
  }

  private static int[] counts(FakeModel model, List<String> texts) {
    return texts.stream().mapToInt(model::countTokens).toArray();
  }

  @Test
  void aSmallRequestIsNotStarvedByALargeOne() throws Exception {
    FakeModel model = new FakeModel();
    try (Batcher batcher = new Batcher("fake", model, 30, new Metrics())) {
      model.hold();
      List<String> big = texts("big", 1000, 1); // 3 tokens each: 10 per batch, 100 batches
      CompletableFuture<Batcher.Result> bigResult =
          submit(batcher, big, counts(model, big), Batcher.Key.DEFAULT);
      // the first batch is now held inside the model; a single sentence arrives
      waitFor(() -> model.batches.size() == 1);
      List<String> small = List.of("small one");
      CompletableFuture<Batcher.Result> smallResult =
          submit(batcher, small, counts(model, small), Batcher.Key.DEFAULT);
      model.release();
      smallResult.get(10, TimeUnit.SECONDS);
      // it rode in the second batch, long before the big request was done (its last input came
      // many batches later; checked on the batch log, not on timing)
      assertThat(model.batches.get(1)).contains("small one");
      Batcher.Result r = bigResult.get(30, TimeUnit.SECONDS);
      int lastBigBatch = -1;
      for (int b = 0; b < model.batches.size(); b++) {
        if (model.batches.get(b).contains(big.get(big.size() - 1))) {
          lastBigBatch = b;
        }
      }
      assertThat(lastBigBatch).isGreaterThan(50);
      assertThat(r.vectors().length).isEqualTo(1000);
      for (int i = 0; i < big.size(); i++) {
        assertThat(r.vectors()[i]).containsExactly(FakeModel.vectorOf(big.get(i)));
      }
    }
  }

  @Test
  void batchesRespectTheTokenBudgetAndAreSortedLongestFirst() throws Exception {
    FakeModel model = new FakeModel();
    try (Batcher batcher = new Batcher("fake", model, 60, new Metrics())) {
      model.hold();
      List<CompletableFuture<Batcher.Result>> futures = new ArrayList<>();
      for (int j = 0; j < 10; j++) {
        List<String> t = texts("r" + j + "x", 5, 1 + j % 9);
        futures.add(submit(batcher, t, counts(model, t), Batcher.Key.DEFAULT));
      }
      model.release();
      for (CompletableFuture<Batcher.Result> f : futures) {
        f.get(10, TimeUnit.SECONDS);
      }
      for (List<String> batch : model.batches) {
        int sum = batch.stream().mapToInt(FakeModel::tokens).sum();
        assertThat(batch.size() == 1 || sum <= 60).as("batch %s", batch).isTrue();
        int[] lengths = batch.stream().mapToInt(FakeModel::tokens).toArray();
        int[] sorted =
            Arrays.stream(lengths).boxed().sorted((a, b) -> b - a).mapToInt(i -> i).toArray();
        assertThat(lengths).containsExactly(sorted);
        // one model call holds a run of similar lengths, so padding stays small
        assertThat(batch.size()).isLessThanOrEqualTo(Batcher.MAX_GROUP);
        assertThat(lengths[0] - lengths[lengths.length - 1])
            .isLessThanOrEqualTo(Math.max(2, lengths[0] / 8));
      }
    }
  }

  @Test
  void requestsWithDifferentOptionsAreNeverMixedInOneBatch() throws Exception {
    FakeModel model = new FakeModel();
    try (Batcher batcher = new Batcher("fake", model, 1000, new Metrics())) {
      model.hold();
      List<String> a = texts("plain", 3, 1);
      List<String> b = texts("short", 3, 1);
      Batcher.Key dims = new Batcher.Key(null, 2, io.jembed.InputType.NONE, null);
      CompletableFuture<Batcher.Result> fa =
          submit(batcher, a, counts(model, a), Batcher.Key.DEFAULT);
      CompletableFuture<Batcher.Result> fb = submit(batcher, b, counts(model, b), dims);
      model.release();
      fa.get(10, TimeUnit.SECONDS);
      fb.get(10, TimeUnit.SECONDS);
      for (List<String> batch : model.batches) {
        assertThat(batch.stream().map(s -> s.substring(0, 5)).distinct()).hasSize(1);
      }
    }
  }

  @Test
  void aFailingModelFailsOnlyTheRequestsInThatBatch() throws Exception {
    FakeModel model =
        new FakeModel() {
          @Override
          public io.jembed.Embeddings encode(List<String> texts, io.jembed.EncodeOptions o) {
            if (texts.contains("boom")) {
              throw new IllegalStateException("model exploded");
            }
            return super.encode(texts, o);
          }
        };
    try (Batcher batcher = new Batcher("fake", model, 1000, new Metrics())) {
      CompletableFuture<Batcher.Result> bad =
          submit(batcher, List.of("boom"), new int[] {3}, Batcher.Key.DEFAULT);
      assertThat(bad).failsWithin(10, TimeUnit.SECONDS);
      CompletableFuture<Batcher.Result> good =
          submit(batcher, List.of("fine"), new int[] {3}, Batcher.Key.DEFAULT);
      assertThat(good.get(10, TimeUnit.SECONDS).vectors()[0])
          .containsExactly(FakeModel.vectorOf("fine"));
    }
  }

  @Property(tries = 40)
  void everyRequestGetsItsOwnVectorsBackInOrder(
      @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 1, max = 40) Integer> requestSizes,
      @ForAll @IntRange(min = 3, max = 64) int budget)
      throws Exception {
    FakeModel model = new FakeModel();
    try (Batcher batcher = new Batcher("fake", model, budget, new Metrics())) {
      List<List<String>> inputs = new ArrayList<>();
      List<CompletableFuture<Batcher.Result>> futures = new ArrayList<>();
      for (int j = 0; j < requestSizes.size(); j++) {
        List<String> t = new ArrayList<>();
        for (int i = 0; i < requestSizes.get(j); i++) {
          t.add("req" + j + " item" + i + " w".repeat((i * 7 + j) % 20));
        }
        inputs.add(t);
        futures.add(submit(batcher, t, counts(model, t), Batcher.Key.DEFAULT));
      }
      for (int j = 0; j < futures.size(); j++) {
        Batcher.Result r = futures.get(j).get(10, TimeUnit.SECONDS);
        long tokens = 0;
        int truncated = 0;
        for (int i = 0; i < inputs.get(j).size(); i++) {
          String text = inputs.get(j).get(i);
          assertThat(r.vectors()[i]).containsExactly(FakeModel.vectorOf(text));
          tokens += Math.min(FakeModel.tokens(text), FakeModel.MAX_SEQ);
          truncated += FakeModel.tokens(text) > FakeModel.MAX_SEQ ? 1 : 0;
        }
        assertThat(r.totalTokens()).isEqualTo(tokens);
        assertThat(r.truncatedCount()).isEqualTo(truncated);
      }
      assertThat(batcher.pendingInputs()).isZero();
    }
  }

  static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(5);
    }
  }
}
