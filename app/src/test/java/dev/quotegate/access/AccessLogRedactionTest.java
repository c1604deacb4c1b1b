package dev.quotegate.access;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AccessLogRedactionTest {

  @Test
  void masksTheQueryKeyHoweverItsNameIsSpelled() {
    assertThat(AccessLogRedaction.redact("/api/v1/stream/quotes?symbols=AAPL&api_key=s3cr3t-key"))
        .isEqualTo("/api/v1/stream/quotes?symbols=AAPL&api_key=****");
    assertThat(AccessLogRedaction.redact("/api/v1/stream/quotes?api%5Fkey=s3cr3t-key&symbols=A"))
        .isEqualTo("/api/v1/stream/quotes?api%5Fkey=****&symbols=A");
    assertThat(AccessLogRedaction.redact("/x?API_KEY=s3cr3t-key")).doesNotContain("s3cr3t");
    assertThat(AccessLogRedaction.redact("/x?%zz=s3cr3t-key")).as("undecodable name").doesNotContain("s3cr3t");
    assertThat(AccessLogRedaction.redact("/api/v1/quotes?symbols=AAPL")).isEqualTo("/api/v1/quotes?symbols=AAPL");
    assertThat(AccessLogRedaction.redact("/api/v1/quotes/AAPL")).isEqualTo("/api/v1/quotes/AAPL");
  }
}
