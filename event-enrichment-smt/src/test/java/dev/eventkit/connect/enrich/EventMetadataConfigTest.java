package dev.eventkit.connect.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * Rules that span several options: refused by configure() and reported by ConfigDef.validate(),
 * which is what Connect's {@code PUT /connector-plugins/.../config/validate} runs on a transform's
 * config() (EnrichmentChainIT checks that end to end).
 */
class EventMetadataConfigTest {

  private static Map<String, String> props(String... keyValues) {
    Map<String, String> props = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      props.put(keyValues[i], keyValues[i + 1]);
    }
    return props;
  }

  private static void configure(String... keyValues) {
    new EventMetadata.Value<SourceRecord>().configure(props(keyValues));
  }

  /** Option name to its validation errors, for the options that have any. */
  private static Map<String, List<String>> validationErrors(String... keyValues) {
    return EventMetadataConfig.CONFIG_DEF.validate(props(keyValues)).stream()
        .filter(value -> !value.errorMessages().isEmpty())
        .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
  }

  @Test
  void twoAttributesWritingTheSameHeaderAreRefusedNamingBothOptions() {
    assertThatThrownBy(() -> configure("id.header", "event.type"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("id.header")
        .hasMessageContaining("type.header")
        .hasMessageContaining("event.type");
    assertThatThrownBy(
            () -> configure("causation.id.header", "trace", "correlation.id.header", "trace"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("correlation.id.header")
        .hasMessageContaining("causation.id.header");
    assertThat(validationErrors("id.header", "event.type"))
        .containsOnlyKeys("id.header", "type.header");
  }

  @Test
  void cloudEventsNamingRefusesSourcesThatCannotYieldCeSourceForEveryEvent() {
    // The default source.source reads header:event.source, which the outbox never writes.
    assertThatThrownBy(() -> configure("header.naming", "cloudevents"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("source.source (header:event.source)")
        .hasMessageContaining("ce_source")
        .hasMessageContaining("literal:");
    assertThatThrownBy(
            () -> configure("header.naming", "cloudevents", "source.source", "header:x,literal:"))
        .hasMessageContaining("source.source");
    assertThat(validationErrors("header.naming", "CloudEvents")).containsOnlyKeys("source.source");

    configure("header.naming", "cloudevents", "source.source", "header:ce_source,topic");
    configure("header.naming", "cloudevents", "source.source", "literal:/orders-service");
    configure("header.naming", "eventkit");
  }

  @Test
  void cloudEventsNamingRefusesToDropOrRenameARequiredAttribute() {
    String[] valid = {"header.naming", "cloudevents", "source.source", "literal:/orders"};

    assertThatThrownBy(() -> configure(with(valid, "type.source", "")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("type.source")
        .hasMessageContaining("ce_type");
    assertThatThrownBy(() -> configure(with(valid, "id.source", " ")))
        .hasMessageContaining("id.source")
        .hasMessageContaining("ce_id");
    assertThatThrownBy(() -> configure(with(valid, "id.header", "message-id")))
        .hasMessageContaining("id.header")
        .hasMessageContaining("ce_id");
    assertThat(validationErrors(with(valid, "source.header", "origin")))
        .containsOnlyKeys("source.header");
    configure(with(valid, "id.header", "ce_id", "causation.id.source", ""));
  }

  private static String[] with(String[] base, String... more) {
    String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  @Test
  void anAttributeCannotTakeAHeaderTheTransformWritesItself() {
    // Under cloudevents naming the transform adds ce_specversion=1.0 of its own.
    String[] cloudEvents = {"header.naming", "cloudevents", "source.source", "literal:/orders"};

    assertThatThrownBy(() -> configure(with(cloudEvents, "causation.id.header", "ce_specversion")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("causation.id.header")
        .hasMessageContaining("ce_specversion");
    assertThat(validationErrors(with(cloudEvents, "correlation.id.header", " ce_specversion ")))
        .containsOnlyKeys("correlation.id.header");
    assertThat(validationErrors(with(cloudEvents, "time.header", "ce_specversion")))
        .containsOnlyKeys("time.header");
    // Eventkit naming writes no ce_specversion, and an attribute with no source writes nothing.
    configure("causation.id.header", "ce_specversion");
    configure(with(cloudEvents, "content.type.header", "ce_specversion"));
  }

  @Test
  void aDisabledAttributeClaimsNoHeader() {
    // content.type.source is empty by default: the content type writes nothing.
    configure("causation.id.header", "content-type");
    assertThat(validationErrors("causation.id.header", "content-type")).isEmpty();
  }
}
