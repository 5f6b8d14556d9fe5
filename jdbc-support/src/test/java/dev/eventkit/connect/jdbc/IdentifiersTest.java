package dev.eventkit.connect.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IdentifiersTest {

  private static final Identifiers PG = DatabaseDialect.POSTGRESQL.identifiers();
  private static final Identifiers MARIADB = DatabaseDialect.MARIADB.identifiers();
  private static final Identifiers MYSQL = DatabaseDialect.MYSQL.identifiers();

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          outbox               | "outbox"
          Outbox               | "Outbox"
          a"b                  | "a""b"
          a`b                  | "a`b"
          x; DROP TABLE y      | "x; DROP TABLE y"
          t -- c               | "t -- c"
          t/*c*/               | "t/*c*/"
          événements           | "événements"
          注文                 | "注文"
          """)
  void postgresqlDoubleQuotesAndDoublesEmbeddedQuotes(String name, String quoted) {
    assertThat(PG.quote(name)).isEqualTo(quoted);
    assertThat(PG.problem(name)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          outbox               | `outbox`
          Outbox               | `Outbox`
          a`b                  | `a``b`
          a"b                  | `a"b`
          x; DROP TABLE y      | `x; DROP TABLE y`
          t -- c               | `t -- c`
          t/*c*/               | `t/*c*/`
          a\\b                 | `a\\b`
          événements           | `événements`
          """)
  void mariadbAndMysqlBacktickAndDoubleEmbeddedBackticks(String name, String quoted) {
    assertThat(MARIADB.quote(name)).isEqualTo(quoted);
    assertThat(MYSQL.quote(name)).isEqualTo(quoted);
  }

  @Test
  void namesMadeOfQuotesAreEscaped() {
    assertThat(PG.quote("\"\"")).isEqualTo("\"\"\"\"\"\"");
    assertThat(PG.quote("\"")).isEqualTo("\"\"\"\"");
    assertThat(MARIADB.quote("``")).isEqualTo("``````");
    assertThat(MARIADB.quote("`; DROP TABLE y; --")).isEqualTo("```; DROP TABLE y; --`");
  }

  @Test
  void qualifiedNamesQuoteEachPart() {
    assertThat(PG.quoteQualified("outbox")).isEqualTo("\"outbox\"");
    assertThat(PG.quoteQualified("app.outbox")).isEqualTo("\"app\".\"outbox\"");
    assertThat(PG.quoteQualified("App.Out\"box")).isEqualTo("\"App\".\"Out\"\"box\"");
    assertThat(MARIADB.quoteQualified("shop.dead_letters")).isEqualTo("`shop`.`dead_letters`");
    assertThat(MARIADB.quoteQualified("x; DROP TABLE y.t")).isEqualTo("`x; DROP TABLE y`.`t`");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a.b.c", "db.schema.table", "..", "a..b"})
  void moreThanOneDotIsRefused(String name) {
    for (Identifiers identifiers : new Identifiers[] {PG, MARIADB}) {
      assertThatThrownBy(() -> identifiers.quoteQualified(name))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(name)
          .hasMessageContaining("more than one dot");
      assertThat(identifiers.problem(name)).hasValueSatisfying(p -> assertThat(p).contains(name));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {".outbox", "app.", ".", " .outbox", "app. "})
  void emptyPartsAreRefused(String name) {
    for (Identifiers identifiers : new Identifiers[] {PG, MARIADB}) {
      assertThatThrownBy(() -> identifiers.quoteQualified(name))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("empty or blank");
    }
  }

  @Test
  void aDotInsideOneIdentifierIsKeptByQuote() {
    // quote() takes one identifier as given; only quoteQualified() splits at the dot.
    assertThat(PG.quote("a.b")).isEqualTo("\"a.b\"");
    assertThat(MARIADB.quote("a.b")).isEqualTo("`a.b`");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "   ", "\t"})
  void emptyAndBlankNamesAreRefused(String name) {
    for (Identifiers identifiers : new Identifiers[] {PG, MARIADB}) {
      assertThatThrownBy(() -> identifiers.quote(name))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("empty or blank");
      assertThat(identifiers.problem(name)).isPresent();
    }
    assertThatThrownBy(() -> PG.quote(null)).isInstanceOf(IllegalArgumentException.class);
    assertThat(PG.problem(null)).isPresent();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"out\u0000box", "out\nbox", "out\rbox", "tab\tname", "del\u007F", "c1\u0085"})
  void controlCharactersAreRefusedAndShownEscaped(String name) {
    for (Identifiers identifiers : new Identifiers[] {PG, MARIADB}) {
      assertThatThrownBy(() -> identifiers.quote(name))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("control character")
          .message()
          .doesNotContain(name)
          .matches("(?s)[^\\p{Cc}]*");
    }
  }

  @Test
  void postgresqlAllowsSixtyThreeBytesOfUtf8() {
    String ascii63 = "a".repeat(63);
    assertThat(PG.quote(ascii63)).isEqualTo("\"" + ascii63 + "\"");
    assertThatThrownBy(() -> PG.quote(ascii63 + "a"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(ascii63 + "a")
        .hasMessageContaining("64 bytes")
        .hasMessageContaining("limit is 63 bytes");

    // 31 two-byte characters + 1 byte = 63 bytes; one more byte is too many.
    String multibyte63 = "é".repeat(31) + "a";
    assertThat(multibyte63.getBytes(StandardCharsets.UTF_8)).hasSize(63);
    assertThat(PG.problem(multibyte63)).isEmpty();
    assertThat(PG.problem(multibyte63 + "a")).isPresent();
    // 32 characters only, but 64 bytes.
    assertThat(PG.problem("é".repeat(32))).hasValueSatisfying(p -> assertThat(p).contains("64"));
  }

  @Test
  void mariadbAllowsSixtyFourCharacters() {
    String ascii64 = "a".repeat(64);
    assertThat(MARIADB.quote(ascii64)).isEqualTo("`" + ascii64 + "`");
    assertThatThrownBy(() -> MARIADB.quote(ascii64 + "a"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("65 characters")
        .hasMessageContaining("limit is 64 characters");
    // Characters, not bytes: 64 three-byte characters are fine, 65 are not.
    assertThat(MARIADB.problem("注".repeat(64))).isEmpty();
    assertThat(MYSQL.problem("注".repeat(65))).isPresent();
    // The same name is too long for PostgreSQL (128 bytes).
    assertThat(PG.problem("é".repeat(64))).isPresent();
  }

  @Test
  void mariadbRefusesCharactersOutsideTheBmpAndTrailingSpaces() {
    assertThat(PG.quote("emoji\uD83D\uDE00")).isEqualTo("\"emoji\uD83D\uDE00\"");
    assertThatThrownBy(() -> MARIADB.quote("emoji\uD83D\uDE00"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("U+1F600");
    assertThatThrownBy(() -> MYSQL.quote("trailing "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ends with a space");
    assertThat(PG.quote("trailing ")).isEqualTo("\"trailing \"");
  }

  @Test
  void problemReportsThePartAndTheWholeName() {
    assertThat(PG.problem("app.outbox")).isEmpty();
    assertThat(PG.problem("app." + "x".repeat(64)))
        .hasValueSatisfying(p -> assertThat(p).contains("limit is 63").contains("in 'app.x"));
    assertThat(MARIADB.problem("sh\u0000op.t"))
        .hasValueSatisfying(p -> assertThat(p).contains("\\u0000").contains("control character"));
  }
}
