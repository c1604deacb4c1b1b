package dev.quotegate.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.platform.GatewayException.Upstream;
import dev.quotegate.platform.GatewayException.UpstreamFailure;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretsTest {

  private static final List<String> KEY = List.of("pk9Xa-7QmZ2e41LbT");

  @Test
  void redactsTheWholeKey() {
    assertThat(Secrets.redact("GET /quote?token=pk9Xa-7QmZ2e41LbT failed", KEY)).isEqualTo("GET /quote?token=**** failed");
  }

  @Test
  void redactsAnyFragmentOfTheKey() {
    // a parser quoting the token it stopped at: the part before the '-'
    assertThat(Secrets.redact("Unrecognized token 'pk9Xa': was expecting", KEY))
        .isEqualTo("Unrecognized token '****': was expecting");
    // an error page echoing the key's tail, or a prefix of it
    assertThat(Secrets.redact("invalid key ...7QmZ2e41LbT", KEY)).doesNotContain("7QmZ").doesNotContain("41Lb");
    assertThat(Secrets.redact("key pk9X rejected", KEY)).isEqualTo("key **** rejected");
  }

  @Test
  void leavesTextWithoutFragmentsAlone() {
    assertThat(Secrets.redact("HTTP 401 on quotes", KEY)).isEqualTo("HTTP 401 on quotes");
    assertThat(Secrets.redact("pk9", KEY)).isEqualTo("pk9");
  }

  @Test
  void clientsGetTheGatewaysSentenceNotTheProvidersText() {
    Upstream e = new Upstream("finnhub", UpstreamFailure.MALFORMED, "undecodable body: Unrecognized token 'FAKEKEY'");
    assertThat(e.detail()).isEqualTo("provider finnhub answered an undecodable body");
    assertThat(e.getMessage()).contains("FAKEKEY");
    assertThat(Upstream.ofGateway(UpstreamFailure.TIMEOUT, "no provider answered within 30000 ms", null).detail())
        .isEqualTo("no provider answered within 30000 ms");
  }
}
