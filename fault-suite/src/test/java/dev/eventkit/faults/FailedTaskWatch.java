package dev.eventkit.faults;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventkit.testkit.connect.ConnectCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Watches the outbox connector's tasks as the README's alert on a {@code FAILED} task would, and
 * does what the operator it pages is told to do for one known failure only: a task whose
 * exactly-once producer was answered {@code InvalidTxnStateException} by Kafka's transaction
 * coordinator (transaction protocol 2; docs/reliability.md, "An exactly-once task killed by its
 * transaction coordinator") is restarted over REST, {@code onlyFailed=true}, and counted. Any other
 * failure is kept, left alone, and fails the scenario in {@link #assertNoOtherFailure()}.
 */
final class FailedTaskWatch implements AutoCloseable {

  /** The one failure restarted: Kafka's, not the pipeline's. */
  static final String KNOWN_KAFKA_FAILURE =
      "org.apache.kafka.common.errors.InvalidTxnStateException";

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

  private FailedTaskWatch(ConnectCluster cluster, String connector) {
    this.cluster = cluster;
    this.connector = connector;
  }

  /** Starts watching {@code connector}'s tasks, every 250 ms. */
  static FailedTaskWatch start(ConnectCluster cluster, String connector) {
    FailedTaskWatch watch = new FailedTaskWatch(cluster, connector);
    watch.checks.scheduleWithFixedDelay(watch::check, 250, 250, TimeUnit.MILLISECONDS);
    return watch;
  }

  private void check() {
    JsonNode tasks;
    try {
      tasks = cluster.status(connector).path("tasks");
    } catch (RuntimeException | AssertionError e) {
      return; // a worker between rebalances, or the REST call timed out: look again shortly
    }
    boolean restart = false;
    for (JsonNode task : tasks) {
      if (!"FAILED".equals(task.path("state").asText())) {
        continue;
      }
      String trace = task.path("trace").asText();
      String which = connector + " task " + task.path("id").asText();
      synchronized (this) {
        if (trace.contains(KNOWN_KAFKA_FAILURE)) {
          restarted.add(which);
          restart = true;
          System.out.printf(
              "%s FAILED with %s (Kafka's transaction coordinator, see docs/reliability.md);"
                  + " restarted over REST as the operating notes say%n",
              which, KNOWN_KAFKA_FAILURE);
        } else if (otherFailures.stream().noneMatch(f -> f.startsWith(which + ":"))) {
          otherFailures.add(which + ": " + trace);
        }
      }
    }
    if (restart) {
      cluster
          .post("connectors/" + connector + "/restart?includeTasks=true&onlyFailed=true", "")
          .expectSuccess("restarting the failed tasks of " + connector);
    }
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

  @Override
  public void close() {
    checks.shutdownNow();
  }
}
