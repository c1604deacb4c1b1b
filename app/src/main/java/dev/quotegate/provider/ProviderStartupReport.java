package dev.quotegate.provider;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
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
  private final ObjectProvider<QuoteProvider> quoteProviders;

  ProviderStartupReport(ObjectProvider<ProviderDescriptor> descriptors, ObjectProvider<QuoteProvider> quoteProviders) {
    this.descriptors = descriptors;
    this.quoteProviders = quoteProviders;
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
    for (QuoteProvider q : quoteProviders.orderedStream().toList()) {
      if (!(q instanceof ProviderDescriptor)) {
        byName.putIfAbsent(q.name(), String.format("provider %s: used for [QUOTES]; batch %d", q.name(), q.maxBatchSize()));
      }
    }
    List<String> out = new ArrayList<>(byName.values());
    if (out.isEmpty()) {
      out.add("no market-data provider is configured: every upstream request will fail");
    }
    return out;
  }

  private static String limit(int n) {
    return n == 0 ? "unlimited" : Integer.toString(n);
  }
}
