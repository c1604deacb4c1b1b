package dev.quotegate.provider;

import dev.quotegate.platform.GatewayException.Upstream;
import dev.quotegate.platform.GatewayException.UpstreamFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One provider's cool-down: after a 429, or a 503 with Retry-After, no call is sent for as long
 * as the provider asked (its Retry-After, else {@code cooldownDefault}; at most {@code
 * cooldownMax}). Lock-free; the longest cool-down asked for wins.
 */
final class Cooldown {

  private record Window(Instant until, UpstreamFailure kind) {}

  private final Clock clock;
  private final Duration byDefault;
  private final Duration max;
  private final AtomicReference<Window> window = new AtomicReference<>();

  Cooldown(Clock clock, Duration byDefault, Duration max) {
    this.clock = clock;
    this.byDefault = byDefault;
    this.max = max;
  }

  /**
   * Opens (or extends) the cool-down if {@code e} asks for one; returns how long it now lasts
   * when this call opened it (for the log and the counter), else null.
   */
  Duration note(Throwable e) {
    if (!(e instanceof Upstream u)) {
      return null;
    }
    Duration wait;
    if (u.kind() == UpstreamFailure.RATE_LIMITED) {
      wait = u.retryAfter() != null ? u.retryAfter() : byDefault;
    } else if (u.kind() == UpstreamFailure.UNAVAILABLE && u.retryAfter() != null) {
      wait = u.retryAfter();
    } else {
      return null;
    }
    if (wait.compareTo(max) > 0) {
      wait = max;
    }
    if (wait.isZero() || wait.isNegative()) {
      return null;
    }
    Instant now = clock.instant();
    Window next = new Window(now.plus(wait), u.kind());
    Window previous = window.getAndAccumulate(next, (a, b) -> a == null || b.until().isAfter(a.until()) ? b : a);
    return previous == null || !now.isBefore(previous.until()) ? wait : null;
  }

  /** Time left, or null when no cool-down is in force. */
  Duration remaining() {
    Window w = window.get();
    if (w == null) {
      return null;
    }
    Duration left = Duration.between(clock.instant(), w.until());
    return left.isNegative() || left.isZero() ? null : left;
  }

  /** The kind of failure that opened the cool-down in force (rate-limited or unavailable), or null. */
  UpstreamFailure kind() {
    Window w = window.get();
    return w == null || remaining() == null ? null : w.kind();
  }

  /** When the cool-down in force ends, or null. */
  Instant until() {
    Window w = window.get();
    return w == null || remaining() == null ? null : w.until();
  }

  void reset() {
    window.set(null);
  }
}
