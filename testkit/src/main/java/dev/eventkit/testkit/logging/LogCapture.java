package dev.eventkit.testkit.logging;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Everything logged, at any level and by any logger, while it is open: for tests that check what a
 * component writes to the worker log (a secret must never be in it).
 */
public final class LogCapture implements AutoCloseable {

  private final List<String> lines = new ArrayList<>();
  private final Appender appender = new Appender("capture-" + UUID.randomUUID());
  private final LoggerConfig root;
  private final org.apache.logging.log4j.Level previousLevel;

  public LogCapture() {
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    Configuration configuration = context.getConfiguration();
    root = configuration.getRootLogger();
    previousLevel = root.getLevel();
    appender.start();
    root.addAppender(appender, org.apache.logging.log4j.Level.ALL, null);
    root.setLevel(org.apache.logging.log4j.Level.ALL);
    context.updateLoggers();
  }

  /** Every message logged so far, formatted, with the stack traces of thrown exceptions. */
  public synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  /** All of it as one text. */
  public String text() {
    return String.join("\n", lines());
  }

  private synchronized void add(String line) {
    lines.add(line);
  }

  @Override
  public void close() {
    root.removeAppender(appender.getName());
    root.setLevel(previousLevel);
    ((LoggerContext) LogManager.getContext(false)).updateLoggers();
    appender.stop();
  }

  private final class Appender extends AbstractAppender {
    Appender(String name) {
      super(name, null, null, true, Property.EMPTY_ARRAY);
    }

    @Override
    public void append(LogEvent event) {
      StringBuilder line = new StringBuilder(event.getMessage().getFormattedMessage());
      for (Throwable t = event.getThrown(); t != null; t = t.getCause()) {
        line.append('\n').append(t);
      }
      add(line.toString());
    }
  }
}
