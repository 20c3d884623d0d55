#ifndef CPSEUDOTERMINAL_H
#define CPSEUDOTERMINAL_H
#include <sys/types.h>

/* Starts `path` with `argv` and `envp` as the session leader of a new
 * pseudo-terminal of `rows` x `cols`, so Ctrl-C typed on the master reaches
 * it as SIGINT, exactly as in a real terminal. Returns the master fd and
 * sets *pid, or returns -1. */
int cpt_spawn(const char *path, char *const argv[], char *const envp[], int rows, int cols, pid_t *pid);

#endif
