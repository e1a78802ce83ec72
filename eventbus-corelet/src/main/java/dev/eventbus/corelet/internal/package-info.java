/**
 * The CORELET mode's implementation: the worker pool, the wire protocol, the reply filter and the worker JVM's main
 * class. Not exported; the only public types are the provider and the worker main, which the JVM must reach.
 */
package dev.eventbus.corelet.internal;
