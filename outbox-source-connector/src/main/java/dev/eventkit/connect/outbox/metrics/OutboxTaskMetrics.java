package dev.eventkit.connect.outbox.metrics;

import dev.eventkit.connect.outbox.capture.IdGaps;
import dev.eventkit.connect.outbox.capture.LogLag;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.JMException;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-task metrics, registered as {@code
 * dev.eventkit.connect:type=outbox-source-task,connector=NAME,task=N}.
 */
public final class OutboxTaskMetrics implements OutboxTaskMetricsMBean, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(OutboxTaskMetrics.class);

  private final AtomicLong eventsPublished = new AtomicLong();
  private final AtomicLong invalidRows = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private volatile int rowsLastPoll;
  private volatile long backlogRows;
  private volatile long oldestUnpublishedEventTimeMs = -1;
  private volatile long lastLagMs;
  private volatile long horizonStallAgeMs;
  private volatile int horizonStallPid = -1;
  private volatile IdGaps gaps = IdGaps.NONE;
  private volatile LogLag logLag = LogLag.NONE;
  private volatile ObjectName name;
  private volatile long lastPollReturnedMs = System.currentTimeMillis();

  /**
   * Registers the MBean; a clash (a task restarting in place) replaces the old registration. See
   * {@link MBeanRegistrations} for what an instance stopping late may and may not remove.
   */
  public OutboxTaskMetrics register(String connector, int task) {
    try {
      ObjectName taskName =
          new ObjectName(
              "dev.eventkit.connect:type=outbox-source-task,connector="
                  + ObjectName.quote(connector)
                  + ",task="
                  + task);
      MBeanRegistrations.register(this, taskName);
      name = taskName;
    } catch (JMException e) {
      log.warn("Could not register outbox task metrics for {} task {}", connector, task, e);
      name = null;
    }
    return this;
  }

  public ObjectName objectName() {
    return name;
  }

  public void recordPoll(int rows) {
    if (rows > 0) {
      rowsLastPoll = rows;
    }
  }

  public void recordPublished(Long eventTimeMs, long ackTimeMs) {
    eventsPublished.incrementAndGet();
    if (eventTimeMs != null) {
      lastLagMs = Math.max(0, ackTimeMs - eventTimeMs);
    }
  }

  /** poll() returned to Connect, with records or without. */
  public void recordPollReturned() {
    lastPollReturnedMs = System.currentTimeMillis();
  }

  public void recordInvalidRow() {
    invalidRows.incrementAndGet();
  }

  public void recordRetry() {
    retries.incrementAndGet();
  }

  public void recordBacklog(long rows, Long oldestEventTimeMs) {
    backlogRows = rows;
    oldestUnpublishedEventTimeMs = oldestEventTimeMs == null ? -1 : oldestEventTimeMs;
  }

  public void recordHorizonStall(int pid, long ageMs) {
    horizonStallPid = pid;
    horizonStallAgeMs = ageMs;
  }

  public void recordLogLag(LogLag lag) {
    this.logLag = lag;
  }

  @Override
  public long getReplicationLagBytes() {
    return logLag.bytes();
  }

  @Override
  public long getReplicationLagMs() {
    return logLag.ms();
  }

  public void recordGaps(IdGaps gaps) {
    this.gaps = gaps;
  }

  @Override
  public int getOpenGaps() {
    return gaps.open();
  }

  @Override
  public long getOldestOpenGapAgeMs() {
    return gaps.oldestOpenAgeMs();
  }

  @Override
  public long getGapsExpired() {
    return gaps.expired();
  }

  @Override
  public long getEventsPublished() {
    return eventsPublished.get();
  }

  @Override
  public long getInvalidRows() {
    return invalidRows.get();
  }

  @Override
  public long getRetries() {
    return retries.get();
  }

  @Override
  public int getRowsLastPoll() {
    return rowsLastPoll;
  }

  @Override
  public long getBacklogRows() {
    return backlogRows;
  }

  @Override
  public long getOldestUnpublishedEventAgeMs() {
    long oldest = oldestUnpublishedEventTimeMs;
    return oldest < 0 ? 0 : Math.max(0, System.currentTimeMillis() - oldest);
  }

  @Override
  public long getLastPollAgeMs() {
    return Math.max(0, System.currentTimeMillis() - lastPollReturnedMs);
  }

  @Override
  public long getCommitToPublishLagMs() {
    return lastLagMs;
  }

  @Override
  public long getHorizonStallAgeMs() {
    return horizonStallAgeMs;
  }

  @Override
  public int getHorizonStallPid() {
    return horizonStallPid;
  }

  /** Unregisters the MBean, unless a newer instance of the task has registered the name since. */
  @Override
  public void close() {
    ObjectName registered = name;
    name = null;
    MBeanRegistrations.unregisterQuietly(this, registered);
  }
}
