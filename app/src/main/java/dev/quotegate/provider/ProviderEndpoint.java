package dev.quotegate.provider;

import dev.quotegate.platform.UpstreamClient;
import dev.quotegate.platform.UpstreamClient.Response;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.springframework.web.util.UriUtils;
import reactor.core.publisher.Mono;

/**
 * One provider's base URL and fixed headers (authentication, User-Agent) over the shared
 * {@link UpstreamClient}; each exchange is bounded by the client's response timeout, each
 * attempt by the provider's guard ({@code quotegate.resilience.providers.<name>.timeout}). Paths are appended to the base URL (so a base URL with a
 * path prefix, such as a proxy's, works); query values and path segments are encoded here.
 */
public final class ProviderEndpoint {

  private final UpstreamClient.Provider http;
  private final String base;
  private final Map<String, String> headers;
  private final Duration timeout;

  /**
   * @param secrets values redacted from every error message of this endpoint (API keys)
   */
  public ProviderEndpoint(UpstreamClient client, String name, URI baseUrl, Map<String, String> headers, String... secrets) {
    this.http = client.forBaseUrl(name, baseUrl, secrets);
    String b = baseUrl.toString();
    this.base = b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
    this.headers = Map.copyOf(headers);
    this.timeout = client.exchangeTimeout();
  }

  /** The provider-bound client: {@code call}, {@code checkStatus}, {@code decode}, errors. */
  public UpstreamClient.Provider http() {
    return http;
  }

  public String name() {
    return http.name();
  }

  /** The base URL without credentials (shown by the startup report). */
  public String endpoint() {
    return base;
  }

  /** GETs {@code path} with {@code query} (insertion order kept; null values skipped). */
  public Mono<Response> get(String path, Map<String, String> query) {
    return get(path, query, Map.of());
  }

  /** As {@link #get(String, Map)} with extra headers for this request (a session cookie). */
  public Mono<Response> get(String path, Map<String, String> query, Map<String, String> extraHeaders) {
    return Mono.defer(
        () -> {
          Map<String, String> h = headers;
          if (!extraHeaders.isEmpty()) {
            h = new HashMap<>(headers);
            h.putAll(extraHeaders);
          }
          return http.get(uri(path, query), h, timeout);
        });
  }

  /** {@code base + path + ?query}. */
  public URI uri(String path, Map<String, String> query) {
    StringBuilder sb = new StringBuilder(base.length() + path.length() + 64).append(base).append(path);
    char sep = path.indexOf('?') >= 0 ? '&' : '?';
    for (Map.Entry<String, String> e : query.entrySet()) {
      if (e.getValue() == null) {
        continue;
      }
      sb.append(sep).append(e.getKey()).append('=').append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
      sep = '&';
    }
    return URI.create(sb.toString());
  }

  /** One path segment, encoded ({@code BRK.B}, {@code ^GSPC}, {@code I:SPX}). */
  public static String segment(String value) {
    return UriUtils.encodePathSegment(value, StandardCharsets.UTF_8);
  }
}
