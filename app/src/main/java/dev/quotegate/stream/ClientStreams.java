package dev.quotegate.stream;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.web.reactive.function.server.ServerRequest;

/**
 * Open streams per client, for {@code max-connections-per-client}. One entry per client with
 * at least one open stream (removed with its last one), so the table is bounded by
 * {@code max-connections}.
 */
final class ClientStreams {

  private final int maxPerClient;
  private final ConcurrentHashMap<String, AtomicInteger> open = new ConcurrentHashMap<>();

  ClientStreams(int maxPerClient) {
    this.maxPerClient = maxPerClient;
  }

  /**
   * Who a stream counts against. For now the remote IP; when the API-key filter resolves a
   * client id into an exchange attribute, key on that here (this is the one place to switch).
   * Behind a proxy, configure {@code server.forward-headers-strategy} so this is the client's
   * address, not the proxy's.
   */
  static String clientKey(ServerRequest request) {
    return request.remoteAddress()
        .map(a -> a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString())
        .orElse("unknown");
  }

  /** Takes a slot of {@code client}; false at its limit. */
  boolean tryOpen(String client) {
    boolean[] taken = {false};
    open.compute(client, (k, n) -> {
      AtomicInteger count = n == null ? new AtomicInteger() : n;
      if (count.get() < maxPerClient) {
        count.incrementAndGet();
        taken[0] = true;
      }
      return count.get() == 0 ? null : count;
    });
    return taken[0];
  }

  void closed(String client) {
    open.computeIfPresent(client, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
  }

  /** Clients with at least one open stream. */
  int clients() {
    return open.size();
  }

  int open(String client) {
    AtomicInteger n = open.get(client);
    return n == null ? 0 : n.get();
  }

  int maxPerClient() {
    return maxPerClient;
  }
}
