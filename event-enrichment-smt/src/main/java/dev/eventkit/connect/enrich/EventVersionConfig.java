package dev.eventkit.connect.enrich;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/** Options of {@link EventVersion}, parsed once. */
final class EventVersionConfig extends AbstractConfig {

  static final String HEADER_NAMING_CONFIG = "header.naming";
  static final String VERSION_SOURCE_CONFIG = "version.source";
  static final String VERSIONS_CONFIG = "versions";
  static final String VERSION_DEFAULT_CONFIG = "version.default";
  static final String TYPE_SOURCE_CONFIG = "type.source";
  static final String HEADER_CONFIG = "version.header";
  static final String DATASCHEMA_TEMPLATE_CONFIG = "dataschema.template";
  static final String ON_MISSING_CONFIG = "on.missing";
  static final String SCHEMAS_DIR_CONFIG = "schemas.dir";
  static final String SCHEMAS_CACHE_SIZE_CONFIG = "schemas.cache.size";

  static final ConfigDef CONFIG_DEF = configDef();

  final HeaderNaming naming;
  final List<ValueSource> versionSources;
  final List<ValueSource> typeSources;
  final Map<String, String> versions;
  final String defaultVersion;
  final String header;
  final String dataschemaTemplate;
  final boolean failOnMissing;
  final String schemasDir;
  final int schemasCacheSize;
  final JsonPaths fieldPaths;

  EventVersionConfig(Map<?, ?> props) {
    super(CONFIG_DEF, props);
    naming = HeaderNaming.parse(getString(HEADER_NAMING_CONFIG));
    versionSources = ValueSource.parseList(VERSION_SOURCE_CONFIG, getList(VERSION_SOURCE_CONFIG));
    typeSources = ValueSource.parseList(TYPE_SOURCE_CONFIG, getList(TYPE_SOURCE_CONFIG));
    versions = parseVersions(getList(VERSIONS_CONFIG));
    defaultVersion =
        getString(VERSION_DEFAULT_CONFIG).isBlank()
            ? null
            : getString(VERSION_DEFAULT_CONFIG).trim();
    header =
        getString(HEADER_CONFIG).isBlank()
            ? naming.schemaVersionHeader()
            : getString(HEADER_CONFIG).trim();
    dataschemaTemplate = getString(DATASCHEMA_TEMPLATE_CONFIG);
    failOnMissing = "fail".equals(getString(ON_MISSING_CONFIG).toLowerCase(Locale.ROOT));
    schemasDir = getString(SCHEMAS_DIR_CONFIG).trim();
    schemasCacheSize = getInt(SCHEMAS_CACHE_SIZE_CONFIG);
    fieldPaths = ValueSource.fieldPaths(List.of(versionSources, typeSources));
  }

  static Map<String, String> parseVersions(List<String> entries) {
    Map<String, String> versions = new HashMap<>();
    for (String raw : entries) {
      String entry = raw.trim();
      if (entry.isEmpty()) {
        continue;
      }
      int colon = entry.lastIndexOf(':');
      if (colon <= 0 || colon == entry.length() - 1) {
        throw new ConfigException(
            VERSIONS_CONFIG, raw, "Each entry must be TYPE:VERSION, e.g. OrderPlaced:3");
      }
      versions.put(entry.substring(0, colon).trim(), entry.substring(colon + 1).trim());
    }
    return Map.copyOf(versions);
  }

  private static ConfigDef configDef() {
    ConfigDef def = new ConfigDef();
    def.define(
        HEADER_NAMING_CONFIG,
        Type.STRING,
        "eventkit",
        ConfigDef.CaseInsensitiveValidString.in("eventkit", "cloudevents"),
        Importance.HIGH,
        "'eventkit' writes the version to event.schema.version; 'cloudevents' writes ce_dataschema,"
            + " a URI built from dataschema.template.");
    def.define(
        VERSION_SOURCE_CONFIG,
        Type.LIST,
        "",
        Importance.HIGH,
        "Ordered sources of the version, e.g. 'header:event.schema.version,field:schemaVersion'"
            + " (header:NAME, field:PATH, key.PATH, literal:TEXT). When none yields a value, the"
            + " versions mapping and then version.default apply.");
    def.define(
        VERSIONS_CONFIG,
        Type.LIST,
        "",
        Importance.HIGH,
        "Version per event type, e.g. 'OrderPlaced:3,OrderShipped:1'; the type comes from type.source.");
    def.define(
        VERSION_DEFAULT_CONFIG,
        Type.STRING,
        "",
        Importance.MEDIUM,
        "Version for events no source or mapping covers. Empty: such events follow on.missing.");
    def.define(
        TYPE_SOURCE_CONFIG,
        Type.LIST,
        "header:event.type,header:ce_type",
        Importance.MEDIUM,
        "Ordered sources of the event type, used by the versions mapping, schemas.dir and"
            + " dataschema.template. A record without a type is only refused (see on.missing) where"
            + " the type is needed: a version from version.source or version.default is stamped"
            + " without one.");
    def.define(
        HEADER_CONFIG,
        Type.STRING,
        "",
        Importance.LOW,
        "Header name overriding the header.naming default (event.schema.version / ce_dataschema).");
    def.define(
        DATASCHEMA_TEMPLATE_CONFIG,
        Type.STRING,
        "urn:eventkit:schema:${type}:${version}",
        Importance.LOW,
        "With header.naming=cloudevents: the ce_dataschema URI, placeholders ${type} and ${version}.");
    def.define(
        ON_MISSING_CONFIG,
        Type.STRING,
        "fail",
        ConfigDef.CaseInsensitiveValidString.in("fail", "skip"),
        Importance.MEDIUM,
        "When no version can be found, or the event type is needed (to find the schema under"
            + " schemas.dir, or for ${type} in dataschema.template) and type.source yields none:"
            + " 'fail' throws a DataException naming the record (topic with partition and offset of a"
            + " sink record, or source partition and offset of a source record; with"
            + " errors.tolerance=all it goes to the dead letter queue); 'skip' passes it on unstamped"
            + " and unvalidated. Tombstones (null value) never fail under either: they carry no data"
            + " for a schema to describe, so they are stamped when a version is found, never"
            + " validated, and otherwise passed on unchanged.");
    def.define(
        SCHEMAS_DIR_CONFIG,
        Type.STRING,
        "",
        Importance.MEDIUM,
        "Directory of JSON Schema files <dir>/<event type>/<version>.json. When set, each JSON payload"
            + " (JSON text, bytes, Map or Struct) is validated against the schema of its type and"
            + " version; a violation or a missing schema file throws a DataException with the JSON"
            + " pointer and the rule broken, so errors.tolerance=all sends the record to the DLQ.");
    def.define(
        SCHEMAS_CACHE_SIZE_CONFIG,
        Type.INT,
        64,
        ConfigDef.Range.atLeast(1),
        Importance.LOW,
        "How many compiled schemas are kept (least recently used are dropped).");
    return def;
  }
}
