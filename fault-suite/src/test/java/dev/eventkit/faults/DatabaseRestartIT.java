package dev.eventkit.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.testkit.audit.DeliveryAudit;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The outbox database stops (every connection refused, in-flight transactions lost) and starts
 * again on the same data directory, twice ({@code -Dfaults.rounds}), while the writers write.
 */
class DatabaseRestartIT {

  @Test
  void everyCommittedEventOnceInOrderWhenTheDatabaseRestarts() throws Exception {
    int rounds = FaultPipeline.rounds();
    try (FaultPipeline pipeline = FaultPipeline.start()) {
      Duration slice = FaultPipeline.duration().dividedBy(rounds + 1);
      pipeline.startWriting();
      for (int round = 0; round < rounds; round++) {
        pipeline.keepWriting(slice);
        pipeline.inject("database stopped and started on the same data", pipeline::restartDatabase);
      }
      pipeline.keepWriting(slice);

      DeliveryAudit.Verdict verdict = pipeline.finish();

      assertThat(verdict.clean()).as(verdict.line()).isTrue();
      assertThat(verdict.faults()).isEqualTo(rounds);
    }
  }
}
