package dev.quotegate.provider.twelvedata;

import dev.quotegate.platform.UpstreamClient;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the Twelve Data adapter when {@code quotegate.providers.twelvedata.enabled=true}. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty("quotegate.providers.twelvedata.enabled")
class TwelveDataProviderConfiguration {

  @Bean
  TwelveDataAdapter twelveDataProvider(UpstreamClient client, TwelveDataProperties props, java.time.Clock clock) {
    return new TwelveDataAdapter(client, props, clock);
  }
}
