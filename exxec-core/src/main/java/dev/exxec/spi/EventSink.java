package dev.exxec.spi;

import dev.exxec.ExecutionEvent;

/** Receives the events of one execution as they happen. Called from several threads; must be thread-safe. */
@FunctionalInterface
public interface EventSink {
    /** Takes one event; may block to apply back-pressure. */
    void emit(ExecutionEvent event);
}
