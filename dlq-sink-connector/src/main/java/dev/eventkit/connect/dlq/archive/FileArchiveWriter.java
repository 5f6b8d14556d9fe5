package dev.eventkit.connect.dlq.archive;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventkit.connect.dlq.header.DeadLetter;
import dev.eventkit.connect.dlq.header.HeadersJson;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Archives dead letters as JSON Lines, one file per topic-partition offset range. A file is written
 * under a temporary name ({@code .tmp}) and renamed to {@code <topic>-<partition>-<first>-<last>
 * .jsonl[.gz]} once closed (by records, bytes or age). Only offsets of closed files are committed,
 * so a crash leaves unclosed data to be delivered again; records already in closed files are
 * skipped on redelivery.
 */
public final class FileArchiveWriter implements ArchiveWriter {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern CLOSED =
      Pattern.compile("(.+)-(\\d+)-(\\d+)-(\\d+)\\.jsonl(\\.gz)?");

  private final Path directory;
  private final int maxRecords;
  private final long maxBytes;
  private final long maxAgeMs;
  private final boolean gzip;
  private final ArchiveFileSystem fileSystem;
  private final Map<TopicPartition, OpenFile> open = new HashMap<>();

  /** Per partition, the highest offset in a closed file. */
  private final Map<TopicPartition, Long> closedUpTo = new HashMap<>();

  public FileArchiveWriter(
      Path directory, int maxRecords, long maxBytes, long maxAgeMs, boolean gzip) {
    this(directory, maxRecords, maxBytes, maxAgeMs, gzip, ArchiveFileSystem.LOCAL);
  }

  FileArchiveWriter(
      Path directory,
      int maxRecords,
      long maxBytes,
      long maxAgeMs,
      boolean gzip,
      ArchiveFileSystem fileSystem) {
    this.fileSystem = fileSystem;
    this.directory = directory;
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
    this.maxAgeMs = maxAgeMs;
    this.gzip = gzip;
  }

  private final class OpenFile {
    final TopicPartition partition;
    final long firstOffset;
    final Path tmp;
    final FileChannel channel;
    final OutputStream out;
    final long openedAt = System.currentTimeMillis();
    long lastOffset;
    int records;
    long bytes;

    OpenFile(TopicPartition partition, long firstOffset) throws IOException {
      this.partition = partition;
      this.firstOffset = firstOffset;
      this.tmp = directory.resolve(prefix(partition) + firstOffset + extension() + ".tmp");
      this.channel = fileSystem.create(tmp);
      OutputStream raw = java.nio.channels.Channels.newOutputStream(channel);
      this.out =
          gzip
              ? new GZIPOutputStream(raw, 64 * 1024)
              : new java.io.BufferedOutputStream(raw, 64 * 1024);
    }

    void append(DeadLetter letter, byte[] line) throws IOException {
      out.write(line);
      out.write('\n');
      lastOffset = letter.dlqOffset();
      records++;
      bytes += line.length + 1;
    }

    boolean full() {
      return records >= maxRecords || bytes >= maxBytes;
    }

    boolean old(long now) {
      return now - openedAt >= maxAgeMs;
    }

    /** Flushes to disk and gives the file its final name. */
    void seal() throws IOException {
      out.close();
      Path target =
          directory.resolve(prefix(partition) + firstOffset + "-" + lastOffset + extension());
      fileSystem.rename(tmp, target);
      closedUpTo.put(partition, lastOffset);
    }

