/* The CMD floor: spawn an executable N times with posix_spawn + waitpid, one at a time.
 * Usage: posix_spawn_floor N [--pipes] EXECUTABLE [ARGS...]; exits 0 if every child exited 0.
 * With --pipes, each child's stdout and stderr go to pipes that the parent reads to end-of-file (with poll) before
 * waitpid: what capturing the output costs at the least. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Reads both pipes until both reach end-of-file; returns 0, or -1 on an error. */
static int drain(int out, int err) {
    struct pollfd fds[2] = {{out, POLLIN, 0}, {err, POLLIN, 0}};
    int open = 2;
    char buf[65536];
    while (open > 0) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        for (int k = 0; k < 2; k++) {
            if (fds[k].fd >= 0 && (fds[k].revents & (POLLIN | POLLHUP | POLLERR))) {
                ssize_t n = read(fds[k].fd, buf, sizeof buf);
                if (n < 0 && errno == EINTR) {
                    continue;
                }
                if (n <= 0) {
                    close(fds[k].fd);
                    fds[k].fd = -1;
                    open--;
                }
            }
        }
    }
    return 0;
}

static int spawn_once(char **argv, int pipes) {
    pid_t pid;
    int rc;
    if (pipes) {
        int out[2], err[2];
        if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
            perror("pipe2");
            return -1;
        }
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, out[1], 1);
        posix_spawn_file_actions_adddup2(&actions, err[1], 2);
        rc = posix_spawn(&pid, argv[0], &actions, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&actions);
        close(out[1]);
        close(err[1]);
        if (rc == 0 && drain(out[0], err[0]) != 0) {
            perror("poll");
            return -1;
        }
    } else {
        rc = posix_spawn(&pid, argv[0], NULL, NULL, argv, environ);
    }
    if (rc != 0) {
        fprintf(stderr, "posix_spawn failed: %s\n", strerror(rc));
        return -1;
    }
    int status;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return -1;
    }
    return 0;
}

int main(int argc, char **argv) {
    int pipes = argc > 2 && strcmp(argv[2], "--pipes") == 0;
    int first = pipes ? 3 : 2;
    if (argc <= first) {
        fprintf(stderr, "usage: %s N [--pipes] EXECUTABLE [ARGS...]\n", argv[0]);
        return 2;
    }
    long n = strtol(argv[1], NULL, 10);
    for (long i = 0; i < n; i++) {
        if (spawn_once(&argv[first], pipes) != 0) {
            fprintf(stderr, "child %ld did not exit 0\n", i);
            return 1;
        }
    }
    return 0;
}
