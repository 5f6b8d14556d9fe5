package dev.eventkit.connect.dlq;

import dev.eventkit.connect.dlq.header.DeadLetter;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Per-task metrics: {@code dev.eventkit.connect:type=dlq-sink-task,connector=NAME,task=N}. */
final class DlqSinkTaskMetrics implements DlqSinkTaskMetricsMXBean, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DlqSinkTaskMetrics.class);

  /**
   * Bound on distinct exception classes tracked, so a flood of odd names cannot grow it forever.
   */
  private static final int MAX_EXCEPTION_CLASSES = 1000;

  private final AtomicLong archived = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private final Map<String, AtomicLong> byDialect = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> byException = new ConcurrentHashMap<>();
  private volatile long lastLagMs;
  private ObjectName name;

  DlqSinkTaskMetrics register(String connector, String task) {
    try {
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      name =
          new ObjectName(
              "dev.eventkit.connect:type=dlq-sink-task,connector="
                  + ObjectName.quote(connector)
                  + ",task="
                  + task);
      if (server.isRegistered(name)) {
        server.unregisterMBean(name);
      }
      server.registerMBean(this, name);
    } catch (JMException e) {
      log.warn("Could not register DLQ sink metrics for {} task {}", connector, task, e);
      name = null;
    }
    return this;
  }

  void recordArchived(DeadLetter letter, long nowMs) {
    archived.incrementAndGet();
    byDialect
        .computeIfAbsent(letter.dialect().columnValue(), k -> new AtomicLong())
        .incrementAndGet();
    String exception = letter.exceptionClass() == null ? "none" : letter.exceptionClass();
    if (byException.size() < MAX_EXCEPTION_CLASSES || byException.containsKey(exception)) {
      byException.computeIfAbsent(exception, k -> new AtomicLong()).incrementAndGet();
    }
    if (letter.dlqTimestamp() != null) {
      lastLagMs = Math.max(0, nowMs - letter.dlqTimestamp().toEpochMilli());
    }
  }

  void recordRejected() {
    rejected.incrementAndGet();
  }

  void recordRetry() {
    retries.incrementAndGet();
  }

  @Override
  public long getArchiveRetries() {
    return retries.get();
  }

  @Override
  public long getRecordsArchived() {
    return archived.get();
  }

  @Override
  public Map<String, Long> getArchivedByDialect() {
    return snapshot(byDialect);
  }

  @Override
  public Map<String, Long> getArchivedByExceptionClass() {
    return snapshot(byException);
  }

  @Override
  public long getRecordsRejected() {
    return rejected.get();
  }

  @Override
  public long getLastArchiveLagMs() {
    return lastLagMs;
  }

  private static Map<String, Long> snapshot(Map<String, AtomicLong> counts) {
    Map<String, Long> result = new TreeMap<>();
    counts.forEach((k, v) -> result.put(k, v.get()));
    return result;
  }

  @Override
  public void close() {
    if (name == null) {
      return;
    }
    try {
      ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
    } catch (JMException e) {
      log.debug("Metrics MBean {} was already gone", name, e);
    }
    name = null;
  }
}
