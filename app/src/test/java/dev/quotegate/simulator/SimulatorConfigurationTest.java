package dev.quotegate.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.DependsOn;
import org.springframework.core.env.Environment;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.test.StepVerifier;

@SpringBootTest(
    classes = SimulatorConfiguration.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {"quotegate.simulator.port=0", "quotegate.simulator.universe-size=50"})
class SimulatorConfigurationTest {

  @Autowired Simulator simulator;
  @Autowired Environment environment;

  @Test
  void startsWithTheContextOnARandomPortAndPublishesIt() {
    assertThat(simulator.isRunning()).isTrue();
    assertThat(environment.getProperty("local.simulator.port", Integer.class))
        .isEqualTo(simulator.port())
        .isNotEqualTo(8090);
    StepVerifier.create(HttpClient.create().protocol(HttpProtocol.H2C)
            .get().uri("http://127.0.0.1:" + simulator.port() + "/v1/symbols")
            .responseSingle((res, body) -> body.asString()))
        .assertNext(body -> assertThat(body).startsWith("{\"count\":50,"))
        .expectComplete()
        .verify(Duration.ofSeconds(10));
  }

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withUserConfiguration(SimulatorConfiguration.class)
      .withPropertyValues("quotegate.simulator.port=0", "quotegate.simulator.universe-size=20");

  @Test
  void staysOffWhenDisabled() {
    runner.withPropertyValues("quotegate.simulator.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(Simulator.class));
  }

  @Test
  void refusesInvalidSettings() {
    runner.withPropertyValues("quotegate.simulator.error-rate=1.5")
        .run(context -> assertThat(context).hasFailed());
  }

  @Test
  void stopsWhenTheContextCloses() {
    Simulator[] seen = new Simulator[1];
    runner.run(context -> seen[0] = context.getBean(Simulator.class));
    assertThat(seen[0].isRunning()).isFalse();
  }

  @Test
  void letsBeansResolveTheBoundPortWhenTheyAreBuilt() {
    runner.withUserConfiguration(PortConsumer.class).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean("simulatorUrl", String.class))
          .isEqualTo("http://127.0.0.1:" + context.getBean(Simulator.class).port());
    });
  }

  @Configuration(proxyBeanMethods = false)
  static class PortConsumer {
    @Bean
    @DependsOn("simulator")
    String simulatorUrl(@Value("http://127.0.0.1:${local.simulator.port}") String url) {
      return url;
    }
  }
}
