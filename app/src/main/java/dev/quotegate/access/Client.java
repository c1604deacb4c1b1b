package dev.quotegate.access;

import java.util.Objects;

/**
 * Who is calling, as {@link ClientAccess} resolved it for an API request: a configured key, or
 * an anonymous caller known by its IP. Other features read it from the exchange attribute
 * {@value #ATTRIBUTE} (the client's {@link #id()}, a String) or {@value #CLIENT_ATTRIBUTE}
 * (this record), set before the handler runs on every {@code /api/**} route but the admin routes.
 *
 * @param id stable identity of the caller: {@code key:<key id>} or {@code ip:<address>}; keys
 *     the buckets and the stream slots (an address is never a metrics tag)
 * @param tag {@code anonymous} or the key id: the bounded metrics tag and the RateLimit policy name
 * @param requestsPerSecond refill rate of the client's bucket
 * @param burst size of the client's bucket
 * @param maxStreams most concurrent streams of the client in one instance
 */
public record Client(String id, String tag, double requestsPerSecond, int burst, int maxStreams) {

  /** Exchange attribute holding the resolved client's {@link #id()}. */
  public static final String ATTRIBUTE = "quotegate.client.id";

  /** Exchange attribute holding the resolved {@link Client}. */
  public static final String CLIENT_ATTRIBUTE = "quotegate.client";

  /** The tag (and policy name) of every anonymous caller. */
  public static final String ANONYMOUS = "anonymous";

  /** The tag (and key id) of a caller using the operator's admin token on the API. */
  public static final String OPERATOR = "admin";

  public Client {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(tag, "tag");
  }

  public boolean anonymous() {
    return ANONYMOUS.equals(tag);
  }
}
