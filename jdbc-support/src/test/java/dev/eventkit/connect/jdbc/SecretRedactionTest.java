package dev.eventkit.connect.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretRedactionTest {

  @Test
  void aUrlLosesItsQueryStringAndUserInfo() {
    assertThat(SecretRedaction.url("jdbc:postgresql://db:5432/app"))
        .isEqualTo("jdbc:postgresql://db:5432/app");
    assertThat(SecretRedaction.url("jdbc:postgresql://db:5432/app?user=relay&password=s3cret"))
        .isEqualTo("jdbc:postgresql://db:5432/app?[hidden]");
    assertThat(SecretRedaction.url("jdbc:postgresql://relay:s3cret@db/app"))
        .isEqualTo("jdbc:postgresql://[hidden]@db/app");
    assertThat(SecretRedaction.url(null)).isNull();
  }

  @Test
  void aMessageLosesTheUrlQueryThePasswordAndPasswordParameters() {
    String url = "jdbc:postgresql://db/app?sslmode=require&password=s3cret";

    assertThat(SecretRedaction.message("Cannot open " + url + " now", url, null))
        .isEqualTo("Cannot open jdbc:postgresql://db/app?[hidden] now");
    assertThat(SecretRedaction.message("bad value s3cret-2 for x", url, "s3cret-2"))
        .isEqualTo("bad value [hidden] for x");
    assertThat(
            SecretRedaction.message(
                "options: password=abc, sslpassword = 'x y'; PWD:zz&user=u", null, null))
        .isEqualTo("options: password=[hidden], sslpassword = [hidden]; PWD:[hidden]&user=u");
    assertThat(
            SecretRedaction.message(
                "Invalid URL jdbc:postgresql://other/db?password=p&x=1 given", url, null))
        .isEqualTo("Invalid URL jdbc:postgresql://other/db?[hidden] given");
  }

  @Test
  void ordinaryDriverMessagesAreKept() {
    String message = "FATAL: password authentication failed for user \"relay\"";

    assertThat(SecretRedaction.message(message, "jdbc:postgresql://db/app", "s3cret"))
        .isEqualTo(message);
    assertThat(SecretRedaction.message(null, null, null)).isNull();
  }
}
