/** Warm pools of environments of any provider: {@link dev.exxec.pool.EnvironmentPool}. */
@NullMarked
package dev.exxec.pool;

import org.jspecify.annotations.NullMarked;
