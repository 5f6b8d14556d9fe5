package dev.eventkit.connect.outbox.record;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code topic.template} such as {@code ${aggregate_type}.events}, compiled once into literal and
 * placeholder parts.
 */
public final class TopicTemplate {
  public static final String AGGREGATE_TYPE = "aggregate_type";
  public static final String EVENT_TYPE = "event_type";

  private final List<Part> parts;

  private TopicTemplate(List<Part> parts) {
    this.parts = parts;
  }

  /** Compiles a template; unknown or unclosed placeholders are an error naming them. */
  public static TopicTemplate compile(String template) {
    List<Part> parts = new ArrayList<>();
    int i = 0;
    while (i < template.length()) {
      int open = template.indexOf("${", i);
      if (open < 0) {
        parts.add(new Part(template.substring(i), null));
        break;
      }
      if (open > i) {
        parts.add(new Part(template.substring(i, open), null));
      }
      int close = template.indexOf('}', open);
      if (close < 0) {
        throw new IllegalArgumentException(
            "Unclosed placeholder in topic template '" + template + "'");
      }
      String name = template.substring(open + 2, close);
      if (!name.equals(AGGREGATE_TYPE) && !name.equals(EVENT_TYPE)) {
        throw new IllegalArgumentException(
            "Unknown placeholder ${"
                + name
                + "} in topic template '"
                + template
                + "'; use ${aggregate_type} or ${event_type}");
      }
      parts.add(new Part(null, name));
      i = close + 1;
    }
    return new TopicTemplate(List.copyOf(parts));
  }

  /** The topic for one event; a null value renders as an empty string (then caught as invalid). */
  public String render(String aggregateType, String eventType) {
    StringBuilder topic = new StringBuilder();
    for (Part part : parts) {
      if (part.literal != null) {
        topic.append(part.literal);
      } else if (part.placeholder.equals(AGGREGATE_TYPE)) {
        topic.append(aggregateType == null ? "" : aggregateType);
      } else {
        topic.append(eventType == null ? "" : eventType);
      }
    }
    return topic.toString();
  }

  private record Part(String literal, String placeholder) {}
}
