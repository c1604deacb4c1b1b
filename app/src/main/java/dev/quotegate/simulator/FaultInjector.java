package dev.quotegate.simulator;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Holds the current {@link Faults} and decides, per request, which fault (if any) applies. The
 * random draws come from one seeded {@link Random}, which is safe for concurrent use.
 */
final class FaultInjector {

  /** What to do with one request. */
  enum Action { ANSWER, OUTAGE, RATE_LIMITED, HANG, ERROR, MALFORMED }

  /**
   * The decision for one request.
   *
   * @param action the fault, or ANSWER
   * @param delay latency plus jitter to wait before acting (zero for OUTAGE and RATE_LIMITED)
   * @param errorStatus 500, 502 or 503 for ERROR
   * @param cut fraction of the body kept for MALFORMED
   */
  record Plan(Action action, Duration delay, int errorStatus, double cut) {}

  private static final int[] ERROR_STATUSES = {500, 502, 503};

  private final AtomicReference<Faults> faults;
  private final Faults initial;
  private final Random random;
  private final LongSupplier millis;
  private final AtomicReference<Window> window = new AtomicReference<>(new Window(Long.MIN_VALUE, 0));

  private record Window(long second, int count) {}

  FaultInjector(Faults initial, long seed, LongSupplier millis) {
    this.initial = initial;
    this.faults = new AtomicReference<>(initial);
    this.random = new Random(seed);
    this.millis = millis;
  }

  Faults current() {
    return faults.get();
  }

  void set(Faults value) {
    faults.set(value);
  }

  /** Back to the faults the simulator was started with. */
  void reset() {
    faults.set(initial);
  }

  /**
   * Decides the fate of a request that has just arrived. Order: outage, rate limit (both answered
   * at once), then after latency + jitter: hang, error, malformed body, or the real answer.
   */
  Plan plan() {
    Faults f = faults.get();
    // every arrival takes a slot in the current second, whatever happens to it afterwards
    boolean limited = f.rateLimitPerSecond() > 0 && countInWindow() > f.rateLimitPerSecond();
    if (f.outage()) {
      return new Plan(Action.OUTAGE, Duration.ZERO, 503, 0);
    }
    if (limited) {
      return new Plan(Action.RATE_LIMITED, Duration.ZERO, 429, 0);
    }
    Duration delay = f.latency();
    if (!f.jitter().isZero()) {
      delay = delay.plusMillis((long) (random.nextDouble() * (f.jitter().toMillis() + 1)));
    }
    if (hit(f.hangRate())) {
      return new Plan(Action.HANG, delay, 0, 0);
    }
    if (hit(f.errorRate())) {
      return new Plan(Action.ERROR, delay, ERROR_STATUSES[random.nextInt(ERROR_STATUSES.length)], 0);
    }
    if (hit(f.malformedRate())) {
      return new Plan(Action.MALFORMED, delay, 200, 0.2 + random.nextDouble() * 0.6);
    }
    return new Plan(Action.ANSWER, delay, 200, 0);
  }

  private boolean hit(double rate) {
    return rate > 0 && (rate >= 1 || random.nextDouble() < rate);
  }

  /** Counts this arrival in the current wall-clock second and returns its position. */
  private int countInWindow() {
    long second = Math.floorDiv(millis.getAsLong(), 1000);
    Window next = window.updateAndGet(w -> w.second() == second
        ? new Window(second, w.count() + 1) : new Window(second, 1));
    return next.count();
  }
}
