/* The CMD floor: spawn an executable N times with posix_spawn + waitpid, one at a time.
 * Usage: posix_spawn_floor N EXECUTABLE [ARGS...]; exits 0 if every child exited 0. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s N EXECUTABLE [ARGS...]\n", argv[0]);
        return 2;
    }
    long n = strtol(argv[1], NULL, 10);
    for (long i = 0; i < n; i++) {
        pid_t pid;
        int rc = posix_spawn(&pid, argv[2], NULL, NULL, &argv[2], environ);
        if (rc != 0) {
            fprintf(stderr, "posix_spawn failed: %d\n", rc);
            return 1;
        }
        int status;
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "child %ld did not exit 0\n", i);
            return 1;
        }
    }
    return 0;
}
