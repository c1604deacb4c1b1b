package dev.quotegate.stream;

import java.time.Duration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/**
 * A client holds its maximum of concurrent streams: 429 problem+json
 * ({@code code: too-many-requests}) with Retry-After, through the application's problem
 * handler.
 */
final class StreamLimitExceeded extends ResponseStatusException {

  private final Duration retryAfter;

  StreamLimitExceeded(String detail, Duration retryAfter) {
    super(HttpStatus.TOO_MANY_REQUESTS, detail);
    this.retryAfter = retryAfter;
  }

  @Override
  public HttpHeaders getHeaders() {
    HttpHeaders h = new HttpHeaders();
    h.set(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, retryAfter.toSeconds())));
    return h;
  }
}
