package dev.eventkit.connect.outbox.capture.poll.mariadb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.connect.outbox.capture.poll.BucketPartitions;
import dev.eventkit.connect.outbox.capture.poll.mariadb.GapTracker.Gap;
import dev.eventkit.connect.outbox.capture.poll.mariadb.GapTracker.State;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Where a task starts after tasks.max changed, from the offsets of every layout. */
class MariaDbStartPositionTest {

  private final Map<Map<String, Object>, Map<String, Object>> offsets = new HashMap<>();

  private void commit(int buckets, int bucket, State state) {
    offsets.put(
        BucketPartitions.partition("outbox", buckets, bucket), MariaDbPosition.toOffset(state));
  }

  private MariaDbStartPosition find(int buckets, int bucket) {
    return MariaDbStartPosition.find(
        "outbox",
        buckets,
        bucket,
        wanted -> {
          Map<Map<String, Object>, Map<String, Object>> found = new HashMap<>();
          wanted.stream().filter(offsets::containsKey).forEach(p -> found.put(p, offsets.get(p)));
          return found;
        });
  }

  @Test
  void withNoOffsetsATaskStartsAtTheBeginning() {
    MariaDbStartPosition start = find(2, 1);

    assertThat(start.state()).isEqualTo(State.START);
    assertThat(start.elsewhere()).isEmpty();
  }

  @Test
  void itsOwnOffsetWithAnOpenGapIsKept() {
    State own = new State(40, new Gap(41, 42, Set.of("t7"), 1_000));
    commit(2, 1, own);

    assertThat(find(2, 1).state()).isEqualTo(own);
  }

  @Test
  void aNewLayoutStartsAtTheLowestCursorOfTheOldOneAndSkipsWhatItCoveredBeyond() {
    commit(2, 0, new State(100, null));
    commit(2, 1, new State(60, null));

    MariaDbStartPosition start = find(3, 0);

    assertThat(start.state()).isEqualTo(new State(60, null));
    // Virtual bucket 0 belonged to old bucket 0 (cursor 100), bucket 3 to old bucket 1 (60).
    assertThat(start.publishedElsewhere(80, 0)).isTrue();
    assertThat(start.publishedElsewhere(101, 0)).isFalse();
    assertThat(start.publishedElsewhere(80, 3)).isFalse();
    assertThat(start.highestElsewhere()).isEqualTo(100);
  }

  @Test
  void anIncompleteOldLayoutDoesNotMoveTheCursorButStillCoversItsRows() {
    commit(2, 0, new State(100, null)); // bucket 1 of 2 never committed

    MariaDbStartPosition start = find(1, 0);

    assertThat(start.state()).isEqualTo(State.START);
    assertThat(start.publishedElsewhere(50, 2)).isTrue(); // 2 % 2 == 0
    assertThat(start.publishedElsewhere(50, 1)).isFalse();
  }

  @Test
  void anOwnCursorBeyondEveryOtherLayoutDropsThem() {
    commit(1, 0, new State(30, null));
    commit(2, 0, new State(200, null));
    commit(2, 1, new State(210, null));

    MariaDbStartPosition start = find(2, 0);

    assertThat(start.state().cursor()).isEqualTo(200);
    assertThat(start.elsewhere()).isEmpty();
  }
}
