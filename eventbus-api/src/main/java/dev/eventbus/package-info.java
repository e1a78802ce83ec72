/**
 * The eventbus API: build an {@link dev.eventbus.Event}, publish it to an {@link dev.eventbus.EventBus}, and read its
 * {@link dev.eventbus.EventResult}. Handlers implement {@link dev.eventbus.EventHandler} and are registered in an
 * {@link dev.eventbus.EventFactory}.
 *
 * <p>All exceptions for runtime failures extend {@link dev.eventbus.EventBusException}; misuse throws the JDK's
 * {@code IllegalArgumentException}, {@code IllegalStateException} or {@code NullPointerException}.
 */
package dev.eventbus;
