/**
 * The CMD execution mode's values: {@link dev.eventbus.cmd.CmdRequest}, the data of a CMD event, and
 * {@link dev.eventbus.cmd.CmdResult}, the data of its result.
 *
 * {@snippet :
 * Event event = Event.builder("list")
 *         .mode(ExecutionMode.CMD)
 *         .data(CmdRequest.of("ls", "-l", "/tmp"))
 *         .timeout(Duration.ofSeconds(10))
 *         .build();
 * EventResult result = bus.submit(event).get();
 * CmdResult cmd = (CmdResult) result.data();      // exit code, stdout, stderr, duration
 * }
 *
 * <p>Exit code 0 is a successful result, any other a business failure (neither is retried); a command that cannot
 * start is an exception result carrying a {@link dev.eventbus.cmd.CmdLaunchException} (not retried either). A timed
 * out or cancelled command is killed with its whole process tree.
 */
package dev.eventbus.cmd;
