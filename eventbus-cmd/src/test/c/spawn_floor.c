/*
 * The floor for starting a command: posix_spawn + waitpid of an executable, N times, in C.
 * Built and run by dev.eventbus.cmd.internal.SpawnCost (test sources), never part of the library.
 *   usage: spawn_floor N [executable]     prints: microseconds per command
 * With "pipe" as a third argument, stdout of each command is a pipe read to end-of-file, as CMD mode does.
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    char *exe = argc > 2 ? argv[2] : "/bin/true";
    int piped = argc > 3 && strcmp(argv[3], "pipe") == 0;
    char *args[] = {exe, NULL};
    struct timespec a, b;
    char buf[4096];
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < n; i++) {
        pid_t pid;
        int fds[2];
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        if (piped) {
            if (pipe(fds) != 0) { perror("pipe"); return 1; }
            posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
            posix_spawn_file_actions_addclose(&fa, fds[0]);
            posix_spawn_file_actions_addclose(&fa, fds[1]);
        }
        int rc = posix_spawn(&pid, exe, &fa, NULL, args, environ);
        posix_spawn_file_actions_destroy(&fa);
        if (rc != 0) { fprintf(stderr, "posix_spawn: %s\n", strerror(rc)); return 1; }
        if (piped) {
            close(fds[1]);
            while (read(fds[0], buf, sizeof buf) > 0) { }
            close(fds[0]);
        }
        int status;
        waitpid(pid, &status, 0);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double us = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / 1e3 / n;
    printf("%.1f\n", us);
    return 0;
}
