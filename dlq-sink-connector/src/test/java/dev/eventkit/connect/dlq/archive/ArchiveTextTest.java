package dev.eventkit.connect.dlq.archive;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ArchiveTextTest {

  @Test
  void nulCharactersAreRemoved() {
    assertThat(ArchiveText.fit("a\u0000b\u0000", 255)).isEqualTo("ab");
  }

  @Test
  void longValuesAreCutToTheColumnWithAMarker() {
    String fitted = ArchiveText.fit("x".repeat(10_000), 255);

    assertThat(fitted).hasSize(255).endsWith(ArchiveText.MARKER).startsWith("xxxx");
  }

  @Test
  void aCutNeverSplitsACharacterOutsideTheBasicPlane() {
    String emoji = "\uD83D\uDE00";
    String fitted = ArchiveText.fit(emoji.repeat(300), 255);

    assertThat(fitted.codePointCount(0, fitted.length())).isEqualTo(255);
    assertThat(fitted).startsWith(emoji).endsWith(ArchiveText.MARKER);
    assertThat(Character.isHighSurrogate(fitted.charAt(fitted.indexOf('.') - 1))).isFalse();
  }

  @Test
  void shortValuesAndNullsPassAndZeroMeansNoLimit() {
    assertThat(ArchiveText.fit("abc", 3)).isEqualTo("abc");
    assertThat(ArchiveText.fit(null, 3)).isNull();
    assertThat(ArchiveText.fit("m".repeat(2_000_000), 0)).hasSize(2_000_000);
  }
}
