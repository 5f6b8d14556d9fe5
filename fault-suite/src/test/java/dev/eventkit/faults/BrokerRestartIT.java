package dev.eventkit.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.testkit.audit.DeliveryAudit;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The Kafka broker stops and starts again (same log directories), twice ({@code -Dfaults.rounds}),
 * while the writers write.
 *
 * <p>Not in {@code ./mvnw verify}: after a restart the exactly-once tasks often stay RUNNING yet
 * publish nothing, waiting inside Connect's own task start behind a transaction left hanging on the
 * offsets topic (docs/reliability.md, "Broker restart under exactly-once"). When that happens the
 * scenario prints the evidence, then does what the operating notes tell operators to do: aborts the
 * hanging transactions and checks that the pipeline recovers without losing anything, before
 * failing on the stall. Run it with {@code -Dfaults.broker=true}.
 */
@EnabledIfSystemProperty(named = "faults.broker", matches = "true")
class BrokerRestartIT {

  @Test
  void everyCommittedEventOnceInOrderWhenTheBrokerRestarts() throws Exception {
    int rounds = FaultPipeline.rounds();
    int stalls = 0;
    int aborted = 0;
    try (FaultPipeline pipeline = FaultPipeline.start()) {
      Duration slice = FaultPipeline.duration().dividedBy(rounds + 1);
      pipeline.startWriting();
      for (int round = 0; round < rounds; round++) {
        pipeline.keepWriting(slice);
        try {
          pipeline.inject(
              "broker stopped and started",
              () -> {
                pipeline.cluster().stopBrokers();
                pipeline.cluster().restartBrokers();
              });
        } catch (FaultPipeline.NotRecovered stalled) {
          int released = pipeline.releaseHangingTransactions(stalled);
          if (released == 0) {
            throw stalled; // not the known stall
          }
          stalls++;
          aborted += released;
        }
      }
      pipeline.keepWriting(slice);

      DeliveryAudit.Verdict verdict = pipeline.finish();
      System.out.printf(
          "stalls %d, each released by aborting hanging transactions (%d aborted)%n",
          stalls, aborted);

      // Whatever the broker did, and after any release, the audit must be clean; then no stall.
      assertThat(verdict.clean()).as(verdict.line()).isTrue();
      assertThat(stalls).as("stalls after a broker restart").isZero();
      assertThat(verdict.faults()).isEqualTo(rounds);
    }
  }
}
