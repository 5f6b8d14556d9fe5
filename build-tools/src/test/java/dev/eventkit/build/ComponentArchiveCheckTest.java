package dev.eventkit.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComponentArchiveCheckTest {

  @TempDir Path dir;

  private static final List<String> LICENSES =
      List.of("Apache License 2.0", "BSD 2-Clause License");
  private static final List<String> TEXTS = List.of("Apache-2.0", "BSD-2-Clause");

  private Map<String, byte[]> goodLib() throws IOException {
    Map<String, byte[]> lib = new LinkedHashMap<>();
    lib.put(
        "outbox-source-connector-1.0.jar",
        Archives.jar("dev.eventkit", "outbox-source-connector", "1.0", "dev/eventkit/A.class"));
    lib.put(
        "jackson-core-2.21.3.jar",
        Archives.jar("com.fasterxml.jackson.core", "jackson-core", "2.21.3", "com/f/J.class"));
    // No pom.properties, as pgjdbc's jar: identified by its file name.
    lib.put("postgresql-42.7.8.jar", Archives.jar(null, null, null, "org/postgresql/D.class"));
    return lib;
  }

  private static final String[] GOOD_SBOM = {
    "dev.eventkit:outbox-source-connector:1.0:Apache-2.0",
    "com.fasterxml.jackson.core:jackson-core:2.21.3:Apache-2.0",
    "org.postgresql:postgresql:42.7.8:BSD-2-Clause"
  };

  private List<String> check(Map<String, byte[]> lib, String... sbom) throws IOException {
    return ComponentArchiveCheck.check(
        Archives.component(dir, lib, LICENSES, TEXTS), Sbom.read(Archives.sbom(dir, sbom)));
  }

  @Test
  void aCleanArchivePasses() throws IOException {
    assertThat(check(goodLib(), GOOD_SBOM)).isEmpty();
  }

  @Test
  void kafkaClientsInLibFails() throws IOException {
    Map<String, byte[]> lib = goodLib();
    lib.put(
        "kafka-clients-4.3.1.jar",
        Archives.jar("org.apache.kafka", "kafka-clients", "4.3.1", "org/apache/kafka/P.class"));
    assertThat(check(lib, GOOD_SBOM))
        .anyMatch(p -> p.contains("kafka-clients-4.3.1.jar is in lib/ but not in the SBOM"))
        .anyMatch(p -> p.contains("org.apache.kafka:kafka-clients, which the worker provides"))
        .anyMatch(p -> p.contains("holds classes the worker provides"));
  }

  @Test
  void aShadedConnectRuntimeFails() throws IOException {
    Map<String, byte[]> lib = goodLib();
    lib.put(
        "jackson-core-2.21.3.jar",
        Archives.jar(
            "com.fasterxml.jackson.core",
            "jackson-core",
            "2.21.3",
            "org/apache/kafka/connect/runtime/Worker.class"));
    assertThat(check(lib, GOOD_SBOM))
        .containsExactly(
            "jackson-core-2.21.3.jar holds classes the worker provides: [org/apache/kafka/]");
  }

  @Test
  void testJarsAndTestLibrariesFail() throws IOException {
    Map<String, byte[]> lib = goodLib();
    lib.put(
        "outbox-source-connector-1.0-tests.jar",
        Archives.jar(null, null, null, "dev/eventkit/ATest.class"));
    lib.put(
        "assertj-core-3.27.6.jar",
        Archives.jar("org.assertj", "assertj-core", "3.27.6", "org/assertj/A.class"));
    List<String> sbom = new java.util.ArrayList<>(List.of(GOOD_SBOM));
    sbom.add("org.assertj:assertj-core:3.27.6:Apache-2.0");
    assertThat(check(lib, sbom.toArray(String[]::new)))
        .anyMatch(p -> p.contains("outbox-source-connector-1.0-tests.jar is a test jar"))
        .anyMatch(p -> p.contains("org.assertj:assertj-core, a test library"));
  }

  @Test
  void oneArtifactInTwoVersionsFails() throws IOException {
    Map<String, byte[]> lib = goodLib();
    lib.put(
        "jackson-core-2.20.0.jar",
        Archives.jar("com.fasterxml.jackson.core", "jackson-core", "2.20.0", "com/f/K.class"));
    List<String> sbom = new java.util.ArrayList<>(List.of(GOOD_SBOM));
    sbom.add("com.fasterxml.jackson.core:jackson-core:2.20.0:Apache-2.0");
    assertThat(check(lib, sbom.toArray(String[]::new)))
        .anyMatch(p -> p.contains("com.fasterxml.jackson.core:jackson-core ships in two versions"));
  }

  @Test
  void aClassInTwoJarsFails() throws IOException {
    Map<String, byte[]> lib = goodLib();
    lib.put(
        "jackson-core-2.21.3.jar",
        Archives.jar(
            "com.fasterxml.jackson.core", "jackson-core", "2.21.3", "dev/eventkit/A.class"));
    assertThat(check(lib, GOOD_SBOM))
        .containsExactly(
            "dev/eventkit/A.class is in both outbox-source-connector-1.0.jar and"
                + " jackson-core-2.21.3.jar");
  }

  private static final String DEBEZIUM_API = "io.debezium:debezium-api:3.6.1.Final";

  private static byte[] outboxBundlingDebezium(String... extraEntries) throws IOException {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("dev/eventkit/A.class", "");
    files.put("dev/eventkit/shaded/debezium/Module.class", "");
    var pom = Archives.bundledPom("io.debezium", "debezium-api", "3.6.1.Final");
    files.put(pom.getKey(), pom.getValue());
    for (int i = 0; i < extraEntries.length; i += 2) {
      files.put(extraEntries[i], extraEntries[i + 1]);
    }
    return Archives.jarWith("dev.eventkit", "outbox-source-connector", "1.0", files);
  }

  private static String[] sbomWithBundled(String bundled) {
    String[] sbom = GOOD_SBOM.clone();
    sbom[0] = sbom[0] + bundled;
    return sbom;
  }

  /** A library shaded into a jar ships: the SBOM lists it inside that jar, with its license. */
  @Test
  void aBundledLibraryMustBeListedInsideItsJar() throws IOException {
    Map<String, byte[]> lib = goodLib();
    lib.put("outbox-source-connector-1.0.jar", outboxBundlingDebezium());
    assertThat(check(lib, sbomWithBundled(">" + DEBEZIUM_API + ":Apache-2.0"))).isEmpty();
    assertThat(check(lib, GOOD_SBOM))
        .containsExactly(
            "outbox-source-connector-1.0.jar bundles "
                + DEBEZIUM_API
                + ", which the SBOM does not list inside it");
    assertThat(check(goodLib(), sbomWithBundled(">" + DEBEZIUM_API + ":Apache-2.0")))
        .containsExactly(
            "the SBOM lists "
                + DEBEZIUM_API
                + " inside outbox-source-connector-1.0.jar but it is not there");
    assertThat(check(lib, sbomWithBundled(">" + DEBEZIUM_API + ":GPL-3.0-only")))
        .anyMatch(p -> p.startsWith(DEBEZIUM_API + " is licensed GPL-3.0-only"));
  }

  /** Connect plugins lib/ registers: Eventkit's own only, not what it bundles relocated. */
  @Test
  void aForeignConnectPluginRegistrationFails() throws IOException {
    Map<String, byte[]> lib = goodLib();
    lib.put(
        "outbox-source-connector-1.0.jar",
        outboxBundlingDebezium(
            "META-INF/services/org.apache.kafka.connect.source.SourceConnector",
            "# Eventkit\ndev.eventkit.connect.outbox.OutboxSourceConnector\n",
            "META-INF/services/org.apache.kafka.connect.transforms.Transformation",
            "dev.eventkit.shaded.debezium.transforms.outbox.EventRouter\n",
            "META-INF/services/dev.eventkit.shaded.debezium.spi.snapshot.Snapshotter",
            "dev.eventkit.shaded.debezium.snapshot.mode.InitialSnapshotter\n"));
    lib.put(
        "jackson-core-2.21.3.jar",
        Archives.jarWith(
            "com.fasterxml.jackson.core",
            "jackson-core",
            "2.21.3",
            Map.of(
                "META-INF/services/org.apache.kafka.connect.storage.Converter",
                "io.debezium.converters.CloudEventsConverter\n")));
    assertThat(check(lib, sbomWithBundled(">" + DEBEZIUM_API + ":Apache-2.0")))
        .containsExactlyInAnyOrder(
            "outbox-source-connector-1.0.jar registers"
                + " dev.eventkit.shaded.debezium.transforms.outbox.EventRouter as a Connect plugin"
                + " (org.apache.kafka.connect.transforms.Transformation)",
            "jackson-core-2.21.3.jar registers io.debezium.converters.CloudEventsConverter as a"
                + " Connect plugin (org.apache.kafka.connect.storage.Converter)");
  }

  /** Debezium ships relocated only: a worker with Debezium installed must not see its names. */
  @Test
  void debeziumUnderItsOwnPackageFails() throws IOException {
    Map<String, byte[]> lib = goodLib();
    lib.put(
        "outbox-source-connector-1.0.jar", outboxBundlingDebezium("io/debezium/Module.class", ""));
    lib.put(
        "debezium-api-3.6.1.Final.jar",
        Archives.jar("io.debezium", "debezium-api", "3.6.1.Final", "io/debezium/spi/A.class"));
    List<String> sbom =
        new java.util.ArrayList<>(List.of(sbomWithBundled(">" + DEBEZIUM_API + ":Apache-2.0")));
    sbom.add(DEBEZIUM_API + ":Apache-2.0");
    assertThat(check(lib, sbom.toArray(String[]::new)))
        .contains(
            "outbox-source-connector-1.0.jar holds io/debezium/ classes or resources: Debezium"
                + " ships only relocated (dev.eventkit.shaded.debezium)",
            "debezium-api-3.6.1.Final.jar holds io/debezium/ classes or resources: Debezium ships"
                + " only relocated (dev.eventkit.shaded.debezium)");
  }

  @Test
  void aCopyleftOrMissingLicenseFails() throws IOException {
    Map<String, byte[]> lib = goodLib();
    lib.put("gpl-lib-1.0.jar", Archives.jar("org.example", "gpl-lib", "1.0", "org/ex/G.class"));
    lib.put("nolicense-1.0.jar", Archives.jar("org.example", "nolicense", "1.0", "org/ex/N.class"));
    List<String> sbom = new java.util.ArrayList<>(List.of(GOOD_SBOM));
    sbom.add("org.example:gpl-lib:1.0:GPL-3.0-only");
    sbom.add("org.example:nolicense:1.0:");
    assertThat(check(lib, sbom.toArray(String[]::new)))
        .anyMatch(p -> p.startsWith("org.example:gpl-lib:1.0 is licensed GPL-3.0-only"))
        .anyMatch(p -> p.startsWith("org.example:nolicense:1.0 declares no license"));
  }

  @Test
  void aLicenseMissingFromTheManifestOrDocsFails() throws IOException {
    Map<String, byte[]> lib = goodLib();
    List<String> problems =
        ComponentArchiveCheck.check(
            Archives.component(dir, lib, List.of("Apache License 2.0"), List.of("Apache-2.0")),
            Sbom.read(Archives.sbom(dir, GOOD_SBOM)));
    assertThat(problems)
        .contains(
            "manifest.json's license list lacks BSD 2-Clause License"
                + " (org.postgresql:postgresql:42.7.8)",
            "doc/licenses/BSD-2-Clause.txt is missing (org.postgresql:postgresql:42.7.8)");
  }

  @Test
  void aJarTheSbomDoesNotKnowOrAnSbomEntryWithoutJarFails() throws IOException {
    Map<String, byte[]> lib = goodLib();
    lib.remove("postgresql-42.7.8.jar");
    assertThat(check(lib, GOOD_SBOM))
        .containsExactly("the SBOM lists postgresql-42.7.8.jar but lib/ does not hold it");
  }
}
