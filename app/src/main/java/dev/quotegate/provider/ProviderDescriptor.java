package dev.quotegate.provider;

import java.util.Set;

/**
 * What routing and resilience need to know about a real provider adapter, without calling
 * it: its name, what it is configured to be used for, its plan limits and which symbols it
 * can serve. Every adapter under {@code provider/<name>} implements it next to the data SPIs
 * ({@link QuoteProvider}, {@link BarProvider}, ...) it offers.
 *
 * <p>An adapter implements every SPI its provider offers; {@link #capabilities()} is the
 * subset the operator enabled ({@code quotegate.providers.<name>.use-for}). Routing must not
 * call an adapter for a capability outside that set.
 */
public interface ProviderDescriptor {

  /** The provider's name: the {@code source} of its values and its metrics tag. */
  String name();

  /** What this provider is configured to be used for. */
  Set<Capability> capabilities();

  /** Plan limits as configured. */
  PlanLimits limits();

  /**
   * Whether this provider can serve {@code symbol} (gateway form) at all: a US-only provider
   * answers false for {@code VOD.L}, so routing skips it instead of caching "not found".
   */
  default boolean supportsSymbol(String symbol) {
    return true;
  }

  /** Where it is reached (scheme, host, port and path only; never credentials). */
  String endpoint();

  /** Whether an API key is configured (never the key itself). */
  boolean keyConfigured();
}
