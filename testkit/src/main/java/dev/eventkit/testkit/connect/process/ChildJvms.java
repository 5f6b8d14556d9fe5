package dev.eventkit.testkit.connect.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the test kit's child JVMs (Connect workers, Kafka brokers) share: ports, logs, stopping. */
final class ChildJvms {

  private ChildJvms() {}

  /** {@code count} distinct free ports, all held open until every one is chosen. */
  static int[] freePorts(int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0);
        sockets.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException e) {
          // closing a listening socket we opened: nothing to do
        }
      }
    }
  }

  /**
   * Writes a Log4j 2 configuration that logs at INFO to standard output in {@code pattern}, plus
   * {@code extraLines} (e.g. a logger's level), and returns its file.
   */
  static Path writeConsoleLog4j2(Path file, String pattern, String... extraLines)
      throws IOException {
    List<String> lines =
        new ArrayList<>(
            List.of(
                "status=warn",
                "appender.stdout.type=Console",
                "appender.stdout.name=STDOUT",
                "appender.stdout.layout.type=PatternLayout",
                "appender.stdout.layout.pattern=" + pattern,
                "rootLogger.level=INFO",
                "rootLogger.appenderRefs=stdout",
                "rootLogger.appenderRef.stdout.ref=STDOUT"));
    lines.addAll(List.of(extraLines));
    lines.add("");
    return Files.writeString(file, String.join("\n", lines));
  }

  /** Removes a reaper hook; when the JVM is already exiting the hook runs and does the killing. */
  static void removeReaper(Thread reaper) {
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException shuttingDown) {
      // The hook is running or about to: it kills the process.
    }
  }

  /** SIGTERM, and SIGKILL if that has not ended the process within 30 s. */
  static void stop(Process running) {
    if (running == null) {
      return;
    }
    running.destroy();
    try {
      if (!running.waitFor(30, TimeUnit.SECONDS)) {
        running.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running.destroyForcibly();
    }
  }
}
