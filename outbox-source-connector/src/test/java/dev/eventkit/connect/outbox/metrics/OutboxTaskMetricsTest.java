package dev.eventkit.connect.outbox.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import org.junit.jupiter.api.Test;

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
  void closingTheOnlyInstanceUnregistersIt() throws Exception {
    OutboxTaskMetrics metrics = new OutboxTaskMetrics().register("only", 3);
    var name = metrics.objectName();
    assertThat(server.isRegistered(name)).isTrue();

    metrics.close();
    metrics.close();

    assertThat(server.isRegistered(name)).isFalse();
  }
}
