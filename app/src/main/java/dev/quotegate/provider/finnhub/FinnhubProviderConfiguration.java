package dev.quotegate.provider.finnhub;

import dev.quotegate.platform.UpstreamClient;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the Finnhub adapter when {@code quotegate.providers.finnhub.enabled=true}. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty("quotegate.providers.finnhub.enabled")
class FinnhubProviderConfiguration {

  @Bean
  FinnhubAdapter finnhubProvider(UpstreamClient client, FinnhubProperties props, Clock clock) {
    return new FinnhubAdapter(client, props, clock);
  }
}
