package io.disjoint.staking.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of every thread of this process, from /proc/self/task/TID/stat (utime + stime, in
 * clock ticks of 10 ms), grouped by what the thread does. Native threads (RocksDB's flush and
 * compaction pool, the JVM's GC and JIT threads) are invisible to ThreadMXBean, hence /proc.
 * Threads that exit between two snapshots lose their time: callers measure their own.
 */
final class ThreadCpu {
  /** Thread name prefixes (Linux keeps the first 15 characters) and the group they count for. */
  private static final List<Map.Entry<String, String>> GROUPS = List.of(
      Map.entry("receipt-store-b", "builder"),
      Map.entry("receipt-store-w", "writer"),
      Map.entry("receipt-store-s", "syncer"),
      Map.entry("rocksdb", "rocksdb bg"),
      Map.entry("GC Thread", "gc"),
      Map.entry("G1 ", "gc"),
      Map.entry("C1 Compiler", "jit"),
      Map.entry("C2 Compiler", "jit"));
  static final List<String> ORDER = List.of("builder", "writer", "syncer", "rocksdb bg", "gc", "jit", "other");
  private static final long NANOS_PER_TICK = 10_000_000L;

  private final Map<Long, Long> nanosByTid;
  private final Map<Long, String> groupByTid;

  private ThreadCpu(Map<Long, Long> nanosByTid, Map<Long, String> groupByTid) {
    this.nanosByTid = nanosByTid;
    this.groupByTid = groupByTid;
  }

  static ThreadCpu snapshot() throws IOException {
    Map<Long, Long> nanos = new HashMap<>();
    Map<Long, String> groups = new HashMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = Files.readString(task.resolve("comm")).strip();
          // fields after the ")" that closes the name: state is field 3, utime 14, stime 15
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
          long tid = Long.parseLong(task.getFileName().toString());
          nanos.put(tid, ticks * NANOS_PER_TICK);
          groups.put(tid, groupOf(name));
        } catch (IOException | RuntimeException gone) {
          // the thread exited while we listed it
        }
      }
    }
    return new ThreadCpu(nanos, groups);
  }

  private static String groupOf(String name) {
    for (Map.Entry<String, String> g : GROUPS) {
      if (name.startsWith(g.getKey())) {
        return g.getValue();
      }
    }
    return "other";
  }

  /** CPU nanoseconds per group spent since {@code before}, in {@link #ORDER}. */
  Map<String, Long> since(ThreadCpu before) {
    Map<String, Long> out = new LinkedHashMap<>();
    ORDER.forEach(g -> out.put(g, 0L));
    nanosByTid.forEach((tid, now) -> {
      long delta = now - before.nanosByTid.getOrDefault(tid, 0L);
      out.merge(groupByTid.get(tid), delta, Long::sum);
    });
    return out;
  }

  /** "builder 4.5 | syncer 5.0 | ..." microseconds per item. */
  static String perItem(Map<String, Long> nanos, long items) {
    StringBuilder sb = new StringBuilder();
    nanos.forEach((group, n) -> sb.append(sb.isEmpty() ? "" : " | ")
        .append(group).append(' ').append(String.format("%.1f", n / 1e3 / items)));
    return sb.toString();
  }
}
