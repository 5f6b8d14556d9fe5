package dev.eventkit.connect.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JdbcUrlsTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          jdbc:postgresql://h/db?user=u&password=secret           | jdbc:postgresql://h/db?user=u&password=***
          jdbc:postgresql://h/db?password=secret&user=u           | jdbc:postgresql://h/db?password=***&user=u
          jdbc:postgresql://h/db?ssl=true&password=secret&user=u  | jdbc:postgresql://h/db?ssl=true&password=***&user=u
          jdbc:postgresql://h/db?PASSWORD=secret                  | jdbc:postgresql://h/db?PASSWORD=***
          jdbc:mariadb://h/db?Password=secret&useSsl=true         | jdbc:mariadb://h/db?Password=***&useSsl=true
          jdbc:postgresql://h/db?sslpassword=secret&sslmode=verify-full | jdbc:postgresql://h/db?sslpassword=***&sslmode=verify-full
          jdbc:mariadb://h/db?trustStorePassword=secret           | jdbc:mariadb://h/db?trustStorePassword=***
          jdbc:mysql://h/db?password1=secret&password2=secret     | jdbc:mysql://h/db?password1=***&password2=***
          jdbc:postgresql://h/db?password=                        | jdbc:postgresql://h/db?password=***
          jdbc:mariadb://u:secret@h/db                            | jdbc:mariadb://u:***@h/db
          jdbc:mariadb://u:secret@h:3306,h2:3306/db?x=1           | jdbc:mariadb://u:***@h:3306,h2:3306/db?x=1
          jdbc:mariadb://u:p@ss:w@rd@h/db                         | jdbc:mariadb://u:***@h/db
          jdbc:mysql://u:secret@h/db?password=secret              | jdbc:mysql://u:***@h/db?password=***
          jdbc:mariadb:u:secret@h/db                              | jdbc:mariadb:u:***@h/db
          jdbc:mariadb:replication://u:secret@h1,h2/db            | jdbc:mariadb:replication://u:***@h1,h2/db
          jdbc:MySQL:loadbalance:u:secret@h/db                    | jdbc:MySQL:loadbalance:u:***@h/db
          jdbc:postgresql:u:secret@h                              | jdbc:postgresql:u:***@h
          jdbc:postgresql:orders                                  | jdbc:postgresql:orders
          jdbc:mariadb:replication://h1:3306,h2:3306/db           | jdbc:mariadb:replication://h1:3306,h2:3306/db
          jdbc:postgresql://h:5432/db?user=u                      | jdbc:postgresql://h:5432/db?user=u
          jdbc:postgresql://[::1]:5432/db                         | jdbc:postgresql://[::1]:5432/db
          jdbc:mariadb://u@h/db                                   | jdbc:mariadb://u@h/db
          jdbc:mysql://h/db?passwordCharacterEncoding=utf8        | jdbc:mysql://h/db?passwordCharacterEncoding=utf8
          """)
  void redactsPasswordsAndNothingElse(String url, String redacted) {
    assertThat(JdbcUrls.redact(url)).isEqualTo(redacted).doesNotContain("secret");
  }

  @Test
  void redactsPasswordsInsideFreeText() {
    assertThat(
            JdbcUrls.redact(
                "url parsing error : '//' is not present in the url jdbc:mariadb:h/db?password=secret"))
        .doesNotContain("secret")
        .endsWith("password=***");
    assertThat(JdbcUrls.redact("Cannot connect to jdbc:mariadb://root:secret@db/x: refused"))
        .isEqualTo("Cannot connect to jdbc:mariadb://root:***@db/x: refused");
  }

  @Test
  void nullStaysNull() {
    assertThat(JdbcUrls.redact(null)).isNull();
  }
}
