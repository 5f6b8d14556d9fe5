package dev.eventkit.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.testkit.audit.DeliveryAudit;
import dev.eventkit.testkit.audit.OutboxLedger;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The outbox on MariaDB in poll mode ({@code tasks.max=3}, exactly-once, the archive in MariaDB
 * too): every session of the database is killed ({@code KILL CONNECTION}: the tasks' reads, the
 * archive's writes, the application's writers mid transaction, which leaves auto-increment gaps the
 * tasks must wait out), and the server is stopped and started again on the same data directory,
 * while the writers write.
 */
class MariaDbFaultsIT {

  @Test
  void everyCommittedEventOnceInOrderWhenSessionsAreKilledAndTheServerRestarts() throws Exception {
    int rounds = FaultPipeline.rounds();
    try (FaultPipeline pipeline = FaultPipeline.start(FaultPipeline.Mode.MARIADB_POLL)) {
      Duration slice = FaultPipeline.duration().dividedBy(2 * rounds + 1);
      pipeline.startWriting();
      for (int round = 0; round < rounds; round++) {
        pipeline.keepWriting(slice);
        pipeline.inject(
            "every database session killed",
            () ->
                // At least the four writers' sessions and the three tasks' readers.
                assertThat(pipeline.db().terminateOtherSessions())
                    .as("sessions killed")
                    .isGreaterThanOrEqualTo(OutboxLedger.WRITERS + FaultPipeline.TASKS));
        pipeline.keepWriting(slice);
        pipeline.inject("database stopped and started on the same data", pipeline::restartDatabase);
      }
      pipeline.keepWriting(slice);

      DeliveryAudit.Verdict verdict = pipeline.finish();

      assertThat(verdict.clean()).as(verdict.line()).isTrue();
      assertThat(verdict.faults()).isEqualTo(2 * rounds);
    }
  }
}
