package dev.quotegate.provider;

/**
 * The one place that names the routing and resilience meters. Tag values are bounded: provider
 * names come from the configured beans, capabilities and outcomes from fixed sets.
 */
final class ProviderMeters {

  /**
   * Counter, tags {@code provider}, {@code capability}, {@code outcome}: one per guarded call
   * (after retries) with {@code success|not_found|error|timeout|malformed|rate_limited|rejected},
   * plus {@code fallback} each time a request moves on from this provider to the next one in
   * its chain (or to stale values).
   */
  static final String CALLS = "quotegate.provider.calls";

  /**
   * Counter, tags {@code provider}, {@code reason=circuit_open|cooldown|rate_limiter|bulkhead|quota}:
   * calls the gateway did not send.
   */
  static final String REJECTIONS = "quotegate.provider.rejections";

  /** Counter, tags {@code provider}, {@code reason=rate_limited|unavailable}: cool-downs opened. */
  static final String COOLDOWNS = "quotegate.provider.cooldowns";

  /** Counter, tags {@code provider}, {@code to=open|half_open|closed|forced_open|...}: circuit transitions. */
  static final String TRANSITIONS = "quotegate.provider.circuit.transitions";

  /** Gauge, tag {@code provider}: calls left today under the daily quota. */
  static final String QUOTA_REMAINING = "quotegate.provider.quota.remaining";

  /** Gauge, tag {@code provider}: 1 while a cool-down is in force. */
  static final String COOLING_DOWN = "quotegate.provider.cooldown.active";

  private ProviderMeters() {}
}
