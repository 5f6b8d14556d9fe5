package dev.eventkit.connect.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventkit.connect.outbox.capture.OutboxPosition;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class OutboxPartitionsTest {

  private final Map<Map<String, Object>, Map<String, Object>> store = new HashMap<>();
  private final Function<
          Collection<Map<String, Object>>, Map<Map<String, Object>, Map<String, Object>>>
      reader =
          wanted -> {
            Map<Map<String, Object>, Map<String, Object>> found = new HashMap<>();
            wanted.forEach(
                p -> {
                  if (store.containsKey(p)) {
                    found.put(p, store.get(p));
                  }
                });
            return found;
          };

  private void commit(int buckets, int bucket, long txid, long seq) {
    store.put(
        OutboxPartitions.partition("outbox", buckets, bucket),
        OutboxPosition.at(txid, seq).toOffset());
  }

  @Test
  void aTaskResumesAtItsOwnPosition() {
    commit(3, 1, 50, 5);
    commit(1, 0, 10, 1);

    assertThat(OutboxPartitions.startPosition("outbox", 3, 1, reader))
        .isEqualTo(OutboxPosition.at(50, 5));
  }

  @Test
  void afterTasksMaxChangesANewTaskStartsAtTheSlowestOldBucketSoNothingIsLost() {
    commit(3, 0, 50, 5);
    commit(3, 1, 40, 4);
    commit(3, 2, 60, 6);

    assertThat(OutboxPartitions.startPosition("outbox", 1, 0, reader))
        .isEqualTo(OutboxPosition.at(40, 4));
  }

  @Test
  void anIncompleteOldLayoutMeansStartingFromTheBeginning() {
    commit(3, 0, 50, 5);
    commit(3, 2, 60, 6);

    assertThat(OutboxPartitions.startPosition("outbox", 1, 0, reader))
        .isEqualTo(OutboxPosition.START);
  }

  @Test
  void aNewConnectorStartsAtTheBeginning() {
    assertThat(OutboxPartitions.startPosition("outbox", 2, 0, reader))
        .isEqualTo(OutboxPosition.START);
  }

  @Test
  void validatesPartitionsFromTheOffsetsApi() {
    OutboxPartitions.validate(OutboxPartitions.partition("outbox", 2, 1));
    assertThatThrownBy(
            () -> OutboxPartitions.validate(Map.of("table", "outbox", "buckets", 2, "bucket", 2)))
        .hasMessageContaining("'bucket' < 'buckets'");
    assertThatThrownBy(() -> OutboxPartitions.validate(Map.of("buckets", 1, "bucket", 0)))
        .hasMessageContaining("'table'");
  }
}
