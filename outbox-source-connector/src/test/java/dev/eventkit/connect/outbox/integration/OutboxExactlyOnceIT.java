package dev.eventkit.connect.outbox.integration;

import static dev.eventkit.connect.outbox.integration.OutboxTestSupport.EXAMPLE;
import static dev.eventkit.connect.outbox.integration.OutboxTestSupport.createOutbox;
import static dev.eventkit.connect.outbox.integration.OutboxTestSupport.header;
import static dev.eventkit.connect.outbox.integration.OutboxTestSupport.overrides;
import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.testkit.TestStack;
import dev.eventkit.testkit.db.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With the workers' exactly.once.source.support=enabled and transaction.boundary=connector, a
 * read_committed consumer sees every event exactly once across a task restart and the loss of a
 * worker.
 */
class OutboxExactlyOnceIT {

  @RegisterExtension
  static final TestStack STACK =
      TestStack.postgres(OutboxTestSupport.cluster().workers(3).exactlyOnceSource(true));

  private List<ConsumerRecord<byte[], byte[]>> committedRecords() {
    return STACK.cluster().topics().consumeAll("account.events", IsolationLevel.READ_COMMITTED);
  }

  @Test
  void eachEventExactlyOnceAcrossATaskRestartAndAWorkerLoss() throws Exception {
    TestDatabase db = STACK.postgres().createDatabase();
    createOutbox(db);
    ConcurrentOutboxWriters writers = new ConcurrentOutboxWriters(db, 20);
    STACK
        .cluster()
        .createConnector(
            "exactly-once",
            EXAMPLE,
            overrides(
                db,
                "exactly.once.support",
                "required",
                "transaction.boundary",
                "connector",
                "poll.interval.ms",
                "50",
                "poll.max.rows",
                "50"));
    STACK.cluster().awaitRunning("exactly-once", 1);

    CompletableFuture<Void> writing =
        CompletableFuture.runAsync(
            () -> {
              try {
                writers.run(4, 2_000, 5);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    Awaitility.await("events flowing before the task restart")
        .atMost(Duration.ofSeconds(90))
        .until(() -> committedRecords().size() >= 300);
    STACK
        .cluster()
        .post("connectors/exactly-once/tasks/0/restart", "")
        .expectSuccess("restart task");

    Awaitility.await("events flowing before the worker loss")
        .atMost(Duration.ofSeconds(90))
        .until(() -> committedRecords().size() >= 900);
    STACK.cluster().removeWorkerRunningTask("exactly-once", 0);
    writing.get(3, TimeUnit.MINUTES);
    STACK.cluster().awaitRunning("exactly-once", 1);

    List<ConsumerRecord<byte[], byte[]>> all =
        Awaitility.await("every committed event")
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofSeconds(1))
            .until(this::committedRecords, records -> records.size() >= writers.committed.size());

    List<String> ids = all.stream().map(r -> header(r, "event.id")).collect(Collectors.toList());
    assertThat(ids).doesNotHaveDuplicates();
    assertThat(Set.copyOf(ids)).isEqualTo(writers.committed);
  }

  /**
   * A database transaction larger than poll.max.rows reaches Kafka in several polls but as one
   * Kafka transaction: its records sit at consecutive offsets, with no commit marker among them.
   */
  @Test
  void aTransactionLargerThanPollMaxRowsIsOneKafkaTransaction() throws Exception {
    TestDatabase db = STACK.postgres().createDatabase();
    createOutbox(db);
    OutboxTestSupport.insert(db, "outbox", "bulk", "first", "Created", "{}");
    db.execute(
        "INSERT INTO outbox (aggregatetype, aggregateid, type, payload)"
            + " SELECT 'bulk', 'b-' || (g % 40), 'Imported', '{}' FROM generate_series(1, 1000) g");
    OutboxTestSupport.insert(db, "outbox", "bulk", "last", "Created", "{}");
    STACK
        .cluster()
        .createConnector(
            "exactly-once-bulk",
            EXAMPLE,
            overrides(
                db,
                "exactly.once.support",
                "required",
                "transaction.boundary",
                "connector",
                "poll.max.rows",
                "100",
                "topic.creation.default.partitions",
                "1"));
    STACK.cluster().awaitRunning("exactly-once-bulk", 1);

    List<ConsumerRecord<byte[], byte[]>> all =
        Awaitility.await("all 1002 events")
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofSeconds(1))
            .until(
                () ->
                    STACK
                        .cluster()
                        .topics()
                        .consumeAll("bulk.events", IsolationLevel.READ_COMMITTED),
                records -> records.size() >= 1002);

    assertThat(all).hasSize(1002);
    List<Long> imported =
        all.stream()
            .filter(r -> "Imported".equals(header(r, "event.type")))
            .map(ConsumerRecord::offset)
            .sorted()
            .toList();
    assertThat(imported).hasSize(1000);
    assertThat(imported.get(999) - imported.get(0))
        .as("no transaction marker inside the imported transaction")
        .isEqualTo(999);
    long first =
        all.stream()
            .filter(r -> "first".equals(OutboxTestSupport.text(r.key())))
            .findFirst()
            .orElseThrow()
            .offset();
    assertThat(imported.get(0) - first).as("a marker after the first transaction").isGreaterThan(1);
    STACK.cluster().delete("connectors/exactly-once-bulk").expectSuccess("delete connector");
  }
}
