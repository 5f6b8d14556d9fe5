package dev.eventkit.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComponentDocsTest {

  @TempDir Path dir;
  Path lib;
  Path texts;
  Path manifest;

  @BeforeEach
  void setUp() throws IOException {
    lib = Files.createDirectories(dir.resolve("lib"));
    texts = Files.createDirectories(dir.resolve("texts"));
    Files.writeString(texts.resolve("Apache-2.0.txt"), "Apache text");
    Files.writeString(texts.resolve("BSD-2-Clause.txt"), "BSD text");
    Files.write(
        lib.resolve("outbox-1.0.jar"),
        Archives.jar("dev.eventkit", "outbox", "1.0", "dev/eventkit/A.class"));
    Files.write(
        lib.resolve("postgresql-42.7.8.jar"),
        Archives.zipBytes(
            Map.of(
                "META-INF/LICENSE",
                "BSD-2-Clause, PostgreSQL Global Development Group"
                    .getBytes(StandardCharsets.UTF_8)),
            0));
    manifest = dir.resolve("manifest.json");
    Files.writeString(manifest, "{\"name\": \"x\", \"license\": [], \"release_date\": \"d\"}");
  }

  @Test
  void writesTheListTheTextsTheCarriedFilesAndTheManifestLicenses() throws IOException {
    Path out = dir.resolve("out");
    ComponentDocs.write(
        Sbom.read(
            Archives.sbom(
                dir,
                "dev.eventkit:outbox:1.0:Apache-2.0",
                "org.postgresql:postgresql:42.7.8:BSD-2-Clause")),
        lib,
        texts,
        manifest,
        out);
    assertThat(Files.readString(out.resolve("LICENSES.md")))
        .contains(
            "| `outbox-1.0.jar` | `dev.eventkit:outbox:1.0` | Apache-2.0 | `Apache-2.0.txt` |")
        .contains(
            "| `postgresql-42.7.8.jar` | `org.postgresql:postgresql:42.7.8` | BSD-2-Clause |"
                + " `BSD-2-Clause.txt`, `postgresql-42.7.8/` |");
    assertThat(out.resolve("BSD-2-Clause.txt")).hasContent("BSD text");
    assertThat(out.resolve("postgresql-42.7.8/LICENSE")).content().contains("PostgreSQL Global");
    var json = new ObjectMapper().readTree(manifest.toFile());
    assertThat(json.get("license").toString())
        .isEqualTo(
            "[{\"name\":\"Apache License 2.0\",\"url\":\"https://www.apache.org/licenses/LICENSE-2.0.txt\"},"
                + "{\"name\":\"BSD 2-Clause License\",\"url\":\"https://opensource.org/license/bsd-2-clause\"}]");
    assertThat(json.get("release_date").asText()).isEqualTo("d");
  }

  @Test
  void listsBundledLibrariesUnderTheirJarAndRefusesTheirBadLicenses() throws IOException {
    Path out = dir.resolve("out");
    ComponentDocs.write(
        Sbom.read(
            Archives.sbom(
                dir,
                "dev.eventkit:outbox:1.0:Apache-2.0>io.debezium:debezium-api:3.6.1.Final:Apache-2.0",
                "org.postgresql:postgresql:42.7.8:BSD-2-Clause")),
        lib,
        texts,
        manifest,
        out);
    assertThat(Files.readString(out.resolve("LICENSES.md")))
        .contains(
            "| `outbox-1.0.jar` (bundled, relocated) | `io.debezium:debezium-api:3.6.1.Final` |"
                + " Apache-2.0 | `Apache-2.0.txt` |");
    assertThatThrownBy(
            () ->
                ComponentDocs.write(
                    Sbom.read(
                        Archives.sbom(
                            dir,
                            "dev.eventkit:outbox:1.0:Apache-2.0>org.example:gpl:1.0:GPL-3.0-only")),
                    lib,
                    texts,
                    manifest,
                    dir.resolve("out2")))
        .hasMessageContaining("org.example:gpl:1.0 is licensed GPL-3.0-only");
  }

  @Test
  void refusesALicenseThatMayNotShip() throws IOException {
    assertThatThrownBy(
            () ->
                ComponentDocs.write(
                    Sbom.read(
                        Archives.sbom(
                            dir,
                            "dev.eventkit:outbox:1.0:Apache-2.0",
                            "org.postgresql:postgresql:42.7.8:GPL-3.0-only")),
                    lib,
                    texts,
                    manifest,
                    dir.resolve("out")))
        .hasMessageContaining("org.postgresql:postgresql:42.7.8 is licensed GPL-3.0-only");
  }

  @Test
  void refusesALicenseWithoutText() throws IOException {
    Files.delete(texts.resolve("BSD-2-Clause.txt"));
    assertThatThrownBy(
            () ->
                ComponentDocs.write(
                    Sbom.read(
                        Archives.sbom(
                            dir,
                            "dev.eventkit:outbox:1.0:Apache-2.0",
                            "org.postgresql:postgresql:42.7.8:BSD-2-Clause")),
                    lib,
                    texts,
                    manifest,
                    dir.resolve("out")))
        .hasMessageContaining("No text for license BSD-2-Clause");
  }
}
