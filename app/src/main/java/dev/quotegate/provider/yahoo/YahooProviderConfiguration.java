package dev.quotegate.provider.yahoo;

import dev.quotegate.platform.UpstreamClient;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the Yahoo Finance adapter when {@code quotegate.providers.yahoo.enabled=true}. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty("quotegate.providers.yahoo.enabled")
class YahooProviderConfiguration {

  @Bean
  YahooAdapter yahooProvider(UpstreamClient client, YahooProperties props) {
    return new YahooAdapter(client, props);
  }
}
