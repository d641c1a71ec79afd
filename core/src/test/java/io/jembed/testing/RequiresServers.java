package io.jembed.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * This test class (or method) runs against real servers: PostgreSQL with pgvector, OpenSearch with
 * k-NN, Chromium. {@code ./test-all} starts them and passes their addresses in environment
 * variables. Without them the tests are skipped with a message that says how to run them, unless
 * {@code JEMBED_TEST_SERVERS_REQUIRED=1} (set by {@code ./test-all}) or {@code CI=true}, where a
 * missing server fails the tests.
 *
 * <p>Test methods, constructors and lifecycle methods can take the servers as parameters: {@link
 * TestServers.Postgres}, {@link TestServers.OpenSearch}, {@link TestServers.Chromium}.
 *
 * <pre>{@code
 * @RequiresServers(TestServer.POSTGRES)
 * class PgVectorStoreTest {
 *   @Test
 *   void searches(TestServers.Postgres postgres) throws SQLException {
 *     try (Connection connection = postgres.connect()) { ... }
 *   }
 * }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(TestServersExtension.class)
public @interface RequiresServers {
  TestServer[] value();
}
