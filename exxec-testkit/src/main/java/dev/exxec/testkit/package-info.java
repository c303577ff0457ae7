/**
 * The conformance kit: the contract of {@link dev.exxec.ExecutionEnvironment} as JUnit tests that
 * every provider runs.
 *
 * <p>A provider module plugs in with one test class that extends {@link
 * dev.exxec.testkit.ConformanceKit} and says how to make its environments:
 *
 * {@snippet :
 * class LocalConformanceTest extends ConformanceKit {
 *     @Override
 *     protected EnvironmentFactory factory() {
 *         return EnvironmentFactory.of("local", Map.of(), HostProbe.localHost());
 *     }
 * }
 * }
 */
@NullMarked
package dev.exxec.testkit;

import org.jspecify.annotations.NullMarked;
