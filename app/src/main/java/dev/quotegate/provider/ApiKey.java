package dev.quotegate.provider;

import java.util.Objects;

/**
 * A provider API key. Bound from configuration (normally the environment, e.g.
 * {@code QUOTEGATE_PROVIDERS_FINNHUB_API_KEY}); its {@link #toString()} never shows the
 * value, so it cannot leak through a properties record's {@code toString}, a log line or an
 * actuator endpoint. Only an adapter building a request calls {@link #reveal()}.
 */
public final class ApiKey {

  private final String value;

  private ApiKey(String value) {
    this.value = value;
  }

  /** The key from its configured text; used by Spring's binder too. Blank text is no key. */
  public static ApiKey valueOf(String value) {
    String v = value == null ? "" : value.trim();
    return new ApiKey(v);
  }

  /** Whether a non-blank key was configured. */
  public boolean present() {
    return !value.isEmpty();
  }

  /** The key itself, for building a request header or query parameter. */
  public String reveal() {
    return value;
  }

  /** Whether {@code key} is set and non-blank. */
  public static boolean present(ApiKey key) {
    return key != null && key.present();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ApiKey k && k.value.equals(value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(value);
  }

  @Override
  public String toString() {
    return value.isEmpty() ? "ApiKey[none]" : "ApiKey[****]";
  }
}
