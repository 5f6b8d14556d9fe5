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
 * <p>Not in {@code ./mvnw verify}: in one run of three the exactly-once tasks stay RUNNING after
 * the restart yet publish nothing, waiting inside Connect's own task start behind a transaction
 * left open on the offsets topic (docs/reliability.md, "Broker restart under exactly-once"). Run it
 * with {@code -Dfaults.broker=true}.
 */
@EnabledIfSystemProperty(named = "faults.broker", matches = "true")
class BrokerRestartIT {

  @Test
  void everyCommittedEventOnceInOrderWhenTheBrokerRestarts() throws Exception {
    int rounds = FaultPipeline.rounds();
    try (FaultPipeline pipeline = FaultPipeline.start()) {
      Duration slice = FaultPipeline.duration().dividedBy(rounds + 1);
      pipeline.startWriting();
      for (int round = 0; round < rounds; round++) {
        pipeline.keepWriting(slice);
        pipeline.inject(
            "broker stopped and started",
            () -> {
              pipeline.cluster().stopBrokers();
              pipeline.cluster().restartBrokers();
            });
      }
      pipeline.keepWriting(slice);

      DeliveryAudit.Verdict verdict = pipeline.finish();

      assertThat(verdict.clean()).as(verdict.line()).isTrue();
      assertThat(verdict.faults()).isEqualTo(rounds);
    }
  }
}
