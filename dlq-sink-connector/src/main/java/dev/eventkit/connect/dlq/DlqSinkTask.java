package dev.eventkit.connect.dlq;

import dev.eventkit.connect.dlq.archive.ArchiveException;
import dev.eventkit.connect.dlq.archive.ArchiveWriter;
import dev.eventkit.connect.dlq.archive.FileArchiveWriter;
import dev.eventkit.connect.dlq.archive.JdbcArchiveWriter;
import dev.eventkit.connect.dlq.header.DeadLetter;
import dev.eventkit.connect.dlq.header.DeadLetterParser;
import dev.eventkit.connect.dlq.header.RawHeader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Archives the dead letters Connect delivers. Writes are durable before offsets are committed; an
 * unavailable archive makes Connect redeliver the batch after a backoff; a letter the archive
 * refuses goes to the errant record reporter or fails the task, naming it.
 */
public final class DlqSinkTask extends SinkTask {

  private static final Logger log = LoggerFactory.getLogger(DlqSinkTask.class);

  private DlqSinkConnectorConfig config;
  private ArchiveWriter writer;
  private DlqSinkTaskMetrics metrics;
  private ErrantRecordReporter reporter;
  private long backoffMs;

  /** An archive failure that cannot heal, met where the task cannot fail (preCommit). */
  private ArchiveException failure;

  /** Partitions paused after the archive abandoned their file, with when to resume them. */
  private final Map<TopicPartition, Long> pausedUntil = new HashMap<>();

  private final Function<DlqSinkConnectorConfig, ArchiveWriter> writers;

  public DlqSinkTask() {
    this(DlqSinkTask::writerFor);
  }

  /** With another archive writer, for tests. */
  DlqSinkTask(Function<DlqSinkConnectorConfig, ArchiveWriter> writers) {
    this.writers = writers;
  }

  private static ArchiveWriter writerFor(DlqSinkConnectorConfig config) {
    return config.fileArchive()
        ? new FileArchiveWriter(
            Path.of(config.fileDirectory()),
            config.rotateRecords(),
            config.rotateBytes(),
            config.rotateIntervalMs(),
            config.gzip())
        : new JdbcArchiveWriter(
            config.connectionUrl(),
            config.connectionUser().orElse(null),
            config.connectionPassword().orElse(null),
            config.tableName(),
            config.createTable());
  }

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public void start(Map<String, String> props) {
    config = new DlqSinkConnectorConfig(props);
    writer = writers.apply(config);
    reporter = context.errantRecordReporter();
    metrics =
        new DlqSinkTaskMetrics()
            .register(props.getOrDefault("name", "dlq-sink"), props.getOrDefault("task.id", "0"));
    backoffMs = 0;
  }

  @Override
  public void open(Collection<TopicPartition> partitions) {
    try {
      writer.open(partitions);
    } catch (ArchiveException e) {
      throw new ConnectException(e.getMessage(), e);
    }
    // Connect keeps a task's paused partitions paused across a rebalance, and the eager assignor
    // revokes and reassigns the same partitions: one paused for a backoff before it was closed
    // would stay paused for good. A newly opened partition starts from its committed offset (the
    // abandoned file's first one at most), so it has nothing to wait for.
    if (!partitions.isEmpty()) {
      partitions.forEach(pausedUntil::remove);
      context.resume(partitions.toArray(new TopicPartition[0]));
    }
  }

  @Override
  public void put(Collection<SinkRecord> records) {
    if (failure != null) {
      throw new ConnectException(failure.getMessage(), failure);
    }
    resumeAfterBackoff();
    // Files abandoned since the last batch (in preCommit): those partitions are read again from
    // the file's first offset, so this batch's records of them wait for that redelivery.
    Set<TopicPartition> rewound = rewind();
    if (records.isEmpty()) {
      return;
    }
    List<DeadLetter> letters = new ArrayList<>(records.size());
    Map<String, SinkRecord> byPosition = new HashMap<>();
    for (SinkRecord record : records) {
      if (rewound.contains(new TopicPartition(record.topic(), record.kafkaPartition()))) {
        continue;
      }
      DeadLetter letter = toDeadLetter(record);
      letters.add(letter);
      byPosition.put(letter.describe(), record);
    }
    List<ArchiveWriter.Rejected> rejected;
    try {
      rejected = writer.write(letters);
    } catch (ArchiveException e) {
      if (!e.retriable()) {
        throw new ConnectException(e.getMessage(), e);
      }
      backoffMs =
          backoffMs == 0
              ? config.retryBackoffMs()
              : Math.min(backoffMs * 2, config.retryBackoffMaxMs());
      metrics.recordRetry();
      log.warn("{}; Connect redelivers the batch in {} ms", e.getMessage(), backoffMs);
      context.timeout(backoffMs);
      throw new RetriableException(e.getMessage(), e);
    }
    if (rewind().isEmpty() && rewound.isEmpty()) {
      backoffMs = 0;
    }
    long now = System.currentTimeMillis();
    List<String> rejectedNames = new ArrayList<>();
    for (ArchiveWriter.Rejected r : rejected) {
      SinkRecord record = byPosition.get(r.letter().describe());
      if (reporter == null) {
        throw new ConnectException(
            "Cannot archive "
                + r.letter().describe()
                + ": "
                + r.reason().getMessage()
                + ". Configure errors.tolerance=all and errors.deadletterqueue.topic.name to set such"
                + " records aside.",
            r.reason());
      }
      log.error(
          "Cannot archive {}: {}; reporting it as an errant record",
          r.letter().describe(),
          r.reason().getMessage());
      reporter.report(record, r.reason());
      metrics.recordRejected();
      rejectedNames.add(r.letter().describe());
    }
    for (DeadLetter letter : letters) {
      if (!rejectedNames.contains(letter.describe())) {
        metrics.recordArchived(letter, now);
      }
    }
  }

