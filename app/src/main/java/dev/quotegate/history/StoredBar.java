package dev.quotegate.history;

import dev.quotegate.provider.Bar;
import java.time.Instant;
import java.util.Objects;

/** A bar as the store holds it: with when and from whom it was fetched. */
record StoredBar(Bar bar, Instant fetchedAt, String source) {
  StoredBar {
    Objects.requireNonNull(bar, "bar");
    Objects.requireNonNull(fetchedAt, "fetchedAt");
    Objects.requireNonNull(source, "source");
  }
}
