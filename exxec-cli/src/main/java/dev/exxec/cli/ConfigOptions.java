package dev.exxec.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The options that choose a provider and configure it, shared by {@code run} and {@code exec}.
 * Precedence, strongest first: {@code --provider} and {@code --timeout}, then {@code --set}, then the
 * {@code --config} file, then the defaults (provider {@code local}).
 */
final class ConfigOptions {

    @Option(
            names = {"-p", "--provider"},
            paramLabel = "ID",
            description = "Provider id or alias (default: the config file's, else local); see 'exxec providers'.")
    @Nullable
    String provider;

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = "JSON or YAML object with 'provider' (or 'type') and the provider's settings,"
                    + " with the same keys as --set; nested maps such as env: {NAME: value} allowed.")
    @Nullable
    Path configFile;

    @Option(
            names = {"-s", "--set"},
            paramLabel = "KEY=VALUE",
            description = "Sets one provider setting, over the config file's; repeatable. Keys such as"
                    + " timeout, cwd, inheritEnv, env.NAME: 'exxec providers ID' lists them.")
    List<String> settings = new ArrayList<>();

    @Option(
            names = {"-t", "--timeout"},
            paramLabel = "SECONDS",
            description = "Deadline of the call: seconds (30, 1.5) or with a unit (250ms, 2m); 0 = none."
                    + " Same as --set timeout=SECONDS. Default 30.")
    @Nullable
    String timeout;

    /**
     * The provider and settings these options select.
     *
     * @throws dev.exxec.ConfigException when the config file is missing or malformed
     * @throws UsageException when a {@code --set} is not {@code key=value}
     */
    Target target() {
        String chosen = null;
        Map<String, @Nullable Object> config = new LinkedHashMap<>();
        if (configFile != null) {
            ConfigFile file = ConfigFile.read(configFile);
            chosen = file.provider();
            config.putAll(file.settings());
        }
        for (String setting : settings) {
            int eq = setting.indexOf('=');
            if (eq <= 0 || setting.substring(0, eq).isBlank()) {
                throw new UsageException(
                        "--set expects KEY=VALUE (for example --set timeout=10), got '" + setting + "'");
            }
            String key = setting.substring(0, eq).trim();
            String value = setting.substring(eq + 1);
            // The file's provider keys work here too, so --set takes every key a file takes.
            if (key.equals("provider") || key.equals("type")) {
                chosen = value.trim();
            } else {
                config.put(key, value);
            }
        }
        if (timeout != null) {
            config.put("timeout", timeout);
        }
        if (provider != null) {
            chosen = provider;
        }
        if (chosen == null || chosen.isBlank()) {
            chosen = Target.DEFAULT_PROVIDER;
        }
        return new Target(chosen, config);
    }
}
