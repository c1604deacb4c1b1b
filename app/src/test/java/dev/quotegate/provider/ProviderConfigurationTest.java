package dev.quotegate.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.platform.UpstreamClient;
import dev.quotegate.provider.finnhub.FinnhubProperties;
import dev.quotegate.testsupport.TestUpstream;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.FilterType;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** Which adapters exist for which settings, and what a wrong setting does at startup. */
class ProviderConfigurationTest {

  @Configuration(proxyBeanMethods = false)
  // Test configurations of other test classes in these packages are not part of the wiring.
  @ComponentScan(value = "dev.quotegate.provider",
      excludeFilters = @ComponentScan.Filter(type = FilterType.ANNOTATION, classes = TestConfiguration.class))
  @ConfigurationPropertiesScan("dev.quotegate.provider")
  static class Providers {
    @Bean
    SimpleMeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }

    @Bean(destroyMethod = "close")
    UpstreamClient upstreamClient(SimpleMeterRegistry registry) {
      return TestUpstream.client(registry);
    }

    @Bean
    Clock clock() {
      return Clock.systemUTC();
    }
  }

  final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
          .withUserConfiguration(Providers.class)
          .withPropertyValues("quotegate.providers.sim.base-url=http://127.0.0.1:9");

  @Test
  void realProvidersAreOffByDefault() {
    runner.run(ctx -> {
      assertThat(ctx).hasNotFailed();
      assertThat(ctx.getBeansOfType(ProviderDescriptor.class)).isEmpty();
      assertThat(ctx.getBeansOfType(QuoteProvider.class)).hasSize(1);
      assertThat(ctx.getBean(ProviderStartupReport.class).lines()).as("the simulator's quote, bar and market-data beans in one line")
          .containsExactly("provider sim: used for [QUOTES, BARS, PROFILE, NEWS, SEARCH]; batch 20");
    });
  }

  @Test
  void everyProviderEnabledWithKeysFromTheEnvironment() {
    runner
        .withInitializer(c -> c.getEnvironment().getPropertySources().addFirst(new SystemEnvironmentPropertySource("env", Map.of(
            "QUOTEGATE_PROVIDERS_FINNHUB_API_KEY", "env-fh-key",
            "QUOTEGATE_PROVIDERS_ALPHAVANTAGE_API_KEY", "env-av-key",
            "QUOTEGATE_PROVIDERS_POLYGON_API_KEY", "env-pg-key",
            "QUOTEGATE_PROVIDERS_TWELVEDATA_API_KEY", "env-td-key"))))
        .withPropertyValues(
            "quotegate.providers.yahoo.enabled=true",
            "quotegate.providers.finnhub.enabled=true",
            "quotegate.providers.finnhub.use-for=quotes,news",
            "quotegate.providers.alphavantage.enabled=true",
            "quotegate.providers.polygon.enabled=true",
            "quotegate.providers.twelvedata.enabled=true")
        .run(ctx -> {
          assertThat(ctx).hasNotFailed();
          assertThat(ctx.getBeansOfType(ProviderDescriptor.class).values()).extracting(ProviderDescriptor::name)
              .containsExactlyInAnyOrder("yahoo", "finnhub", "alphavantage", "polygon", "twelvedata");
          assertThat(ctx.getBean(FinnhubProperties.class).apiKey().reveal()).isEqualTo("env-fh-key");
          assertThat(ctx.getBeansOfType(BarProvider.class)).as("every adapter that can serve bars, and the simulator")
              .containsKeys("yahooProvider", "finnhubProvider", "alphaVantageProvider", "polygonProvider", "twelveDataProvider")
              .hasSize(6);
          assertThat(ctx.getBeansOfType(ProviderDescriptor.class).values())
              .filteredOn(d -> d.capabilities().contains(Capability.BARS)).as("configured for bars")
              .extracting(ProviderDescriptor::name).containsExactlyInAnyOrder("yahoo", "alphavantage", "polygon", "twelvedata");
          List<String> lines = ctx.getBean(ProviderStartupReport.class).lines();
          assertThat(lines).hasSize(6).anySatisfy(l -> assertThat(l).startsWith(
              "provider finnhub: used for [QUOTES, NEWS]; limits 30/s 60/min unlimited/day, batch 1; endpoint https://finnhub.io/api/v1; api key set"));
          assertThat(lines).anySatisfy(l -> assertThat(l).startsWith(
              "provider twelvedata: used for [QUOTES, BARS, SEARCH]; limits unlimited/s 8/min 800/day, batch 8 (a credit per symbol)"));
          assertThat(lines).anySatisfy(l -> assertThat(l).contains("provider yahoo:").contains("api key not needed"));
          assertThat(String.join("\n", lines)).doesNotContain("env-fh-key", "env-av-key", "env-pg-key", "env-td-key");
          for (String name : ctx.getBeanNamesForType(Record.class)) {
            assertThat(ctx.getBean(name).toString()).doesNotContain("env-fh-key", "env-av-key", "env-pg-key", "env-td-key");
          }
        });
  }

  @Test
  void enabledWithoutAKeyFailsStartupNamingTheVariable() {
    runner.withPropertyValues("quotegate.providers.polygon.enabled=true").run(ctx -> {
      assertThat(ctx).hasFailed();
      assertThat(ctx.getStartupFailure()).rootCause().hasMessageContaining("QUOTEGATE_PROVIDERS_POLYGON_API_KEY");
    });
    runner.withPropertyValues("quotegate.providers.alphavantage.enabled=true", "quotegate.providers.alphavantage.api-key= ")
        .run(ctx -> assertThat(ctx).hasFailed());
  }

  @Test
  void aCapabilityTheProviderDoesNotOfferFailsStartup() {
    runner.withPropertyValues("quotegate.providers.twelvedata.enabled=true", "quotegate.providers.twelvedata.api-key=k",
            "quotegate.providers.twelvedata.use-for=quotes,news")
        .run(ctx -> {
          assertThat(ctx).hasFailed();
          assertThat(ctx.getStartupFailure()).rootCause().hasMessageContaining("use-for lists [NEWS], which twelvedata does not offer");
        });
  }

  @Test
  void aBaseUrlThatIsNeitherHttpNorHttpsFailsStartup() {
    runner.withPropertyValues("quotegate.providers.yahoo.enabled=true", "quotegate.providers.yahoo.base-url=ftp://example.com")
        .run(ctx -> assertThat(ctx).hasFailed());
  }

  @Test
  void apiKeyNeverPrintsItself() {
    assertThat(ApiKey.valueOf("secret-123").toString()).isEqualTo("ApiKey[****]");
    assertThat(ApiKey.valueOf("  ").present()).isFalse();
    assertThat(ApiKey.present(null)).isFalse();
  }
}
