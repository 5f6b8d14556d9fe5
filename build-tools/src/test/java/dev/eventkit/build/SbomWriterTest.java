package dev.eventkit.build;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SbomWriterTest {

  @TempDir Path dir;

  private void artifact(Path repo, String group, String artifact, String version, String pomBody)
      throws IOException {
    Path versionDir = repo.resolve(group.replace('.', '/')).resolve(artifact).resolve(version);
    Files.createDirectories(versionDir);
    Files.write(
        versionDir.resolve(artifact + "-" + version + ".jar"),
        Archives.jar(group, artifact, version, "x/Y.class"));
    Files.writeString(
        versionDir.resolve(artifact + "-" + version + ".pom"),
        "<project><groupId>" + group + "</groupId>" + pomBody + "</project>");
  }

  private static String license(String name, String url) {
    return "<licenses><license><name>"
        + name
        + "</name>"
        + (url == null ? "" : "<url>" + url + "</url>")
        + "</license></licenses>";
  }

  @Test
  void writesTheComponentsWithSpdxLicensesFromTheirPomsOrParents() throws Exception {
    Path lib = dir.resolve("lib");
    Path local = dir.resolve("local");
    artifact(lib, "org.postgresql", "postgresql", "42.7.8", license("BSD-2-Clause", null));
    artifact(
        lib,
        "com.fasterxml.jackson.core",
        "jackson-core",
        "2.21.3",
        license(
            "The Apache Software License, Version 2.0",
            "https://www.apache.org/licenses/LICENSE-2.0.txt"));
    artifact(
        lib,
        "com.fasterxml.jackson.dataformat",
        "jackson-dataformat-yaml",
        "2.21.3",
        "<parent><groupId>com.fasterxml.jackson.dataformat</groupId>"
            + "<artifactId>jackson-dataformats-text</artifactId><version>2.21.3</version></parent>");
    artifact(
        local,
        "com.fasterxml.jackson.dataformat",
        "jackson-dataformats-text",
        "2.21.3",
        license("The MIT License", "http://opensource.org/licenses/MIT"));
    artifact(lib, "dev.eventkit", "outbox-source-connector", "1.0", "");
    artifact(lib, "org.example", "odd", "1.0", license("Some Custom License", null));
    Path out = dir.resolve("sbom/sbom.cdx.json");

    SbomWriter.write(lib, local, out, "dev.eventkit:eventkit:1.0", "dev.eventkit", "Apache-2.0");

    Sbom sbom = Sbom.read(out);
    assertThat(sbom.components())
        .extracting(c -> c.coordinates() + " " + c.licenses())
        .containsExactly(
            "com.fasterxml.jackson.core:jackson-core:2.21.3 [Apache-2.0]",
            "com.fasterxml.jackson.dataformat:jackson-dataformat-yaml:2.21.3 [MIT]",
            "dev.eventkit:outbox-source-connector:1.0 [Apache-2.0]",
            "org.example:odd:1.0 [Some Custom License]",
            "org.postgresql:postgresql:42.7.8 [BSD-2-Clause]");
    var json = new ObjectMapper().readTree(out.toFile());
    assertThat(json.get("specVersion").asText()).isEqualTo("1.6");
    assertThat(json.get("components").get(0).get("purl").asText())
        .isEqualTo("pkg:maven/com.fasterxml.jackson.core/jackson-core@2.21.3?type=jar");
    assertThat(json.get("components").get(0).get("hashes").get(0).get("content").asText())
        .hasSize(64);

    byte[] first = Files.readAllBytes(out);
    SbomWriter.write(lib, local, out, "dev.eventkit:eventkit:1.0", "dev.eventkit", "Apache-2.0");
    assertThat(Files.readAllBytes(out)).as("deterministic").isEqualTo(first);
  }

  /** A library shaded into a jar is a nested component of that jar, licensed as its POM says. */
  @Test
  void listsTheLibrariesAJarBundlesInsideIt() throws Exception {
    Path lib = dir.resolve("lib");
    Path local = dir.resolve("local");
    artifact(lib, "dev.eventkit", "outbox-source-connector", "1.0", "");
    Path jar =
        lib.resolve("dev/eventkit/outbox-source-connector/1.0/outbox-source-connector-1.0.jar");
    var api = Archives.bundledPom("io.debezium", "debezium-api", "3.6.1.Final");
    var util = Archives.bundledPom("io.debezium", "debezium-util", "3.6.1.Final");
    Files.write(
        jar,
        Archives.jarWith(
            "dev.eventkit",
            "outbox-source-connector",
            "1.0",
            java.util.Map.of(
                util.getKey(),
                util.getValue(),
                api.getKey(),
                api.getValue(),
                "dev/eventkit/shaded/debezium/A.class",
                "")));
    String parent =
        "<parent><groupId>io.debezium</groupId><artifactId>debezium-parent</artifactId>"
            + "<version>3.6.1.Final</version></parent>";
    artifact(local, "io.debezium", "debezium-api", "3.6.1.Final", parent);
    artifact(local, "io.debezium", "debezium-util", "3.6.1.Final", parent);
    artifact(
        local,
        "io.debezium",
        "debezium-parent",
        "3.6.1.Final",
        license("Apache Software License 2.0", "http://www.apache.org/licenses/LICENSE-2.0.txt"));
    Path out = dir.resolve("sbom.cdx.json");

    SbomWriter.write(lib, local, out, "dev.eventkit:eventkit:1.0", "dev.eventkit", "Apache-2.0");

    Sbom sbom = Sbom.read(out);
    assertThat(sbom.components()).hasSize(1);
    assertThat(sbom.components().get(0).bundled())
        .extracting(c -> c.coordinates() + " " + c.licenses())
        .containsExactly(
            "io.debezium:debezium-api:3.6.1.Final [Apache-2.0]",
            "io.debezium:debezium-util:3.6.1.Final [Apache-2.0]");
    assertThat(sbom.shipped()).hasSize(3);
    var json = new ObjectMapper().readTree(out.toFile());
    assertThat(json.get("components").get(0).get("components").get(0).get("purl").asText())
        .isEqualTo("pkg:maven/io.debezium/debezium-api@3.6.1.Final?type=jar");
  }

  @Test
  void mapsOnlyUnambiguousNamesToSpdx() {
    assertThat(SbomWriter.spdx(new SbomWriter.PomLicense("LGPL-2.1-or-later", null)))
        .isEqualTo("LGPL-2.1-or-later");
    assertThat(SbomWriter.spdx(new SbomWriter.PomLicense("Apache License Version 2.0", null)))
        .isEqualTo("Apache-2.0");
    assertThat(SbomWriter.spdx(new SbomWriter.PomLicense("GNU GPL", null))).isNull();
  }
}
