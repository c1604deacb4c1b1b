package dev.quotegate.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SimulatorMainTest {

  @Test
  void readsCommandLineOptionsOverDefaults() {
    SimulatorProperties p = SimulatorMain.parse(new String[] {
        "--port=0", "--seed=7", "--batch-limit=50", "--latency-ms=25", "--error-rate=0.1",
        "--rate-limit-per-second=100", "--outage=true"});
    assertThat(p.port()).isZero();
    assertThat(p.seed()).isEqualTo(7);
    assertThat(p.batchLimit()).isEqualTo(50);
    assertThat(p.latency()).isEqualTo(Duration.ofMillis(25));
    assertThat(p.errorRate()).isEqualTo(0.1);
    assertThat(p.rateLimitPerSecond()).isEqualTo(100);
    assertThat(p.outage()).isTrue();
    assertThat(p.universeSize()).isEqualTo(500);
    assertThat(p.host()).isEqualTo("127.0.0.1");
  }

  @Test
  void rejectsUnknownOrInvalidOptions() {
    assertThatIllegalArgumentException().isThrownBy(() -> SimulatorMain.parse(new String[] {"--prot=1"}))
        .withMessageContaining("prot");
    assertThatIllegalArgumentException().isThrownBy(() -> SimulatorMain.parse(new String[] {"--port=x"}));
    assertThatIllegalArgumentException().isThrownBy(() -> SimulatorMain.parse(new String[] {"--error-rate=2"}));
    assertThatIllegalArgumentException().isThrownBy(() -> SimulatorMain.parse(new String[] {"8090"}));
  }
}
