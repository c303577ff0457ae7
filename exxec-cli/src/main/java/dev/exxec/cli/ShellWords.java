package dev.exxec.cli;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns the words after {@code exxec exec} into one {@code sh -c} command line.
 *
 * <p>One word is taken as a whole command line, shell syntax and all ({@code 'ls | wc -l'}). Several
 * words are a command and its arguments as the user's shell already split them; joining them with
 * bare spaces would split them again ({@code sh -c 'exit 3'} would become {@code sh -c exit 3}, which
 * exits 0), so each word that is not plainly safe is single-quoted.
 */
final class ShellWords {
    /** Characters that mean nothing special to a POSIX shell anywhere in a word. */
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private ShellWords() {}

    /** The command line for these words. */
    static String commandLine(List<String> words) {
        if (words.size() == 1) {
            return words.get(0);
        }
        return words.stream().map(ShellWords::quote).collect(Collectors.joining(" "));
    }

    /** A word quoted so that {@code sh} reads it back unchanged. */
    static String quote(String word) {
        if (!word.isEmpty() && SAFE.matcher(word).matches()) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
