package dev.eventkit.connect.enrich;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
    Map<String, EventAttribute> writers = new LinkedHashMap<>();
    for (EventAttribute attribute : EventAttribute.values()) {
      if (!enabled(parsed, attribute)) {
        continue;
      }
      String header = header(parsed, attribute, naming);
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
