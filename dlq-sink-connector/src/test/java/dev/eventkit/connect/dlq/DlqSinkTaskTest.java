package dev.eventkit.connect.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.connect.dlq.archive.ArchiveException;
import dev.eventkit.connect.dlq.archive.ArchiveWriter;
import dev.eventkit.connect.dlq.header.DeadLetter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the task acts on a partition the archive abandoned after an I/O error. */
class DlqSinkTaskTest {

  private static final TopicPartition TP = new TopicPartition("orders.dlq", 0);

  /**
   * A writer that abandons the partition's file on demand, like the file archive on a full disk.
   */
  private static final class AbandoningWriter implements ArchiveWriter {
    final List<Long> written = new ArrayList<>();
    Map<TopicPartition, Long> nextRewinds = Map.of();
    ArchiveException committableFailure;

    @Override
    public void open(Collection<TopicPartition> partitions) {}

    @Override
    public List<Rejected> write(List<DeadLetter> letters) {
      letters.forEach(l -> written.add(l.dlqOffset()));
      return List.of();
    }

    @Override
    public Map<TopicPartition, Long> takeRewinds() {
      Map<TopicPartition, Long> taken = nextRewinds;
      nextRewinds = Map.of();
      return taken;
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> committable(
        Map<TopicPartition, OffsetAndMetadata> proposed) throws ArchiveException {
      if (committableFailure != null) {
        throw committableFailure;
      }
      return Map.of();
    }

    @Override
    public void close(Collection<TopicPartition> partitions) {
      // like the file archive: the abandoned file's rewind goes with the partition
      Map<TopicPartition, Long> kept = new HashMap<>(nextRewinds);
      partitions.forEach(kept::remove);
      nextRewinds = Map.copyOf(kept);
    }

    @Override
    public void close() {}
  }

  private static final class RecordingContext implements SinkTaskContext {
    final Map<TopicPartition, Long> offsets = new HashMap<>();
    final Set<TopicPartition> paused = new HashSet<>();
    final Set<TopicPartition> assignment = new HashSet<>(Set.of(TP));
    long timeout = -1;

    @Override
    public Map<String, String> configs() {
      return Map.of();
    }

    @Override
    public void offset(Map<TopicPartition, Long> offsets) {
      this.offsets.putAll(offsets);
    }

    @Override
    public void offset(TopicPartition tp, long offset) {
      offsets.put(tp, offset);
    }

    @Override
    public void timeout(long timeoutMs) {
      timeout = timeoutMs;
    }

    @Override
    public Set<TopicPartition> assignment() {
      return Set.copyOf(assignment);
    }

    @Override
    public void pause(TopicPartition... partitions) {
      // Connect's consumer refuses partitions the task does not own
      assertThat(assignment).containsAll(List.of(partitions));
      paused.addAll(List.of(partitions));
    }

    @Override
    public void resume(TopicPartition... partitions) {
      assertThat(assignment).containsAll(List.of(partitions));
      paused.removeAll(List.of(partitions));
    }

    @Override
    public void requestCommit() {}

    @Override
    public PluginMetrics pluginMetrics() {
      return null;
    }
  }

  private final AbandoningWriter writer = new AbandoningWriter();
  private final RecordingContext context = new RecordingContext();
  private final DlqSinkTask task = new DlqSinkTask(config -> writer);

  @AfterEach
  void stop() {
    task.stop();
  }

  private static SinkRecord record(long offset) {
    return new SinkRecord(TP.topic(), TP.partition(), null, new byte[] {1}, null, null, offset);
  }

  @Test
  void anAbandonedFileRewindsItsPartitionAndPausesItForTheBackoff() {
    task.initialize(context);
    task.start(
        Map.of(
            "name", "dlq-task-test",
            "archive.type", "file",
            "file.directory", "unused",
            "retry.backoff.ms", "200",
            "retry.backoff.max.ms", "200"));
    writer.nextRewinds = Map.of(TP, 3L);

    task.put(List.of(record(5), record(6)));

    assertThat(context.offsets).isEqualTo(Map.of(TP, 3L));
    assertThat(context.paused).containsExactly(TP);
    assertThat(context.timeout).isEqualTo(200);
    Awaitility.await("the partition resumed after the backoff")
        .until(
            () -> {
              task.put(List.of());
              return context.paused.isEmpty();
            });
  }

  private void startTask() {
    task.initialize(context);
    task.start(
        Map.of(
            "name", "dlq-task-test",
            "archive.type", "file",
            "file.directory", "unused",
            "retry.backoff.ms", "60000",
            "retry.backoff.max.ms", "60000"));
  }

  /**
   * Connect keeps a task's paused partitions paused across a rebalance (and the eager assignor
   * revokes and reassigns the same ones): the task resumes what it is given, else a partition
   * paused for a backoff stays paused until the task restarts.
   */
  @Test
  void aPartitionPausedForABackoffIsResumedWhenItIsOpenedAgain() {
    startTask();
    task.open(List.of(TP));
    writer.nextRewinds = Map.of(TP, 3L);
    task.put(List.of(record(5)));
    assertThat(context.paused).containsExactly(TP);

    task.close(List.of(TP));
    task.open(List.of(TP));

    assertThat(context.paused).isEmpty();
  }

  /**
   * During a revocation Connect calls preCommit and then close: a file that fails to seal there
   * must not queue a seek or a pause, which Connect would apply to a partition the task no longer
   * owns (IllegalStateException, the task fails).
   */
  @Test
  void aFileAbandonedWhileThePartitionIsRevokedQueuesNoSeekAndNoPause() {
    startTask();
    task.open(List.of(TP));
    writer.nextRewinds = Map.of(TP, 3L);
    writer.committableFailure = new ArchiveException("disk full", null, true);

    task.preCommit(Map.of(TP, new OffsetAndMetadata(7)));
    task.close(List.of(TP));
    context.assignment.clear();
    task.put(List.of());

    assertThat(context.offsets).isEmpty();
    assertThat(context.paused).isEmpty();
  }

  /**
   * A file abandoned in preCommit (not on the close path) is rewound before the next batch is
   * written, and that batch's records of the partition are left for the redelivery.
   */
  @Test
  void aFileAbandonedInPreCommitRewindsBeforeTheNextBatch() {
    startTask();
    task.open(List.of(TP));
    writer.nextRewinds = Map.of(TP, 3L);
    writer.committableFailure = new ArchiveException("disk full", null, true);

    task.preCommit(Map.of(TP, new OffsetAndMetadata(7)));
    task.put(List.of(record(7), record(8)));

    assertThat(context.offsets).isEqualTo(Map.of(TP, 3L));
    assertThat(context.paused).containsExactly(TP);
    assertThat(writer.written).isEmpty();
  }

  /** A rewind is only ever asked for a partition the task owns. */
  @Test
  void aRewindOfAPartitionNoLongerAssignedIsDropped() {
    startTask();
    task.open(List.of(TP));
    context.assignment.clear();
    writer.nextRewinds = Map.of(TP, 3L);

    task.put(List.of());

    assertThat(context.offsets).isEmpty();
    assertThat(context.paused).isEmpty();
  }
}
