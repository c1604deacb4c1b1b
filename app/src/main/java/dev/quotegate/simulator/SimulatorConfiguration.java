package dev.quotegate.simulator;

import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;

/**
 * Runs the simulated exchange inside the application when {@code quotegate.simulator.enabled} is
 * true (the default).
 *
 * <p>The {@link Simulator} bean is bound as soon as it is created, and its port is published at
 * once as {@code local.simulator.port} (like Boot's {@code local.server.port}), so a bean that
 * resolves {@code ${local.simulator.port}} when it is built only has to be created after the
 * {@code simulator} bean: inject {@link Simulator}, or annotate it {@code @DependsOn("simulator")}.
 * A {@link SmartLifecycle} in an early phase restarts it after a context stop/start and stops it
 * (after the gateway's own lifecycle beans) on shutdown.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(
    prefix = "quotegate.simulator",
    name = "enabled",
    havingValue = "true",
    matchIfMissing = true)
@EnableConfigurationProperties(SimulatorProperties.class)
public class SimulatorConfiguration {

  /** Name of the property holding the simulator's bound port. */
  public static final String PORT_PROPERTY = "local.simulator.port";

  private static final String PROPERTY_SOURCE = "simulator.ports";

  /** The running simulator; stopped on context close even if refresh fails. */
  @Bean(destroyMethod = "stop")
  public Simulator simulator(SimulatorProperties properties, ConfigurableEnvironment environment) {
    Simulator simulator = Simulator.create(properties).start();
    publishPort(environment, simulator.port());
    return simulator;
  }

  @Bean
  SimulatorLifecycle simulatorLifecycle(Simulator simulator, ConfigurableEnvironment environment) {
    return new SimulatorLifecycle(simulator, environment);
  }

  static void publishPort(ConfigurableEnvironment environment, int port) {
    MutablePropertySources sources = environment.getPropertySources();
    PropertySource<?> source = new MapPropertySource(PROPERTY_SOURCE, Map.of(PORT_PROPERTY, port));
    if (sources.contains(PROPERTY_SOURCE)) {
      sources.replace(PROPERTY_SOURCE, source);
    } else {
      sources.addFirst(source);
    }
  }

  /** Starts early, stops late, so gateway components never see it missing. */
  static final class SimulatorLifecycle implements SmartLifecycle {

    /** Well before the web server and gateway components (which use the default phases). */
    static final int PHASE = Integer.MIN_VALUE + 1_000;

    private final Simulator simulator;
    private final ConfigurableEnvironment environment;

    SimulatorLifecycle(Simulator simulator, ConfigurableEnvironment environment) {
      this.simulator = simulator;
      this.environment = environment;
    }

    @Override
    public void start() {
      simulator.start();
      publishPort(environment, simulator.port());
    }

    @Override
    public void stop() {
      simulator.stop();
    }

    @Override
    public boolean isRunning() {
      return simulator.isRunning();
    }

    @Override
    public int getPhase() {
      return PHASE;
    }
  }
}
