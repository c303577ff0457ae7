package dev.exxec.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The kit reaches a provider only through a subclass of {@link ConformanceKit}: JUnit must discover
 * every area, with every test of its contract, through inherited {@code @Nested} classes, and a
 * provider that is missing must fail the kit rather than skip it.
 */
class ConformanceKitDiscoveryTest {

    /** A provider module's test class, for a provider that is not on the class path. */
    static class MissingProviderKit extends ConformanceKit {
        @Override
        protected EnvironmentFactory factory() {
            return EnvironmentFactory.of("exxec-kit-missing-provider", Map.of());
        }
    }

    private static final LauncherDiscoveryRequest REQUEST =
            request().selectors(selectClass(MissingProviderKit.class)).build();

    /** The tests each nested area should have: the {@code @Test} methods of its class hierarchy. */
    private static Map<String, Integer> expectedTests() {
        Map<String, Integer> expected = new TreeMap<>();
        for (Class<?> area : ConformanceKit.class.getDeclaredClasses()) {
            if (!area.isAnnotationPresent(Nested.class)) {
                continue;
            }
            int tests = 0;
            for (Class<?> c = area; c != Object.class; c = c.getSuperclass()) {
                for (Method m : c.getDeclaredMethods()) {
                    if (m.isAnnotationPresent(Test.class)) {
                        tests++;
                    }
                }
            }
            expected.put(area.getSimpleName(), tests);
        }
        return expected;
    }

    @Test
    void everyAreaAndEveryTestIsDiscoveredThroughASubclass() {
        TestPlan plan = LauncherFactory.create().discover(REQUEST);
        TestIdentifier kit = plan.getRoots().stream()
                .flatMap(root -> plan.getChildren(root).stream())
                .findFirst()
                .orElseThrow();
        Map<String, Integer> discovered = new TreeMap<>();
        for (TestIdentifier area : plan.getChildren(kit)) {
            discovered.put(area.getDisplayName(), plan.getChildren(area).size());
        }
        Map<String, Integer> expected = expectedTests();
        assertThat(expected).as("areas nested in ConformanceKit").hasSizeGreaterThanOrEqualTo(14);
        assertThat(discovered).isEqualTo(expected);
    }

    @Test
    void everyContractIsNestedInTheKit() {
        Set<Class<?>> nestedSuperclasses = Arrays.stream(ConformanceKit.class.getDeclaredClasses())
                .filter(c -> c.isAnnotationPresent(Nested.class))
                .map(Class::getSuperclass)
                .collect(Collectors.toSet());
        List<Class<?>> contracts = List.of(
                LanguageContract.class,
                CommandContract.class,
                StreamingContract.class,
                DeadlineContract.class,
                OutputLimitContract.class,
                EnvironmentVariableContract.class,
                ConcurrencyContract.class,
                FileContract.class,
                BackgroundProcessContract.class,
                TerminalContract.class,
                LifecycleContract.class,
                BadInputContract.class,
                HostileContract.class,
                HostileKernelContract.class,
                HostileFilesContract.class,
                HostileHelpersContract.class,
                HostileDriverContract.class,
                DriverIntegrityContract.class);
        assertThat(nestedSuperclasses).containsAll(contracts);
    }

    @Test
    void aMissingProviderFailsTheKitInsteadOfSkippingIt() {
        List<String> failures = new ArrayList<>();
        List<String> passed = new ArrayList<>();
        LauncherFactory.create().execute(REQUEST, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (result.getStatus() == TestExecutionResult.Status.FAILED) {
                    failures.add(id.getDisplayName() + ": "
                            + result.getThrowable().map(Throwable::getMessage).orElse(""));
                } else if (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL && id.isTest()) {
                    passed.add(id.getDisplayName());
                }
            }
        });
        assertThat(passed).as("no test can pass without the provider").isEmpty();
        assertThat(failures)
                .as("every area fails, naming the provider")
                .hasSizeGreaterThanOrEqualTo(14)
                .allSatisfy(f -> assertThat(f).contains("exxec-kit-missing-provider"));
    }
}
