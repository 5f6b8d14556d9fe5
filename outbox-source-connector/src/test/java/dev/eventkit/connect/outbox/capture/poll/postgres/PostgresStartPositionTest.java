package dev.eventkit.connect.outbox.capture.poll.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.connect.outbox.capture.poll.BucketPartitions;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class PostgresStartPositionTest {

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
        BucketPartitions.partition("outbox", buckets, bucket),
        PostgresPosition.at(txid, seq).toOffset());
  }

  @Test
  void aTaskResumesAtItsOwnPosition() {
    commit(3, 1, 50, 5);
    commit(1, 0, 10, 1);

    assertThat(PostgresStartPosition.find("outbox", 3, 1, reader))
        .isEqualTo(PostgresPosition.at(50, 5));
  }

  @Test
  void afterTasksMaxChangesANewTaskStartsAtTheSlowestOldBucketSoNothingIsLost() {
    commit(3, 0, 50, 5);
    commit(3, 1, 40, 4);
    commit(3, 2, 60, 6);

    assertThat(PostgresStartPosition.find("outbox", 1, 0, reader))
        .isEqualTo(PostgresPosition.at(40, 4));
  }

  @Test
  void anIncompleteOldLayoutMeansStartingFromTheBeginning() {
    commit(3, 0, 50, 5);
    commit(3, 2, 60, 6);

    assertThat(PostgresStartPosition.find("outbox", 1, 0, reader))
        .isEqualTo(PostgresPosition.START);
  }

  @Test
  void aNewConnectorStartsAtTheBeginning() {
    assertThat(PostgresStartPosition.find("outbox", 2, 0, reader))
        .isEqualTo(PostgresPosition.START);
  }
}
