package dev.quotegate.cache;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/** How long a value of one kind stays fresh: {@link TtlPolicy} for quotes, a fixed TTL else. */
@FunctionalInterface
public interface Freshness {

  /** When a value fetched at {@code fetchedAt} stops being fresh. */
  Instant expiresAt(Instant fetchedAt);

  /** Fresh for {@code ttl} after it was fetched. */
  static Freshness fixed(Duration ttl) {
    Objects.requireNonNull(ttl, "ttl");
    return fetchedAt -> fetchedAt.plus(ttl);
  }
}
