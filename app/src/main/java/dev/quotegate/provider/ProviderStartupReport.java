package dev.quotegate.provider;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Logs, once the application is ready, which providers are configured and what each is used
 * for, with its plan limits and endpoint. It contacts no provider and prints no key (only
 * whether one is set).
 */
@Component
class ProviderStartupReport {

  private static final Logger log = LoggerFactory.getLogger(ProviderStartupReport.class);

  private final ObjectProvider<ProviderDescriptor> descriptors;
  private final ApplicationContext context;

  ProviderStartupReport(ObjectProvider<ProviderDescriptor> descriptors, ApplicationContext context) {
    this.descriptors = descriptors;
    this.context = context;
  }

  @EventListener(ApplicationReadyEvent.class)
  void report() {
    for (String line : lines()) {
      log.info(line);
    }
  }

  /** One line per provider, sorted by name; a warning line when none is configured. */
  List<String> lines() {
    Map<String, String> byName = new TreeMap<>();
    for (ProviderDescriptor d : descriptors.orderedStream().toList()) {
      PlanLimits l = d.limits();
      byName.put(d.name(), String.format(
          "provider %s: used for %s; limits %s/s %s/min %s/day, batch %d%s; endpoint %s; api key %s",
          d.name(), d.capabilities().isEmpty() ? "nothing" : d.capabilities(), limit(l.requestsPerSecond()),
          limit(l.requestsPerMinute()), limit(l.requestsPerDay()), l.batchSize(),
          l.creditsPerSymbol() ? " (a credit per symbol)" : "", d.endpoint(), d.keyConfigured() ? "set" : "not needed"));
    }
    // A provider without a descriptor (the simulator, a test's own) is used for every kind
    // of data it has a bean of, as routing sees it; it may be split over several beans (the
    // simulator's quotes, bars and market data).
    Map<String, Set<Capability>> undescribed = new TreeMap<>();
    Map<String, Integer> batch = new TreeMap<>();
    for (ProviderKind<?> kind : ProviderKind.ALL) {
      collect(kind, undescribed, batch);
    }
    undescribed.forEach((name, used) -> byName.putIfAbsent(name, String.format(
        "provider %s: used for %s%s", name, used, batch.containsKey(name) ? "; batch " + batch.get(name) : "")));
    List<String> out = new ArrayList<>(byName.values());
    if (out.isEmpty()) {
      out.add("no market-data provider is configured: every upstream request will fail");
    }
    return out;
  }

  private <P> void collect(ProviderKind<P> kind, Map<String, Set<Capability>> used, Map<String, Integer> batch) {
    Capability capability = Capability.valueOf(kind.key().toUpperCase(Locale.ROOT));
    for (P p : context.getBeanProvider(kind.type()).orderedStream().toList()) {
      if (p instanceof ProviderDescriptor) {
        continue;
      }
      String name = kind.nameOf(p);
      used.computeIfAbsent(name, n -> EnumSet.noneOf(Capability.class)).add(capability);
      if (p instanceof QuoteProvider q) {
        batch.putIfAbsent(name, q.maxBatchSize());
      }
    }
  }

  private static String limit(int n) {
    return n == 0 ? "unlimited" : Integer.toString(n);
  }
}
