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

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public void start(Map<String, String> props) {
    config = new DlqSinkConnectorConfig(props);
    writer =
        config.fileArchive()
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
  }

  @Override
  public void put(Collection<SinkRecord> records) {
    if (records.isEmpty()) {
      return;
    }
    List<DeadLetter> letters = new ArrayList<>(records.size());
    Map<String, SinkRecord> byPosition = new HashMap<>();
    for (SinkRecord record : records) {
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
      log.warn("{}; Connect redelivers the batch in {} ms", e.getMessage(), backoffMs);
      context.timeout(backoffMs);
      throw new RetriableException(e.getMessage(), e);
    }
    backoffMs = 0;
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
    try {
      return writer.committable(currentOffsets);
    } catch (ArchiveException e) {
      log.warn("Not committing offsets this time: {}", e.getMessage());
      return Map.of();
    }
  }

  @Override
  public void close(Collection<TopicPartition> partitions) {
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
