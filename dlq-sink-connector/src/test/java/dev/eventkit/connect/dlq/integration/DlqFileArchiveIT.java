package dev.eventkit.connect.dlq.integration;

import static dev.eventkit.connect.dlq.integration.DlqTestSupport.FILE_EXAMPLE;
import static dev.eventkit.connect.dlq.integration.DlqTestSupport.produceConnectDeadLetter;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventkit.testkit.TestStack;
import dev.eventkit.testkit.connect.ConnectCluster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The JSON Lines archive: rotation, gzip, and offsets committed only for closed files. */
class DlqFileArchiveIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final TestStack STACK = TestStack.connectOnly(DlqTestSupport.cluster());

  private static List<String> files(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  /** The sink's committed offset, read from its consumer group (it outlives the connector). */
  private static long committedOffset(String connector) throws Exception {
    try (Admin admin = STACK.cluster().kafka().createAdminClient()) {
      OffsetAndMetadata offset =
          admin
              .listConsumerGroupOffsets("connect-" + connector)
              .partitionsToOffsetAndMetadata()
              .get()
              .get(new TopicPartition("files.dlq", 0));
      return offset == null ? -1 : offset.offset();
    }
  }

  private static List<Long> archivedOffsets(Path dir) throws IOException {
    List<Long> offsets = new ArrayList<>();
    for (String name : files(dir)) {
      if (!name.endsWith(".jsonl.gz")) {
        continue;
      }
      try (InputStream in = new GZIPInputStream(Files.newInputStream(dir.resolve(name)))) {
        for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
          offsets.add(JSON.readTree(line).get("dlq_offset").asLong());
        }
      }
    }
    offsets.sort(Long::compare);
    return offsets;
  }

  @Test
  void rotatesGzipsAndNeverCommitsDataThatIsNotInAClosedFile() throws Exception {
    Path dir = Files.createTempDirectory("dead-letters");
    STACK.cluster().topics().create("files.dlq", 1);
    try (KafkaProducer<byte[], byte[]> producer =
        STACK.cluster().kafka().createProducer(Map.of())) {
      for (int i = 0; i < 25; i++) {
        produceConnectDeadLetter(producer, "files.dlq", "orders", i, "e-" + i);
      }
    }
    Map<String, String> overrides =
        Map.of(
            "file.directory",
            dir.toString(),
            "file.rotate.records",
            "10",
            "file.rotate.interval.ms",
            "3600000",
            "topics.regex",
            "files\\.dlq");
    assertThat(
            ConnectCluster.validationErrors(
                STACK.cluster().validateConnector(FILE_EXAMPLE, overrides)))
        .isEmpty();
    STACK.cluster().createConnector("files", FILE_EXAMPLE, overrides);

    Awaitility.await("two closed files and the offset of the second committed")
        .atMost(TIMEOUT)
        .until(() -> committedOffset("files") == 20);
    assertThat(files(dir))
        .containsExactly(
            "files.dlq-0-0-9.jsonl.gz",
            "files.dlq-0-10-19.jsonl.gz",
            "files.dlq-0-20.jsonl.gz.tmp");

    // The task goes away before the third file is closed: those records must be delivered again.
    STACK.cluster().delete("connectors/files").expectSuccess("delete");
    STACK.cluster().connect().assertions().assertConnectorDoesNotExist("files", "not deleted");
    assertThat(committedOffset("files")).isEqualTo(20);
    assertThat(files(dir))
        .containsExactly("files.dlq-0-0-9.jsonl.gz", "files.dlq-0-10-19.jsonl.gz");

    STACK
        .cluster()
        .createConnector(
            "files",
            FILE_EXAMPLE,
            Map.of(
                "file.directory",
                dir.toString(),
                "file.rotate.records",
                "10",
                "file.rotate.interval.ms",
                "500",
                "topics.regex",
                "files\\.dlq"));
    Awaitility.await("the rest archived after the restart")
        .atMost(TIMEOUT)
        .until(() -> committedOffset("files") == 25);

    assertThat(files(dir))
        .containsExactly(
            "files.dlq-0-0-9.jsonl.gz", "files.dlq-0-10-19.jsonl.gz", "files.dlq-0-20-24.jsonl.gz");
    List<Long> expected = new ArrayList<>();
    for (long i = 0; i < 25; i++) {
      expected.add(i);
    }
    assertThat(archivedOffsets(dir)).isEqualTo(expected);
    STACK.cluster().delete("connectors/files").expectSuccess("delete");
  }
}
