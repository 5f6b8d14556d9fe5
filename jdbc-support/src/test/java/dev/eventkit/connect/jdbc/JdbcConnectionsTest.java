package dev.eventkit.connect.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mariadb.jdbc.Configuration;

/**
 * The URL and properties handed to the drivers, checked with the drivers' own parsers (no network):
 * the defaults apply, and whatever the URL says wins.
 */
class JdbcConnectionsTest {

  private static JdbcSettings settings(String url) {
    return new JdbcSettings(url, Optional.of("relay"), Optional.of("s3cret"), "eventkit-test");
  }

  private static Properties pgjdbc(String url) {
    JdbcSettings s = settings(url);
    String driverUrl = JdbcConnections.driverUrl(DatabaseDialect.POSTGRESQL, url);
    Properties parsed =
        org.postgresql.Driver.parseURL(
            driverUrl, JdbcConnections.connectionProperties(DatabaseDialect.POSTGRESQL, s));
    assertThat(parsed).as("pgjdbc accepts %s", driverUrl).isNotNull();
    return parsed;
  }

  private static Configuration mariadb(String url) throws SQLException {
    DatabaseDialect dialect = DatabaseDialect.fromUrl(url);
    JdbcSettings s = settings(url);
    String driverUrl = JdbcConnections.driverUrl(dialect, url);
    Configuration parsed =
        Configuration.parse(driverUrl, JdbcConnections.connectionProperties(dialect, s));
    assertThat(parsed).as("MariaDB Connector/J accepts %s", driverUrl).isNotNull();
    return parsed;
  }

  @Test
  void postgresqlDefaults() {
    Properties p = pgjdbc("jdbc:postgresql://db:5432/orders");
    assertThat(p.getProperty("connectTimeout")).isEqualTo("10");
    assertThat(p.getProperty("socketTimeout")).isEqualTo("60");
    assertThat(p.getProperty("tcpKeepAlive")).isEqualTo("true");
    assertThat(p.getProperty("ApplicationName")).isEqualTo("eventkit-test");
    assertThat(p.getProperty("user")).isEqualTo("relay");
    assertThat(p.getProperty("password")).isEqualTo("s3cret");
  }

  @Test
  void postgresqlUrlOptionsWin() {
    Properties p =
        pgjdbc(
            "jdbc:postgresql://db/orders?socketTimeout=5&connectTimeout=3&tcpKeepAlive=false"
                + "&ApplicationName=ops&user=other&password=fromurl");
    assertThat(p.getProperty("socketTimeout")).isEqualTo("5");
    assertThat(p.getProperty("connectTimeout")).isEqualTo("3");
    assertThat(p.getProperty("tcpKeepAlive")).isEqualTo("false");
    assertThat(p.getProperty("ApplicationName")).isEqualTo("ops");
    assertThat(p.getProperty("user")).isEqualTo("other");
    assertThat(p.getProperty("password")).isEqualTo("fromurl");
  }

