package dev.eventkit.faults;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import javax.management.JMException;
import javax.management.JMRuntimeException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The task metrics an operator's monitoring reads over JMX, for the workers of this JVM: Eventkit's
 * {@code dev.eventkit.connect:type=outbox-source-task} and Connect's own {@code
 * kafka.connect:type=connector-task-metrics} and {@code source-task-metrics}. The workers share the
 * JVM's MBean server, so Connect's MBeans of one task name may be any worker's (or a stopped
 * instance's): evidence only. Eventkit's are those of the instance that registered last.
 */
final class OperatorView {

  /**
   * One task as JMX shows it: Eventkit's metrics ({@code null} when its MBean is not registered)
   * and Connect's status and written-record count ({@code null} when absent).
   */
  record Task(
      int id,
      Long oldestUnpublishedEventAgeMs,
      Long lastPollAgeMs,
      Long backlogRows,
      Long eventsPublished,
      String connectStatus,
      Double recordsWritten) {

    boolean eventkitMetricsRegistered() {
      return oldestUnpublishedEventAgeMs != null;
    }

    /**
     * The alert of the README's operating notes: no Eventkit metrics for the task (Connect has not
     * started it, whatever its status says), its oldest unpublished event older than {@code bound},
     * or its last poll longer ago than {@code bound} (Connect no longer calls it).
     */
    boolean alerting(java.time.Duration bound) {
      return !eventkitMetricsRegistered()
          || oldestUnpublishedEventAgeMs > bound.toMillis()
          || (lastPollAgeMs != null && lastPollAgeMs > bound.toMillis());
    }

    @Override
    public String toString() {
      return String.format(
          "task %d: Eventkit metrics %s; Connect's (shared by this JVM's workers) status %s,"
              + " source-record-write-total %s",
          id,
          eventkitMetricsRegistered()
              ? String.format(
                  "OldestUnpublishedEventAgeMs %d, LastPollAgeMs %d, BacklogRows %d,"
                      + " EventsPublished %d",
                  oldestUnpublishedEventAgeMs, lastPollAgeMs, backlogRows, eventsPublished)
              : "not registered",
          connectStatus,
          recordsWritten);
    }
  }

  private OperatorView() {}

  /**
   * Tasks 0 to {@code count - 1} of {@code connector}, and any other task either Eventkit or
   * Connect has metrics for.
   */
  static List<Task> tasks(String connector, int count) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    TreeMap<Integer, Task> tasks = new TreeMap<>();
    for (int id = 0; id < count; id++) {
      tasks.put(id, new Task(id, null, null, null, null, null, null));
    }
    for (ObjectName name :
        query(server, "dev.eventkit.connect:type=outbox-source-task,connector=*,task=*")) {
      if (connector.equals(ObjectName.unquote(name.getKeyProperty("connector")))) {
        int id = Integer.parseInt(name.getKeyProperty("task"));
        tasks.put(
            id,
            new Task(
                id,
                (Long) attribute(server, name, "OldestUnpublishedEventAgeMs"),
                (Long) attribute(server, name, "LastPollAgeMs"),
                (Long) attribute(server, name, "BacklogRows"),
                (Long) attribute(server, name, "EventsPublished"),
                null,
                null));
      }
    }
    for (ObjectName name :
        query(
            server,
            "kafka.connect:type=connector-task-metrics,connector=" + connector + ",task=*")) {
      int id = Integer.parseInt(name.getKeyProperty("task"));
      ObjectName source =
          objectName(
              "kafka.connect:type=source-task-metrics,connector=" + connector + ",task=" + id);
      Task eventkit = tasks.getOrDefault(id, new Task(id, null, null, null, null, null, null));
      tasks.put(
          id,
          new Task(
              id,
              eventkit.oldestUnpublishedEventAgeMs(),
              eventkit.lastPollAgeMs(),
              eventkit.backlogRows(),
              eventkit.eventsPublished(),
              Objects.toString(attribute(server, name, "status"), null),
              (Double) attribute(server, source, "source-record-write-total")));
    }
    return new ArrayList<>(tasks.values());
  }

  /**
   * The connector as Eventkit's {@code type=outbox-source-connector} MBean shows it: how long its
   * read of the committed offsets has been waiting, how long the last one took, and how many
   * failed; all {@code null} when the MBean is not registered (the connector has not been started,
   * whatever its REST status says).
   */
  record Connector(Long offsetsReadWaitMs, Long offsetsLastReadMs, Long offsetsReadFailures) {
    boolean eventkitMetricsRegistered() {
      return offsetsReadWaitMs != null;
    }
  }

  static Connector connector(String connector) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    ObjectName name =
        objectName(
            "dev.eventkit.connect:type=outbox-source-connector,connector="
                + ObjectName.quote(connector));
    return new Connector(
        (Long) attribute(server, name, "OffsetsReadWaitMs"),
        (Long) attribute(server, name, "OffsetsLastReadMs"),
        (Long) attribute(server, name, "OffsetsReadFailures"));
  }

  private static Set<ObjectName> query(MBeanServer server, String pattern) {
    return server.queryNames(objectName(pattern), null);
  }

  private static ObjectName objectName(String name) {
    try {
      return new ObjectName(name);
    } catch (JMException e) {
      throw new IllegalArgumentException(name, e);
    }
  }

  /**
   * The attribute, or {@code null} when the MBean is gone or its getter throws (Connect's {@code
   * status} does until the task instance has started).
   */
  private static Object attribute(MBeanServer server, ObjectName name, String attribute) {
    try {
      return server.isRegistered(name) ? server.getAttribute(name, attribute) : null;
    } catch (JMException | JMRuntimeException e) {
      return null;
    }
  }
}
