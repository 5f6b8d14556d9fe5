package dev.eventkit.benchmarks.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the threads of one connector spend their wall-clock time, from a flight recording of a
 * drain: for each thread whose name matches, how many samples found it running Java code and how
 * many in native code (a socket read: waiting on the database or the broker), how long it was
 * parked or blocked, and the methods most often on top. Prints Markdown, for docs/benchmarks.md.
 *
 * <p>{@code FlightProfile <recording.jfr> <thread-name-regex> [top]}, e.g. {@code drain-.*}.
 */
public final class FlightProfile {

  private final Pattern threads;
  private final Map<String, ThreadTime> byThread = new HashMap<>();

  private FlightProfile(Pattern threads) {
    this.threads = threads;
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println("Usage: FlightProfile <recording.jfr> <thread-name-regex> [top]");
      System.exit(2);
    }
    System.out.print(
        summarize(
            Path.of(args[0]),
            Pattern.compile(args[1]),
            args.length > 2 ? Integer.parseInt(args[2]) : 12));
  }

  /** The Markdown summary of the matching threads of a recording, {@code top} rows a table. */
  public static String summarize(Path recording, Pattern threads, int top) throws IOException {
    FlightProfile profile = new FlightProfile(threads);
    profile.read(recording);
    java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
    profile.print(new PrintStream(text, true, java.nio.charset.StandardCharsets.UTF_8), top);
    return text.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  private void read(Path recording) throws IOException {
    try (RecordingFile file = new RecordingFile(recording)) {
      while (file.hasMoreEvents()) {
        RecordedEvent event = file.readEvent();
        String type = event.getEventType().getName();
        RecordedThread thread = thread(event, type);
        if (thread == null
            || thread.getJavaName() == null
            || !threads.matcher(thread.getJavaName()).find()) {
          continue;
        }
        ThreadTime time = byThread.computeIfAbsent(group(thread.getJavaName()), ThreadTime::new);
        switch (type) {
          case "jdk.ExecutionSample" -> time.running(top(event.getStackTrace(), 1));
          case "jdk.NativeMethodSample" -> time.nativeCode(top(event.getStackTrace(), 3));
          case "jdk.ThreadPark", "jdk.JavaMonitorEnter", "jdk.JavaMonitorWait" ->
              time.waited(type.substring(4), event.getDuration(), caller(event.getStackTrace()));
          case "jdk.SocketRead", "jdk.SocketWrite" ->
              time.waited(type.substring(4), event.getDuration(), caller(event.getStackTrace()));
          default -> {}
        }
      }
    }
  }

  private static RecordedThread thread(RecordedEvent event, String type) {
    if (type.equals("jdk.ExecutionSample") || type.equals("jdk.NativeMethodSample")) {
      return event.getThread("sampledThread");
    }
    return event.getThread();
  }

  /** Threads of one kind share a group: "task-thread-drain-1a2b3c4d-0" and its producer. */
  private static String group(String name) {
    return name.replaceAll("[0-9a-f]{8}", "*");
  }

  private static String top(RecordedStackTrace stack, int frames) {
    if (stack == null || stack.getFrames().isEmpty()) {
      return "(no stack)";
    }
    StringBuilder text = new StringBuilder();
    List<RecordedFrame> list = stack.getFrames();
    for (int i = 0; i < Math.min(frames, list.size()); i++) {
      text.append(i == 0 ? "" : " < ").append(name(list.get(i)));
    }
    return text.toString();
  }

  /** The first frame outside the JDK's own locking and I/O classes: who waited. */
  private static String caller(RecordedStackTrace stack) {
    if (stack == null) {
      return "(no stack)";
    }
    for (RecordedFrame frame : stack.getFrames()) {
      String type = frame.getMethod().getType().getName();
      if (!type.startsWith("java.") && !type.startsWith("jdk.") && !type.startsWith("sun.")) {
        return name(frame);
      }
    }
    return top(stack, 1);
  }

  private static String name(RecordedFrame frame) {
    String type = frame.getMethod().getType().getName();
    return type.substring(type.lastIndexOf('.') + 1) + "." + frame.getMethod().getName();
  }

  private void print(PrintStream out, int top) {
    for (ThreadTime time :
        byThread.values().stream()
            .sorted(Comparator.comparingLong(ThreadTime::samples).reversed())
            .toList()) {
      out.printf(
          "### `%s`%n%n%d samples running Java code, %d in native code; waited (events over the"
              + " recording's thresholds): %s%n%n",
          time.name, time.running, time.nativeSamples, time.waitedSummary());
      table(out, "running Java code, top frame", time.runningFrames, time.running, top);
      table(out, "in native code, top frames", time.nativeFrames, time.nativeSamples, top);
      out.println("| waited in | event | total | count |");
      out.println("|---|---|---|---|");
      time.waits.entrySet().stream()
          .sorted(Map.Entry.<String, Wait>comparingByValue().reversed())
          .limit(top)
          .forEach(
              e ->
                  out.printf(
                      "| `%s` | %s | %.1f s | %d |%n",
                      e.getKey().substring(e.getKey().indexOf(' ') + 1),
                      e.getKey().substring(0, e.getKey().indexOf(' ')),
                      e.getValue().total.toMillis() / 1000.0,
                      e.getValue().count));
      out.println();
    }
  }

  private static void table(
      PrintStream out, String title, Map<String, Long> frames, long total, int top) {
    if (total == 0) {
      return;
    }
    out.printf("| %s | samples | share |%n|---|---|---|%n", title);
    frames.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(top)
        .forEach(
            e ->
                out.printf(
                    "| `%s` | %d | %.0f%% |%n",
                    e.getKey(), e.getValue(), 100.0 * e.getValue() / total));
    out.println();
  }

  private static final class Wait implements Comparable<Wait> {
    private Duration total = Duration.ZERO;
    private long count;

    @Override
    public int compareTo(Wait other) {
      return total.compareTo(other.total);
    }
  }

  private static final class ThreadTime {
    private final String name;
    private final Map<String, Long> runningFrames = new HashMap<>();
    private final Map<String, Long> nativeFrames = new HashMap<>();
    private final Map<String, Wait> waits = new HashMap<>();
    private long running;
    private long nativeSamples;

    ThreadTime(String name) {
      this.name = name;
    }

    long samples() {
      return running + nativeSamples;
    }

    void running(String frame) {
      running++;
      runningFrames.merge(frame, 1L, Long::sum);
    }

    void nativeCode(String frames) {
      nativeSamples++;
      nativeFrames.merge(frames, 1L, Long::sum);
    }

    void waited(String kind, Duration duration, String caller) {
      Wait wait = waits.computeIfAbsent(kind + " " + caller, k -> new Wait());
      wait.total = wait.total.plus(duration);
      wait.count++;
    }

    String waitedSummary() {
      Map<String, Duration> byKind = new HashMap<>();
      waits.forEach(
          (key, wait) ->
              byKind.merge(key.substring(0, key.indexOf(' ')), wait.total, Duration::plus));
      StringBuilder text = new StringBuilder();
      byKind.entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(
              e ->
                  text.append(text.length() == 0 ? "" : ", ")
                      .append(e.getKey())
                      .append(String.format(" %.1f s", e.getValue().toMillis() / 1000.0)));
      return text.length() == 0 ? "none" : text.toString();
    }
  }
}