  /**
   * Has Connect deliver again, after a backoff, the partitions whose unfinished file the archive
   * abandoned: their offsets go back to the file's first record and they stay paused meanwhile.
   * Only partitions the task owns are rewound (a seek or pause of another is an error in Connect);
   * called from put only, never on the revocation path (preCommit then close), where Connect would
   * apply the seek after the partition has gone. Returns the partitions rewound.
   */
  private Set<TopicPartition> rewind() {
    Map<TopicPartition, Long> rewinds = new HashMap<>(writer.takeRewinds());
    rewinds.keySet().retainAll(context.assignment());
    if (rewinds.isEmpty()) {
      return Set.of();
    }
    backoffMs =
        backoffMs == 0
            ? config.retryBackoffMs()
            : Math.min(backoffMs * 2, config.retryBackoffMaxMs());
    context.offset(rewinds);
    metrics.recordRetry();
    long resumeAt = System.currentTimeMillis() + backoffMs;
    rewinds.keySet().forEach(tp -> pausedUntil.put(tp, resumeAt));
    context.pause(rewinds.keySet().toArray(new TopicPartition[0]));
    context.timeout(backoffMs);
    log.warn("Reading {} again in {} ms", rewinds, backoffMs);
    return rewinds.keySet();
  }

  private void resumeAfterBackoff() {
    long now = System.currentTimeMillis();
    List<TopicPartition> due = new ArrayList<>();
    pausedUntil.forEach(
        (tp, until) -> {
          if (until <= now) {
            due.add(tp);
          }
        });
    due.forEach(pausedUntil::remove);
    due.retainAll(context.assignment());
    if (!due.isEmpty()) {
      context.resume(due.toArray(new TopicPartition[0]));
    }
  }

  private static DeadLetter toDeadLetter(SinkRecord record) {
    List<RawHeader> headers = new ArrayList<>();
    for (Header header : record.headers()) {
      headers.add(
          new RawHeader(
              header.key(),
              bytes(header.value(), record, "header " + header.key(), "header.converter")));
    }
    return DeadLetterParser.parse(
        record.topic(),
        record.kafkaPartition(),
        record.kafkaOffset(),
        record.timestamp(),
        bytes(record.key(), record, "key", "key.converter"),
        bytes(record.value(), record, "value", "value.converter"),
        headers);
  }

  private static byte[] bytes(
      Object value, SinkRecord record, String what, String converterOption) {
    if (value == null || value instanceof byte[]) {
      return (byte[]) value;
    }
    throw new ConnectException(
        "The "
            + what
            + " of "
            + record.topic()
            + "-"
            + record.kafkaPartition()
            + "@"
            + record.kafkaOffset()
            + " arrived as "
            + value.getClass().getName()
            + ", not raw bytes: set "
            + converterOption
            + "="
            + DlqSinkConnectorConfig.BYTE_ARRAY_CONVERTER
            + " so the archive stays lossless");
  }

  @Override
  public Map<TopicPartition, OffsetAndMetadata> preCommit(
      Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
    resumeAfterBackoff();
    try {
      return writer.committable(currentOffsets);
    } catch (ArchiveException e) {
      if (!e.retriable()) {
        // Connect does not fail a task for an exception from preCommit: the next put does.
        failure = e;
      }
      log.warn("Not committing offsets this time: {}", e.getMessage());
      return Map.of();
    }
    // A file abandoned here is rewound by the next put: Connect calls preCommit on revocation
    // too, right before close, and a seek queued now would reach a partition no longer owned.
  }

  @Override
  public void close(Collection<TopicPartition> partitions) {
    partitions.forEach(pausedUntil::remove);
    writer.close(partitions);
  }

  @Override
  public void stop() {
    if (writer != null) {
      writer.close();
    }
    if (metrics != null) {
      metrics.close();
    }
  }
}
