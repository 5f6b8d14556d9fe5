package dev.eventkit.connect.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DatabaseDialectTest {

  @ParameterizedTest
  @CsvSource({
    "jdbc:postgresql://db:5432/orders, POSTGRESQL",
    "jdbc:postgresql:orders, POSTGRESQL",
    "JDBC:PostgreSQL://db/orders, POSTGRESQL",
    "'  jdbc:postgresql://db/orders ', POSTGRESQL",
    "jdbc:mariadb://db:3306/orders, MARIADB",
    "'jdbc:mariadb:replication://a,b/orders', MARIADB",
    "jdbc:mysql://db:3306/orders, MYSQL",
    "jdbc:MySQL://db/orders?permitMysqlScheme, MYSQL"
  })
  void detectsTheDialectFromTheSubprotocol(String url, DatabaseDialect expected) {
    assertThat(DatabaseDialect.fromUrl(url)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "jdbc:oracle:thin:scott/secret@db:1521/orcl",
        "jdbc:sqlserver://db;user=sa;password=secret",
        "postgresql://u:secret@db/orders",
        "jdbc:postgres://db/orders?password=secret",
        "jdbc:h2:mem:orders;PASSWORD=secret",
        "secret"
      })
  void refusesOtherUrlsListingThePrefixesButNeverTheUrl(String url) {
    assertThatThrownBy(() -> DatabaseDialect.fromUrl(url))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jdbc:postgresql:")
        .hasMessageContaining("jdbc:mariadb:")
        .hasMessageContaining("jdbc:mysql:")
        .message()
        .doesNotContain("secret")
        .doesNotContain(url);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   "})
  void refusesAMissingUrl(String url) {
    assertThatThrownBy(() -> DatabaseDialect.fromUrl(url))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jdbc:postgresql:");
    assertThatThrownBy(() -> DatabaseDialect.fromUrl(null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @CsvSource({"POSTGRESQL, '\"t\"'", "MARIADB, `t`", "MYSQL, `t`"})
  void eachDialectQuotesItsWay(DatabaseDialect dialect, String quoted) {
    assertThat(dialect.identifiers().quote("t")).isEqualTo(quoted);
  }
}
