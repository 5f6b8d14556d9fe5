package dev.eventkit.connect.dlq.archive;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.TopicPartition;

/**
 * Names of archive files: {@code <topic>-<partition>-<first>-<last>.jsonl[.gz]} once sealed and
 * {@code <topic>-<partition>-<first>.jsonl[.gz].tmp} while written. Topic names may contain dashes
 * and digits, so a name is read from the right, where the count of numbers is fixed: {@code
 * x-1-0-5.jsonl.tmp} belongs to topic {@code x-1}, partition 0, never to topic {@code x}, partition
 * 1.
 */
record ArchiveFileName(
    TopicPartition partition, long firstOffset, long lastOffset, boolean sealed) {

  private static final Pattern SEALED =
      Pattern.compile("(.+)-(\\d+)-(\\d+)-(\\d+)\\.jsonl(\\.gz)?");
  private static final Pattern TEMPORARY =
      Pattern.compile("(.+)-(\\d+)-(\\d+)\\.jsonl(\\.gz)?\\.tmp");

  static String temporary(TopicPartition tp, long firstOffset, boolean gzip) {
    return tp.topic() + "-" + tp.partition() + "-" + firstOffset + extension(gzip) + ".tmp";
  }

  static String sealed(TopicPartition tp, long firstOffset, long lastOffset, boolean gzip) {
    return tp.topic()
        + "-"
        + tp.partition()
        + "-"
        + firstOffset
        + "-"
        + lastOffset
        + extension(gzip);
  }

  /** The archive file a directory entry names, or empty for anything else. */
  static Optional<ArchiveFileName> parse(String name) {
    try {
      Matcher sealed = SEALED.matcher(name);
      if (sealed.matches()) {
        return Optional.of(
            new ArchiveFileName(
                new TopicPartition(sealed.group(1), Integer.parseInt(sealed.group(2))),
                Long.parseLong(sealed.group(3)),
                Long.parseLong(sealed.group(4)),
                true));
      }
      Matcher temporary = TEMPORARY.matcher(name);
      if (temporary.matches()) {
        return Optional.of(
            new ArchiveFileName(
                new TopicPartition(temporary.group(1), Integer.parseInt(temporary.group(2))),
                Long.parseLong(temporary.group(3)),
                -1,
                false));
      }
    } catch (NumberFormatException tooLarge) {
      // Not a name this archive writes.
    }
    return Optional.empty();
  }

  private static String extension(boolean gzip) {
    return gzip ? ".jsonl.gz" : ".jsonl";
  }
}