  @Test
  void mariadbDefaults() throws SQLException {
    Configuration c = mariadb("jdbc:mariadb://db:3306/orders");
    assertThat(c.connectTimeout()).isEqualTo(10_000);
    assertThat(c.socketTimeout()).isEqualTo(60_000);
    assertThat(c.tcpKeepAlive()).isTrue();
    assertThat(c.connectionAttributes()).isEqualTo("program_name:eventkit-test");
    assertThat(c.user()).isEqualTo("relay");
    assertThat(c.password()).isEqualTo("s3cret");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "jdbc:mariadb://db/orders?socketTimeout=5000&connectTimeout=3000&tcpKeepAlive=false",
        // The driver matches option names in any case: so must the defaults that step aside.
        "jdbc:mariadb://db/orders?sockettimeout=5000&CONNECTTIMEOUT=3000&tcpkeepalive=false",
        "jdbc:mysql://db/orders?SocketTimeout=5000&connectTimeout=3000&tcpKeepAlive=false"
      })
  void mariadbUrlOptionsWinInAnySpelling(String url) throws SQLException {
    for (int i = 0; i < 20; i++) { // hash order must not matter
      Configuration c = mariadb(url);
      assertThat(c.socketTimeout()).isEqualTo(5000);
      assertThat(c.connectTimeout()).isEqualTo(3000);
      assertThat(c.tcpKeepAlive()).isFalse();
    }
  }

  @Test
  void mariadbUrlCredentialsAndAttributesWin() throws SQLException {
    Configuration c =
        mariadb("jdbc:mariadb://db/orders?User=other&password=fromurl&connectionAttributes=a:b");
    assertThat(c.user()).isEqualTo("other");
    assertThat(c.password()).isEqualTo("fromurl");
    assertThat(c.connectionAttributes()).isEqualTo("a:b");
  }

  @Test
  void theApplicationNameCannotSplitTheAttributeList() {
    Properties p =
        JdbcConnections.connectionProperties(
            DatabaseDialect.MARIADB,
            new JdbcSettings("jdbc:mariadb://db/x", Optional.empty(), Optional.empty(), "a,b:c=d"));
    assertThat(p.getProperty("connectionAttributes")).isEqualTo("program_name:a_b_c=d");
    assertThat(p).doesNotContainKeys("user", "password");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          jdbc:mysql://db/orders                       | jdbc:mysql://db/orders?permitMysqlScheme
          jdbc:mysql://db:3306                         | jdbc:mysql://db:3306?permitMysqlScheme
          jdbc:mysql://db/orders?useSsl=true           | jdbc:mysql://db/orders?useSsl=true&permitMysqlScheme
          jdbc:mysql://db/orders?                      | jdbc:mysql://db/orders?permitMysqlScheme
          jdbc:mysql://db/orders?permitMysqlScheme     | jdbc:mysql://db/orders?permitMysqlScheme
          JDBC:MySQL://db/Orders                       | jdbc:mysql://db/Orders?permitMysqlScheme
          jdbc:mariadb://db/orders                     | jdbc:mariadb://db/orders
          JDBC:PostgreSQL://Db/Orders?ssl=true         | jdbc:postgresql://Db/Orders?ssl=true
          """)
  void driverUrls(String url, String expected) {
    assertThat(JdbcConnections.driverUrl(DatabaseDialect.fromUrl(url), url)).isEqualTo(expected);
  }

  @Test
  void mysqlUrlsAreAcceptedByTheMariadbDriver() throws SQLException {
    Configuration c = mariadb("jdbc:mysql://db:3306/orders");
    assertThat(c.database()).isEqualTo("orders");
    assertThat(c.socketTimeout()).isEqualTo(60_000);
  }

  @Test
  void urlOptionNamesAreCollectedInLowerCase() {
    assertThat(JdbcConnections.urlOptionNames("jdbc:x://h/db?A=1&b&&C=&=x"))
        .containsExactlyInAnyOrder("a", "b", "c");
    assertThat(JdbcConnections.urlOptionNames("jdbc:x://h/db")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "jdbc:oracle:thin:scott/secret@db:1521/orcl",
        // pgjdbc refuses these without connecting (Driver.connect returns null)
        "jdbc:postgresql://db/orders/extra?password=secret",
        "jdbc:postgresql:/db?password=secret",
        "jdbc:postgresql://db?password=secret",
        "jdbc:postgresql://db:5432?user=u&password=secret",
        // MariaDB Connector/J throws while parsing, echoing the URL
        "jdbc:mariadb:db/orders?password=secret",
        "jdbc:mariadb:root:secret@db/orders"
      })
  void unusableUrlsFailWithoutShowingTheUrl(String url) {
    assertThatThrownBy(() -> JdbcConnections.open(settings(url)))
        .isInstanceOf(SQLException.class)
        .isInstanceOf(UnusableUrlException.class)
        .hasMessageContaining("jdbc:")
        .hasNoCause()
        .satisfies(
            e -> {
              assertThat(e.getMessage()).doesNotContain("secret").doesNotContain(url);
              assertThat(SqlErrors.classify(e)).isEqualTo(SqlErrorKind.MISCONFIGURATION);
              assertThat(SqlErrors.describe((SQLException) e))
                  .startsWith("MISCONFIGURATION")
                  .contains("Check the connection URL")
                  .doesNotContain("secret");
            });
  }

  @Test
  void settingsNeverShowThePassword() {
    JdbcSettings s =
        new JdbcSettings(
            "jdbc:postgresql://h/db?password=urlsecret",
            Optional.of("relay"),
            Optional.of("s3cret"),
            "eventkit-test");
    assertThat(s.toString())
        .doesNotContain("urlsecret")
        .doesNotContain("s3cret")
        .contains("relay")
        .contains("password=***");
  }
}
