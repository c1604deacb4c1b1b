package dev.quotegate.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Checks {@link RequiresServices} before a test class runs (a plain TCP connect). */
public final class ServicesCondition implements ExecutionCondition {

  /** Whether missing services fail the build instead of skipping tests. */
  public static boolean required() {
    return Boolean.parseBoolean(System.getenv().getOrDefault("QUOTEGATE_REQUIRE_SERVICES", "false"));
  }

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    Optional<RequiresServices> annotation =
        context.getTestClass().map(c -> c.getAnnotation(RequiresServices.class));
    if (annotation.isEmpty()) {
      return ConditionEvaluationResult.enabled("no services required");
    }
    for (RequiresServices.Service s : annotation.get().value()) {
      if (!reachable(s.host, s.port)) {
        String reason = s.label + " is not reachable at " + s.host + ":" + s.port;
        if (required()) {
          throw new IllegalStateException(reason + " and QUOTEGATE_REQUIRE_SERVICES=true");
        }
        System.out.println("SKIPPED " + context.getDisplayName() + ": " + reason);
        return ConditionEvaluationResult.disabled(reason);
      }
    }
    return ConditionEvaluationResult.enabled("services reachable");
  }

  static boolean reachable(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
