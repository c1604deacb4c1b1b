package dev.quotegate.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.observation.ObservationPredicate;
import org.junit.jupiter.api.Test;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;

/** Stream connections are not observed as requests; every other request is. */
class StreamObservationTest {

  private final ObservationPredicate predicate = new StreamConfiguration().streamRequestsNotObserved();

  private boolean observed(String path) {
    MockServerHttpRequest request = MockServerHttpRequest.get(path).build();
    return predicate.test("http.server.requests",
        new ServerRequestObservationContext(request, new MockServerHttpResponse(), java.util.Map.of()));
  }

  @Test
  void streamsAreNotObservedAsRequestsOtherRequestsAre() {
    assertThat(observed("/api/v1/stream/quotes?symbols=AAPL")).isFalse();
    assertThat(observed("/api/v1/stream/ws")).isFalse();
    assertThat(observed("/api/v1/quotes/AAPL")).isTrue();
    assertThat(observed("/api/v1/streams")).as("only the stream routes").isTrue();
    assertThat(predicate.test("something.else", new io.micrometer.observation.Observation.Context())).isTrue();
  }
}
