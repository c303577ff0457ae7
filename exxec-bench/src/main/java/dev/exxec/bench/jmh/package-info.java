/**
 * JMH benchmarks of exxec, each with its raw baseline in the same run: {@code ./bench jmh [JMH
 * options]}. Not run by the build.
 */
@NullMarked
package dev.exxec.bench.jmh;

import org.jspecify.annotations.NullMarked;
