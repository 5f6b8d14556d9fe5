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
}
