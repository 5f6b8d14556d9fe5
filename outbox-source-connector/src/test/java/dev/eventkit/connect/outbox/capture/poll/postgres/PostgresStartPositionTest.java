package dev.eventkit.connect.outbox.capture.poll.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.connect.outbox.capture.poll.BucketPartitions;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
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
    commit("outbox", buckets, bucket, PostgresPosition.at(txid, seq));
  }

  private void commit(String table, int buckets, int bucket, PostgresPosition position) {
    store.put(BucketPartitions.partition(table, buckets, bucket), position.toOffset());
  }

  private PostgresStartPosition find(int buckets, int bucket) {
    return PostgresStartPosition.find("outbox", buckets, bucket, reader);
  }

  @Test
  void aTaskResumesAtItsOwnPosition() {
    commit(3, 1, 50, 5);

    PostgresStartPosition start = find(3, 1);

    assertThat(start.position()).isEqualTo(PostgresPosition.at(50, 5));
    assertThat(start.publishedElsewhere().isEmpty()).isTrue();
  }

  @Test
  void aNewConnectorStartsAtTheBeginning() {
    PostgresStartPosition start = find(2, 0);

    assertThat(start.position()).isEqualTo(PostgresPosition.START);
    assertThat(start.publishedElsewhere().isEmpty()).isTrue();
  }

  @Test
  void afterTasksMaxChangesANewTaskStartsAtTheSlowestOldBucketAndSkipsWhatTheOthersPublished() {
    commit(3, 0, 50, 5);
    commit(3, 1, 40, 4);
    commit(3, 2, 60, 6);

    PostgresStartPosition start = find(1, 0);

    assertThat(start.position()).isEqualTo(PostgresPosition.at(40, 4));
    PublishedByOtherLayouts elsewhere = start.publishedElsewhere();
    // Virtual bucket v belongs to old bucket v % 3.
    // Old bucket 0 published up to (50, 5): its rows there are not published again.
    assertThat(elsewhere.covers(0, 45, 9)).isTrue();
    assertThat(elsewhere.covers(0, 50, 5)).isTrue();
    assertThat(elsewhere.covers(0, 50, 6)).isFalse();
    assertThat(elsewhere.covers(3, 50, 5)).as("virtual bucket 3 is old bucket 0 too").isTrue();
    // Old bucket 1 stopped at the new cursor: everything of it after that is new.
    assertThat(elsewhere.covers(1, 41, 1)).isFalse();
    assertThat(elsewhere.covers(2, 60, 6)).isTrue();
    assertThat(elsewhere.covers(2, 61, 1)).isFalse();
    assertThat(elsewhere.spans()).hasSize(2);
  }

  @Test
  void anIdleOldBucketNoLongerMeansRepublishingWhatTheOtherOldBucketsPublished() {
    commit(3, 0, 50, 5);
    commit(3, 2, 60, 6);

    PostgresStartPosition start = find(1, 0);

    // Old bucket 1 never committed: its rows are read from the start of the table...
    assertThat(start.position()).isEqualTo(PostgresPosition.START);
    assertThat(start.publishedElsewhere().covers(1, 10, 1)).isFalse();
    // ...but those of the other old buckets only after their own positions.
    assertThat(start.publishedElsewhere().covers(0, 10, 1)).isTrue();
    assertThat(start.publishedElsewhere().covers(0, 51, 1)).isFalse();
    assertThat(start.publishedElsewhere().covers(2, 60, 6)).isTrue();
  }

  @Test
  void onlyTheOldBucketsHoldingRowsOfTheNewBucketMatter() {
    // Four old tasks, two new ones: new bucket 0 holds the virtual buckets of old buckets 0 and 2.
    commit(4, 0, 50, 5);
    commit(4, 2, 70, 7);

    PostgresStartPosition start = find(2, 0);

    assertThat(start.position()).isEqualTo(PostgresPosition.at(50, 5));
    assertThat(start.publishedElsewhere().spans())
        .containsExactly(new PublishedByOtherLayouts.Span(4, 2, 0, 70, 7));
  }

  @Test
  void backToAnEarlierTasksMaxAStaleOwnOffsetDoesNotRepublishWhatTheLayoutBetweenPublished() {
    // tasks.max 3, then 1, then 3 again: bucket 1's own offset is from the first era.
    commit(3, 0, 20, 2);
    commit(3, 1, 21, 3);
    commit(3, 2, 22, 4);
    commit(1, 0, 90, 9);

    PostgresStartPosition start = find(3, 1);

    assertThat(start.position()).isEqualTo(PostgresPosition.at(90, 9));
    assertThat(start.publishedElsewhere().isEmpty()).isTrue();
  }

  @Test
  void
      backToAnEarlierTasksMaxWhileTheLayoutBetweenHadAnIdleBucketKeepsTheOwnOffsetAndSkipsTheRest() {
    // tasks.max 3, then 2 (bucket 1 never committed), then 3 again.
    commit(3, 1, 21, 3);
    commit(2, 0, 90, 9);

    PostgresStartPosition start = find(3, 1);

    assertThat(start.position()).isEqualTo(PostgresPosition.at(21, 3));
    // Virtual bucket 4 is bucket 1 of 3 and bucket 0 of 2; virtual bucket 1 is bucket 1 of both.
    assertThat(start.publishedElsewhere().covers(4, 90, 9)).isTrue();
    assertThat(start.publishedElsewhere().covers(4, 90, 10)).isFalse();
    assertThat(start.publishedElsewhere().covers(1, 30, 1)).isFalse();
  }

  @Test
  void doneRangesOfTheOwnOffsetStayAndThoseOfOtherLayoutsAreSkipped() {
    commit(
        "outbox",
        2,
        0,
        new PostgresPosition(30, 3, List.of(new PostgresPosition.TxidRange(35, 37))));
    commit(
        "outbox",
        1,
        0,
        new PostgresPosition(10, 1, List.of(new PostgresPosition.TxidRange(40, 42))));

    PostgresStartPosition start = find(2, 0);

    assertThat(start.position())
        .isEqualTo(new PostgresPosition(30, 3, List.of(new PostgresPosition.TxidRange(35, 37))));
    assertThat(start.publishedElsewhere().spans())
        .as("the old cursor lies behind the own one; the old done range ahead of it")
        .containsExactly(new PublishedByOtherLayouts.Span(1, 0, 40, 42, Long.MAX_VALUE));
    assertThat(start.publishedElsewhere().covers(0, 41, 99)).isTrue();
    assertThat(start.publishedElsewhere().covers(0, 43, 1)).isFalse();
  }

  @Test
  void offsetsOfAnotherTableAreIgnored() {
    commit("other", 3, 0, PostgresPosition.at(50, 5));
    commit("other", 3, 1, PostgresPosition.at(50, 5));
    commit("other", 3, 2, PostgresPosition.at(50, 5));
    commit("other", 1, 0, PostgresPosition.at(70, 7));
    commit(3, 0, 20, 2);

    PostgresStartPosition start = find(1, 0);

    assertThat(start.position()).isEqualTo(PostgresPosition.START);
    assertThat(start.publishedElsewhere().spans())
        .containsExactly(new PublishedByOtherLayouts.Span(3, 0, 0, 20, 2));
  }

  @Test
  void spansTheCursorHasPassedAreDropped() {
    PublishedByOtherLayouts elsewhere =
        new PublishedByOtherLayouts(
            List.of(
                new PublishedByOtherLayouts.Span(3, 0, 0, 50, 5),
                new PublishedByOtherLayouts.Span(3, 1, 55, 57, Long.MAX_VALUE)));

    assertThat(elsewhere.beyond(PostgresPosition.at(50, 4))).isSameAs(elsewhere);
    assertThat(elsewhere.beyond(PostgresPosition.at(50, 5)).spans())
        .containsExactly(new PublishedByOtherLayouts.Span(3, 1, 55, 57, Long.MAX_VALUE));
    assertThat(elsewhere.beyond(PostgresPosition.at(57, 9)).isEmpty()).isFalse();
    assertThat(elsewhere.beyond(PostgresPosition.at(58, 0)).isEmpty()).isTrue();
  }
}
