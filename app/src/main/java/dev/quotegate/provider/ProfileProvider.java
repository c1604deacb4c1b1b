package dev.quotegate.provider;

import reactor.core.publisher.Mono;

/** An upstream source of company profiles. */
public interface ProfileProvider {

  String name();

  /** The profile, or {@link dev.quotegate.platform.GatewayException.NotFound}. */
  Mono<Profile> profile(String symbol);
}
