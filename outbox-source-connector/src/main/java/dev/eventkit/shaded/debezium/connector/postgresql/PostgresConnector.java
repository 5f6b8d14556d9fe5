package dev.eventkit.shaded.debezium.connector.postgresql;

import io.debezium.connector.common.BaseSourceConnector;

/**
 * Stands in for Debezium's PostgresConnector in the outbox source connector's jar, where Debezium
 * is bundled relocated (dev.eventkit.shaded.debezium). Eventkit runs Debezium's task only, never
 * its connector; Debezium still names the connector class (its connector-specific snapshot locks
 * and queries, {@code connector.class}), so the class must exist. Abstract, so a Connect worker's
 * reflective plugin scan never offers it as a connector of Eventkit's plugin directory. The build
 * leaves Debezium's own class out of the jar (see this module's maven-shade-plugin filters). It is
 * declared under the relocated name itself, so that unshaded class paths (this module's unit tests,
 * the benchmarks) keep Debezium's real class.
 */
public abstract class PostgresConnector extends BaseSourceConnector {

  private PostgresConnector() {}
}
