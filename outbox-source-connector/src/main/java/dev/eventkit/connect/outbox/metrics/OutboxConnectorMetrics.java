package dev.eventkit.connect.outbox.metrics;

import java.util.concurrent.atomic.AtomicLong;
import javax.management.JMException;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connector-level metrics, registered as {@code
 * dev.eventkit.connect:type=outbox-source-connector,connector=NAME}.
 */
public final class OutboxConnectorMetrics implements OutboxConnectorMetricsMBean, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(OutboxConnectorMetrics.class);

  private final AtomicLong readFailures = new AtomicLong();
  private volatile boolean reading;
  private volatile long readStartedNanos;
  private volatile long lastReadMs = -1;
  private volatile ObjectName name;

  /** Registers the MBean; a clash (the connector restarting in place) replaces the old one. */
  public OutboxConnectorMetrics register(String connector) {
    try {
      ObjectName connectorName =
          new ObjectName(
              "dev.eventkit.connect:type=outbox-source-connector,connector="
                  + ObjectName.quote(connector));
      MBeanRegistrations.register(this, connectorName);
      name = connectorName;
    } catch (JMException e) {
      log.warn("Could not register outbox connector metrics for {}", connector, e);
      name = null;
    }
    return this;
  }

  public ObjectName objectName() {
    return name;
  }

  void recordReadStarted(long nanos) {
    readStartedNanos = nanos;
    reading = true;
  }

  void recordReadFinished(long nanos) {
    if (reading) {
      lastReadMs = (nanos - readStartedNanos) / 1_000_000;
      reading = false;
    }
  }

  void recordReadFailed(long nanos) {
    readFailures.incrementAndGet();
  }

  @Override
  public long getOffsetsReadWaitMs() {
    return reading ? Math.max(0, (System.nanoTime() - readStartedNanos) / 1_000_000) : 0;
  }

  @Override
  public long getOffsetsLastReadMs() {
    return lastReadMs;
  }

  @Override
  public long getOffsetsReadFailures() {
    return readFailures.get();
  }

  /** Unregisters the MBean, unless a newer instance of the connector has registered it since. */
  @Override
  public void close() {
    ObjectName registered = name;
    name = null;
    MBeanRegistrations.unregisterQuietly(this, registered);
  }
}
