package dev.eventkit.connect.dlq.archive;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventkit.connect.dlq.header.DeadLetter;
import dev.eventkit.connect.dlq.header.DeadLetterParser;
import dev.eventkit.connect.dlq.header.RawHeader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileArchiveWriterTest {

  private static final TopicPartition TP = new TopicPartition("orders.dlq", 0);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private static List<DeadLetter> letters(long from, long to) {
    List<DeadLetter> letters = new ArrayList<>();
    for (long offset = from; offset <= to; offset++) {
      letters.add(
          DeadLetterParser.parse(
              "orders.dlq",
              0,
              offset,
              1L,
              ("k" + offset).getBytes(StandardCharsets.UTF_8),
              new byte[] {(byte) offset, (byte) 0xff},
              List.of(
                  new RawHeader(
                      "__connect.errors.topic", "orders".getBytes(StandardCharsets.UTF_8)))));
    }
    return letters;
  }

  private List<String> files() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  private static Map<TopicPartition, OffsetAndMetadata> proposed(long next) {
    return Map.of(TP, new OffsetAndMetadata(next));
  }

  @Test
  void rotatesByRecordsAndCommitsOnlyClosedFiles() throws Exception {
    FileArchiveWriter writer = new FileArchiveWriter(dir, 3, Long.MAX_VALUE, Long.MAX_VALUE, false);
    writer.open(List.of(TP));

    writer.write(letters(0, 7));

    assertThat(files())
        .containsExactly(
            "orders.dlq-0-0-2.jsonl", "orders.dlq-0-3-5.jsonl", "orders.dlq-0-6.jsonl.tmp");
    assertThat(writer.committable(proposed(8))).isEqualTo(proposed(6));
    List<String> lines = Files.readAllLines(dir.resolve("orders.dlq-0-3-5.jsonl"));
    assertThat(lines).hasSize(3);
    JsonNode first = JSON.readTree(lines.get(0));
    assertThat(first.get("dlq_offset").asLong()).isEqualTo(3);
    assertThat(first.get("origin_topic").asText()).isEqualTo("orders");
    assertThat(Base64.getDecoder().decode(first.get("record_value").asText()))
        .isEqualTo(new byte[] {3, (byte) 0xff});
  }

  @Test
  void rotatesByBytes() throws Exception {
    FileArchiveWriter writer = new FileArchiveWriter(dir, 1000, 1, Long.MAX_VALUE, false);
    writer.open(List.of(TP));

    writer.write(letters(0, 1));

    assertThat(files()).containsExactly("orders.dlq-0-0-0.jsonl", "orders.dlq-0-1-1.jsonl");
  }

  @Test
  void rotatesByAgeWhenOffsetsAreCommitted() throws Exception {
    FileArchiveWriter writer = new FileArchiveWriter(dir, 1000, Long.MAX_VALUE, 1, true);
    writer.open(List.of(TP));
    writer.write(letters(0, 4));

    Map<TopicPartition, OffsetAndMetadata> committable =
        org.awaitility.Awaitility.await()
            .until(() -> writer.committable(proposed(5)), c -> !c.isEmpty());

    assertThat(committable).isEqualTo(proposed(5));
    assertThat(files()).containsExactly("orders.dlq-0-0-4.jsonl.gz");
    try (InputStream in =
        new GZIPInputStream(Files.newInputStream(dir.resolve("orders.dlq-0-0-4.jsonl.gz")))) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()).hasSize(5);
    }
  }

  @Test
  void aCrashBeforeCloseLeavesUnclosedDataUncommittedAndRedeliveryFillsTheGap() throws Exception {
    FileArchiveWriter crashed =
        new FileArchiveWriter(dir, 3, Long.MAX_VALUE, Long.MAX_VALUE, false);
    crashed.open(List.of(TP));
    crashed.write(letters(0, 4));
    assertThat(crashed.committable(proposed(5))).isEqualTo(proposed(3));
    // The task dies here: no close(), the temporary file stays behind.

    FileArchiveWriter restarted =
        new FileArchiveWriter(dir, 3, Long.MAX_VALUE, Long.MAX_VALUE, false);
    restarted.open(List.of(TP));
    assertThat(files()).containsExactly("orders.dlq-0-0-2.jsonl");
    restarted.write(letters(0, 5)); // Connect redelivers from an older offset: 0..2 are skipped.

    assertThat(files()).containsExactly("orders.dlq-0-0-2.jsonl", "orders.dlq-0-3-5.jsonl");
    assertThat(restarted.committable(proposed(6))).isEqualTo(proposed(6));
  }

  @Test
  void losingAPartitionAbandonsItsOpenFile() throws Exception {
    FileArchiveWriter writer =
        new FileArchiveWriter(dir, 10, Long.MAX_VALUE, Long.MAX_VALUE, false);
    writer.open(List.of(TP));
    writer.write(letters(0, 1));

    writer.close(List.of(TP));

    assertThat(files()).isEmpty();
    assertThat(writer.committable(proposed(2))).isEmpty();
  }

  private FaultyFileSystem fs = new FaultyFileSystem();

  private FileArchiveWriter faultyWriter(int maxRecords) {
    return new FileArchiveWriter(dir, maxRecords, Long.MAX_VALUE, Long.MAX_VALUE, false, fs);
  }

  private List<Long> archivedOffsets() throws IOException {
    List<Long> offsets = new ArrayList<>();
    for (String name : files()) {
      if (name.endsWith(".jsonl")) {
        for (String line : Files.readAllLines(dir.resolve(name))) {
          offsets.add(JSON.readTree(line).get("dlq_offset").asLong());
        }
      }
    }
    offsets.sort(Long::compare);
    return offsets;
  }

  @Test
  void aFileIsForcedToDiskThenRenamedAndItsDirectorySyncedBeforeItsOffsetsCount() throws Exception {
    FileArchiveWriter writer = faultyWriter(3);
    writer.open(List.of(TP));

    writer.write(letters(0, 2));

    assertThat(fs.calls)
        .containsSubsequence(
            "create orders.dlq-0-0.jsonl.tmp",
            "force orders.dlq-0-0.jsonl.tmp",
            "close orders.dlq-0-0.jsonl.tmp",
            "rename orders.dlq-0-0.jsonl.tmp orders.dlq-0-0-2.jsonl",
            "sync directory");
    assertThat(writer.committable(proposed(3))).isEqualTo(proposed(3));
  }

  /**
   * The case: the disk fills up during the final flush. The file must never be sealed by a
   * later, "successful" close of a stream whose buffered lines were lost.
   */
  @Test
  void aFullDiskDuringTheFinalFlushAbandonsTheFileAndRewindsToItsFirstOffset() throws Exception {
    FileArchiveWriter writer = faultyWriter(3);
    writer.open(List.of(TP));
    writer.write(letters(0, 2));
    fs.diskFull = true;

    writer.write(letters(3, 7)); // 3..5 fill a file whose flush fails; 6 and 7 must wait

    assertThat(writer.takeRewinds()).isEqualTo(Map.of(TP, 3L));
    assertThat(writer.takeRewinds()).isEmpty();
    assertThat(files()).containsExactly("orders.dlq-0-0-2.jsonl");
    assertThat(writer.committable(proposed(8))).isEqualTo(proposed(3));
    assertThat(files()).containsExactly("orders.dlq-0-0-2.jsonl");

    fs.diskFull = false;
    writer.write(letters(3, 7)); // Connect reads the partition again from offset 3
    assertThat(writer.committable(proposed(8))).isEqualTo(proposed(6));
    assertThat(files())
        .containsExactly(
            "orders.dlq-0-0-2.jsonl", "orders.dlq-0-3-5.jsonl", "orders.dlq-0-6.jsonl.tmp");
    assertThat(archivedOffsets()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
  }

  @Test
  void aFullDiskWhenAFileIsClosedByAgeAbandonsItAndRewinds() throws Exception {
    FileArchiveWriter writer = new FileArchiveWriter(dir, 100, Long.MAX_VALUE, 1, false, fs);
    writer.open(List.of(TP));
    writer.write(letters(0, 4));
    fs.diskFull = true;

    org.awaitility.Awaitility.await("the old file closed")
        .until(
            () -> {
              assertThat(writer.committable(proposed(5))).isEmpty();
              return files().isEmpty();
            });

    assertThat(writer.takeRewinds()).isEqualTo(Map.of(TP, 0L));
    fs.diskFull = false;
    assertThat(writer.committable(proposed(5))).isEmpty();
    assertThat(files()).isEmpty(); // never a second, "successful" seal of the lost lines
  }

  @Test
  void aFailedFileSyncNeverSealsTheFile() throws Exception {
    FileArchiveWriter writer = faultyWriter(2);
    writer.open(List.of(TP));
    fs.forceFails = true;

    writer.write(letters(0, 1));

    assertThat(writer.takeRewinds()).isEqualTo(Map.of(TP, 0L));
    assertThat(files()).isEmpty();
    assertThat(writer.committable(proposed(2))).isEmpty();
  }

  @Test
  void aFailedDirectorySyncRemovesTheRenamedFileAndRewinds() throws Exception {
    FileArchiveWriter writer = faultyWriter(2);
    writer.open(List.of(TP));
    fs.directorySyncFails = true;

    writer.write(letters(0, 1));

    assertThat(writer.takeRewinds()).isEqualTo(Map.of(TP, 0L));
    assertThat(files()).isEmpty();
    assertThat(writer.committable(proposed(2))).isEmpty();

    fs.directorySyncFails = false;
    writer.write(letters(0, 1));
    assertThat(files()).containsExactly("orders.dlq-0-0-1.jsonl");
    assertThat(writer.committable(proposed(2))).isEqualTo(proposed(2));
  }

  @Test
  void openingPartitionOneOfXNeverTouchesTheFilesOfTopicXMinusOne() throws Exception {
    Files.writeString(dir.resolve("x-1-0-5.jsonl.tmp"), "{}\n"); // topic x-1, partition 0
    Files.writeString(dir.resolve("x-1-0-5-9.jsonl"), "{}\n"); // topic x-1, partition 0, 5..9
    Files.writeString(dir.resolve("x-1-7.jsonl.tmp"), "{}\n"); // topic x, partition 1
    Files.writeString(dir.resolve("x-1-0-3.jsonl"), "{}\n"); // topic x, partition 1, 0..3
    TopicPartition x1 = new TopicPartition("x", 1);
    FileArchiveWriter writer =
        new FileArchiveWriter(dir, 10, Long.MAX_VALUE, Long.MAX_VALUE, false);

    writer.open(List.of(x1));

    assertThat(files()).containsExactly("x-1-0-3.jsonl", "x-1-0-5-9.jsonl", "x-1-0-5.jsonl.tmp");
    assertThat(writer.committable(Map.of(x1, new OffsetAndMetadata(20))))
        .isEqualTo(Map.of(x1, new OffsetAndMetadata(4)));
  }
}
