package dev.eventkit.connect.outbox.capture.poll;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WakeupSignalTest {

  @Test
  void aWakeupBeforeTheWaitIsNotLostAndIsConsumedOnce() {
    WakeupSignal signal = new WakeupSignal();
    signal.wakeup();

    assertThat(signal.await(60_000)).isTrue();
    assertThat(signal.consume()).isFalse();
    assertThat(signal.await(1)).isFalse();
  }

  @Test
  void aWakeupFromAnotherThreadEndsAWaitingCall() throws Exception {
    WakeupSignal signal = new WakeupSignal();
    CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> signal.await(60_000));

    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(5))
        .until(
            () -> {
              signal.wakeup();
              return waiting.isDone();
            });

    assertThat(waiting.get(1, TimeUnit.SECONDS)).isTrue();
  }
}
