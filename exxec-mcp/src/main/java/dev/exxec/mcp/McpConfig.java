package dev.exxec.mcp;

import dev.exxec.ConfigException;
import dev.exxec.Language;
import dev.exxec.spi.ConfigReader;
import dev.exxec.spi.EnvironmentSettings;
import dev.exxec.spi.ExecutionProvider.ConfigKey;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Settings of the {@code mcp} provider: which MCP server to use (a command line for stdio, or a URL for
 * streamable HTTP), which of its tools run code and commands, and how their arguments are named. The
 * defaults fit {@code exxec serve}.
 *
 * @param settings the shared settings ({@code inheritEnv} and {@code keepWorkspace} do not apply: the
 *     server decides those)
 * @param command the stdio server's command line (program and arguments); empty with {@code url}
 * @param url the streamable HTTP endpoint; null with {@code command}
 * @param token a bearer token sent to {@code url}; null for none
 * @param serverEnv variables set for the stdio server process
 * @param codeTool the tool that runs code
 * @param codeArgument its argument that takes the source
 * @param languageArgument its argument that takes the language; null when it has none
 * @param timeoutArgument the argument (of both tools) that takes the deadline in seconds; null for none
 * @param commandTool the tool that runs shell commands; null when none is used
 * @param commandArgument its argument that takes the command line
 * @param languages the languages the code tool runs; null to read them from the tool's schema
 * @param streaming whether progress notifications carry the output; null: when the server is exxec
 * @param connectTimeout how long connecting and the MCP handshake may take
 */
