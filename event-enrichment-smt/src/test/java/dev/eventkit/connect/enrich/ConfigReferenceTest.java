package dev.eventkit.connect.enrich;

import dev.eventkit.testkit.docs.ConfigReference;
import org.junit.jupiter.api.Test;

/**
 * docs/event-metadata-smt.md and docs/event-version-smt.md are generated from the ConfigDefs and
 * must match them.
 */
class ConfigReferenceTest {

  private static final String METADATA =
      """
      `transforms.<name>.type`: `dev.eventkit.connect.enrich.EventMetadata$Value` (field paths read
      the value) or `dev.eventkit.connect.enrich.EventMetadata$Key` (field paths read the key).

      Adds event id, type, time, source, correlation id, causation id and content type as UTF-8
      string headers; existing headers are kept unless `overwrite=true`. Field paths work on
      schemaless Maps, Structs and JSON held in String or byte[] values (read in one streaming
      pass per record, the value itself is never re-encoded). What a path finds is written as
      it is: text as text, a number in JSON text as written (`1.50` stays `1.50`), objects,
      arrays, Maps, Lists and Structs as JSON text, bytes as UTF-8 text. Bytes that are not
      UTF-8, text that is not a JSON object and nesting beyond 1,000 levels read as missing, and the
      `on.missing=fail` error says which. Tombstones (null value) keep their headers, are
      stamped with what can be found and never fail for a missing attribute, under either
      `header.naming` and either `on.missing`. Headers are read as text: strings as they are,
      byte[] (MirrorMaker 2, `ByteArrayConverter`) as UTF-8, typed values in Connect's text form.
      On sinks, set `header.converter` to `org.apache.kafka.connect.storage.StringConverter` (or
      `ByteArrayConverter`): the default `SimpleHeaderConverter` normalises header text that
      parses as a number (`007` reads as `7`) and reads the text `null` as no header.
      """;

  private static final String VERSION =
      """
      `transforms.<name>.type`: `dev.eventkit.connect.enrich.EventVersion$Value` or
      `dev.eventkit.connect.enrich.EventVersion$Key`.

      Stamps `event.schema.version` (or `ce_dataschema` under CloudEvents naming) from the first of
      `version.source`, the `versions` mapping by event type, and `version.default`; an existing header
      is kept. With `schemas.dir`, JSON payloads are validated against
      `<schemas.dir>/<event type>/<version>.json`. Headers (type, version) are read as text:
      strings as they are, byte[] as UTF-8, typed values in Connect's text form. On sinks, set
      `header.converter` to `org.apache.kafka.connect.storage.StringConverter` (or
      `ByteArrayConverter`): the default `SimpleHeaderConverter` normalises a version header that
      parses as a number (`1.10` reads as `1.1`, `1.0` as `1`), which changes the version looked up.
      """;

  @Test
  void docsMatchTheConfigDefs() {
    ConfigReference.assertUpToDate(
        "event-metadata-smt.md",
        ConfigReference.markdown(
            "EventMetadata transform configuration", METADATA, EventMetadataConfig.CONFIG_DEF));
    ConfigReference.assertUpToDate(
        "event-version-smt.md",
        ConfigReference.markdown(
            "EventVersion transform configuration", VERSION, EventVersionConfig.CONFIG_DEF));
  }
}
