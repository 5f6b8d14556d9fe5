package dev.eventkit.benchmarks.drain;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * A wall-clock account of the Connect task threads during a drain: every {@value #INTERVAL_MS} ms,
 * each thread named {@code task-thread-*} is sampled with its stack and put in one phase of
 * Connect's source-task loop — inside the connector's {@code poll()} (waiting on a socket, that is
 * for the database, waiting otherwise, or running), inside Connect's {@code sendRecords}
 * (transforms and converters, or the producer's {@code send}, running or waiting for buffer space),
 * committing (offsets or the transaction), or elsewhere — with the innermost frame outside the JDK
 * and the thread's CPU time. That says where one task's time goes, which JFR's CPU samples alone do
 * not (they see neither waits nor a thread waiting for a core). Only samples between the broker's
 * append times of the first and the last record count: not the task's start, nor the producer
 * emptying its buffer after the task's last poll. The sampling takes a thread dump each time, a
 * safepoint for the whole JVM: it slows every system alike, a little; compare systems within one
 * run.
 */
final class TaskThreads implements AutoCloseable {

  static final long INTERVAL_MS = 5;
  private static final String PREFIX = "task-thread-";

  /** One sample of one task thread: when, its phase, its innermost frame, its CPU time so far. */
  private record Sample(long timeMs, String thread, String phase, String frame, long cpuNanos) {}

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final List<Sample> samples = new ArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread sampler;

  private TaskThreads() {
    sampler = new Thread(this::sample, "drain-task-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  static TaskThreads start() {
    return new TaskThreads();
  }

  private void sample() {
    long nextScan = 0;
    long[] ids = new long[0];
    try {
      while (running.get()) {
        if (System.nanoTime() >= nextScan) {
          ids = taskThreadIds();
          nextScan = System.nanoTime() + 100_000_000L;
        }
        ThreadInfo[] infos = threads.getThreadInfo(ids, Integer.MAX_VALUE);
        long now = System.currentTimeMillis();
        synchronized (samples) {
          for (ThreadInfo info : infos) {
            if (info != null && info.getThreadName().startsWith(PREFIX)) {
              samples.add(
                  new Sample(
                      now,
                      info.getThreadName().substring(PREFIX.length()),
                      phase(info),
                      innermostOutsideJdk(info.getStackTrace()),
                      threads.getThreadCpuTime(info.getThreadId())));
            }
          }
        }
        Thread.sleep(INTERVAL_MS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The task threads now. */
  private long[] taskThreadIds() {
    long[] all = threads.getAllThreadIds();
    long[] ids = new long[all.length];
    int n = 0;
    for (ThreadInfo info : threads.getThreadInfo(all, 0)) {
      if (info != null && info.getThreadName().startsWith(PREFIX)) {
        ids[n++] = info.getThreadId();
      }
    }
    return Arrays.copyOf(ids, n);
  }

  /** The innermost frame of a class outside the JDK: which library or code a thread is in. */
  private static String innermostOutsideJdk(StackTraceElement[] stack) {
    for (StackTraceElement frame : stack) {
      String cls = frame.getClassName();
      if (!cls.startsWith("java.") && !cls.startsWith("jdk.") && !cls.startsWith("sun.")) {
        return cls.substring(cls.lastIndexOf('.') + 1) + "." + frame.getMethodName();
      }
    }
    return stack.length == 0
        ? "(no stack)"
        : stack[0].getClassName() + "." + stack[0].getMethodName();
  }

  /** Which phase of the source-task loop a stack is in, and whether it waits. */
  static String phase(ThreadInfo info) {
    StackTraceElement[] stack = info.getStackTrace();
    boolean parked =
        info.getThreadState() == Thread.State.WAITING
            || info.getThreadState() == Thread.State.TIMED_WAITING
            || info.getThreadState() == Thread.State.BLOCKED;
    boolean socket = false;
    for (int i = 0; i < Math.min(stack.length, 12); i++) {
      String cls = stack[i].getClassName();
      if (cls.startsWith("sun.nio.ch.NioSocketImpl")
          || cls.startsWith("java.net.SocketInputStream")
          || cls.startsWith("sun.nio.ch.SocketInputStream")) {
        socket = true;
        break;
      }
    }
    // From the bottom: the outermost phase of the loop the thread is in.
    String phase = "elsewhere";
    for (int i = stack.length - 1; i >= 0; i--) {
      String cls = stack[i].getClassName();
      String method = stack[i].getMethodName();
      if (cls.startsWith("org.apache.kafka.connect.runtime.")) {
        if (method.equals("sendRecords")) {
          phase = "send";
        } else if (method.startsWith("commit")
            || method.equals("beginSendIteration")
            || cls.contains("OffsetStorageWriter")
            || cls.contains("OffsetBackingStore")) {
          phase = phase.equals("send") ? phase : "commit";
        } else if (method.equals("poll") && phase.equals("elsewhere")) {
          phase = "poll";
        }
      }
    }
    if (phase.equals("send")) {
      for (StackTraceElement frame : stack) {
        String cls = frame.getClassName();
        if (cls.startsWith("org.apache.kafka.clients.producer.")) {
          return parked ? "send: producer, waiting" : "send: producer";
        }
        if (cls.contains("TransformationChain")
            || cls.contains("Converter")
            || cls.contains("connect.data.Values")) {
          return "send: transforms and converters";
        }
      }
      return parked ? "send: other, waiting" : "send: other";
    }
    if (phase.equals("poll")) {
      return socket ? "poll: socket read (database)" : parked ? "poll: waiting" : "poll: running";
    }
    return phase + (parked ? ", waiting" : "");
  }

  /**
   * One table per task thread, of the samples taken from {@code fromMs} to {@code toMs}: phase,
   * share of samples, innermost frames; then the thread's CPU time between its first and last
   * sample there.
   */
  String report(long fromMs, long toMs) {
    Map<String, List<Sample>> byThread = new TreeMap<>();
    synchronized (samples) {
      for (Sample sample : samples) {
        if (sample.timeMs() >= fromMs && sample.timeMs() <= toMs) {
          byThread.computeIfAbsent(sample.thread(), k -> new ArrayList<>()).add(sample);
        }
      }
    }
    StringBuilder out = new StringBuilder();
    byThread.forEach((thread, taken) -> out.append(table(thread, taken)));
    out.append(String.format("%nOne sample every %d ms.%n", INTERVAL_MS));
    return out.toString();
  }

  private static String table(String thread, List<Sample> taken) {
    Map<String, Long> phases = new HashMap<>();
    Map<String, Map<String, Long>> frames = new HashMap<>();
    for (Sample sample : taken) {
      phases.merge(sample.phase(), 1L, Long::sum);
      frames
          .computeIfAbsent(sample.phase(), k -> new HashMap<>())
          .merge(sample.frame(), 1L, Long::sum);
    }
    long total = taken.size();
    StringBuilder out = new StringBuilder();
    out.append(String.format("%n`%s`, %,d samples in the drain:%n%n", thread, total));
    out.append("| phase | share of samples | innermost frames outside the JDK |\n|---|---|---|\n");
    phases.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(
            e ->
                out.append(
                    String.format(
                        "| %s | %.0f%% | %s |%n",
                        e.getKey(),
                        100.0 * e.getValue() / total,
                        top(frames.get(e.getKey()), e.getValue()))));
    Sample first = taken.get(0);
    Sample last = taken.get(taken.size() - 1);
    long wallMs = last.timeMs() - first.timeMs();
    if (wallMs > 0 && first.cpuNanos() >= 0 && last.cpuNanos() >= 0) {
      double cpuMs = (last.cpuNanos() - first.cpuNanos()) / 1e6;
      out.append(
          String.format(
              "%nOn a CPU for %,.0f ms of the %,d ms between its first and last sample (%.0f%%).%n",
              cpuMs, wallMs, 100 * cpuMs / wallMs));
    }
    return out.toString();
  }

  /** The three most frequent frames, with their share of the phase's samples. */
  private static String top(Map<String, Long> counts, long total) {
    return counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(3)
        .map(e -> String.format("`%s` %.0f%%", e.getKey(), 100.0 * e.getValue() / total))
        .collect(Collectors.joining(", "));
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    sampler.join(5_000);
  }
}
