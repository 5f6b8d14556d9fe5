package dev.eventkit.connect.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventkit.connect.outbox.capture.Backlog;
import dev.eventkit.connect.outbox.capture.CaptureException;
import dev.eventkit.connect.outbox.capture.CaptureStall;
import dev.eventkit.connect.outbox.capture.CapturedTransaction;
import dev.eventkit.connect.outbox.capture.OutboxCapture;
import dev.eventkit.connect.outbox.record.OutboxRow;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.source.TransactionContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The task's coordination, against a capture that answers what each test needs. */
class OutboxSourceTaskTest {

  private static final Map<String, Object> PARTITION = Map.of("table", "outbox", "bucket", 0);

  private final FakeCapture capture = new FakeCapture();
  private final FakeContext context = new FakeContext();
  private final OutboxSourceTask task = new OutboxSourceTask((config, ctx) -> capture);

  @AfterEach
  void stopTask() {
    task.stop();
  }

  private void start(String... keyValues) {
    Map<String, String> props = new HashMap<>();
    props.put("name", "task-test");
    props.put("connection.url", "jdbc:postgresql://localhost/orders");
    props.put("retry.backoff.ms", "200");
    props.put("retry.backoff.max.ms", "400");
    for (int i = 0; i < keyValues.length; i += 2) {
      props.put(keyValues[i], keyValues[i + 1]);
    }
    task.initialize(context);
    task.start(props);
  }

  private static OutboxRow row(String id, String aggregate) {
    return new OutboxRow(
        id, "order", aggregate, "Placed", "{}", null, Instant.EPOCH, Map.of(), "pos-" + id);
  }

  private static CapturedTransaction tx(int n, OutboxRow... rows) {
    return new CapturedTransaction(
        "tx" + n, List.of(rows), Map.of("after", n - 1), Map.of("after", n));
  }

  @Test
  void onlyATransactionsLastRecordCarriesThePositionAfterIt() {
    start();
    capture.batches.add(
        List.of(tx(1, row("a", "x"), row("b", "y"), row("c", "x")), tx(2, row("d", "z"))));

    List<SourceRecord> records = task.poll();

    assertThat(records).extracting(SourceRecord::sourcePartition).containsOnly(PARTITION);
    assertThat(records)
        .extracting(SourceRecord::sourceOffset)
        .containsExactly(
            Map.of("after", 0), Map.of("after", 0), Map.of("after", 1), Map.of("after", 2));
    assertThat(records).extracting(SourceRecord::key).containsExactly("x", "y", "x", "z");
  }

  @Test
  void eachDatabaseTransactionEndsAKafkaTransaction() {
    context.transactions = new RecordingTransactions();
    start();
    capture.batches.add(List.of(tx(1, row("a", "x"), row("b", "y")), tx(2, row("c", "z"))));

    List<SourceRecord> records = task.poll();

    assertThat(context.transactions.committedAt).containsExactly(records.get(1), records.get(2));
  }

  @Test
  void aTransactionInPartsKeepsItsKafkaTransactionOpenAndItsPositionUntilTheLastPart() {
    context.transactions = new RecordingTransactions();
    start();
    Map<String, Object> before = Map.of("after", 0);
    Map<String, Object> after = Map.of("after", 1);
    capture.batches.add(
        List.of(
            new CapturedTransaction(
                "tx1", List.of(row("a", "x"), row("b", "y")), before, after, false)));
    capture.batches.add(
        List.of(new CapturedTransaction("tx1", List.of(row("c", "x")), before, after, true)));

    List<SourceRecord> first = task.poll();
    assertThat(first).extracting(SourceRecord::sourceOffset).containsOnly(before);
    assertThat(context.transactions.committedAt).isEmpty();

    List<SourceRecord> last = task.poll();
    assertThat(last).extracting(SourceRecord::sourceOffset).containsExactly(after);
    assertThat(context.transactions.committedAt).containsExactly(last.get(0));
  }

