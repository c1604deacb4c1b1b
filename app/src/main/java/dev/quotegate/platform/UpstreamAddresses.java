package dev.quotegate.platform;

import io.micrometer.core.instrument.config.MeterFilter;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which provider each upstream address ({@code host:port}) belongs to, learnt from the calls
 * made. Reactor Netty tags its pool and client meters with the remote address, which a metrics
 * endpoint should not publish; {@link #meterFilter()} replaces it by the provider's name.
 * Bounded by the number of configured providers' hosts.
 */
public final class UpstreamAddresses {

  private final Map<String, String> names = new ConcurrentHashMap<>();

  /** Records that {@code provider} is called at {@code uri}'s host and port. */
  void record(String provider, URI uri) {
    int port = uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    String address = uri.getHost() + ":" + port;
    if (!provider.equals(names.get(address))) {
      names.put(address, provider);
    }
  }

  /** The provider called at {@code address}, or {@code "upstream"}. */
  public String providerOf(String address) {
    String name = address == null ? null : names.get(address);
    return name != null ? name : "upstream";
  }

  /** Replaces the {@code remote.address} meter tag by {@link #providerOf}. */
  public MeterFilter meterFilter() {
    return MeterFilter.replaceTagValues("remote.address", this::providerOf);
  }
}
