package dev.quotegate.access;

import dev.quotegate.access.RateLimitProperties.OnRedisFailure;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The meters of client access, all registered at start-up. The {@code client} tag is a
 * configured key id, {@code admin} (the operator's token) or {@code anonymous}: a bounded set,
 * never a key or an address.
 *
 * <ul>
 *   <li>{@code quotegate.ratelimit.requests{client, outcome=allowed|rejected}}: API requests
 *       that passed or were refused (429) by their bucket
 *   <li>{@code quotegate.ratelimit.tokens{client}}: tokens taken by allowed requests
 *   <li>{@code quotegate.ratelimit.fallback{mode=local|allow|refuse}}: requests decided without
 *       Redis because it failed
 *   <li>{@code quotegate.ratelimit.streams.refused{client}}: streams refused (429) over the
 *       client's concurrent-stream limit
 *   <li>{@code quotegate.access.keys.refused{reason=missing|invalid|misplaced}}: requests refused
 *       with 401
 *   <li>{@code quotegate.cors.rejected}: cross-origin requests refused (403) or preflights refused
 * </ul>
 */
final class AccessMeters {

  private record PerClient(Counter allowed, Counter rejected, Counter tokens, Counter streamsRefused) {}

  private final Map<String, PerClient> clients = new HashMap<>();
  private final Map<OnRedisFailure, Counter> fallback = new HashMap<>();
  private final Map<String, Counter> keysRefused = new HashMap<>();
  private final Counter corsRejected;

  AccessMeters(MeterRegistry registry, List<String> keyIds) {
    List<String> tags = new ArrayList<>(keyIds);
    tags.add(Client.ANONYMOUS);
    tags.add(Client.OPERATOR);
    for (String t : tags) {
      clients.put(t, new PerClient(
          requests(registry, t, "allowed"),
          requests(registry, t, "rejected"),
          Counter.builder("quotegate.ratelimit.tokens")
              .description("Rate-limit tokens taken by allowed API requests, by client (key id or anonymous)")
              .tag("client", t).register(registry),
          Counter.builder("quotegate.ratelimit.streams.refused")
              .description("Streams refused because the client held its most concurrent streams")
              .tag("client", t).register(registry)));
    }
    for (OnRedisFailure m : OnRedisFailure.values()) {
      fallback.put(m, Counter.builder("quotegate.ratelimit.fallback")
          .description("API requests whose rate limit was decided without Redis because Redis failed")
          .tag("mode", m.name().toLowerCase(Locale.ROOT)).register(registry));
    }
    for (String reason : List.of("missing", "invalid", "misplaced")) {
      keysRefused.put(reason, Counter.builder("quotegate.access.keys.refused")
          .description("API requests refused with 401: key missing where required, unknown, or sent where it is not accepted")
          .tag("reason", reason).register(registry));
    }
    corsRejected = Counter.builder("quotegate.cors.rejected")
        .description("Cross-origin requests and preflights refused with 403 (origin, method or header not allowed)")
        .register(registry);
  }

  private static Counter requests(MeterRegistry registry, String client, String outcome) {
    return Counter.builder("quotegate.ratelimit.requests")
        .description("API requests checked against their client's token bucket, by client and outcome")
        .tag("client", client).tag("outcome", outcome).register(registry);
  }

  void decided(Client client, RateDecision d, int cost) {
    PerClient p = clients.get(client.tag());
    if (p == null) {
      return;
    }
    if (d.allowed()) {
      p.allowed().increment();
      p.tokens().increment(cost);
    } else {
      p.rejected().increment();
    }
  }

  void streamRefused(Client client) {
    PerClient p = clients.get(client.tag());
    if (p != null) {
      p.streamsRefused().increment();
    }
  }

  void fallback(OnRedisFailure mode) {
    fallback.get(mode).increment();
  }

  void keyRefused(String reason) {
    keysRefused.get(reason).increment();
  }

  void corsRejected() {
    corsRejected.increment();
  }
}
