package dev.eventkit.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.testkit.audit.DeliveryAudit;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The worker running an outbox task leaves the cluster while the writers write, and a new worker
 * joins after the tasks moved; twice. {@code EmbeddedConnectCluster} stops a worker cleanly, so it
 * leaves the group and its tasks move at once; a worker that dies without leaving is covered by
 * {@code scheduled.rebalance.max.delay.ms} (5 s here, 5 minutes by default: see the README's
 * operating notes) and is not simulated here.
 */
class WorkerLossIT {

  @Test
  void everyCommittedEventOnceInOrderWhenTheWorkerRunningATaskIsLost() throws Exception {
    try (FaultPipeline pipeline = FaultPipeline.start()) {
      Duration slice = FaultPipeline.duration().dividedBy(3);
      pipeline.startWriting();
      for (int task = 0; task < 2; task++) {
        int lost = task;
        pipeline.keepWriting(slice);
        pipeline.inject(
            "the worker running task " + lost + " lost",
            () -> pipeline.cluster().removeWorkerRunningTask(FaultPipeline.OUTBOX, lost));
        pipeline.cluster().addWorker();
        pipeline.cluster().awaitRunning(FaultPipeline.OUTBOX, FaultPipeline.TASKS);
      }
      pipeline.keepWriting(slice);

      DeliveryAudit.Verdict verdict = pipeline.finish();

      assertThat(verdict.clean()).as(verdict.line()).isTrue();
      assertThat(verdict.faults()).isEqualTo(2);
      assertThat(verdict.poisonCommitted()).as(verdict.line()).isPositive();
    }
  }
}
