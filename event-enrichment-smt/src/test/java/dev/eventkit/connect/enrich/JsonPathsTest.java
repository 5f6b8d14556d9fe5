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
        paths("type", "meta.cause", "lines", "meta.tags", "absent", "meta.none")
            .extract(
                "{\"big\": {\"deep\": [1, {\"type\": \"decoy\"}]}, \"type\": \"Placed\","
                    + " \"meta\": {\"cause\": 7, \"tags\": {\"a\": true}, \"none\": null}, \"lines\": [{\"qty\": 1}]}");

    assertThat(found)
        .containsEntry("type", "Placed")
        .containsEntry("meta.cause", "7")
        .containsEntry("meta.tags", "{\"a\":true}")
        .containsEntry("lines", "[{\"qty\":1}]")
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
