package dev.eventkit.connect.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonPathsTest {

  private static JsonPaths paths(String... dotted) {
    return new JsonPaths(List.of(dotted).stream().map(p -> p.split("\\.")).toList());
  }

  @Test
  void readsNestedScalarsObjectsAndArraysSkippingTheRest() throws IOException {
    var found =
        paths("type", "meta.cause", "lines", "meta.tags", "absent", "meta.none", "amount")
            .extract(
                "{\"big\": {\"deep\": [1, {\"type\": \"decoy\"}]}, \"type\": \"Placed\","
                    + " \"meta\": {\"cause\": 7, \"tags\": {\"a\": true, \"n\": 1e400}, \"none\": null},"
                    + " \"lines\": [{\"qty\": 1.50}], \"amount\": 1.50}");

    // Numbers and containers come back as written: never 1.5, never Infinity.
    assertThat(found)
        .containsEntry("type", "Placed")
        .containsEntry("meta.cause", "7")
        .containsEntry("meta.tags", "{\"a\": true, \"n\": 1e400}")
        .containsEntry("lines", "[{\"qty\": 1.50}]")
        .containsEntry("amount", "1.50")
        .doesNotContainKeys("absent", "meta.none");
  }

  @Test
  void stopsOnceEveryPathIsFound() throws IOException {
    assertThat(paths("id").extract("{\"id\": \"e-1\", \"rest\": ")).containsEntry("id", "e-1");
  }

  @Test
  void malformedJsonBeforeThePathsIsAnError() {
    assertThatThrownBy(() -> paths("id").extract("{\"x\": }")).isInstanceOf(IOException.class);
  }

  @Test
  void topLevelArraysAndScalarsHaveNoPaths() throws IOException {
    assertThat(paths("id").extract("[{\"id\": 1}]")).isEmpty();
    assertThat(paths("id").extract("\"text\"")).isEmpty();
  }
}
