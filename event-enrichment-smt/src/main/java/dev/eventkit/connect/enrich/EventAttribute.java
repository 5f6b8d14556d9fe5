package dev.eventkit.connect.enrich;

/** The metadata EventMetadata adds, with their config prefix and header names. */
enum EventAttribute {
  ID("id", "event.id", "ce_id", "header:event.id,uuid7"),
  TYPE("type", "event.type", "ce_type", "header:event.type"),
  TIME("time", "event.time", "ce_time", "header:event.time,timestamp"),
  SOURCE("source", "event.source", "ce_source", "header:event.source"),
  CORRELATION_ID(
      "correlation.id", "correlation.id", "ce_correlationid", "header:correlation.id,id"),
  CAUSATION_ID("causation.id", "causation.id", "ce_causationid", "header:causation.id"),
  CONTENT_TYPE("content.type", "content-type", "content-type", "");

  final String configPrefix;
  final String eventkitHeader;
  final String cloudEventsHeader;
  final String defaultSources;

  EventAttribute(
      String configPrefix, String eventkitHeader, String cloudEventsHeader, String defaultSources) {
    this.configPrefix = configPrefix;
    this.eventkitHeader = eventkitHeader;
    this.cloudEventsHeader = cloudEventsHeader;
    this.defaultSources = defaultSources;
  }

  String sourceConfig() {
    return configPrefix + ".source";
  }

  String headerConfig() {
    return configPrefix + ".header";
  }
}
