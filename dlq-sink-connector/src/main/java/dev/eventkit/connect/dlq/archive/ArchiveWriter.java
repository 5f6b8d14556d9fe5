package dev.eventkit.connect.dlq.archive;

import dev.eventkit.connect.dlq.header.DeadLetter;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** Where dead letters are archived: a database table or JSON Lines files. */
public interface ArchiveWriter extends AutoCloseable {

  /** The task was assigned these partitions. */
  void open(Collection<TopicPartition> partitions) throws ArchiveException;

  /**
   * Archives a batch. Throws for trouble that concerns the whole batch (the archive is down);
   * returns the letters that cannot be archived at all, each with the reason, so the task can
   * report them instead of dropping them.
   */
  List<Rejected> write(List<DeadLetter> letters) throws ArchiveException;

  /** Of the offsets Connect proposes to commit, those whose records are durably archived. */
  Map<TopicPartition, OffsetAndMetadata> committable(
      Map<TopicPartition, OffsetAndMetadata> proposed) throws ArchiveException;

  /**
   * Partitions whose unfinished work was abandoned after an I/O error, each with the offset from
   * which Connect must deliver it again; cleared by the call.
   */
  default Map<TopicPartition, Long> takeRewinds() {
    return Map.of();
  }

  /** The task lost these partitions; unfinished work for them is abandoned, to be redelivered. */
  void close(Collection<TopicPartition> partitions);

  @Override
  void close();

  /** A letter the archive refuses, e.g. larger than the server accepts. */
  record Rejected(DeadLetter letter, Exception reason) {}
}
