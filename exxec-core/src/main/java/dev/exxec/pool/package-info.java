/**
 * Warm pools: {@link dev.exxec.pool.EnvironmentPool} lends environments of any provider; it takes the
 * settings of {@link dev.exxec.pool.PoolBuilder} and reports {@link dev.exxec.pool.PoolStats}.
 */
@NullMarked
package dev.exxec.pool;

import org.jspecify.annotations.NullMarked;
