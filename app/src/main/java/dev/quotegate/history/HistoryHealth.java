package dev.quotegate.history;

import dev.quotegate.platform.UpstreamHealth;
import io.r2dbc.pool.PoolMetrics;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ValidationDepth;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import reactor.core.publisher.Mono;

/**
 * Health component {@code history}: validates a pooled connection. A database that is down
 * (or not yet migrated) shows {@code database: DOWN} in the details and the component as
 * {@code DEGRADED}, not {@code DOWN}: the gateway keeps serving history from the provider (not
 * stored), so the instance must stay in its load balancer (DEGRADED maps to HTTP 200).
 */
final class HistoryHealth implements ReactiveHealthIndicator {

  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

  private final R2dbcHistoryStore store;

  HistoryHealth(R2dbcHistoryStore store) {
    this.store = store;
  }

  @Override
  public Mono<Health> health() {
    HistoryDatabase db = store.database();
    if (!db.migrated()) {
      return Mono.just(down(db, "schema not migrated: " + db.migrationError()));
    }
    return Mono.usingWhen(db.pool().create(), c -> Mono.from(c.validate(ValidationDepth.REMOTE)), Connection::close)
        .subscribeOn(db.scheduler())
        .timeout(PROBE_TIMEOUT)
        .map(valid -> valid ? up(db) : down(db, "connection failed validation"))
        .onErrorResume(e -> Mono.just(down(db, HistoryDatabase.rootMessage(e))));
  }

  private Health up(HistoryDatabase db) {
    Map<String, Object> d = details(db, "UP");
    d.put("stored", store.available());
    return Health.up().withDetails(d).build();
  }

  private Health down(HistoryDatabase db, String error) {
    Map<String, Object> d = details(db, "DOWN");
    d.put("error", error);
    d.put("mode", "history served from the provider, not stored");
    return Health.status(UpstreamHealth.DEGRADED).withDetails(d).build();
  }

  private static Map<String, Object> details(HistoryDatabase db, String status) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("database", status);
    d.put("dialect", db.dialect().label);
    d.put("target", db.description());
    PoolMetrics m = db.pool().getMetrics().orElse(null);
    if (m != null) {
      d.put("pool", Map.of("acquired", m.acquiredSize(), "idle", m.idleSize(), "pending", m.pendingAcquireSize(),
          "max", m.getMaxAllocatedSize()));
    }
    return d;
  }
}
