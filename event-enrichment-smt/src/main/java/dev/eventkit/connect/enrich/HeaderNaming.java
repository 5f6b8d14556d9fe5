package dev.eventkit.connect.enrich;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** Header names of each metadata attribute: Eventkit's or CloudEvents' Kafka binary binding. */
enum HeaderNaming {
  EVENTKIT,
  CLOUDEVENTS;

  static final String CE_SPECVERSION = "ce_specversion";

  /**
   * The attributes every CloudEvent carries besides specversion (CloudEvents 1.0 "REQUIRED
   * Attributes"); in binary mode each is a {@code ce_} header.
   */
  static final Set<EventAttribute> CLOUDEVENTS_REQUIRED =
      Collections.unmodifiableSet(
          EnumSet.of(EventAttribute.ID, EventAttribute.SOURCE, EventAttribute.TYPE));

  /** Headers EventMetadata writes of its own under this naming, which no attribute may take. */
  Set<String> fixedHeaders() {
    return this == CLOUDEVENTS ? Set.of(CE_SPECVERSION) : Set.of();
  }

  static HeaderNaming parse(String value) {
    return valueOf(value.trim().toUpperCase(Locale.ROOT));
  }

  String headerFor(EventAttribute attribute) {
    return this == EVENTKIT ? attribute.eventkitHeader : attribute.cloudEventsHeader;
  }

  /** The header the schema version goes to under this naming. */
  String schemaVersionHeader() {
    return this == EVENTKIT ? "event.schema.version" : "ce_dataschema";
  }
}
