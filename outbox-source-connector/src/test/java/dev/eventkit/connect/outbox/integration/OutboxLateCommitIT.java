package dev.eventkit.connect.outbox.integration;

import static dev.eventkit.connect.outbox.integration.OutboxTestSupport.EXAMPLE;
import static dev.eventkit.connect.outbox.integration.OutboxTestSupport.createOutbox;
import static dev.eventkit.connect.outbox.integration.OutboxTestSupport.header;
import static dev.eventkit.connect.outbox.integration.OutboxTestSupport.overrides;
import static dev.eventkit.connect.outbox.integration.OutboxTestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventkit.testkit.TestStack;
import dev.eventkit.testkit.db.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The central guarantee: with concurrent writers whose transactions commit late and out of xid
 * order, every committed event is published, no rolled-back one is, and each aggregate's events
 * arrive in commit order.
 */
class OutboxLateCommitIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final TestStack STACK = TestStack.postgres(OutboxTestSupport.cluster());

  @Test
  void publishesEveryCommittedEventOnceAndInPerAggregateCommitOrder() throws Exception {
    TestDatabase db = STACK.postgres().createDatabase();
    createOutbox(db);
    ConcurrentOutboxWriters writers = new ConcurrentOutboxWriters(db, 40);
    STACK
        .cluster()
        .createConnector(
            "late-commits",
            EXAMPLE,
            overrides(db, "poll.interval.ms", "50", "poll.max.rows", "200"));
    STACK.cluster().awaitRunning("late-commits", 1);

    writers.run(8, 5_000, 20);

    assertThat(writers.committed).hasSizeGreaterThanOrEqualTo(5_000);
    assertThat(writers.rolledBack).isNotEmpty();
    List<ConsumerRecord<byte[], byte[]>> all;
    try {
      all =
          Awaitility.await("all committed events on account.events")
              .atMost(Duration.ofMinutes(2))
              .pollInterval(Duration.ofSeconds(1))
              .until(
                  () ->
                      STACK
                          .cluster()
                          .topics()
                          .consumeAll("account.events", IsolationLevel.READ_UNCOMMITTED),
                  r -> r.size() >= writers.committed.size());
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(missingEvents(db, writers.committed), e);
    }

    List<String> published =
        all.stream().map(r -> header(r, "event.id")).collect(Collectors.toList());
    assertThat(published).doesNotHaveDuplicates();
    assertThat(Set.copyOf(published)).isEqualTo(writers.committed);

    Map<String, List<Long>> versionsInPartitionOrder = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : all) {
      long version = JSON.readTree(record.value()).get("version").asLong();
      versionsInPartitionOrder
          .computeIfAbsent(text(record.key()), k -> new ArrayList<>())
          .add(version);
    }
    Map<String, Long> finalVersions = new HashMap<>();
    for (Map<String, Object> row : db.query("SELECT id, version FROM aggregates")) {
      finalVersions.put((String) row.get("id"), (Long) row.get("version"));
    }
    versionsInPartitionOrder.forEach(
        (aggregate, versions) -> {
          assertThat(versions)
              .as("versions of %s in partition order", aggregate)
              .isSorted()
              .doesNotHaveDuplicates();
          assertThat(versions.get(versions.size() - 1)).isEqualTo(finalVersions.get(aggregate));
        });
  }

  /** Names the committed events that never arrived, with their rows and the connector's offsets. */
  private static String missingEvents(TestDatabase db, Set<String> committed) {
    Set<String> published =
        STACK
            .cluster()
            .topics()
            .consumeAll("account.events", IsolationLevel.READ_UNCOMMITTED)
            .stream()
            .map(r -> header(r, "event.id"))
            .collect(Collectors.toSet());
    List<String> missing =
        committed.stream().filter(id -> !published.contains(id)).collect(Collectors.toList());
    StringBuilder message =
        new StringBuilder(missing.size() + " committed events were not published:");
    for (String id : missing) {
      message
          .append("\n  ")
          .append(
              db.query(
                  "SELECT CAST(txid AS text) AS txid, CAST(xmin AS text) AS row_xmin, seq, aggregateid, timestamp FROM outbox WHERE id = '"
                      + id
                      + "'"));
    }
    message
        .append("\noffsets: ")
        .append(STACK.cluster().get("connectors/late-commits/offsets").body());
    return message.toString();
  }
}
