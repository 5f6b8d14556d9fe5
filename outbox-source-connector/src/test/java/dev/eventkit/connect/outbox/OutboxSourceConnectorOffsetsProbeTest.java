package dev.eventkit.connect.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.source.SourceConnectorContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.junit.jupiter.api.Test;

/**
 * The connector's reads of its committed offsets, as {@code offsets.probe.interval.ms} sets them.
 */
class OutboxSourceConnectorOffsetsProbeTest {

  private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
  private final AtomicInteger reads = new AtomicInteger();

  @Test
  void readsItsOffsetsWhileRunningAndNotOnceStopped() throws Exception {
    OutboxSourceConnector connector = started("probe-on", "50");
    ObjectName name = mbean("probe-on");
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> reads.get() >= 3);
      assertThat(server.getAttribute(name, "OffsetsReadFailures")).isEqualTo(0L);
    } finally {
      connector.stop();
    }
    int afterStop = reads.get();

    assertThat(server.isRegistered(name)).isFalse();
    await().during(Duration.ofMillis(300)).until(() -> reads.get() == afterStop);
  }

  @Test
  void zeroTurnsTheProbeOffButKeepsTheMBean() throws Exception {
    OutboxSourceConnector connector = started("probe-off", "0");
    try {
      await().during(Duration.ofMillis(300)).until(() -> reads.get() == 0);
      assertThat(server.getAttribute(mbean("probe-off"), "OffsetsLastReadMs")).isEqualTo(-1L);
    } finally {
      connector.stop();
    }
  }

  private OutboxSourceConnector started(String name, String intervalMs) {
    OutboxSourceConnector connector = new OutboxSourceConnector();
    connector.initialize(new Context());
    connector.start(
        Map.of(
            "name",
            name,
            "connection.url",
            "jdbc:postgresql://db/orders",
            OutboxSourceConnectorConfig.OFFSETS_PROBE_INTERVAL_MS_CONFIG,
            intervalMs));
    return connector;
  }

  private static ObjectName mbean(String connector) throws Exception {
    return new ObjectName(
        "dev.eventkit.connect:type=outbox-source-connector,connector="
            + ObjectName.quote(connector));
  }

  private final class Context implements SourceConnectorContext {
    @Override
    public OffsetStorageReader offsetStorageReader() {
      return new OffsetStorageReader() {
        @Override
        public <T> Map<String, Object> offset(Map<String, T> partition) {
          throw new UnsupportedOperationException();
        }

        @Override
        public <T> Map<Map<String, T>, Map<String, Object>> offsets(
            Collection<Map<String, T>> partitions) {
          reads.incrementAndGet();
          return Map.of();
        }
      };
    }

    @Override
    public void requestTaskReconfiguration() {}

    @Override
    public void raiseError(Exception e) {}

    @Override
    public PluginMetrics pluginMetrics() {
      return null;
    }
  }
}