public record McpConfig(
        EnvironmentSettings settings,
        List<String> command,
        @Nullable URI url,
        @Nullable String token,
        Map<String, String> serverEnv,
        String codeTool,
        String codeArgument,
        @Nullable String languageArgument,
        @Nullable String timeoutArgument,
        @Nullable String commandTool,
        String commandArgument,
        @Nullable Set<Language> languages,
        @Nullable Boolean streaming,
        Duration connectTimeout) {

    /** The provider's own keys. */
    public static final List<ConfigKey> KEYS = List.of(
            new ConfigKey(
                    "command", "the MCP server to start, speaking stdio: a command line or a list (program, args...)"),
            new ConfigKey("url", "or the MCP server's streamable HTTP endpoint, e.g. http://127.0.0.1:8765/mcp"),
            new ConfigKey("token", "bearer token sent to 'url' (Authorization: Bearer ...)"),
            new ConfigKey("serverEnv.NAME", "a variable set for the stdio server process"),
            new ConfigKey("codeTool", "the tool that runs code; default execute_code"),
            new ConfigKey("codeArgument", "its argument that takes the source; default code"),
            new ConfigKey("languageArgument", "its argument that takes the language; default language, empty for none"),
            new ConfigKey(
                    "timeoutArgument",
                    "the argument that takes the deadline in seconds; default timeout, empty for none"),
            new ConfigKey("commandTool", "the tool that runs shell commands; default run_command, empty for none"),
            new ConfigKey("commandArgument", "its argument that takes the command line; default command"),
            new ConfigKey(
                    "languages",
                    "languages the code tool runs (python, javascript, typescript); default: the enum of its language"
                            + " argument, else the default language"),
            new ConfigKey(
                    "streaming",
                    "whether the server's progress notifications carry the output; default: when the server is exxec"),
            new ConfigKey("connectTimeout", "how long connecting may take; default 30s"));

    /** Every key: the shared ones the provider can honour, then its own. */
    public static final List<ConfigKey> ALL_KEYS;

    static {
        List<ConfigKey> all = new ArrayList<>(EnvironmentSettings.KEYS);
        all.removeIf(k -> k.name().equals("inheritEnv") || k.name().equals("keepWorkspace"));
        all.addAll(KEYS);
        ALL_KEYS = List.copyOf(all);
    }

    public McpConfig {
        Objects.requireNonNull(settings, "settings");
        command = List.copyOf(command);
        serverEnv = Map.copyOf(serverEnv);
        languages = languages == null ? null : Set.copyOf(languages);
        if (command.isEmpty() == (url == null)) {
            throw new ConfigException(
                    command.isEmpty() ? "command" : "url",
                    "the mcp provider needs exactly one of 'command' (a stdio server) and 'url' (streamable HTTP)");
        }
        if (token != null && url == null) {
            throw new ConfigException("token", "'token' is sent over HTTP: it needs 'url'");
        }
        if (url != null && !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
            throw new ConfigException("url", "config key 'url' must be an http or https URL, got " + url);
        }
        if (codeTool.isBlank() || codeArgument.isBlank() || commandArgument.isBlank()) {
            throw new ConfigException("codeTool", "tool and argument names must not be empty");
        }
        if (settings.inheritEnv()) {
            throw new ConfigException(
                    "inheritEnv",
                    "config key 'inheritEnv': the mcp provider never passes this host's variables to a server's code");
        }
        if (settings.stopOnOutputLimit()) {
            // Fails closed: a remote call is cut at the limit, but not stopped there (known gap).
            throw new ConfigException(
                    "stopOnOutputLimit",
                    "config key 'stopOnOutputLimit': the mcp provider cannot stop a remote call at the output limit"
                            + " (the output is cut at the limit, and the call runs to its end or its deadline)");
        }
        if (settings.keepWorkspace()) {
            throw new ConfigException(
                    "keepWorkspace",
                    "config key 'keepWorkspace': the MCP server decides what happens to its workspace");
        }
        if (languages != null && languages.isEmpty()) {
            throw new ConfigException("languages", "config key 'languages' lists no language");
        }
    }

    /**
     * Reads a configuration map.
     *
     * @throws ConfigException naming the key when a key is unknown or a value malformed
     */
    public static McpConfig from(Map<String, ?> config) {
        ConfigReader r = new ConfigReader(McpProvider.ID, config, ALL_KEYS);
        EnvironmentSettings settings = EnvironmentSettings.read(r);
        List<String> command = config.get("command") instanceof List<?>
                ? r.list("command")
                : commandLine(r.string("command").orElse(null));
        URI url = r.nonBlank("url").map(McpConfig::uri).orElse(null);
        List<String> langs = r.list("languages");
        Set<Language> languages = null;
        if (!langs.isEmpty()) {
            languages = EnumSet.noneOf(Language.class);
            for (String l : langs) {
                try {
                    languages.add(Language.of(l));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("languages", "config key 'languages': " + e.getMessage());
                }
            }
        }
        McpConfig c = new McpConfig(
                settings,
                command,
                url,
                r.nonBlank("token").orElse(null),
                r.map("serverEnv"),
                r.nonBlank("codeTool").orElse("execute_code"),
                r.nonBlank("codeArgument").orElse("code"),
                emptyIsNone(r.string("languageArgument").orElse("language")),
                emptyIsNone(r.string("timeoutArgument").orElse("timeout")),
                emptyIsNone(r.string("commandTool").orElse("run_command")),
                r.nonBlank("commandArgument").orElse("command"),
                languages,
                r.bool("streaming").orElse(null),
                r.duration("connectTimeout").orElse(Duration.ofSeconds(30)));
        r.finish();
        return c;
    }

    private static @Nullable String emptyIsNone(String s) {
        return s.isBlank() ? null : s.trim();
    }

    private static URI uri(String s) {
        try {
            return new URI(s.trim());
        } catch (URISyntaxException e) {
            throw new ConfigException("url", "config key 'url' is not a URL: " + s, e);
        }
    }

    /** A command line as a list: a list as given, or a string split into words with sh-like quotes. */
    static List<String> commandLine(@Nullable Object value) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        String s = value.toString();
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"' && i + 1 < s.length()) {
                    word.append(s.charAt(++i));
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '\\' && i + 1 < s.length()) {
                word.append(s.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new ConfigException("command", "config key 'command' has an unclosed quote: " + s);
        }
        if (inWord) {
            words.add(word.toString());
        }
        return List.copyOf(words);
    }
}
