package dev.quotegate.cache;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A cached value with the time it was fetched from upstream and the time it stops being
 * fresh. Past {@code expiresAt} it may still be served, marked stale, when upstream fails.
 */
public record Cached<V>(V value, Instant fetchedAt, Instant expiresAt) {

  public Cached {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(fetchedAt, "fetchedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  public boolean isFresh(Instant now) {
    return now.isBefore(expiresAt);
  }

  /** How old our copy is: time since it was fetched upstream. */
  public Duration age(Instant now) {
    Duration d = Duration.between(fetchedAt, now);
    return d.isNegative() ? Duration.ZERO : d;
  }

  /** Time left until it turns stale, zero once stale. */
  public Duration remaining(Instant now) {
    Duration d = Duration.between(now, expiresAt);
    return d.isNegative() ? Duration.ZERO : d;
  }
}
