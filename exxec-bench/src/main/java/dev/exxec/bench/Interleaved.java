package dev.exxec.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs contenders in alternation, round after round, so that drift of the machine (other load, CPU
 * frequency, caches) hits all of them alike.
 */
final class Interleaved {
    /** One timed operation. */
    interface Operation {
        void run() throws Exception;
    }

    private Interleaved() {}

    static List<Measurement> run(int warmup, int rounds, List<String> names, List<Operation> operations)
            throws Exception {
        for (int i = 0; i < warmup; i++) {
            for (Operation op : operations) {
                op.run();
            }
        }
        List<List<Long>> samples = new ArrayList<>();
        operations.forEach(op -> samples.add(new ArrayList<>()));
        for (int round = 0; round < rounds; round++) {
            // Alternate the order too, so neither always runs right after the other.
            for (int k = 0; k < operations.size(); k++) {
                int i = (round % 2 == 0) ? k : operations.size() - 1 - k;
                long start = System.nanoTime();
                operations.get(i).run();
                samples.get(i).add(System.nanoTime() - start);
            }
        }
        List<Measurement> result = new ArrayList<>();
        for (int i = 0; i < operations.size(); i++) {
            result.add(Measurement.of(names.get(i), samples.get(i)));
        }
        return result;
    }
}
