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
  private final Map<String, Level> debugLoggers;
  private final Map<String, Level> levelsBefore = new java.util.HashMap<>();
  private final List<org.apache.logging.log4j.core.Appender> rootAppenders = new ArrayList<>();
  private Level rootLevelBefore;

  private CapturedLogs(List<String> debugLoggers) {
    this.debugLoggers = new java.util.HashMap<>();
    debugLoggers.forEach(name -> this.debugLoggers.put(name, Level.DEBUG));
  }

  /** Starts capturing, with {@code debugLoggers} (logger names) at DEBUG. */
  public static CapturedLogs start(String... debugLoggers) {
    CapturedLogs logs = new CapturedLogs(List.of(debugLoggers));
    logs.collector.start();
    logs.configuration.addAppender(logs.collector);
    LoggerConfig root = logs.configuration.getRootLogger();
    // The root rises to INFO, what a worker logs by default; its other appenders keep their level.
    logs.rootLevelBefore = root.getLevel();
    for (var appender : root.getAppenders().values()) {
      root.removeAppender(appender.getName());
      root.addAppender(appender, logs.rootLevelBefore, null);
      logs.rootAppenders.add(appender);
    }
    if (root.getLevel().isMoreSpecificThan(Level.INFO)) {
      root.setLevel(Level.INFO);
    }
    root.addAppender(logs.collector, Level.ALL, null);
    for (String name : debugLoggers) {
      LoggerConfig own = logs.configuration.getLoggerConfig(name);
      if (!own.getName().equals(name)) {
        own = new LoggerConfig(name, Level.DEBUG, true);
        logs.configuration.addLogger(name, own);
      } else {
        logs.levelsBefore.put(name, own.getLevel());
        own.setLevel(Level.DEBUG);
      }
    }
    logs.context.updateLoggers();
    return logs;
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
    root.removeAppender(collector.getName());
    root.setLevel(rootLevelBefore);
    for (var appender : rootAppenders) {
      root.removeAppender(appender.getName());
      root.addAppender(appender, null, null);
    }
    for (String name : debugLoggers.keySet()) {
      LoggerConfig own = configuration.getLoggerConfig(name);
      if (levelsBefore.containsKey(name)) {
        own.setLevel(levelsBefore.get(name));
      } else if (own.getName().equals(name)) {
        configuration.removeLogger(name);
      }
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
