package dev.eventkit.connect.outbox.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.net.URL;
import java.net.URLClassLoader;
import javax.management.MBeanServer;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class OutboxTaskMetricsTest {

  private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

  @Test
  void anOldInstanceStoppingLateLeavesTheNewInstancesMetricsInPlace() throws Exception {
    OutboxTaskMetrics old = new OutboxTaskMetrics().register("late-stop", 0);
    OutboxTaskMetrics current = new OutboxTaskMetrics().register("late-stop", 0);
    current.recordInvalidRow();

    var name = current.objectName();
    old.close();

    assertThat(server.isRegistered(name)).isTrue();
    assertThat(server.getAttribute(name, "InvalidRows")).isEqualTo(1L);
    current.close();
    assertThat(server.isRegistered(name)).isFalse();
  }

  @Test
  void anInstanceOfAnotherWorkersPluginLoaderIsNotRemovedEither() throws Exception {
    // Two workers in one JVM, each with its own plugin class loader: the task moved from ours to
    // the other, whose instance registered the name since.
    OutboxTaskMetrics ours = new OutboxTaskMetrics().register("moved", 1);
    var name = ours.objectName();
    try (URLClassLoader otherWorker =
        new URLClassLoader(
            new URL[] {codeOf(OutboxTaskMetrics.class), codeOf(LoggerFactory.class)},
            ClassLoader.getPlatformClassLoader())) {
      Class<?> theirClass = otherWorker.loadClass(OutboxTaskMetrics.class.getName());
      assertThat(theirClass).isNotEqualTo(OutboxTaskMetrics.class);
      Object theirs = theirClass.getConstructor().newInstance();
      theirClass.getMethod("register", String.class, int.class).invoke(theirs, "moved", 1);

      ours.close();

      assertThat(server.isRegistered(name)).isTrue();
      assertThat(server.getClassLoaderFor(name)).isSameAs(otherWorker);
      theirClass.getMethod("close").invoke(theirs);
      assertThat(server.isRegistered(name)).isFalse();
    }
  }

  private static URL codeOf(Class<?> type) {
    return type.getProtectionDomain().getCodeSource().getLocation();
  }

  @Test
  void lastPollAgeCountsFromTheLastReturnedPollOrTheStart() throws Exception {
    OutboxTaskMetrics metrics = new OutboxTaskMetrics().register("polls", 4);
    var name = metrics.objectName();
    long start = System.currentTimeMillis();

    // Before the first poll returns, the age counts from the task's start: it grows.
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(5))
        .until(() -> (Long) server.getAttribute(name, "LastPollAgeMs") >= 50);
    long before = System.currentTimeMillis();
    metrics.recordPollReturned();
    long age = (Long) server.getAttribute(name, "LastPollAgeMs");
    long after = System.currentTimeMillis();

    // Counted from the poll just returned, not from the start.
    assertThat(age).isBetween(0L, after - before);
    assertThat(after - start).isGreaterThanOrEqualTo(50);
    metrics.close();
  }

  @Test
  void closingTheOnlyInstanceUnregistersIt() throws Exception {
    OutboxTaskMetrics metrics = new OutboxTaskMetrics().register("only", 3);
    var name = metrics.objectName();
    assertThat(server.isRegistered(name)).isTrue();

    metrics.close();
    metrics.close();

    assertThat(server.isRegistered(name)).isFalse();
  }
}
