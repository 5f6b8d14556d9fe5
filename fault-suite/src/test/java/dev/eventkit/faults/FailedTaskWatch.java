package dev.eventkit.faults;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventkit.testkit.connect.ConnectCluster;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Watches the outbox connector's tasks as the README's alert on a {@code FAILED} task would, and
 * does what the operator it pages is told to do for one known failure only: a task that Connect
 * failed because its exactly-once producer's commit was answered {@code InvalidTxnStateException}
 * by Kafka's transaction coordinator (transaction protocol 2; docs/reliability.md, "An exactly-once
 * task killed by its transaction coordinator") is restarted over REST, that task alone, and
 * counted; the audit then checks that nothing was lost or duplicated across the restart. Any other
 * failure, or that one more than {@value #MAX_RESTARTS} times in a scenario, is kept, left alone,
 * and fails the scenario in {@link #assertNoOtherFailure()}.
 */
final class FailedTaskWatch implements AutoCloseable {

  /** How Connect reports the known failure: its commit wrapper, caused by the coordinator. */
  static final String KNOWN_FAILURE_TRACE =
      "org.apache.kafka.connect.errors.ConnectException: Failed to flush offsets and/or records";

  static final String KNOWN_ROOT_CAUSE =
      "Caused by: org.apache.kafka.common.errors.InvalidTxnStateException";

  /** Seen about once in a hundred faults: more in one scenario is a defect to look at. */
  static final int MAX_RESTARTS = 2;

  private final ConnectCluster cluster;
  private final String connector;
  private final ScheduledExecutorService checks =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "failed-task-watch");
            t.setDaemon(true);
            return t;
          });
  private final List<String> restarted = new ArrayList<>();
  private final List<String> otherFailures = new ArrayList<>();

  /** Tasks restarted and not yet seen out of FAILED since: not restarted or counted twice. */
  private final Set<String> restarting = new HashSet<>();

  private FailedTaskWatch(ConnectCluster cluster, String connector) {
    this.cluster = cluster;
    this.connector = connector;
  }

  /** Starts watching {@code connector}'s tasks, every 250 ms. */
  static FailedTaskWatch start(ConnectCluster cluster, String connector) {
    FailedTaskWatch watch = new FailedTaskWatch(cluster, connector);
    watch.checks.scheduleWithFixedDelay(watch::checkSafely, 250, 250, TimeUnit.MILLISECONDS);
    return watch;
  }

  /** Never throws: a scheduled check that threw would end every later one. */
  private void checkSafely() {
    try {
      check();
    } catch (RuntimeException | AssertionError e) {
      // A worker between rebalances (409), a REST call timed out: look again shortly.
      System.out.println("failed-task-watch: " + e);
    }
  }

  private void check() {
    for (JsonNode task : cluster.status(connector).path("tasks")) {
      String id = task.path("id").asText();
      String which = connector + " task " + id;
      boolean failed = "FAILED".equals(task.path("state").asText());
      synchronized (this) {
        if (!failed) {
          restarting.remove(id);
          continue;
        }
        if (restarting.contains(id)) {
          continue; // restarted already; its status has not caught up yet
        }
        String trace = task.path("trace").asText();
        if (!isKnownKafkaFailure(trace) || restarted.size() >= MAX_RESTARTS) {
          if (otherFailures.stream().noneMatch(f -> f.startsWith(which + ":"))) {
            otherFailures.add(which + ": " + trace);
          }
          continue;
        }
      }
      // Counted once Connect has taken the restart; a refused one (409 while the workers
      // rebalance) throws, and the next check tries again.
      cluster
          .post("connectors/" + connector + "/tasks/" + id + "/restart", "")
          .expectSuccess("restarting " + which);
      synchronized (this) {
        restarted.add(which);
        restarting.add(id);
      }
      System.out.printf(
          "%s FAILED with InvalidTxnStateException from Kafka's transaction coordinator (see"
              + " docs/reliability.md); restarted over REST as the operating notes say%n",
          which);
    }
  }

  static boolean isKnownKafkaFailure(String trace) {
    return trace.startsWith(KNOWN_FAILURE_TRACE) && trace.contains(KNOWN_ROOT_CAUSE);
  }

  /** The tasks restarted after Kafka's known failure, in order. */
  synchronized List<String> restarted() {
    return List.copyOf(restarted);
  }

  /** Fails with the first other failure's trace, if a task FAILED for any other reason. */
  synchronized void assertNoOtherFailure() {
    if (!otherFailures.isEmpty()) {
      throw new AssertionError("A task FAILED: " + otherFailures.get(0));
    }
  }

  /** Stops watching, after a check in progress has ended. */
  @Override
  public void close() {
    checks.shutdownNow();
    try {
      checks.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
