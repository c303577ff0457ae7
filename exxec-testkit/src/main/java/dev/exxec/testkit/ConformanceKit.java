package dev.exxec.testkit;

import dev.exxec.Language;
import org.junit.jupiter.api.Nested;

/**
 * The conformance kit: the environment contract (DESIGN.md §2) as JUnit tests, and its hostile half
 * (DESIGN.md §5) for environments that declare isolation {@code OS_SANDBOX} or stronger. A provider module proves its environments keep the contract with one test class:
 *
 * {@snippet :
 * class LocalConformanceTest extends ConformanceKit {
 *     @Override
 *     protected EnvironmentFactory factory() {
 *         return EnvironmentFactory.of("local", Map.of(), HostProbe.localHost());
 *     }
 * }
 * }
 *
 * <p>The tests are grouped in {@link Nested} classes, one per area; each area shares one environment
 * between its tests and closes every environment it made. What the environment does not declare in
 * its {@link dev.exxec.Capabilities} is skipped with the reason; a provider that is unavailable on
 * this machine is skipped too, or fails when {@code EXXEC_REQUIRE_ALL=1} (see {@link Requirements}).
 * Checks that processes and workspaces are really gone need the factory's {@link HostProbe}.
 */
public abstract class ConformanceKit {

    /** How the kit makes the environments under test; called once per area. */
    protected abstract EnvironmentFactory factory();

    @Nested
    class PythonCode extends LanguageContract {
        PythonCode() {
            super(ConformanceKit.this.factory(), Language.PYTHON);
        }
    }

    @Nested
    class JavaScriptCode extends LanguageContract {
        JavaScriptCode() {
            super(ConformanceKit.this.factory(), Language.JAVASCRIPT);
        }
    }

    @Nested
    class TypeScriptCode extends LanguageContract {
        TypeScriptCode() {
            super(ConformanceKit.this.factory(), Language.TYPESCRIPT);
        }
    }

    @Nested
    class ShellCommands extends CommandContract {
        ShellCommands() {
            super(ConformanceKit.this.factory());
        }
    }

    @Nested
    class EventStreams extends StreamingContract {
        EventStreams() {
            super(ConformanceKit.this.factory());
        }
    }

    @Nested
    class Deadlines extends DeadlineContract {
        Deadlines() {
            super(ConformanceKit.this.factory());
        }
    }

    @Nested
    class OutputLimits extends OutputLimitContract {
        OutputLimits() {
            super(ConformanceKit.this.factory());
        }
    }

    @Nested
    class EnvironmentVariables extends EnvironmentVariableContract {
        EnvironmentVariables() {
            super(ConformanceKit.this.factory());
        }
    }

    @Nested
    class Concurrency extends ConcurrencyContract {
        Concurrency() {
            super(ConformanceKit.this.factory());
        }
    }

    @Nested
    class FileAccess extends FileContract {
        FileAccess() {
            super(ConformanceKit.this.factory());
        }
    }

    @Nested
    class BackgroundProcesses extends BackgroundProcessContract {
        BackgroundProcesses() {
            super(ConformanceKit.this.factory());
        }
    }

    @Nested
    class PseudoTerminals extends TerminalContract {
        PseudoTerminals() {
            super(ConformanceKit.this.factory());
        }
    }

    @Nested
    class Sessions extends SessionContract {
        Sessions() {
            super(ConformanceKit.this.factory());
        }
    }

    @Nested
    class Lifecycle extends LifecycleContract {
        Lifecycle() {
            super(ConformanceKit.this.factory());
        }
    }

    @Nested
    class BadInput extends BadInputContract {
        BadInput() {
            super(ConformanceKit.this.factory());
        }
    }

    @Nested
    class DriverIntegrity extends DriverIntegrityContract {
        DriverIntegrity() {
            super(ConformanceKit.this.factory());
        }
    }

    @Nested
    class HostileOutcomes extends HostileOutcomeContract {
        HostileOutcomes() {
            super(ConformanceKit.this.factory());
        }
    }

    /** Skipped as a whole, before any program runs, below isolation {@code OS_SANDBOX}. */
    @Nested
    class HostileDrivers extends HostileDriverContract {
        HostileDrivers() {
            super(ConformanceKit.this.factory());
        }
    }

    /** Skipped as a whole, before any program runs, below isolation {@code OS_SANDBOX}. */
    @Nested
    class HostileCode extends HostileContract {
        HostileCode() {
            super(ConformanceKit.this.factory());
        }
    }

    /** The kernel the environment shares with the host; skipped as a whole below {@code OS_SANDBOX}. */
    @Nested
    class HostileKernel extends HostileKernelContract {
        HostileKernel() {
            super(ConformanceKit.this.factory());
        }
    }

    /** Hostile code racing {@code files()}; skipped like {@link HostileCode}. */
    @Nested
    class HostileFiles extends HostileFilesContract {
        HostileFiles() {
            super(ConformanceKit.this.factory());
        }
    }

    /** Hostile code against the environment's own helpers; skipped like {@link HostileCode}. */
    @Nested
    class HostileHelpers extends HostileHelpersContract {
        HostileHelpers() {
            super(ConformanceKit.this.factory());
        }
    }

    /** What the second hostile review of the sandbox found; skipped like {@link HostileCode}. */
    @Nested
    class HostileReview extends HostileReviewContract {
        HostileReview() {
            super(ConformanceKit.this.factory());
        }
    }

    /** What the second hostile review of docker found, for any isolated provider; skipped like {@link HostileCode}. */
    @Nested
    class HostileDockerReview extends HostileDockerReviewContract {
        HostileDockerReview() {
            super(ConformanceKit.this.factory());
        }
    }
}