    void abandon() {
      try {
        out.close();
      } catch (IOException ignored) {
        // Its data is delivered again; the temporary file goes away below.
      }
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // A leftover .tmp file is removed when the partition is opened again.
      }
    }
  }

  private String extension() {
    return gzip ? ".jsonl.gz" : ".jsonl";
  }

  private static String prefix(TopicPartition tp) {
    return tp.topic() + "-" + tp.partition() + "-";
  }

  @Override
  public void open(Collection<TopicPartition> partitions) throws ArchiveException {
    try {
      Files.createDirectories(directory);
      try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
        for (Path file : files) {
          String name = file.getFileName().toString();
          for (TopicPartition tp : partitions) {
            if (!name.startsWith(prefix(tp))) {
              continue;
            }
            if (name.endsWith(".tmp")) {
              Files.delete(file);
              continue;
            }
            Matcher m = CLOSED.matcher(name);
            if (m.matches()
                && m.group(1).equals(tp.topic())
                && Integer.parseInt(m.group(2)) == tp.partition()) {
              closedUpTo.merge(tp, Long.parseLong(m.group(4)), Math::max);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new ArchiveException(
          "Cannot prepare archive directory " + directory + ": " + e.getMessage(), e, true);
    }
  }

  @Override
  public List<Rejected> write(List<DeadLetter> letters) throws ArchiveException {
    try {
      Instant archivedAt = Instant.now();
      for (DeadLetter letter : letters) {
        TopicPartition tp = new TopicPartition(letter.dlqTopic(), letter.dlqPartition());
        Long closed = closedUpTo.get(tp);
        if (closed != null && letter.dlqOffset() <= closed) {
          continue; // already in a closed file: redelivered after a crash
        }
        OpenFile file = open.get(tp);
        if (file != null && letter.dlqOffset() <= file.lastOffset) {
          continue;
        }
        if (file == null) {
          file = new OpenFile(tp, letter.dlqOffset());
          open.put(tp, file);
        }
        file.append(letter, line(letter, archivedAt));
        if (file.full()) {
          file.seal();
          open.remove(tp);
        }
      }
      return List.of();
    } catch (IOException e) {
      throw new ArchiveException(
          "Writing dead letters under " + directory + " failed: " + e.getMessage(), e, true);
    }
  }

  private static byte[] line(DeadLetter l, Instant archivedAt) throws IOException {
    ObjectNode node = JSON.createObjectNode();
    node.put("dlq_topic", l.dlqTopic());
    node.put("dlq_partition", l.dlqPartition());
    node.put("dlq_offset", l.dlqOffset());
    node.put("dlq_timestamp", l.dlqTimestamp() == null ? null : l.dlqTimestamp().toString());
    node.put("archived_at", archivedAt.toString());
    node.put("origin_topic", l.originTopic());
    node.put("origin_partition", l.originPartition());
    node.put("origin_offset", l.originOffset());
    node.put(
        "origin_timestamp", l.originTimestamp() == null ? null : l.originTimestamp().toString());
    node.put("error_dialect", l.dialect().columnValue());
    node.put("connector_name", l.connectorName());
    node.put("task_id", l.taskId());
    node.put("stage", l.stage());
    node.put("failing_class", l.failingClass());
    node.put("consumer_group", l.consumerGroup());
    node.put("exception_class", l.exceptionClass());
    node.put("exception_message", l.exceptionMessage());
    node.put("exception_stacktrace", l.exceptionStacktrace());
    node.put("event_id", l.eventId());
    node.put("event_type", l.eventType());
    node.put("correlation_id", l.correlationId());
    node.put("record_key", l.key() == null ? null : Base64.getEncoder().encodeToString(l.key()));
    node.put(
        "record_value", l.value() == null ? null : Base64.getEncoder().encodeToString(l.value()));
    node.set("record_headers", JSON.readTree(HeadersJson.write(l.headers())));
    return JSON.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Closes files that are old enough, then offers only offsets whose records are in closed files.
   */
  @Override
  public Map<TopicPartition, OffsetAndMetadata> committable(
      Map<TopicPartition, OffsetAndMetadata> proposed) throws ArchiveException {
    long now = System.currentTimeMillis();
    try {
      for (var it = open.values().iterator(); it.hasNext(); ) {
        OpenFile file = it.next();
        if (file.old(now)) {
          file.seal();
          it.remove();
        }
      }
    } catch (IOException e) {
      throw new ArchiveException("Closing archive files failed: " + e.getMessage(), e, true);
    }
    Map<TopicPartition, OffsetAndMetadata> result = new HashMap<>();
    for (TopicPartition tp : proposed.keySet()) {
      Long closed = closedUpTo.get(tp);
      if (closed != null) {
        result.put(tp, new OffsetAndMetadata(closed + 1));
      }
    }
    return result;
  }

  @Override
  public void close(Collection<TopicPartition> partitions) {
    for (TopicPartition tp : partitions) {
      OpenFile file = open.remove(tp);
      if (file != null) {
        file.abandon();
      }
      closedUpTo.remove(tp);
    }
  }

  @Override
  public void close() {
    close(List.copyOf(open.keySet()));
  }
}
