package dev.eventkit.testkit.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.testkit.audit.DeliveryAudit.Committed;
import dev.eventkit.testkit.audit.DeliveryAudit.DeadLetter;
import dev.eventkit.testkit.audit.DeliveryAudit.Published;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The accounting finds each way a pipeline can go wrong, and nothing when none did. */
class DeliveryAuditTest {

  private final Map<UUID, Committed> ledger = new LinkedHashMap<>();
  private final List<Published> published = new ArrayList<>();
  private final List<DeadLetter> deadLetters = new ArrayList<>();
  private final List<DeadLetter> archived = new ArrayList<>();

  private UUID commit(String order, long version, boolean poison) {
    UUID id = UUID.randomUUID();
    ledger.put(id, new Committed(order, version, poison));
    return id;
  }

  private static byte[] event(UUID id) {
    return ("{\"event\": \"" + id + "\"}").getBytes(StandardCharsets.UTF_8);
  }

  private void publish(UUID id, String key, int partition) {
    published.add(new Published(key, partition, published.size(), event(id)));
  }

  private void deadLetter(UUID id, long offset) {
    deadLetters.add(new DeadLetter(0, offset, event(id)));
  }

  private void archive(UUID id, long offset) {
    archived.add(new DeadLetter(0, offset, event(id)));
  }

  private DeliveryAudit.Verdict account() {
    return DeliveryAudit.account(
        ledger, published, deadLetters, archived, 2, Duration.ofMillis(1500));
  }

  @Test
  void everythingOnceInOrderIsClean() {
    UUID a1 = commit("o-1", 1, false);
    UUID b1 = commit("o-2", 1, true);
    UUID a2 = commit("o-1", 2, false);
    publish(a1, "o-1", 0);
    publish(b1, "o-2", 1);
    publish(a2, "o-1", 0);
    deadLetter(b1, 0);
    archive(b1, 0);

    DeliveryAudit.Verdict verdict = account();

    assertThat(verdict.clean()).isTrue();
    assertThat(verdict.line())
        .isEqualTo(
            "CLEAN: events committed 3, published 3, duplicated 0, missing 0, invented 0,"
                + " out of order 0, misrouted 0; poison committed 1, dead-lettered 1 (not 0,"
                + " unexpected 0, twice by Connect 0), archived 1 (missing 0, extra 0); faults"
                + " injected 2, longest recovery 1.5 s");
  }

  @Test
  void findsDuplicatesMissingInventedReorderedAndMisroutedEvents() {
    UUID a1 = commit("o-1", 1, false);
    UUID a2 = commit("o-1", 2, false);
    UUID a3 = commit("o-1", 3, false);
    UUID b1 = commit("o-2", 1, false);
    UUID b2 = commit("o-2", 2, false);
    UUID c1 = commit("o-3", 1, false); // never published
    publish(a2, "o-1", 0);
    publish(a1, "o-1", 0); // before 2: out of order
    publish(a3, "o-1", 0);
    publish(a3, "o-1", 0); // twice
    UUID rolledBack = UUID.randomUUID();
    publish(rolledBack, "o-4", 2); // never committed (rolled back)
    publish(b1, "o-9", 1); // under another key
    publish(b2, "o-2", 2); // on another partition than the order's first event

    DeliveryAudit.Verdict verdict = account();

    assertThat(verdict.clean()).isFalse();
    assertThat(verdict.published()).isEqualTo(7);
    assertThat(verdict.duplicated()).isEqualTo(1);
    assertThat(verdict.missing()).isEqualTo(1);
    assertThat(verdict.invented()).isEqualTo(1);
    assertThat(verdict.outOfOrder()).isEqualTo(1);
    assertThat(verdict.misrouted()).isEqualTo(2);
    assertThat(verdict.line()).startsWith("BROKEN: ");
    // Each defect is named, with where its records are, for whoever reads the scenario's output.
    assertThat(verdict.examples())
        .containsExactlyInAnyOrder(
            "out of order: event "
                + a1
                + " (order o-1 version 1) after version 2, at partition 0"
                + " offset 1",
            "duplicated: event "
                + a3
                + " (order o-1 version 3) at partition 0 offset 2 and"
                + " partition 0 offset 3",
            "invented: event " + rolledBack + " at partition 2 offset 4",
            "missing: event " + c1 + " (order o-3 version 1)");
    // Where to look at the batches of the copies: partition 0 from the first copy to the second.
    assertThat(verdict.duplicateSpans()).containsExactly(new DeliveryAudit.Span(0, 2, 3));
  }

  @Test
  void findsPoisonNotDeadLetteredAndEventsDeadLetteredThatAreNotPoison() {
    UUID p1 = commit("o-1", 1, true);
    UUID p2 = commit("o-2", 1, true);
    UUID fine = commit("o-3", 1, false);
    publish(p1, "o-1", 0);
    publish(p2, "o-2", 0);
    publish(fine, "o-3", 0);
    deadLetter(p1, 0);
    deadLetter(fine, 1);
    archive(p1, 0);
    archive(fine, 1);

    DeliveryAudit.Verdict verdict = account();

    assertThat(verdict.clean()).isFalse();
    assertThat(verdict.notDeadLettered()).isEqualTo(1);
    assertThat(verdict.unexpectedDeadLetters()).isEqualTo(1);
  }

  @Test
  void findsDeadLettersArchivedTwiceNotAtAllOrFromElsewhere() {
    UUID p1 = commit("o-1", 1, true);
    UUID p2 = commit("o-2", 1, true);
    publish(p1, "o-1", 0);
    publish(p2, "o-2", 0);
    deadLetter(p1, 0);
    deadLetter(p2, 1);
    archive(p1, 0);
    archive(p1, 0); // the same dead letter twice
    archive(p2, 7); // a position the dead-letter topic does not hold

    DeliveryAudit.Verdict verdict = account();

    assertThat(verdict.clean()).isFalse();
    assertThat(verdict.archiveMissing()).isEqualTo(1);
    assertThat(verdict.archiveExtra()).isEqualTo(2);
  }

  @Test
  void aPoisonEventDeadLetteredTwiceByConnectIsReportedButArchivedTwiceIsClean() {
    UUID p1 = commit("o-1", 1, true);
    publish(p1, "o-1", 0);
    deadLetter(p1, 0);
    deadLetter(p1, 1); // Connect's reporter is at-least-once: two records of their own
    archive(p1, 0);
    archive(p1, 1);

    DeliveryAudit.Verdict verdict = account();

    assertThat(verdict.clean()).isTrue();
    assertThat(verdict.deadLetteredTwice()).isEqualTo(1);
  }
}
