package dev.exxec.cli;

import dev.exxec.Exxec;
import dev.exxec.spi.ExecutionProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code exxec providers}: which providers exist, whether they work here, and how to configure one. */
@Command(
        name = "providers",
        sortOptions = false,
        mixinStandardHelpOptions = true,
        description = {
            "Lists every provider: its id and aliases, where code runs, whether it works on this machine"
                    + " and, if not, why and how to fix it.",
            "With an ID (or a --config file naming one), shows that provider with its config keys."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:listed (unavailable providers included)", "2:unknown provider or bad config file"})
final class ProvidersCommand implements Callable<Integer> {

    @ParentCommand
    @Nullable
    ExxecCommand parent;

    @Parameters(arity = "0..1", paramLabel = "ID", description = "A provider id or alias.")
    @Nullable
    String id;

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = "Show the provider this JSON or YAML config file names.")
    @Nullable
    Path configFile;

    @Option(
            names = "--json",
            description = "Print JSON: an array of providers, or one object with an ID; each with id, aliases,"
                    + " description, available, summary, fix, details and configKeys.")
    boolean json;

    @Mixin
    Verbosity verbosity = new Verbosity();

    @Override
    public Integer call() {
        StdIo io = ExxecCommand.io(parent);
        String wanted = id;
        if (wanted == null && configFile != null) {
            ConfigFile file = ConfigFile.read(configFile);
            wanted = file.provider() != null ? file.provider() : Target.DEFAULT_PROVIDER;
        }
        if (wanted != null) {
            ProviderReport report =
                    ProviderReport.check(List.of(Exxec.provider(wanted))).get(0);
            if (json) {
                JsonOutput.println(io.out(), report.json());
            } else {
                io.out().print(report.text(true));
            }
        } else {
            List<ExecutionProvider> all = Exxec.providers();
            List<ProviderReport> reports = ProviderReport.check(all);
            if (json) {
                JsonOutput.println(
                        io.out(), reports.stream().map(ProviderReport::json).toList());
            } else if (reports.isEmpty()) {
                io.err().println("exxec: no provider found: no exxec provider module is on the class path");
            } else {
                io.out()
                        .print(String.join(
                                "\n", reports.stream().map(r -> r.text(false)).toList()));
                io.out().println();
                io.out().println("'exxec providers ID' shows a provider's config keys.");
            }
        }
        io.out().flush();
        return ExitCodes.OK;
    }
}
