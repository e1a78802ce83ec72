/**
 * The chaos run: publishes a random mix of SYNC, THREAD, CORELET and CMD events through misbehaving handlers and
 * commands, shuts buses down mid-run, and checks that no result is lost, duplicated or leaked. Start it with
 * {@link dev.eventbus.chaos.ChaosRun#main(String[])}; tests call {@link dev.eventbus.chaos.ChaosRun#run}.
 */
package dev.eventbus.chaos;
