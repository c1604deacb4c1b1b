package dev.quotegate.web;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.support.RouterFunctionMapping;

/**
 * Puts the API's functional routes ahead of the actuator's handler mappings.
 *
 * <p>The dispatcher asks its handler mappings in order until one answers. By default the
 * actuator's endpoint mappings (order -100, annotated-method style: a read lock, pattern and
 * {@code produces} conditions per endpoint) are asked first, so every API request paid for a
 * miss there before reaching its route: about 4 % of the event loops' CPU on the hot quote path
 * (docs/benchmarks.md). With the routes first, only actuator requests pay for a miss, and theirs
 * is cheap (no route matches {@code /actuator/**}).
 */
@Component
class ApiRoutesFirst implements BeanPostProcessor {

  /** Before the actuator's {@code WebFluxEndpointHandlerMapping} (-100). */
  static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 100;

  @Override
  public Object postProcessBeforeInitialization(Object bean, String beanName) {
    if (bean instanceof RouterFunctionMapping mapping) {
      mapping.setOrder(ORDER);
    }
    return bean;
  }
}
