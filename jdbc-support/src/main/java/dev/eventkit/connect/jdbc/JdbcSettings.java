package dev.eventkit.connect.jdbc;

import java.util.Objects;
import java.util.Optional;

/**
 * How to reach the database.
 *
 * @param url the JDBC URL; driver options in it win over the defaults {@link JdbcConnections} sets
 * @param user the login, unless the URL carries it
 * @param password the password, unless the URL carries it
 * @param applicationName shown to database administrators (PostgreSQL {@code application_name},
 *     MariaDB/MySQL connection attribute {@code program_name}), e.g. {@code eventkit-dlq}
 */
public record JdbcSettings(
    String url, Optional<String> user, Optional<String> password, String applicationName) {

  public JdbcSettings {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(applicationName, "applicationName");
  }

  /** Never shows the password, neither the one given here nor one inside the URL. */
  @Override
  public String toString() {
    return "JdbcSettings[url="
        + JdbcUrls.redact(url)
        + ", user="
        + user.orElse("(none)")
        + ", password="
        + (password.isPresent() ? "***" : "(none)")
        + ", applicationName="
        + applicationName
        + "]";
  }
}
