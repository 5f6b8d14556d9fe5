package dev.eventkit.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReproducibleBuildCheckTest {

  @TempDir Path dir;

  private Path zip(String name, long time, String... entries) throws IOException {
    Map<String, byte[]> content = new LinkedHashMap<>();
    for (String e : entries) {
      content.put(e, e.getBytes(StandardCharsets.UTF_8));
    }
    return Files.write(dir.resolve(name), Archives.zipBytes(content, time));
  }

  @Test
  void equalBytesAreReproducible() throws IOException {
    assertThat(ReproducibleBuildCheck.compare(zip("a.zip", 0, "x", "y"), zip("b.zip", 0, "x", "y")))
        .isEmpty();
  }

  @Test
  void aTimestampDifferenceNamesTheEntry() throws IOException {
    assertThat(
            ReproducibleBuildCheck.compare(
                zip("a.zip", 0, "x", "y"), zip("b.zip", 86_400_000L, "x", "y")))
        .anyMatch(d -> d.startsWith("x: ") && d.contains("time"));
  }

  @Test
  void anOrderDifferenceIsReported() throws IOException {
    assertThat(ReproducibleBuildCheck.compare(zip("a.zip", 0, "x", "y"), zip("b.zip", 0, "y", "x")))
        .anyMatch(d -> d.startsWith("entries or their order differ"));
  }

  @Test
  void aMissingSecondZipIsReported() throws IOException {
    assertThat(ReproducibleBuildCheck.compare(zip("a.zip", 0, "x"), dir.resolve("none.zip")))
        .containsExactly("the second build left no " + dir.resolve("none.zip"));
  }
}
