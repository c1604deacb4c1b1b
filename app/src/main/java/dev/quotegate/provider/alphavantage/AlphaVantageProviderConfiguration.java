package dev.quotegate.provider.alphavantage;

import dev.quotegate.platform.UpstreamClient;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the Alpha Vantage adapter when {@code quotegate.providers.alphavantage.enabled=true}. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty("quotegate.providers.alphavantage.enabled")
class AlphaVantageProviderConfiguration {

  @Bean
  AlphaVantageAdapter alphaVantageProvider(UpstreamClient client, AlphaVantageProperties props, Clock clock) {
    return new AlphaVantageAdapter(client, props, clock);
  }
}
