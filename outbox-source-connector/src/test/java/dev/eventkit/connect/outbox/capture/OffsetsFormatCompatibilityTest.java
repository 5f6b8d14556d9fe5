package dev.eventkit.connect.outbox.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventkit.connect.outbox.OutboxSourceConnectorConfig;
import dev.eventkit.connect.outbox.capture.poll.mariadb.GapTracker;
import dev.eventkit.connect.outbox.capture.poll.mariadb.MariaDbPollingCapture;
import dev.eventkit.connect.outbox.capture.poll.mariadb.MariaDbPosition;
import dev.eventkit.connect.outbox.capture.poll.postgres.PostgresPollingCapture;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Offsets written by every earlier release (fixtures under {@code offsets/<release>/}) are still
 * read: each passes {@link OutboxCaptures#validateOffset} (what the offsets REST API calls) and a
 * task resumes from them where the fixture says, through {@link OutboxCaptures#create} with
 * Connect's own JSON round trip (numbers come back as longs; partitions are matched by their
 * serialized form, as the worker's offset reader does). The newest release's fixtures must also be
 * what the current code writes, so a format change cannot slip in without a new fixture folder.
 */
class OffsetsFormatCompatibilityTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  static Stream<Path> fixtures() throws IOException, URISyntaxException {
    Path root = Path.of(OffsetsFormatCompatibilityTest.class.getResource("/offsets").toURI());
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(p -> p.toString().endsWith(".json")).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void offsetsOfThisReleaseAreValidatedAndResumedFrom(Path fixture) throws IOException {
    JsonNode root = JSON.readTree(fixture.toFile());
    boolean newest = root.get("release").asText().equals(newestRelease());
    for (JsonNode c : root.get("cases")) {
      Map<String, String> config = new HashMap<>();
      c.get("config").properties().forEach(f -> config.put(f.getKey(), f.getValue().asText()));
      OffsetStore store = new OffsetStore(c.get("offsets"));

      for (var stored : store.entries()) {
        assertThatCode(
                () ->
                    OutboxCaptures.validateOffset(
                        new OutboxSourceConnectorConfig(config),
                        stored.partition(),
                        stored.offset()))
            .as("%s: %s validates %s", fixture.getFileName(), c.get("name"), stored.offset())
            .doesNotThrowAnyException();
      }

      for (JsonNode expected : c.get("resume")) {
        Map<String, String> task = new HashMap<>(config);
        task.put(OutboxSourceConnectorConfig.TASK_BUCKET_CONFIG, expected.get("bucket").asText());
        task.put(
            OutboxSourceConnectorConfig.TASK_BUCKET_COUNT_CONFIG, expected.get("buckets").asText());
        OutboxCapture capture =
            OutboxCaptures.create(
                new OutboxSourceConnectorConfig(task),
                "offsets-fixture",
                null,
                () -> {
                  throw new AssertionError("resuming must not need the database");
                },
                store::read);
        String what = fixture.getFileName() + ": " + c.get("name").asText() + ", " + expected;
        Map<String, Object> written;
        if (capture instanceof PostgresPollingCapture postgres) {
          assertThat(postgres.position().txid()).as(what).isEqualTo(expected.get("txid").asLong());
          assertThat(postgres.position().seq()).as(what).isEqualTo(expected.get("seq").asLong());
          List<String> done = new ArrayList<>();
          expected.get("done").forEach(d -> done.add(d.asText()));
          assertThat(postgres.position().done()).as(what).map(Object::toString).isEqualTo(done);
          written = postgres.position().toOffset();
        } else {
          GapTracker.State state = ((MariaDbPollingCapture) capture).state();
          assertThat(state.cursor()).as(what).isEqualTo(expected.get("cursor").asLong());
          JsonNode gap = expected.path("gap");
          if (gap.isMissingNode()) {
            assertThat(state.gap()).as(what).isNull();
          } else {
            assertThat(state.gap().first()).as(what).isEqualTo(gap.get("first").asLong());
            assertThat(state.gap().last()).as(what).isEqualTo(gap.get("last").asLong());
            assertThat(state.gap().openedAtMs()).as(what).isEqualTo(gap.get("since").asLong());
            if (gap.get("waits").isNull()) {
              assertThat(state.gap().waitingFor()).as(what).isNull();
            } else {
              Set<String> waits = new TreeSet<>();
              gap.get("waits").forEach(w -> waits.add(w.asText()));
              assertThat(state.gap().waitingFor())
                  .as(what)
                  .containsExactlyInAnyOrderElementsOf(waits);
            }
          }
          written = MariaDbPosition.toOffset(state);
        }
        Map<String, Object> own = store.offsetOf(capture.sourcePartition());
        if (newest && own != null) {
          assertThat(store.normalized(written))
              .as(
                  "%s: the current code writes another offsets format than release %s: keep that"
                      + " fixture, add one under offsets/<next release>/ and note it in CHANGELOG.md",
                  what, root.get("release").asText())
              .isEqualTo(own);
        }
      }
    }
  }

  @Test
  void everyCaptureHasAFixtureForTheNewestRelease() throws IOException, URISyntaxException {
    List<String> newest =
        fixtures()
            .filter(p -> p.getParent().getFileName().toString().equals(newestRelease()))
            .map(p -> p.getFileName().toString())
            .toList();
    assertThat(newest).contains("postgres-poll.json", "mariadb-poll.json");
  }

  private static String newestRelease() {
    try {
      Path root = Path.of(OffsetsFormatCompatibilityTest.class.getResource("/offsets").toURI());
      try (Stream<Path> dirs = Files.list(root)) {
        return dirs.filter(Files::isDirectory)
            .map(p -> p.getFileName().toString())
            .max(OffsetsFormatCompatibilityTest::compareVersions)
            .orElseThrow();
      }
    } catch (IOException | URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int compareVersions(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      int d =
          Integer.compare(
              i < x.length ? Integer.parseInt(x[i]) : 0, i < y.length ? Integer.parseInt(y[i]) : 0);
      if (d != 0) {
        return d;
      }
    }
    return 0;
  }

  /**
   * The offsets of one connector as Connect's offset store holds them: JSON, read back through
   * JsonConverter, looked up by the serialized partition.
   */
  private static final class OffsetStore {
    private final JsonConverter converter = new JsonConverter();
    private final Map<String, Map<String, Object>> offsets = new HashMap<>();
    private final List<Stored> entries = new ArrayList<>();

    record Stored(Map<String, Object> partition, Map<String, Object> offset) {}

    OffsetStore(JsonNode fixtureOffsets) throws IOException {
      converter.configure(Map.of("schemas.enable", "false"), false);
      for (JsonNode entry : fixtureOffsets) {
        Map<String, Object> partition = read(entry.get("partition"));
        Map<String, Object> offset = read(entry.get("offset"));
        offsets.put(key(partition), offset);
        entries.add(new Stored(partition, offset));
      }
    }

    List<Stored> entries() {
      return entries;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> read(JsonNode json) throws IOException {
      return (Map<String, Object>)
          converter.toConnectData("", JSON.writeValueAsBytes(json)).value();
    }

    private String key(Map<String, ?> partition) {
      return new String(converter.fromConnectData("", null, partition), StandardCharsets.UTF_8);
    }

    Map<Map<String, Object>, Map<String, Object>> read(Collection<Map<String, Object>> wanted) {
      Map<Map<String, Object>, Map<String, Object>> found = new HashMap<>();
      for (Map<String, Object> partition : wanted) {
        Map<String, Object> offset = offsets.get(key(partition));
        if (offset != null) {
          found.put(partition, offset);
        }
      }
      return found;
    }

    Map<String, Object> offsetOf(Map<String, Object> partition) {
      return offsets.get(key(partition));
    }

    /** An offset as it reads back after the worker stored it. */
    Map<String, Object> normalized(Map<String, Object> offset) throws IOException {
      return read(JSON.readTree(converter.fromConnectData("", null, offset)));
    }
  }
}
