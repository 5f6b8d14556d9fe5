package dev.eventkit.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChangelogCheckTest {

  private static final List<String> CHANGELOG =
      List.of(
          "# Changelog",
          "",
          "## [Unreleased]",
          "",
          "## [0.2.0] - 2027-01-10",
          "### Added",
          "- more",
          "",
          "## [0.1.0] - 2026-11-27",
          "### Added",
          "- first");

  @Test
  void theReleasedVersionHasItsDatedEntryUnderUnreleased() {
    assertThat(ChangelogCheck.check(CHANGELOG, "0.2.0", "2027-01-10")).isEmpty();
  }

  @Test
  void aMissingOrMisdatedEntryFails() {
    assertThat(ChangelogCheck.check(CHANGELOG, "0.3.0", "2027-02-01"))
        .singleElement()
        .asString()
        .contains("no '## [0.3.0] - 2027-02-01' entry");
    assertThat(ChangelogCheck.check(CHANGELOG, "0.2.0", "2027-01-11")).hasSize(1);
  }

  @Test
  void anOlderEntryIsNotTheRelease() {
    assertThat(ChangelogCheck.check(CHANGELOG, "0.1.0", "2026-11-27"))
        .singleElement()
        .asString()
        .contains("lies between Unreleased and 0.1.0");
  }

  @Test
  void aSnapshotIsNoRelease() {
    assertThat(ChangelogCheck.check(CHANGELOG, "0.2.0-SNAPSHOT", "2027-01-10")).hasSize(1);
  }
}
