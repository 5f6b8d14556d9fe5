package dev.eventkit.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.Test;

/** A recording of two threads, one computing and one parked, summarised for the first only. */
class FlightProfileTest {

  @Test
  void summarisesTheMatchingThreadsRunningAndWaiting() throws Exception {
    Path file = Files.createTempFile("flight", ".jfr");
    // The busy thread computes until the sampler has caught it at least once (a loaded machine
    // can take a while to schedule JFR's sampler), then parks.
    CountDownLatch sampled = new CountDownLatch(1);
    try (Recording recording = new Recording();
        RecordingStream watch = new RecordingStream()) {
      recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
      recording.enable("jdk.ThreadPark").withThreshold(Duration.ofMillis(10));
      watch.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
      watch.onEvent(
          "jdk.ExecutionSample",
          event -> {
            if (event.getThread("sampledThread").getJavaName().startsWith("busy-worker")) {
              sampled.countDown();
            }
          });
      recording.start();
      watch.startAsync();
      Thread busy =
          new Thread(
              () -> {
                long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                double x = 0;
                while (sampled.getCount() > 0 && System.nanoTime() < end) {
                  x += Math.sqrt(x + 1);
                }
                LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
                if (x < 0) {
                  System.out.println(x);
                }
              },
              "busy-worker-1a2b3c4d");
      Thread other = new Thread(() -> LockSupport.parkNanos(200_000_000L), "other-thread");
      busy.start();
      other.start();
      busy.join();
      other.join();
      recording.stop();
      recording.dump(file);
    }

    String summary = FlightProfile.summarize(file, Pattern.compile("busy-worker"), 5);

    assertThat(summary)
        .contains("### `busy-worker-*`")
        .containsPattern("[1-9]\\d* samples running Java code")
        .contains("ThreadPark")
        .doesNotContain("other-thread");
    Files.deleteIfExists(file);
  }
}
