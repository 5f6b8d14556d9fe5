package dev.eventkit.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.testkit.audit.DeliveryAudit;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Every session of the outbox database is terminated ({@code pg_terminate_backend}: the outbox
 * tasks' reads and LISTEN connections, the archive's writes, the application's writers mid
 * transaction), again and again while the writers write.
 */
class DatabaseSessionsKilledIT {

  private static final int ROUNDS = 4;

  @Test
  void everyCommittedEventOnceInOrderWhenEverySessionIsKilledRepeatedly() throws Exception {
    try (FaultPipeline pipeline = FaultPipeline.start()) {
      Duration slice = FaultPipeline.duration().dividedBy(ROUNDS + 1);
      pipeline.startWriting();
      for (int round = 0; round < ROUNDS; round++) {
        pipeline.keepWriting(slice);
        int[] tasksSessions = new int[1];
        pipeline.inject(
            "every database session terminated",
            () -> {
              // The tasks' own sessions (named eventkit-outbox-<bucket>) first, then all others.
              tasksSessions[0] = pipeline.db().terminateSessions("eventkit-outbox-");
              pipeline.db().terminateOtherSessions();
            });
        // Each task had at least its reader or its LISTEN session open to be killed.
        assertThat(tasksSessions[0]).isGreaterThanOrEqualTo(FaultPipeline.TASKS);
      }
      pipeline.keepWriting(slice);

      DeliveryAudit.Verdict verdict = pipeline.finish();

      assertThat(verdict.clean()).as(verdict.line()).isTrue();
      assertThat(verdict.faults()).isEqualTo(ROUNDS);
    }
  }
}
