package dev.eventkit.connect.enrich;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Options of {@link EventMetadata}, parsed once into sources and header names. */
final class EventMetadataConfig extends AbstractConfig {

  static final String HEADER_NAMING_CONFIG = "header.naming";
  static final String OVERWRITE_CONFIG = "overwrite";
  static final String ON_MISSING_CONFIG = "on.missing";
  static final String ON_MISSING_FAIL = "fail";
  static final String ON_MISSING_SKIP = "skip";

  static final ConfigDef CONFIG_DEF = configDef();

  final HeaderNaming naming;
  final boolean overwrite;
  final boolean failOnMissing;
  final Map<EventAttribute, List<ValueSource>> sources = new EnumMap<>(EventAttribute.class);
  final Map<EventAttribute, String> headers = new EnumMap<>(EventAttribute.class);
  final JsonPaths fieldPaths;

  EventMetadataConfig(Map<?, ?> props) {
    super(CONFIG_DEF, props);
    EventMetadataRules.check(values());
    naming = HeaderNaming.parse(getString(HEADER_NAMING_CONFIG));
    overwrite = getBoolean(OVERWRITE_CONFIG);
    failOnMissing = ON_MISSING_FAIL.equals(getString(ON_MISSING_CONFIG).toLowerCase(Locale.ROOT));
    for (EventAttribute attribute : EventAttribute.values()) {
      sources.put(
          attribute,
          ValueSource.parseList(attribute.sourceConfig(), getList(attribute.sourceConfig())));
      String header = getString(attribute.headerConfig());
      headers.put(attribute, header.isBlank() ? naming.headerFor(attribute) : header.trim());
    }
    fieldPaths = ValueSource.fieldPaths(sources.values());
  }

  private static ConfigDef configDef() {
    ConfigDef def = new ConfigDef();
    def.define(
        HEADER_NAMING_CONFIG,
        Type.STRING,
        "eventkit",
        ConfigDef.CaseInsensitiveValidString.in("eventkit", "cloudevents"),
        Importance.HIGH,
        "Header names: 'eventkit' (event.id, event.type, event.time, event.source, correlation.id,"
            + " causation.id, content-type) or 'cloudevents' (Kafka protocol binding, binary mode:"
            + " ce_id, ce_type, ce_time, ce_source, ce_correlationid, ce_causationid, content-type,"
            + " and ce_specversion=1.0). CloudEvents requires id, source, type and specversion on"
            + " every event, so under 'cloudevents' configure and Connect's validate refuse an empty"
            + " id.source or type.source, an id.header, source.header or type.header other than the"
            + " ce_ name, and a source.source with no source that yields for every record"
            + " (literal:URI-REFERENCE naming the producer, e.g. literal:/orders-service, or topic);"
            + " empty or blank text counts as missing for ce_id, ce_source and ce_type (a blank"
            + " header already on the record is filled from the sources, a blank source is passed"
            + " over); a record that still ends up without ce_id or ce_type fails with a"
            + " DataException whatever on.missing says, except a tombstone, which leaves without"
            + " ce_specversion.");
    def.define(
        OVERWRITE_CONFIG,
        Type.BOOLEAN,
        false,
        Importance.MEDIUM,
        "Replace a header that is already on the record. Off by default, so replays and re-runs keep"
            + " their ids.");
    def.define(
        ON_MISSING_CONFIG,
        Type.STRING,
        ON_MISSING_SKIP,
        ConfigDef.CaseInsensitiveValidString.in(ON_MISSING_FAIL, ON_MISSING_SKIP),
        Importance.MEDIUM,
        "When none of an attribute's configured sources yields a value: 'skip' leaves the header out;"
            + " 'fail' throws a DataException naming the option, the sources and the record (with"
            + " errors.tolerance=all the record goes to the dead letter queue). The attributes"
            + " CloudEvents requires always fail under header.naming=cloudevents. Tombstones (null"
            + " value) never fail, under either naming and either value: they are stamped with what"
            + " can be found, so deletes never go to the dead letter queue.");
    for (EventAttribute attribute : EventAttribute.values()) {
      withRules(
          def,
          attribute.sourceConfig(),
          Type.LIST,
          attribute.defaultSources,
          Importance.MEDIUM,
          "Ordered sources of the "
              + attribute.name().toLowerCase(Locale.ROOT).replace('_', ' ')
              + " header; the first that yields a value wins. Sources: header:NAME, field:PATH, key,"
              + " key.PATH, topic, timestamp, literal:TEXT, id (the event id), uuid7, uuid5:PATH."
              + " Empty: the header is not added.");
      withRules(
          def,
          attribute.headerConfig(),
          Type.STRING,
          "",
          Importance.LOW,
          "Header name for the "
              + attribute.name().toLowerCase(Locale.ROOT).replace('_', ' ')
              + ", overriding the header.naming default ('"
              + attribute.eventkitHeader
              + "' / '"
              + attribute.cloudEventsHeader
              + "'). Two attributes that add a header cannot share a name, and none can take a"
              + " header the transform writes itself (ce_specversion under"
              + " header.naming=cloudevents).");
    }
    return def;
  }

  /** Defines an option whose cross-option rules Connect's validate reports on it. */
  private static void withRules(
      ConfigDef def,
      String name,
      Type type,
      Object defaultValue,
      Importance importance,
      String documentation) {
    def.define(
        name,
        type,
        defaultValue,
        null,
        importance,
        documentation,
        null,
        -1,
        ConfigDef.Width.NONE,
        name,
        List.of(),
        EventMetadataRules.RECOMMENDER);
  }
}
