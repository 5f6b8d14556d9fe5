package dev.eventkit.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.testkit.audit.DeliveryAudit;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The outbox in log mode (the embedded Debezium reading its slot, one task, exactly-once): its
 * replication connection is dropped ({@code pg_terminate_backend} of the slot's walsender), and the
 * database is stopped and started again on the same data directory, the slot in it, while the
 * writers write.
 */
class LogModeFaultsIT {

  private static final int ROUNDS = 2;

  @Test
  void everyCommittedEventOnceInOrderWhenTheReplicationConnectionDropsAndTheDatabaseRestarts()
      throws Exception {
    try (FaultPipeline pipeline = FaultPipeline.start(FaultPipeline.Mode.LOG)) {
      Duration slice = FaultPipeline.duration().dividedBy(2 * ROUNDS + 1);
      pipeline.startWriting();
      for (int round = 0; round < ROUNDS; round++) {
        pipeline.keepWriting(slice);
        pipeline.inject(
            "replication connection terminated",
            () ->
                assertThat(
                        pipeline
                            .db()
                            .queryForLong(
                                "SELECT count(*) FROM pg_replication_slots s,"
                                    + " LATERAL pg_terminate_backend(s.active_pid) AS t"
                                    + " WHERE s.slot_name = '"
                                    + FaultPipeline.SLOT
                                    + "' AND s.active AND t"))
                    .as("the slot's walsender terminated")
                    .isEqualTo(1));
        pipeline.keepWriting(slice);
        pipeline.inject(
            "database stopped and started on the same data, the slot in it",
            pipeline::restartDatabase);
      }
      pipeline.keepWriting(slice);

      DeliveryAudit.Verdict verdict = pipeline.finish();

      assertThat(verdict.clean()).as(verdict.line()).isTrue();
      assertThat(verdict.faults()).isEqualTo(2 * ROUNDS);
    }
  }
}
