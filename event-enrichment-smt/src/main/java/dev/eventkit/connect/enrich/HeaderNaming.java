package dev.eventkit.connect.enrich;

import java.util.Locale;

/** Header names of each metadata attribute: Eventkit's or CloudEvents' Kafka binary binding. */
enum HeaderNaming {
  EVENTKIT,
  CLOUDEVENTS;

  static final String CE_SPECVERSION = "ce_specversion";

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
