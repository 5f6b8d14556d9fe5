package dev.eventkit.connect.outbox.record;

import java.util.regex.Pattern;

/** Kafka's rules for topic names, checked before a record is handed to the producer. */
public final class TopicNames {
  private static final int MAX_LENGTH = 249;
  private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]+");

  private TopicNames() {}

  /** Why Kafka would reject {@code topic}, or null when it is a legal name. */
  public static String whyInvalid(String topic) {
    if (topic == null || topic.isEmpty()) {
      return "topic name is empty";
    }
    if (topic.equals(".") || topic.equals("..")) {
      return "topic name cannot be '.' or '..'";
    }
    if (topic.length() > MAX_LENGTH) {
      return "topic name is longer than " + MAX_LENGTH + " characters";
    }
    if (!LEGAL.matcher(topic).matches()) {
      return "topic name '"
          + topic
          + "' has characters other than ASCII letters, digits, '.', '_' and '-'";
    }
    return null;
  }

  /** Whether {@code part} of a topic name (a placeholder's value) has only legal characters. */
  public static boolean hasOnlyLegalCharacters(String part) {
    return part != null && LEGAL.matcher(part).matches();
  }
}
