package dev.eventkit.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventkit.testkit.audit.DeliveryAudit;
import dev.eventkit.testkit.connect.ConnectCluster;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Operators at work while the writers write: the connector and its tasks restarted over REST, one
 * task restarted, and {@code tasks.max} changed down and up again (the rows move between buckets).
 */
class ConnectorRestartsIT {

  @Test
  void everyCommittedEventOnceInOrderThroughRestartsAndTaskCountChanges() throws Exception {
    try (FaultPipeline pipeline = FaultPipeline.start()) {
      ConnectCluster cluster = pipeline.cluster();
      String outbox = "connectors/" + FaultPipeline.OUTBOX;
      Duration slice = FaultPipeline.duration().dividedBy(5);
      pipeline.startWriting();

      pipeline.keepWriting(slice);
      pipeline.inject(
          "connector and tasks restarted",
          () -> {
            cluster.post(outbox + "/restart?includeTasks=true", "").expectSuccess("restart");
            cluster.awaitRunning(FaultPipeline.OUTBOX, FaultPipeline.TASKS);
          });
      pipeline.keepWriting(slice);
      pipeline.inject(
          "task 1 restarted",
          () -> cluster.post(outbox + "/tasks/1/restart", "").expectSuccess("restart task 1"));
      pipeline.keepWriting(slice);
      pipeline.inject("tasks.max 3 -> 2", () -> setTasks(cluster, 2));
      pipeline.keepWriting(slice);
      pipeline.inject("tasks.max 2 -> 3", () -> setTasks(cluster, FaultPipeline.TASKS));
      pipeline.keepWriting(slice);

      DeliveryAudit.Verdict verdict = pipeline.finish();

      assertThat(verdict.clean()).as(verdict.line()).isTrue();
      assertThat(verdict.faults()).isEqualTo(4);
    }
  }

  private static void setTasks(ConnectCluster cluster, int tasks) {
    String resource = "connectors/" + FaultPipeline.OUTBOX + "/config";
    ObjectNode config = (ObjectNode) cluster.get(resource).expectSuccess("read config").json();
    config.put("tasks.max", Integer.toString(tasks));
    cluster.put(resource, config.toString()).expectSuccess("set tasks.max=" + tasks);
    cluster.awaitRunning(FaultPipeline.OUTBOX, tasks);
  }
}