  @Test
  void aTransientFailureIsRetriedWithGrowingBackoffWithoutCallingTheDatabaseMeanwhile() {
    start();
    capture.failures.add(new CaptureException("connection refused", null, true));
    capture.failures.add(new CaptureException("connection refused", null, true));
    capture.batches.add(List.of(tx(1, row("a", "x"))));

    long started = System.nanoTime();
    assertThat(task.poll()).isNull();
    assertThat(capture.polls).isEqualTo(1);
    List<SourceRecord> records = null;
    while (records == null) {
      records = task.poll();
    }
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    assertThat(records).hasSize(1);
    assertThat(capture.polls).isEqualTo(3);
    // 200 ms after the first failure, 400 ms after the second (the task's wall clock counts in
    // whole milliseconds, this test's in nanoseconds: allow for the rounding).
    assertThat(elapsedMs).isGreaterThanOrEqualTo(595);
    assertThat(capture.awaits).as("backoff never waits on the database").isZero();
  }

  @Test
  void aWaitThatCannotReachTheDatabaseBacksOffInsteadOfRetryingAtOnce() {
    start("poll.interval.ms", "3600000", "retry.backoff.ms", "5000");
    capture.batches.add(List.of());
    assertThat(task.poll()).isNull();
    capture.awaitFailure = new CaptureException("LISTEN connection refused", null, true);

    assertThat(task.poll()).isNull();
    int awaitsAfterFailure = capture.awaits;
    assertThat(task.poll()).isNull();

    assertThat(capture.awaits)
        .as("the next poll pauses for the backoff without touching the database")
        .isEqualTo(awaitsAfterFailure);
  }

  @Test
  void aPermanentFailureFailsTheTaskWithTheCapturesMessage() {
    start();
    capture.failures.add(
        new CaptureException("password authentication failed for user \"app\"", null, false));

    assertThatThrownBy(task::poll)
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("password authentication failed");
  }

  @Test
  void pollReturnsWithinASecondHoweverLongThePollInterval() {
    start("poll.interval.ms", "3600000");
    capture.batches.add(List.of());

    assertThat(task.poll()).isNull(); // an empty read: the next one is an hour away
    assertThat(task.poll()).isNull();

    assertThat(capture.awaitedMs).isNotEmpty().allMatch(ms -> ms <= OutboxSourceTask.MAX_BLOCK_MS);
  }

  @Test
  void aNotificationEndsTheWaitForTheNextRead() {
    start("poll.interval.ms", "3600000");
    capture.batches.add(List.of());
    assertThat(task.poll()).isNull();
    capture.notifyOnNextAwait = true;
    capture.batches.add(List.of(tx(1, row("a", "x"))));

    assertThat(task.poll()).hasSize(1);
  }

  @Test
  void stopEndsAWaitingPollPromptly() throws Exception {
    start("poll.interval.ms", "3600000");
    capture.batches.add(List.of());
    assertThat(task.poll()).isNull();
    capture.blockAwaits = true;

    CompletableFuture<List<SourceRecord>> polling = CompletableFuture.supplyAsync(task::poll);
    assertThat(capture.awaitEntered.await(5, TimeUnit.SECONDS)).isTrue();
    task.stop();

    assertThat(polling.get(2, TimeUnit.SECONDS)).isNull();
    assertThat(capture.closed).isTrue();
  }

