package dev.eventkit.connect.dlq;

import java.util.Map;

/** What a running DLQ sink task exposes over JMX, one MXBean per task. */
public interface DlqSinkTaskMetricsMXBean {

  long getRecordsArchived();

  /** Records archived per error dialect: connect, spring, streams, unknown. */
  Map<String, Long> getArchivedByDialect();

  /** Records archived per exception class (those without one under "none"). */
  Map<String, Long> getArchivedByExceptionClass();

  /** Dead letters reported to the errant record reporter because the archive refused them. */
  long getRecordsRejected();

  /**
   * Batches Connect delivers again because the archive could not take them yet (database down or
   * busy: lock conflicts, deadlocks, timeouts) or a file was abandoned after an I/O error.
   */
  long getArchiveRetries();

  /** Time from the DLQ record's timestamp to its archive write, for the last record archived. */
  long getLastArchiveLagMs();
}
