package dev.eventkit.testkit.logs;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Everything this JVM logs while it is open (the embedded Connect workers, their connectors and
 * tasks included): each event's logger, message, context map and stack trace, as text. The given
 * loggers are raised to DEBUG meanwhile, so what a user sees after turning debugging on is in it
 * too; closing restores the configuration.
 */
public final class CapturedLogs implements AutoCloseable {

  private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
  private final Configuration configuration = context.getConfiguration();
  private final Collector collector = new Collector();
  private final List<String> debugPrefixes;
  private final Map<String, Level> levelsBefore = new java.util.HashMap<>();
  private final List<String> added = new ArrayList<>();
  private final List<org.apache.logging.log4j.core.Appender> rootAppenders = new ArrayList<>();
  private final Map<String, org.apache.logging.log4j.core.config.AppenderRef> rootRefs =
      new java.util.HashMap<>();
  private Level rootLevelBefore;

  private CapturedLogs(List<String> debugPrefixes) {
    this.debugPrefixes = debugPrefixes;
  }

  /**
   * Starts capturing: every logger at INFO at least (what a worker logs by default, whatever the
   * test configuration quietened), and every logger named {@code prefix} or below it at DEBUG.
   */
  public static CapturedLogs start(String... debugPrefixes) {
    CapturedLogs logs = new CapturedLogs(List.of(debugPrefixes));
    logs.collector.start();
    logs.configuration.addAppender(logs.collector);
    LoggerConfig root = logs.configuration.getRootLogger();
    // The console keeps showing what it showed: its threshold is the root's level before.
    logs.rootLevelBefore = root.getLevel();
    for (var ref : root.getAppenderRefs()) {
      logs.rootRefs.put(ref.getRef(), ref);
    }
    for (var appender : root.getAppenders().values()) {
      var ref = logs.rootRefs.get(appender.getName());
      root.removeAppender(appender.getName());
      Level threshold =
          ref != null
                  && ref.getLevel() != null
                  && ref.getLevel().isMoreSpecificThan(logs.rootLevelBefore)
              ? ref.getLevel()
              : logs.rootLevelBefore;
      root.addAppender(appender, threshold, ref == null ? null : ref.getFilter());
      logs.rootAppenders.add(appender);
    }
    root.addAppender(logs.collector, Level.ALL, null);
    logs.lower(root, Level.INFO);
    for (LoggerConfig own : logs.configuration.getLoggers().values()) {
      if (own != root) {
        logs.lower(own, logs.debugged(own.getName()) ? Level.DEBUG : Level.INFO);
        if (!own.isAdditive()) {
          own.addAppender(logs.collector, Level.ALL, null);
        }
      }
    }
    for (String prefix : debugPrefixes) {
      if (!logs.configuration.getLoggers().containsKey(prefix)) {
        logs.configuration.addLogger(prefix, new LoggerConfig(prefix, Level.DEBUG, true));
        logs.added.add(prefix);
      }
    }
    logs.context.updateLoggers();
    return logs;
  }

  private boolean debugged(String name) {
    return debugPrefixes.stream().anyMatch(p -> name.equals(p) || name.startsWith(p + "."));
  }

  /** Sets the logger to {@code level} if that lets more through, remembering its own level. */
  private void lower(LoggerConfig logger, Level level) {
    if (logger.getLevel().isMoreSpecificThan(level) && !logger.getLevel().equals(level)) {
      levelsBefore.put(logger.getName(), logger.getLevel());
      logger.setLevel(level);
    }
  }

  /** Every event so far, one text block each. */
  public List<String> events() {
    synchronized (collector.events) {
      return new ArrayList<>(collector.events);
    }
  }

  /** The events that contain {@code text}. */
  public List<String> containing(String text) {
    return events().stream().filter(e -> e.contains(text)).toList();
  }

  @Override
  public void close() {
    LoggerConfig root = configuration.getRootLogger();
    for (LoggerConfig own : configuration.getLoggers().values()) {
      own.removeAppender(collector.getName());
      Level before = levelsBefore.get(own.getName());
      if (before != null) {
        own.setLevel(before);
      }
    }
    for (String name : added) {
      configuration.removeLogger(name);
    }
    for (var appender : rootAppenders) {
      var ref = rootRefs.get(appender.getName());
      root.removeAppender(appender.getName());
      root.addAppender(
          appender, ref == null ? null : ref.getLevel(), ref == null ? null : ref.getFilter());
    }
    if (configuration instanceof org.apache.logging.log4j.core.config.AbstractConfiguration c) {
      c.removeAppender(collector.getName());
    }
    context.updateLoggers();
    collector.stop();
  }

  private static final class Collector extends AbstractAppender {
    private final List<String> events = new ArrayList<>();

    Collector() {
      super("eventkit-captured-logs", null, null, true, Property.EMPTY_ARRAY);
    }

    @Override
    public void append(LogEvent event) {
      StringBuilder text =
          new StringBuilder()
              .append(event.getLevel())
              .append(' ')
              .append(event.getLoggerName())
              .append(' ')
              .append(event.getContextData().toMap())
              .append(' ')
              .append(event.getMessage().getFormattedMessage());
      if (event.getThrown() != null) {
        StringWriter trace = new StringWriter();
        event.getThrown().printStackTrace(new PrintWriter(trace));
        text.append('\n').append(trace);
      }
      synchronized (events) {
        events.add(text.toString());
      }
    }
  }
}
