package dev.eventkit.connect.outbox.capture.poll.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.connect.outbox.capture.poll.BucketPartitions;
import dev.eventkit.testkit.db.PostgresServer;
import dev.eventkit.testkit.db.TestDatabase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SQL condition the poll-to-log cutover skips rows with agrees, row for row, with what a poll
 * task starting from the same offsets would consider published: random outboxes, random offsets of
 * several bucket layouts (cursors and done ranges), compared against the Java model.
 */
class PollModeHandoverIT {

  private static PostgresServer server;

  @BeforeAll
  static void start() {
    server = PostgresServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void theSnapshotConditionMatchesWhatPollModePublished() {
    TestDatabase db = server.createDatabase();
    // txid and seq written by hand, so that offsets can name them: a plain bigint txid column
    // cast the way the condition casts xid8.
    db.execute(
        "CREATE TABLE outbox (aggregateid text, txid bigint, seq bigint)",
        "INSERT INTO outbox SELECT 'agg-' || (g % 37), 1000 + g / 3, g FROM generate_series(1,"
            + " 600) g");
    Random random = new Random(42);
    for (int trial = 0; trial < 40; trial++) {
      Map<Map<String, Object>, Map<String, Object>> store = randomOffsets(random);
      var published =
          PollModeHandover.publishedCondition(
              "outbox", "txid", "seq", "aggregateid", wanted -> pick(store, wanted));
      if (store.isEmpty()) {
        assertThat(published).isEmpty();
        continue;
      }
      assertThat(published).isPresent();
      PostgresStartPosition start =
          PostgresStartPosition.find("outbox", 1, 0, wanted -> pick(store, wanted));
      List<Map<String, Object>> rows =
          db.query(
              "SELECT txid, seq, "
                  + PostgresBuckets.virtualBucket("aggregateid")
                  + " AS vb, ("
                  + published.get().condition()
                  + ") AS skipped FROM outbox");
      for (Map<String, Object> row : rows) {
        long txid = ((Number) row.get("txid")).longValue();
        long seq = ((Number) row.get("seq")).longValue();
        int vb = ((Number) row.get("vb")).intValue();
        boolean expected =
            start.position().isPublished(txid, seq)
                || start.publishedElsewhere().covers(vb, txid, seq);
        assertThat((Boolean) row.get("skipped"))
            .as("trial %d, row txid %d seq %d bucket %d, offsets %s", trial, txid, seq, vb, store)
            .isEqualTo(expected);
      }
    }
  }

  /** Offsets of up to three layouts (1, 2 or 3 buckets), some buckets missing, some done ranges. */
  private static Map<Map<String, Object>, Map<String, Object>> randomOffsets(Random random) {
    Map<Map<String, Object>, Map<String, Object>> store = new HashMap<>();
    for (int buckets = 1; buckets <= 3; buckets++) {
      if (random.nextInt(3) == 0) {
        continue;
      }
      for (int bucket = 0; bucket < buckets; bucket++) {
        if (random.nextInt(4) == 0) {
          continue;
        }
        long txid = 1000 + random.nextInt(200);
        long seq = random.nextInt(600);
        List<PostgresPosition.TxidRange> done = new ArrayList<>();
        if (random.nextBoolean()) {
          long first = txid + 1 + random.nextInt(20);
          done.add(new PostgresPosition.TxidRange(first, first + random.nextInt(10)));
        }
        store.put(
            BucketPartitions.partition("outbox", buckets, bucket),
            new PostgresPosition(txid, seq, done).toOffset());
      }
    }
    return store;
  }

  private static Map<Map<String, Object>, Map<String, Object>> pick(
      Map<Map<String, Object>, Map<String, Object>> store,
      java.util.Collection<Map<String, Object>> wanted) {
    Map<Map<String, Object>, Map<String, Object>> found = new HashMap<>();
    for (Map<String, Object> partition : wanted) {
      if (store.containsKey(partition)) {
        found.put(partition, store.get(partition));
      }
    }
    return found;
  }
}
