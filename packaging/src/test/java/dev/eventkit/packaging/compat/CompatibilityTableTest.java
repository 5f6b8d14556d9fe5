package dev.eventkit.packaging.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompatibilityTableTest {

  @TempDir Path dir;

  @Test
  void readsTheTestedCellOfEachRow() throws IOException {
    Path readme = dir.resolve("README.md");
    Files.writeString(
        readme,
        String.join(
            "\n",
            "# X",
            "## Compatibility",
            "Text.",
            "",
            "| component | tested | notes |",
            "|---|---|---|",
            "| Kafka Connect workers | 3.9.2, 4.4.0 | `Suite`: a \\| b |",
            "| MariaDB | 10.11 (10.11.5) | x |",
            "",
            "| other | table | ignored |",
            "## Modules",
            "| Kafka Connect workers | 9.9.9 | not this one |"));
    var table = CompatibilityTable.read(readme);
    assertThat(table)
        .containsEntry("Kafka Connect workers", "3.9.2, 4.4.0")
        .containsEntry("MariaDB", "10.11 (10.11.5)")
        .hasSize(2);
    assertThat(CompatibilityTable.exactVersion("10.11 (10.11.5)")).isEqualTo("10.11.5");
    assertThat(CompatibilityTable.exactVersion("17.6")).isEqualTo("17.6");
  }

  @Test
  void aReadmeWithoutTheSectionFails() throws IOException {
    Path readme = Files.writeString(dir.resolve("README.md"), "# X\n## Modules\n");
    assertThatThrownBy(() -> CompatibilityTable.read(readme))
        .hasMessageContaining("no '## Compatibility' section");
  }

  /** The README and manifest.json (eventkit.connect.tested) claim the same Connect versions. */
  @Test
  void theReadmeAndTheManifestNameTheSameConnectVersions() throws IOException {
    var table = CompatibilityTable.read(Path.of(System.getProperty("eventkit.readme")));
    assertThat(table.get(CompatibilityTable.CONNECT_ROW))
        .isEqualTo(System.getProperty("eventkit.connect.tested"));
  }
}
