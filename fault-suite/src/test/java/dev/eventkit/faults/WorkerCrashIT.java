package dev.eventkit.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.testkit.audit.DeliveryAudit;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A worker dies the way a lost host does: two of the three workers are Kafka Connect processes of
 * their own, and the one running an outbox task is killed (SIGKILL) mid-stream, its transactions
 * open and its offsets unflushed. The group notices only when its session times out; its tasks move
 * after {@code scheduled.rebalance.max.delay.ms} (5 s here), the new instances fence the dead ones'
 * transactional producers. Then a fresh worker process joins.
 */
class WorkerCrashIT {

  @Test
  void everyCommittedEventOnceInOrderWhenAWorkerIsKilled() throws Exception {
    try (FaultPipeline pipeline = FaultPipeline.start(FaultPipeline.Mode.POLL, 2)) {
      Duration slice = FaultPipeline.duration().dividedBy(3);
      pipeline.startWriting();
      pipeline.keepWriting(slice);
      String[] killed = new String[1];
      pipeline.inject(
          "the worker process running an outbox task killed (SIGKILL)",
          () -> killed[0] = pipeline.killWorkerRunningAnOutboxTask());
      Awaitility.await("every outbox task RUNNING on a live worker")
          .atMost(Duration.ofMinutes(1))
          .untilAsserted(
              () ->
                  assertThat(pipeline.cluster().status(FaultPipeline.OUTBOX).path("tasks"))
                      .hasSize(FaultPipeline.TASKS)
                      .allMatch(t -> t.path("state").asText().equals("RUNNING"))
                      .noneMatch(t -> t.path("worker_id").asText().equals(killed[0])));
      pipeline.keepWriting(slice);
      pipeline.inject("a new worker process joins", pipeline::addProcessWorker);
      pipeline.keepWriting(slice);

      DeliveryAudit.Verdict verdict = pipeline.finish();

      assertThat(verdict.clean()).as(verdict.line()).isTrue();
      assertThat(verdict.faults()).isEqualTo(2);
    }
  }
}
