package dev.quotegate.provider;

import dev.quotegate.calendar.Calendars;
import dev.quotegate.platform.UpstreamClient;
import dev.quotegate.provider.SymbolNormalizer.Convention;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What every real adapter shares: its name, configured capabilities (checked against what it
 * offers), plan limits, symbol convention and endpoint over the shared HTTP client, so an
 * adapter's own code is only its provider's requests and answers. Implements {@link
 * ProviderDescriptor}; subclasses add the data SPIs their provider offers.
 */
public abstract class ProviderAdapter implements ProviderDescriptor {

  private final String name;
  private final Set<Capability> capabilities;
  private final PlanLimits limits;
  private final Convention convention;
  private final boolean keyConfigured;
  /** The provider's base URL, fixed headers and key redaction. */
  protected final ProviderEndpoint endpoint;
  /** The provider-bound HTTP client: {@code call}, {@code checkStatus}, {@code decode}, errors. */
  protected final UpstreamClient.Provider http;

  /**
   * @param name the provider's name (its values' {@code source} and its metrics tag)
   * @param offered the capabilities this adapter implements
   * @param props its configuration
   * @param convention its symbol convention, or null when it takes every gateway symbol
   * @param client the shared upstream client
   * @param headers fixed request headers (authentication, Accept, User-Agent)
   */
  protected ProviderAdapter(
      String name, Set<Capability> offered, AdapterProperties props, Convention convention, UpstreamClient client,
      Map<String, String> headers) {
    this.name = Objects.requireNonNull(name, "name");
    // The calendars read their holiday data once; here, at start-up, never on an event loop.
    Calendars.init();
    this.capabilities = Capability.configured(name, props.useFor(), offered);
    this.limits = props.limits();
    this.convention = convention;
    this.keyConfigured = ApiKey.present(props.apiKey());
    this.endpoint = keyConfigured
        ? new ProviderEndpoint(client, name, props.baseUrl(), headers, props.apiKey().reveal())
        : new ProviderEndpoint(client, name, props.baseUrl(), headers);
    this.http = endpoint.http();
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final Set<Capability> capabilities() {
    return capabilities;
  }

  @Override
  public final PlanLimits limits() {
    return limits;
  }

  @Override
  public boolean supportsSymbol(String symbol) {
    return convention == null || SymbolNormalizer.toProvider(convention, symbol).isPresent();
  }

  @Override
  public final String endpoint() {
    return endpoint.endpoint();
  }

  @Override
  public final boolean keyConfigured() {
    return keyConfigured;
  }

  /** Most symbols per quote call: the plan's batch size. */
  public int maxBatchSize() {
    return limits.batchSize();
  }
}
