package dev.eventkit.benchmarks.ceiling;

import dev.eventkit.connect.outbox.record.OutboxRecordFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;

/** Emits the prepared records in batches, each with an offset, then waits to be stopped. */
public final class InMemorySourceTask extends SourceTask {

  private List<SourceRecord> records;
  private int batchSize;
  private int next;
  private volatile boolean stopping;

  @Override
  public void start(Map<String, String> props) {
    String topic = props.get(InMemorySourceConnector.TOPIC);
    int count = Integer.parseInt(props.get(InMemorySourceConnector.RECORDS));
    int aggregates =
        Integer.parseInt(props.getOrDefault(InMemorySourceConnector.AGGREGATES, "1000"));
    String filler =
        "x"
            .repeat(
                Integer.parseInt(
                    props.getOrDefault(InMemorySourceConnector.PAYLOAD_BYTES, "1024")));
    batchSize = Integer.parseInt(props.getOrDefault(InMemorySourceConnector.BATCH_SIZE, "1000"));
    Map<String, Object> partition = Map.of("ceiling", topic);
    records = new ArrayList<>(count);
    String eventTime = Instant.now().toString();
    for (int i = 0; i < count; i++) {
      String aggregate = "agg-" + (i % aggregates);
      // The headers an Eventkit outbox record carries, so the records cost what ours cost.
      ConnectHeaders headers = new ConnectHeaders();
      headers.addString(OutboxRecordFactory.HEADER_EVENT_ID, UUID.randomUUID().toString());
      headers.addString(OutboxRecordFactory.HEADER_EVENT_TYPE, "Changed");
      headers.addString(OutboxRecordFactory.HEADER_AGGREGATE_TYPE, "order");
      headers.addString(OutboxRecordFactory.HEADER_AGGREGATE_ID, aggregate);
      headers.addString(OutboxRecordFactory.HEADER_EVENT_TIME, eventTime);
      records.add(
          new SourceRecord(
              partition,
              Map.of("n", (long) i),
              topic,
              null,
              Schema.STRING_SCHEMA,
              aggregate,
              Schema.STRING_SCHEMA,
              "{\"n\": " + i + ", \"data\": \"" + filler + "\"}",
              null,
              headers));
    }
    Map<String, Object> committed = context.offsetStorageReader().offset(partition);
    next = committed == null ? 0 : (int) ((Long) committed.get("n") + 1);
  }

  @Override
  public List<SourceRecord> poll() throws InterruptedException {
    if (next >= records.size()) {
      synchronized (this) {
        if (!stopping) {
          wait(500);
        }
      }
      return null;
    }
    int end = Math.min(records.size(), next + batchSize);
    List<SourceRecord> batch = new ArrayList<>(records.subList(next, end));
    next = end;
    return batch;
  }

  @Override
  public synchronized void stop() {
    stopping = true;
    notifyAll();
  }

  @Override
  public String version() {
    return "benchmark";
  }
}
