package dev.quotegate.provider;

import java.net.URI;
import java.util.Set;

/**
 * What every real adapter's configuration ({@code quotegate.providers.<name>.*}) says the same
 * way: where the provider is, its key, what it is used for, and its plan's limits, the one
 * place those are configured (the router sizes the provider's rate limiters and daily quota
 * from them). Each adapter's properties record implements it.
 */
public interface AdapterProperties {

  /** Whether the gateway uses this provider. */
  boolean enabled();

  /** The provider's API root. */
  URI baseUrl();

  /** The API key, or null/blank for a provider without one. */
  default ApiKey apiKey() {
    return null;
  }

  /** Most calls per second; 0 = unlimited. */
  int requestsPerSecond();

  /** Most calls per minute; 0 = unlimited. */
  int requestsPerMinute();

  /** Most calls per day; 0 = unlimited. */
  int requestsPerDay();

  /** Most symbols per quote call (1 for providers without batch calls). */
  default int batchSize() {
    return 1;
  }

  /** Whether a batch call costs one request per symbol it carries (Twelve Data's credits). */
  default boolean creditsPerSymbol() {
    return false;
  }

  /** What the gateway uses this provider for. */
  Set<Capability> useFor();

  /** The plan limits these properties state. */
  default PlanLimits limits() {
    return new PlanLimits(requestsPerSecond(), requestsPerMinute(), requestsPerDay(), batchSize(), creditsPerSymbol());
  }
}
