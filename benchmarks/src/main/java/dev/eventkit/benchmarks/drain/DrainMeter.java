package dev.eventkit.benchmarks.drain;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * What a drain cost, measured from the first record read from the topic to the last: CPU of the
 * whole machine and of this JVM (from Linux's {@code /proc}; the rest of the machine is the
 * embedded database, the only other busy process), time the JIT compiler spent, and the largest
 * heap left after a garbage collection (what the JVM retained, not what it allocated).
 *
 * <p>Everything runs in this one JVM (broker, worker, the benchmark's reading consumer) on a
 * machine with few cores, so CPU per row, not rate alone, says what a system costs.
 */
final class DrainMeter implements AutoCloseable {

  /** The heap's memory pools (not Metaspace or the code cache), by name. */
  private static final Set<String> HEAP_POOLS =
      ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(pool -> pool.getType() == MemoryType.HEAP)
          .map(MemoryPoolMXBean::getName)
          .collect(Collectors.toSet());

  /** Clock ticks per second of {@code /proc} times: 100 on every Linux this runs on. */
  private static final double TICKS_PER_SECOND = 100;

  private final long[] machineStart;
  private final long jvmStart;
  private final long jitStart;
  private final AtomicLong peakLiveHeap = new AtomicLong();
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final NotificationListener listener = this::onGc;

  private DrainMeter() {
    machineStart = machineTicks();
    jvmStart = jvmTicks();
    jitStart = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(listener, null, null);
        emitters.add(emitter);
      }
    }
  }

  static DrainMeter start() {
    return new DrainMeter();
  }

  /** The cost of {@code rows} rows since {@link #start()}. */
  Cost stop(int rows) {
    long[] machine = machineTicks();
    long busy = machine[0] - machineStart[0];
    long jvm = jvmTicks() - jvmStart;
    close();
    double micros = 1_000_000 / TICKS_PER_SECOND / rows;
    return new Cost(
        busy * micros,
        jvm * micros,
        Math.max(0, busy - jvm) * micros,
        ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jitStart,
        peakLiveHeap.get() / (1024.0 * 1024.0));
  }

  @Override
  public void close() {
    for (NotificationEmitter emitter : emitters) {
      try {
        emitter.removeNotificationListener(listener);
      } catch (javax.management.ListenerNotFoundException e) {
        // already removed
      }
    }
    emitters.clear();
  }

  private void onGc(Notification notification, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
        notification.getType())) {
      return;
    }
    GarbageCollectionNotificationInfo info =
        GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
    long live =
        info.getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
            .filter(pool -> HEAP_POOLS.contains(pool.getKey()))
            .mapToLong(pool -> pool.getValue().getUsed())
            .sum();
    peakLiveHeap.accumulateAndGet(live, Math::max);
  }

  /** Busy and total ticks of all cores, from the first line of /proc/stat; zeros elsewhere. */
  private static long[] machineTicks() {
    try {
      String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      long total = 0;
      for (int i = 1; i < fields.length; i++) {
        long value = Long.parseLong(fields[i]);
        total += value;
        if (i != 4 && i != 5) { // idle, iowait
          busy += value;
        }
      }
      return new long[] {busy, total};
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
  }

  /** User and system ticks of this process (all its threads: JIT and GC included). */
  private static long jvmTicks() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /**
   * One drain's cost: CPU microseconds per row of the machine, of this JVM and of the rest (the
   * database), milliseconds the JIT compiled, and the peak heap after a collection in MiB.
   */
  record Cost(
      double cpuMicrosPerRow,
      double jvmMicrosPerRow,
      double databaseMicrosPerRow,
      long jitMillis,
      double peakLiveHeapMib) {}
}
