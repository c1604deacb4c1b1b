package dev.quotegate.platform;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.stereotype.Component;

/**
 * Stops start-up when a property that no longer exists is set, naming what replaces it: a
 * removed property would otherwise be ignored in silence and the gateway would run with
 * another configuration than the operator wrote. Names are matched in their canonical form,
 * so {@code QUOTEGATE_HISTORY_PROVIDER} is caught like {@code quotegate.history.provider}.
 */
@Component
public final class RemovedProperties {

  /** A removed name (regex over canonical names, group 1 = the provider when there is one) and its replacement. */
  private record Removed(Pattern name, String replacement) {}

  private static final List<Removed> REMOVED = List.of(
      new Removed(Pattern.compile("quotegate\\.history\\.provider"),
          "quotegate.routing.bars (a chain of providers, e.g. [yahoo, sim])"),
      new Removed(Pattern.compile("quotegate\\.market\\.provider"),
          "quotegate.routing.profile, quotegate.routing.news, quotegate.routing.search and quotegate.routing.universe"),
      new Removed(Pattern.compile("quotegate\\.market\\.(profile-ttl|news-ttl|search-ttl)"),
          "quotegate.cache.kinds.profile.ttl, quotegate.cache.kinds.news.ttl, quotegate.cache.kinds.search.ttl"),
      new Removed(Pattern.compile("quotegate\\.market\\.max-entries"),
          "quotegate.cache.kinds.<profile|news|search>.l1-max-entries"),
      new Removed(Pattern.compile("quotegate\\.providers\\.([a-z0-9-]+)\\.timeout"),
          "quotegate.resilience.providers.$1.timeout (one attempt; one exchange is bounded by quotegate.http-client.response-timeout)"),
      new Removed(Pattern.compile("quotegate\\.resilience\\.providers\\.([a-z0-9-]+)\\.rate-limit-per-second"),
          "quotegate.providers.$1.requests-per-second (the plan's limits are configured with the provider)"),
      new Removed(Pattern.compile("quotegate\\.resilience\\.providers\\.([a-z0-9-]+)\\.rate-limit-per-minute"),
          "quotegate.providers.$1.requests-per-minute (the plan's limits are configured with the provider)"),
      new Removed(Pattern.compile("quotegate\\.resilience\\.providers\\.([a-z0-9-]+)\\.daily-quota"),
          "quotegate.providers.$1.requests-per-day (the plan's limits are configured with the provider)"),
      new Removed(Pattern.compile("quotegate\\.resilience\\.defaults\\.(rate-limit-per-second|rate-limit-per-minute|daily-quota)"),
          "quotegate.providers.<name>.requests-per-second|minute|day, per provider"),
      new Removed(Pattern.compile("quotegate\\.cache\\.kinds\\.quote\\.(ttl|stale-max-age|l1-max-entries)"),
          "quotegate.quotes.ttl-market-open / ttl-market-closed, quotegate.quotes.stale-max-age, quotegate.quotes.cache-max-entries"),
      new Removed(Pattern.compile("quotegate\\.cache\\.kinds\\.bars\\..*"),
          "nothing: bars are kept by the history store (quotegate.history.*)"));

  RemovedProperties(ConfigurableEnvironment env) {
    List<String> problems = check(env);
    if (!problems.isEmpty()) {
      throw new IllegalStateException("removed configuration properties are set:\n  " + String.join("\n  ", problems));
    }
  }

  /** One line per removed property set in {@code env}: its name and what replaces it. */
  static List<String> check(ConfigurableEnvironment env) {
    List<String> out = new ArrayList<>();
    for (ConfigurationPropertySource source : ConfigurationPropertySources.get(env)) {
      if (!(source instanceof IterableConfigurationPropertySource iterable)) {
        continue;
      }
      for (ConfigurationPropertyName name : iterable) {
        String n = name.toString();
        if (!n.startsWith("quotegate.")) {
          continue;
        }
        for (Removed r : REMOVED) {
          Matcher m = r.name().matcher(n);
          if (m.matches()) {
            String line = n + " is no longer read: use " + m.replaceAll(r.replacement());
            if (!out.contains(line)) {
              out.add(line);
            }
          }
        }
      }
    }
    return out;
  }
}
