package dev.quotegate.testsupport;

import org.springframework.context.annotation.Bean;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * For several gateway contexts in one JVM: each gets Reactor Netty resources of its own.
 * With Boot's default (global resources) closing one context disposes the shared event loops
 * and stops the other contexts' servers. Pass as an extra source to SpringApplicationBuilder
 * (deliberately not a {@code @Configuration}, so component scanning never picks it up).
 */
public class IsolatedNetty {

  @Bean
  ReactorResourceFactory reactorResourceFactory() {
    ReactorResourceFactory factory = new ReactorResourceFactory();
    factory.setUseGlobalResources(false);
    return factory;
  }
}
