package io.jembed.testing;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Runs, skips or fails a {@link RequiresServers} test by what the environment offers, and hands the
 * servers to test methods as parameters.
 */
public final class TestServersExtension implements ExecutionCondition, ParameterResolver {
  // the skip reason goes to the build log once per server: surefire shows skips only as a count
  private static final Set<TestServer> REPORTED = ConcurrentHashMap.newKeySet();

  private final TestServers servers = TestServers.fromEnvironment();

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    List<TestServer> needed =
        context
            .getElement()
            .flatMap(element -> AnnotationSupport.findAnnotation(element, RequiresServers.class))
            .map(annotation -> List.of(annotation.value()))
            .orElse(List.of());
    ConditionEvaluationResult result = servers.evaluate(needed);
    if (result.isDisabled()) {
      needed.stream()
          .filter(server -> servers.missing(server).isPresent() && REPORTED.add(server))
          .forEach(server -> System.err.println("[jembed] skipped: " + servers.skipReason(server)));
    }
    return result;
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == TestServers.Postgres.class
        || type == TestServers.OpenSearch.class
        || type == TestServers.Chromium.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    if (type == TestServers.Postgres.class) {
      return servers.postgres();
    }
    if (type == TestServers.OpenSearch.class) {
      return servers.openSearch();
    }
    return servers.chromium();
  }
}
