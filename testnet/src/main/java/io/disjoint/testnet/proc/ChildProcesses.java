package io.disjoint.testnet.proc;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every child process a testnet started, so that a JVM shutdown (Ctrl-C, SIGTERM, a failed test)
 * never leaves orphans: one shutdown hook destroys whatever is still alive.
 */
public final class ChildProcesses {
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
  private static volatile boolean hookInstalled;

  private ChildProcesses() {}

  public static void track(Process process) {
    installHook();
    LIVE.add(process);
    process.onExit().thenRun(() -> LIVE.remove(process));
  }

  /** Asks politely (SIGTERM), then forcibly after {@code graceMillis}. */
  public static void stop(Process process, long graceMillis) {
    if (!process.isAlive()) {
      LIVE.remove(process);
      return;
    }
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    LIVE.remove(process);
  }

  public static int liveCount() {
    return (int) LIVE.stream().filter(Process::isAlive).count();
  }

  private static synchronized void installHook() {
    if (hookInstalled) {
      return;
    }
    hookInstalled = true;
    Runtime.getRuntime().addShutdownHook(new Thread(ChildProcesses::stopAll, "disjoint-children-reaper"));
  }

  static void stopAll() {
    List<Process> all = new ArrayList<>(LIVE);
    all.forEach(Process::destroy);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    for (Process p : all) {
      try {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !p.waitFor(left, TimeUnit.NANOSECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
      }
    }
  }
}