  @Test
  void aPoisonRowGoesToTheInvalidTopicWithItsOffset() {
    start("errors.invalid.topic", "outbox.invalid");
    capture.batches.add(List.of(tx(1, row("a", null))));

    List<SourceRecord> records = task.poll();

    assertThat(records)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.topic()).isEqualTo("outbox.invalid");
              assertThat(r.sourceOffset()).isEqualTo(Map.of("after", 1));
            });
  }

  @Test
  void aPoisonRowWithoutAnInvalidTopicFailsTheTaskNamingTheRow() {
    start();
    capture.batches.add(List.of(tx(1, row("a", null))));

    assertThatThrownBy(task::poll)
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("event id a")
        .hasMessageContaining("pos-a")
        .hasMessageContaining("errors.invalid.topic");
  }

  @Test
  void cleanupIsToldTheOffsetConnectCommitted() {
    start("cleanup.policy", "delete", "poll.interval.ms", "10");
    context.committed.put(PARTITION, Map.of("after", 7));

    task.poll();
    assertThat(capture.committedOffsets).containsExactly(Map.of("after", 7));
    context.committed.put(PARTITION, Map.of("after", 9));
    task.commit();

    // The next read after Connect committed offsets cleans up at once, not in five seconds.
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(2))
        .until(
            () -> {
              task.poll();
              return capture.committedOffsets.size() == 2;
            });
    assertThat(capture.committedOffsets).last().isEqualTo(Map.of("after", 9));
  }

  @Test
  void cleanupThatStoppedEarlyGoesOnAtTheNextPoll() {
    start("cleanup.policy", "delete", "poll.interval.ms", "10");
    context.committed.put(PARTITION, Map.of("after", 7));
    capture.cleanupHasMore = 2;

    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(2))
        .until(
            () -> {
              task.poll();
              return capture.committedOffsets.size() == 3;
            });
    // Without more to delete, the next cleanup waits for an offset commit or five seconds.
    task.poll();
    task.poll();
    assertThat(capture.committedOffsets).hasSize(3);
  }

  @Test
  void withoutCleanupTheCaptureIsNeverToldToDelete() {
    start();
    context.committed.put(PARTITION, Map.of("after", 7));
    capture.batches.add(List.of());

    task.poll();
    task.commit();

    assertThat(capture.committedOffsets).isEmpty();
  }

  private static final class FakeCapture implements OutboxCapture {
    final Deque<List<CapturedTransaction>> batches = new ArrayDeque<>();
    final Deque<CaptureException> failures = new ArrayDeque<>();
    final List<Long> awaitedMs = new ArrayList<>();
    final List<Map<String, Object>> committedOffsets = new ArrayList<>();
    final CountDownLatch awaitEntered = new CountDownLatch(1);
    final CountDownLatch woken = new CountDownLatch(1);
    volatile boolean blockAwaits;
    volatile boolean notifyOnNextAwait;
    volatile boolean closed;
    CaptureException awaitFailure;
    int cleanupHasMore;
    int polls;
    int awaits;

    @Override
    public Map<String, Object> sourcePartition() {
      return PARTITION;
    }

    @Override
    public List<CapturedTransaction> poll() throws CaptureException {
      polls++;
      if (!failures.isEmpty()) {
        throw failures.poll();
      }
      return batches.isEmpty() ? List.of() : batches.poll();
    }

    @Override
    public boolean awaitChanges(long maxWaitMs) throws CaptureException {
      awaits++;
      awaitedMs.add(maxWaitMs);
      if (awaitFailure != null) {
        CaptureException failure = awaitFailure;
        awaitFailure = null;
        throw failure;
      }
      if (notifyOnNextAwait) {
        notifyOnNextAwait = false;
        return true;
      }
      if (blockAwaits) {
        awaitEntered.countDown();
        try {
          return woken.await(maxWaitMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return true;
        }
      }
      return false;
    }

    @Override
    public void wakeup() {
      woken.countDown();
    }

    @Override
    public boolean offsetCommitted(Map<String, Object> offset) {
      committedOffsets.add(offset);
      return cleanupHasMore-- > 0;
    }

    @Override
    public Backlog backlog() {
      return Backlog.EMPTY;
    }

    @Override
    public CaptureStall stall() {
      return CaptureStall.NONE;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private static final class RecordingTransactions implements TransactionContext {
    final List<SourceRecord> committedAt = new ArrayList<>();

    @Override
    public void commitTransaction() {
      throw new AssertionError("the task marks boundaries at records");
    }

    @Override
    public void commitTransaction(SourceRecord record) {
      committedAt.add(record);
    }

    @Override
    public void abortTransaction() {
      throw new AssertionError("nothing to abort");
    }

    @Override
    public void abortTransaction(SourceRecord record) {
      throw new AssertionError("nothing to abort");
    }
  }

  private static final class FakeContext implements SourceTaskContext {
    final Map<Map<String, Object>, Map<String, Object>> committed = new HashMap<>();
    RecordingTransactions transactions;

    @Override
    public Map<String, String> configs() {
      return Map.of();
    }

    @Override
    public OffsetStorageReader offsetStorageReader() {
      return new OffsetStorageReader() {
        @Override
        public <T> Map<String, Object> offset(Map<String, T> partition) {
          return committed.get(partition);
        }

        @Override
        public <T> Map<Map<String, T>, Map<String, Object>> offsets(
            Collection<Map<String, T>> partitions) {
          Map<Map<String, T>, Map<String, Object>> result = new HashMap<>();
          partitions.forEach(p -> result.put(p, committed.get(p)));
          return result;
        }
      };
    }

    @Override
    public TransactionContext transactionContext() {
      return transactions;
    }

    @Override
    public org.apache.kafka.common.metrics.PluginMetrics pluginMetrics() {
      throw new UnsupportedOperationException("the task does not use plugin metrics");
    }
  }
}
