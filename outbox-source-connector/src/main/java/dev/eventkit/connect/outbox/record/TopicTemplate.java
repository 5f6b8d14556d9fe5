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

  private final String template;
  private final List<Part> parts;
  private final boolean usesAggregateType;
  private final boolean usesEventType;

  private TopicTemplate(String template, List<Part> parts) {
    this.template = template;
    this.parts = parts;
    this.usesAggregateType = parts.stream().anyMatch(p -> AGGREGATE_TYPE.equals(p.placeholder));
    this.usesEventType = parts.stream().anyMatch(p -> EVENT_TYPE.equals(p.placeholder));
  }

  /** Whether the topic depends on the aggregate type. */
  public boolean usesAggregateType() {
    return usesAggregateType;
  }

  /** Whether the topic depends on the event type, so a row without one has no topic. */
  public boolean usesEventType() {
    return usesEventType;
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
    return new TopicTemplate(template, List.copyOf(parts));
  }

  /**
   * The topic for one event. A NULL or empty value renders as its placeholder ({@code
   * ${aggregate_type}.events}), which is never a legal topic name: a missing value can never route
   * an event to a topic such as {@code .events}. The record factory refuses such rows before
   * rendering; the placeholder form shows in the invalid-row record's headers.
   */
  public String render(String aggregateType, String eventType) {
    StringBuilder topic = new StringBuilder();
    for (Part part : parts) {
      if (part.literal != null) {
        topic.append(part.literal);
      } else {
        String value = part.placeholder.equals(AGGREGATE_TYPE) ? aggregateType : eventType;
        if (value == null || value.isEmpty()) {
          topic.append("${").append(part.placeholder).append('}');
        } else {
          topic.append(value);
        }
      }
    }
    return topic.toString();
  }

  /** The template as configured. */
  @Override
  public String toString() {
    return template;
  }

  private record Part(String literal, String placeholder) {}
}
