package dev.quotegate;

import dev.quotegate.cache.CacheProperties;
import dev.quotegate.platform.redis.RedisConnections;
import dev.quotegate.provider.ProviderKind;
import dev.quotegate.provider.ProviderRouter;
import dev.quotegate.provider.ResilienceProperties;
import dev.quotegate.provider.ResilienceProperties.Policy;
import dev.quotegate.provider.RoutingProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Checks at start-up that the timeouts bounding one fetch fit together, from the innermost
 * out: one attempt ({@code quotegate.resilience.providers.<name>.timeout}, each exchange within
 * it bounded by {@code quotegate.http-client.response-timeout}), a provider's attempts with
 * their backoffs and rate-limit waits, a chain of providers within {@code
 * quotegate.routing.deadline}, and, with Redis, the cross-instance lease ({@code
 * quotegate.cache.lease-ttl}) outlasting the slowest chain. What cannot work stops start-up
 * with a message naming the properties; what may cut a chain short is a warning.
 */
@Component
final class TimeoutBudget {

  private static final Logger log = LoggerFactory.getLogger(TimeoutBudget.class);

  TimeoutBudget(
      ProviderRouter router,
      RoutingProperties routing,
      ResilienceProperties resilience,
      CacheProperties cache,
      ObjectProvider<RedisConnections> redis) {
    List<String> errors = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    check(router.chainNames(), routing.deadline(), resilience, cache, redis.getIfAvailable() != null, errors, warnings);
    warnings.forEach(log::warn);
    if (!errors.isEmpty()) {
      throw new IllegalStateException("timeouts that cannot fit together:\n  " + String.join("\n  ", errors));
    }
  }

  /** The longest one provider's guarded call can take: its attempts, backoffs and permit waits. */
  static Duration worstCase(Policy p) {
    Duration total = p.timeout().multipliedBy(p.maxAttempts()).plus(p.rateLimitWait().multipliedBy(p.maxAttempts()));
    double backoff = p.retryBackoff().toNanos();
    for (int i = 1; i < p.maxAttempts(); i++) {
      long wait = (long) Math.min(backoff * (1 + p.retryJitter()), p.retryMaxBackoff().toNanos());
      total = total.plusNanos(wait);
      backoff *= p.retryMultiplier();
    }
    return total;
  }

  static void check(
      Map<ProviderKind<?>, List<String>> chains, Duration deadline, ResilienceProperties resilience,
      CacheProperties cache, boolean redis, List<String> errors, List<String> warnings) {
    Duration slowestChain = Duration.ZERO;
    List<String> checked = new ArrayList<>();
    for (Map.Entry<ProviderKind<?>, List<String>> chain : chains.entrySet()) {
      Duration sum = Duration.ZERO;
      for (String name : chain.getValue()) {
        Policy p = resilience.policy(name);
        Duration worst = worstCase(p);
        sum = sum.plus(worst);
        if (worst.compareTo(deadline) > 0 && !checked.contains(name)) {
          errors.add("quotegate.resilience.providers." + name + ": " + p.maxAttempts() + " attempts of "
              + ms(p.timeout()) + " with backoffs and permit waits take up to " + ms(worst)
              + ", longer than quotegate.routing.deadline (" + ms(deadline) + ") that ends every walk of a chain");
        }
        checked.add(name);
      }
      if (sum.compareTo(deadline) > 0 && chain.getValue().size() > 1) {
        warnings.add("quotegate.routing." + chain.getKey().key() + "=" + chain.getValue() + " can take up to " + ms(sum)
            + " when every provider times out, longer than quotegate.routing.deadline (" + ms(deadline)
            + "): the last providers may not be reached");
      }
      Duration bounded = sum.compareTo(deadline) > 0 ? deadline : sum;
      if (bounded.compareTo(slowestChain) > 0) {
        slowestChain = bounded;
      }
    }
    if (cache.leaseWait().compareTo(cache.leaseTtl()) >= 0) {
      errors.add("quotegate.cache.lease-wait (" + ms(cache.leaseWait()) + ") must be shorter than quotegate.cache.lease-ttl ("
          + ms(cache.leaseTtl()) + ")");
    }
    if (redis && cache.leaseTtl().compareTo(slowestChain) < 0) {
      errors.add("quotegate.cache.lease-ttl (" + ms(cache.leaseTtl()) + ") is shorter than the slowest chain can take ("
          + ms(slowestChain) + ", at most quotegate.routing.deadline): another instance would fetch while this one still may");
    }
  }

  private static String ms(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }
}
