package dev.exxec.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/** "Did you mean": the known words closest to a mistyped one (a swap, a missing or extra letter). */
final class Suggestions {
    private Suggestions() {}

    /**
     * The candidates within a small edit distance of {@code word} (a swap of two neighbours counts as
     * one edit), or that {@code word} is a prefix of, closest first.
     */
    static List<String> closest(String word, Collection<String> candidates) {
        String w = word.toLowerCase(Locale.ROOT);
        int bare = w.replaceFirst("^-+", "").length();
        int limit = Math.max(1, Math.min(2, bare / 3));
        record Scored(String candidate, int distance) {}
        List<Scored> scored = new ArrayList<>();
        for (String c : new LinkedHashSet<>(candidates)) {
            String lc = c.toLowerCase(Locale.ROOT);
            int d = distance(w, lc);
            if (d <= limit || (bare >= 2 && lc.startsWith(w))) {
                scored.add(new Scored(c, d));
            }
        }
        return scored.stream()
                .sorted(Comparator.comparingInt(Scored::distance))
                .map(Scored::candidate)
                .toList();
    }

    /** The optimal-string-alignment distance: insertions, deletions, substitutions, adjacent swaps. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
