package dev.eventkit.connect.enrich;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Rules of {@link EventMetadata} that span several options. {@code configure()} refuses a config
 * that breaks one; Connect's validate, which only sees the transform's {@code config()}, reports
 * them through {@link #RECOMMENDER} on each option at fault (ConfigDef turns a recommender's
 * ConfigException into an error on that option), so a bad config is refused before it is created.
 */
final class EventMetadataRules {

  /** Attaches each rule's error to the options it names. */
  static final ConfigDef.Recommender RECOMMENDER =
      new ConfigDef.Recommender() {
        @Override
        public List<Object> validValues(String name, Map<String, Object> parsed) {
          String problem = violations(parsed).get(name);
          if (problem != null) {
            throw new ConfigException(problem);
          }
          return new ArrayList<>();
        }

        @Override
        public boolean visible(String name, Map<String, Object> parsed) {
          return true;
        }
      };

  private EventMetadataRules() {}

  /** Throws a ConfigException for the first rule the parsed config breaks. */
  static void check(Map<String, ?> parsed) {
    violations(parsed).values().stream()
        .findFirst()
        .ifPresent(
            problem -> {
              throw new ConfigException(problem);
            });
  }

  /** Option name to what is wrong with it; empty when the config is sound. */
  static Map<String, String> violations(Map<String, ?> parsed) {
    Map<String, String> violations = new LinkedHashMap<>();
    HeaderNaming naming = naming(parsed.get(EventMetadataConfig.HEADER_NAMING_CONFIG));
    if (naming == null) {
      return violations; // header.naming's own validator reports it
    }
    if (naming == HeaderNaming.CLOUDEVENTS) {
      cloudEvents(parsed, violations);
    }
    Map<String, EventAttribute> writers = new LinkedHashMap<>();
    for (EventAttribute attribute : EventAttribute.values()) {
      if (!enabled(parsed, attribute)) {
        continue;
      }
      String header = header(parsed, attribute, naming);
      if (naming.fixedHeaders().contains(header)) {
        violations.putIfAbsent(
            attribute.headerConfig(),
            attribute.headerConfig()
                + " names header '"
                + header
                + "', which header.naming="
                + naming.name().toLowerCase(Locale.ROOT)
                + " writes itself; choose another header name");
        continue;
      }
      EventAttribute other = writers.putIfAbsent(header, attribute);
      if (other != null) {
        String problem =
            describe(parsed, other)
                + " and "
                + describe(parsed, attribute)
                + " both name header '"
                + header
                + "'; each attribute needs its own header, or an empty source list to add none";
        violations.putIfAbsent(other.headerConfig(), problem);
        violations.putIfAbsent(attribute.headerConfig(), problem);
      }
    }
    return violations;
  }

  /**
   * A CloudEvent without id, source or type is not a CloudEvent: under cloudevents naming each must
   * be written to its {@code ce_} header, and ce_source, which no outbox header carries and only
   * the user can name, must come from a source that yields for every record. The transform still
   * fails a record that ends up without ce_id or ce_type at run time.
   */
  private static void cloudEvents(Map<String, ?> parsed, Map<String, String> violations) {
    for (EventAttribute attribute : HeaderNaming.CLOUDEVENTS_REQUIRED) {
      String header = header(parsed, attribute, HeaderNaming.CLOUDEVENTS);
      if (!header.equals(attribute.cloudEventsHeader)) {
        violations.put(
            attribute.headerConfig(),
            attribute.headerConfig()
                + " moves "
                + attribute.cloudEventsHeader
                + " to '"
                + header
                + "', but header.naming=cloudevents must write "
                + attribute.cloudEventsHeader
                + ", a required CloudEvents attribute; remove "
                + attribute.headerConfig()
                + " or use header.naming=eventkit");
      }
      if (!enabled(parsed, attribute)) {
        violations.put(
            attribute.sourceConfig(),
            attribute.sourceConfig()
                + " is empty, but header.naming=cloudevents requires "
                + attribute.cloudEventsHeader
                + " on every event");
      }
    }
    List<String> sources = sources(parsed, EventAttribute.SOURCE);
    if (!sources.isEmpty() && sources.stream().noneMatch(EventMetadataRules::alwaysYields)) {
      violations.put(
          EventAttribute.SOURCE.sourceConfig(),
          EventAttribute.SOURCE.sourceConfig()
              + " ("
              + String.join(",", sources)
              + ") may yield nothing, but header.naming=cloudevents requires ce_source on every"
              + " event: end it with literal:URI-REFERENCE naming the producer (e.g."
              + " literal:/orders-service) or with topic");
    }
  }

  /** Sources that give every record a usable ce_source (a URI-reference naming the producer). */
  private static boolean alwaysYields(String spec) {
    return spec.equals("topic")
        || (spec.startsWith("literal:") && !spec.substring("literal:".length()).isBlank());
  }

  /** The header an attribute writes: its override, or the naming's default. */
  static String header(Map<String, ?> parsed, EventAttribute attribute, HeaderNaming naming) {
    Object override = parsed.get(attribute.headerConfig());
    return override instanceof String text && !text.isBlank()
        ? text.trim()
        : naming.headerFor(attribute);
  }

  /** An attribute with no sources adds no header. */
  static boolean enabled(Map<String, ?> parsed, EventAttribute attribute) {
    return !sources(parsed, attribute).isEmpty();
  }

  static List<String> sources(Map<String, ?> parsed, EventAttribute attribute) {
    List<String> sources = new ArrayList<>();
    if (parsed.get(attribute.sourceConfig()) instanceof List<?> list) {
      for (Object spec : list) {
        if (spec != null && !spec.toString().isBlank()) {
          sources.add(spec.toString().trim());
        }
      }
    }
    return sources;
  }

  private static String describe(Map<String, ?> parsed, EventAttribute attribute) {
    Object override = parsed.get(attribute.headerConfig());
    return override instanceof String text && !text.isBlank()
        ? attribute.headerConfig()
        : attribute.headerConfig() + " (unset: the header.naming default)";
  }

  private static HeaderNaming naming(Object value) {
    try {
      return value instanceof String text ? HeaderNaming.parse(text) : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
