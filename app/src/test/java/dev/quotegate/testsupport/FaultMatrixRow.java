package dev.quotegate.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * One row of the fault matrix (docs/reliability.md, {@code app/bench/fault-matrix.sh}): a test
 * that breaks a dependency writes what it measured to {@code target/fault-matrix-<name>.txt}
 * as a Markdown table row, which the script gathers into one table.
 */
public record FaultMatrixRow(
    String fault, long requests, long non2xx, double p50Ms, double p99Ms, long upstreamCalls, String health,
    String note) {

  /** The row as a Markdown table line. */
  public String markdown() {
    return String.format(Locale.ROOT, "| %s | %,d | %,d | %.1f | %.1f | %,d | %s | %s |",
        fault, requests, non2xx, p50Ms, p99Ms, upstreamCalls, health, note.replace('|', '/'));
  }

  /** Writes (replaces) {@code target/fault-matrix-<name>.txt} with this row. */
  public void write(String name) {
    try {
      Files.createDirectories(Path.of("target"));
      Files.writeString(Path.of("target", "fault-matrix-" + name + ".txt"), markdown() + System.lineSeparator());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The q-quantile (0..1) of sorted nanosecond latencies, in milliseconds. */
  public static double quantileMs(long[] sortedNanos, double q) {
    if (sortedNanos.length == 0) {
      return 0;
    }
    return sortedNanos[Math.min(sortedNanos.length - 1, (int) Math.ceil(q * sortedNanos.length) - 1)] / 1e6;
  }
}
