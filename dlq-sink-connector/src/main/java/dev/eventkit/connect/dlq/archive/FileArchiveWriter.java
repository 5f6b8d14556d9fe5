package dev.eventkit.connect.dlq.archive;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventkit.connect.dlq.header.DeadLetter;
import dev.eventkit.connect.dlq.header.HeadersJson;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Archives dead letters as JSON Lines, one file per topic-partition offset range. A file is written
 * under a temporary name ({@code .tmp}) and, once closed (by records, bytes or age), forced to
 * disk, renamed to {@code <topic>-<partition>-<first>-<last>.jsonl[.gz]} and its directory synced;
 * only then do its offsets count as committable. A crash leaves unclosed data to be delivered
 * again; records already in closed files are skipped on redelivery. An I/O error (a full disk
 * included) never seals a file: the file is abandoned and its partition read again from the file's
 * first offset.
 */
public final class FileArchiveWriter implements ArchiveWriter {

  private static final Logger log = LoggerFactory.getLogger(FileArchiveWriter.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path directory;
  private final int maxRecords;
  private final long maxBytes;
  private final long maxAgeMs;
  private final boolean gzip;
  private final ArchiveFileSystem fileSystem;
  private final Map<TopicPartition, OpenFile> open = new HashMap<>();

  /** Per partition, the highest offset in a closed file. */
  private final Map<TopicPartition, Long> closedUpTo = new HashMap<>();

  /** Per partition whose open file was abandoned, the offset to read it again from. */
  private final Map<TopicPartition, Long> rewinds = new HashMap<>();

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
    this.directory = directory;
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
    this.maxAgeMs = maxAgeMs;
    this.gzip = gzip;
    this.fileSystem = fileSystem;
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
      this.tmp = directory.resolve(ArchiveFileName.temporary(partition, firstOffset, gzip));
      this.channel = fileSystem.create(tmp);
      OutputStream raw = Channels.newOutputStream(channel);
      try {
        this.out =
            gzip ? new GZIPOutputStream(raw, 64 * 1024) : new BufferedOutputStream(raw, 64 * 1024);
      } catch (IOException e) {
        channel.close();
        Files.deleteIfExists(tmp);
        throw e;
      }
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

    /**
     * Makes the file durable under its final name: the last bytes are flushed and forced to disk,
     * the file is renamed, and the rename is made durable by syncing the directory. Only then do
     * its offsets count. On any failure nothing is sealed and the caller abandons the file.
     */
    void seal() throws IOException {
      if (gzip) {
        ((GZIPOutputStream) out).finish();
      }
      out.flush();
      channel.force(true);
      channel.close();
      Path target =
          directory.resolve(ArchiveFileName.sealed(partition, firstOffset, lastOffset, gzip));
      fileSystem.rename(tmp, target);
      try {
        fileSystem.syncDirectory(directory);
      } catch (IOException e) {
        // The rename may not survive a crash: the records are written again instead.
        Files.deleteIfExists(target);
        throw e;
      }
      closedUpTo.put(partition, lastOffset);
    }

    /** Closes and deletes the temporary file; its records are delivered again. */
    void abandon() {
      try {
        channel.close();
      } catch (IOException ignored) {
        // Nothing of the file is kept.
      }
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException e) {
        log.warn(
            "Could not delete {} ({}); it is removed when {} is opened again",
            tmp,
            e.getMessage(),
            partition);
      }
    }
  }

  @Override
  public void open(Collection<TopicPartition> partitions) throws ArchiveException {
    try {
      Files.createDirectories(directory);
      try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
        for (Path file : files) {
          Optional<ArchiveFileName> name = ArchiveFileName.parse(file.getFileName().toString());
          if (name.isEmpty() || !partitions.contains(name.get().partition())) {
            continue;
          }
          if (name.get().sealed()) {
            closedUpTo.merge(name.get().partition(), name.get().lastOffset(), Math::max);
          } else {
            Files.delete(file); // left by a task that stopped before sealing it
          }
        }
      }
    } catch (IOException e) {
      throw new ArchiveException(
          "Cannot prepare archive directory " + directory + ": " + e, e, retriable(e));
    }
  }

  /** A directory the worker may not write, or a file where a directory belongs, will not heal. */
  private static boolean retriable(IOException e) {
    return !(e instanceof AccessDeniedException
        || e instanceof NotDirectoryException
        || e instanceof FileAlreadyExistsException);
  }

  /**
   * Appends each letter to its partition's open file, sealing full files. An I/O error abandons the
   * partition's open file (see {@link #takeRewinds}); the batch's other partitions go on.
   */
  @Override
  public List<Rejected> write(List<DeadLetter> letters) throws ArchiveException {
    Instant archivedAt = Instant.now();
    Set<TopicPartition> failed = new HashSet<>();
    for (DeadLetter letter : letters) {
      TopicPartition tp = new TopicPartition(letter.dlqTopic(), letter.dlqPartition());
      if (failed.contains(tp)) {
        continue; // delivered again from the abandoned file's first offset
      }
      Long closed = closedUpTo.get(tp);
      if (closed != null && letter.dlqOffset() <= closed) {
        continue; // already in a closed file: redelivered after a crash or a rewind
      }
      OpenFile file = open.get(tp);
      if (file != null && letter.dlqOffset() <= file.lastOffset) {
        continue;
      }
      try {
        if (file == null) {
          file = new OpenFile(tp, letter.dlqOffset());
          open.put(tp, file);
        }
        file.append(letter, line(letter, archivedAt));
        if (file.full()) {
          open.remove(tp);
          file.seal();
        }
      } catch (IOException e) {
        failed(tp, file, file == null ? letter.dlqOffset() : file.firstOffset, e);
        failed.add(tp);
      }
    }
    return List.of();
  }

  /**
   * Abandons a partition's file after an I/O error and asks for its records again from {@code
   * from}; fails the task, naming the file, for errors that cannot heal.
   */
  private void failed(TopicPartition tp, OpenFile file, long from, IOException e)
      throws ArchiveException {
    open.remove(tp);
    if (file != null) {
      file.abandon();
    }
    String what =
        (file == null ? "Creating an archive file under " + directory : "Writing " + file.tmp)
            + " for "
            + tp
            + " failed: "
            + e;
    rewinds.merge(tp, from, Math::min);
    if (!retriable(e)) {
      throw new ArchiveException(what, e, false);
    }
    log.warn("{}; the file is abandoned and {} is read again from offset {}", what, tp, from);
  }

  @Override
  public Map<TopicPartition, Long> takeRewinds() {
    Map<TopicPartition, Long> taken = Map.copyOf(rewinds);
    rewinds.clear();
    return taken;
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
    for (OpenFile file : List.copyOf(open.values())) {
      if (file.old(now)) {
        open.remove(file.partition);
        try {
          file.seal();
        } catch (IOException e) {
          failed(file.partition, file, file.firstOffset, e);
        }
      }
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
      rewinds.remove(tp);
    }
  }

  @Override
  public void close() {
    close(List.copyOf(open.keySet()));
  }
}
