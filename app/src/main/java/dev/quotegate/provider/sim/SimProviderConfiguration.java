package dev.quotegate.provider.sim;

import dev.quotegate.platform.UpstreamClient;
import dev.quotegate.provider.BarProvider;
import dev.quotegate.provider.Capability;
import dev.quotegate.provider.PlanLimits;
import dev.quotegate.provider.ProviderDescriptor;
import dev.quotegate.provider.QuoteProvider;
import java.net.URI;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Supplier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** Wires the simulator adapter; with no base URL it follows the embedded simulator. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "quotegate.providers.sim", name = "enabled", matchIfMissing = true)
class SimProviderConfiguration {

  @Bean
  QuoteProvider simQuoteProvider(UpstreamClient client, SimProviderProperties props, Environment env) {
    return new SimQuoteProvider(client, props, baseUrl(props, env));
  }

  @Bean
  SimMarketProvider simMarketProvider(UpstreamClient client, SimProviderProperties props, Environment env) {
    return new SimMarketProvider(client, props, baseUrl(props, env));
  }

  /** The simulator's plan as configured (no limits unless set) and what it serves. */
  @Bean
  ProviderDescriptor simDescriptor(SimProviderProperties props, Environment env) {
    Supplier<URI> url = baseUrl(props, env);
    return new ProviderDescriptor() {
      @Override
      public String name() {
        return SimQuoteProvider.NAME;
      }

      @Override
      public Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
      }

      @Override
      public PlanLimits limits() {
        return new PlanLimits(props.requestsPerSecond(), props.requestsPerMinute(), props.requestsPerDay(),
            props.batchSize(), false);
      }

      @Override
      public String endpoint() {
        try {
          return url.get().toString();
        } catch (IllegalStateException notYet) {
          return "(embedded simulator)";
        }
      }

      @Override
      public boolean keyConfigured() {
        return false;
      }
    };
  }

  @Bean
  BarProvider simBarProvider(UpstreamClient client, SimProviderProperties props, Environment env) {
    return new SimBarProvider(client, props, baseUrl(props, env));
  }

  /**
   * The configured URL, or the embedded simulator's: it binds when the context starts, after
   * these beans exist, so its port is read at call time (a property lookup, no I/O).
   */
  static Supplier<URI> baseUrl(SimProviderProperties props, Environment env) {
    if (props.baseUrl() != null) {
      URI fixed = props.baseUrl();
      return () -> fixed;
    }
    return () -> {
      String port = env.getProperty("local.simulator.port");
      if (port == null) {
        throw new IllegalStateException(
            "quotegate.providers.sim.base-url is not set and no embedded simulator is running");
      }
      return URI.create("http://127.0.0.1:" + port);
    };
  }
}
