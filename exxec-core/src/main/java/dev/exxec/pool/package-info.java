/**
 * Warm pools: {@link dev.exxec.pool.EnvironmentPool} lends environments of any provider, {@link
 * dev.exxec.pool.SessionPool} lends stateful sessions of one language; both take the settings of
 * {@link dev.exxec.pool.PoolBuilder} and report {@link dev.exxec.pool.PoolStats}.
 */
@NullMarked
package dev.exxec.pool;

import org.jspecify.annotations.NullMarked;
