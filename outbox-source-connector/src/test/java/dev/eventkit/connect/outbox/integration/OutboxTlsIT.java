package dev.eventkit.connect.outbox.integration;

import static dev.eventkit.connect.outbox.integration.OutboxTestSupport.EXAMPLE;
import static dev.eventkit.connect.outbox.integration.OutboxTestSupport.header;
import static dev.eventkit.connect.outbox.integration.OutboxTestSupport.insert;
import static dev.eventkit.connect.outbox.integration.OutboxTestSupport.overrides;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventkit.testkit.TestStack;
import dev.eventkit.testkit.connect.ConnectCluster;
import dev.eventkit.testkit.db.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Key;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * TLS settings in {@code connection.url} reach the driver untouched: the embedded server is given a
 * self-signed certificate, and the connector verifies it ({@code sslmode=verify-full} against that
 * certificate as root) and publishes over the encrypted session; against another root, the
 * handshake is refused and validate says so without echoing the URL's query.
 */
class OutboxTlsIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @RegisterExtension static final TestStack STACK = TestStack.postgres(OutboxTestSupport.cluster());

  private static Path serverCertificate;
  private static Path otherCertificate;

  @BeforeAll
  static void serveTls() throws Exception {
    TestDatabase admin = STACK.postgres().createDatabase();
    Path dataDirectory =
        Path.of(admin.query("SHOW data_directory").get(0).get("data_directory").toString());
    Path work = Files.createTempDirectory("eventkit-tls");
    serverCertificate = dataDirectory.resolve("eventkit-server.crt");
    Path serverKey = dataDirectory.resolve("eventkit-server.key");
    selfSigned(work.resolve("server.p12"), serverCertificate, serverKey);
    otherCertificate = work.resolve("other.crt");
    selfSigned(work.resolve("other.p12"), otherCertificate, work.resolve("other.key"));
    admin.execute(
        "ALTER SYSTEM SET ssl_cert_file = '" + serverCertificate + "'",
        "ALTER SYSTEM SET ssl_key_file = '" + serverKey + "'",
        "ALTER SYSTEM SET ssl = on",
        "SELECT pg_reload_conf()");
    Awaitility.await("TLS on")
        .atMost(TIMEOUT)
        .until(() -> "on".equals(admin.query("SHOW ssl").get(0).get("ssl")));
  }

  @Test
  void theConnectorVerifiesTheServerCertificateAndPublishesOverTls() throws Exception {
    TestDatabase db = STACK.postgres().createDatabase();
    OutboxTestSupport.createOutbox(db);
    String id = insert(db, "outbox", "tls", "t-1", "Encrypted", "{}");
    String url =
        db.jdbcUrl() + "?sslmode=verify-full&sslrootcert=" + serverCertificate.toAbsolutePath();

    assertThat(
            ConnectCluster.validationErrors(
                STACK.cluster().validateConnector(EXAMPLE, overrides(db, "connection.url", url))))
        .isEmpty();
    STACK
        .cluster()
        .createConnector(
            "tls", EXAMPLE, overrides(db, "connection.url", url, "topic.template", "tls.events"));

    assertThat(
            header(STACK.cluster().topics().consume("tls.events", 1, TIMEOUT).get(0), "event.id"))
        .isEqualTo(id);
    List<?> encrypted =
        db.query(
            "SELECT s.ssl, s.version FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)"
                + " WHERE a.datname = current_database()"
                + " AND a.application_name LIKE 'eventkit-outbox%'");
    assertThat(encrypted)
        .isNotEmpty()
        .allSatisfy(row -> assertThat(row.toString()).contains("ssl=true").contains("TLSv1."));
  }

  /** Log mode hands the URL's settings to the embedded Debezium: its replication stream too. */
  @Test
  void logModeStreamsOverTlsFromTheSameUrl() throws Exception {
    TestDatabase db = STACK.postgres().createDatabase();
    OutboxTestSupport.createOutbox(db);
    String url =
        db.jdbcUrl() + "?sslmode=verify-full&sslrootcert=" + serverCertificate.toAbsolutePath();
    STACK
        .cluster()
        .createConnector(
            "tls-log",
            OutboxPostgresLogIT.LOG_EXAMPLE,
            overrides(
                db,
                "connection.url",
                url,
                "topic.template",
                "tls.log.events",
                "log.slot.name",
                "tls_slot",
                "log.publication.name",
                "tls_pub"));
    STACK.cluster().awaitRunning("tls-log", 1);
    String id = insert(db, "outbox", "tls", "t-2", "Encrypted", "{}");

    assertThat(
            header(
                STACK.cluster().topics().consume("tls.log.events", 1, TIMEOUT).get(0), "event.id"))
        .isEqualTo(id);
    assertThat(
            db.query(
                "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_replication_slots r ON r.active_pid = s.pid"
                    + " WHERE r.slot_name = 'tls_slot'"))
        .as("the slot's replication connection is encrypted")
        .singleElement()
        .satisfies(row -> assertThat(row.get("ssl")).isEqualTo(true));
    STACK.cluster().delete("connectors/tls-log").expectSuccess("delete");
  }

  @Test
  void aServerCertificateNotSignedByTheGivenRootIsRefused() {
    TestDatabase db = STACK.postgres().createDatabase();
    OutboxTestSupport.createOutbox(db);
    String url =
        db.jdbcUrl() + "?sslmode=verify-full&sslrootcert=" + otherCertificate.toAbsolutePath();

    JsonNode validation =
        STACK.cluster().validateConnector(EXAMPLE, overrides(db, "connection.url", url));

    assertThat(ConnectCluster.validationErrors(validation))
        .singleElement()
        .asString()
        .startsWith("connection.url: Cannot connect to the database: ")
        .containsIgnoringCase("SSL");
    assertThat(validation.toString()).doesNotContain(otherCertificate.toString());
  }

  /**
   * A self-signed certificate for localhost made with the JDK's keytool, written as the PEM files
   * PostgreSQL reads (the key readable by its owner only, as the server demands).
   */
  private static void selfSigned(Path keystore, Path certificate, Path privateKey)
      throws Exception {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process process =
        new ProcessBuilder(
                keytool.toString(),
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=dns:localhost,ip:127.0.0.1",
                "-storetype",
                "PKCS12",
                "-keystore",
                keystore.toString(),
                "-storepass",
                "changeit")
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      store.load(in, "changeit".toCharArray());
    }
    Key key = store.getKey("server", "changeit".toCharArray());
    Files.writeString(certificate, pem("CERTIFICATE", store.getCertificate("server").getEncoded()));
    Files.writeString(privateKey, pem("PRIVATE KEY", key.getEncoded()));
    Files.setPosixFilePermissions(privateKey, PosixFilePermissions.fromString("rw-------"));
  }

  private static String pem(String type, byte[] der) throws IOException {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
