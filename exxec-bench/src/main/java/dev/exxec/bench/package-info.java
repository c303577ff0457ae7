/**
 * Benchmarks that put exxec beside a raw baseline measured in the same run, so that a ratio, not a
 * machine's absolute speed, is what a claim rests on. Run them with {@code ./bench NAME}.
 */
@NullMarked
package dev.exxec.bench;

import org.jspecify.annotations.NullMarked;
