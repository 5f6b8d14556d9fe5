package dev.eventkit.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.testkit.audit.DeliveryAudit;
import java.time.Duration;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The outbox database stops (every connection refused, in-flight transactions lost) and starts
 * again on the same data directory, twice, while the writers write.
 */
class DatabaseRestartIT {

  private static final int ROUNDS = 2;

  @Test
  void everyCommittedEventOnceInOrderWhenTheDatabaseRestarts() throws Exception {
    try (FaultPipeline pipeline = FaultPipeline.start()) {
      Duration slice = FaultPipeline.duration().dividedBy(ROUNDS + 1);
      pipeline.startWriting();
      for (int round = 0; round < ROUNDS; round++) {
        pipeline.keepWriting(slice);
        pipeline.inject(
            "database stopped and started on the same data",
            () -> {
              long[] before = pipeline.writerFailures();
              pipeline.postgres().stop();
              // Down until every writer has found it down.
              Awaitility.await("every writer failing")
                  .atMost(Duration.ofMinutes(1))
                  .until(
                      () -> {
                        long[] now = pipeline.writerFailures();
                        return IntStream.range(0, now.length).allMatch(w -> now[w] > before[w]);
                      });
              pipeline.postgres().startAgain();
            });
      }
      pipeline.keepWriting(slice);

      DeliveryAudit.Verdict verdict = pipeline.finish();

      assertThat(verdict.clean()).as(verdict.line()).isTrue();
      assertThat(verdict.faults()).isEqualTo(ROUNDS);
    }
  }
}
