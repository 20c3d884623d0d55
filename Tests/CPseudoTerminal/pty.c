#include "CPseudoTerminal.h"

#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

int cpt_spawn(const char *path, char *const argv[], char *const envp[], int rows, int cols, pid_t *pid) {
  int master = -1;
  struct winsize ws;
  memset(&ws, 0, sizeof ws);
  ws.ws_row = (unsigned short)rows;
  ws.ws_col = (unsigned short)cols;
  pid_t child = forkpty(&master, NULL, NULL, &ws);
  if (child < 0) return -1;
  if (child == 0) {
    execve(path, argv, envp);
    _exit(127);
  }
  *pid = child;
  return master;
}

/* Tests talk to child processes through pipes; a child that exits before
   reading all its input must fail that test, not kill the whole test run
   with SIGPIPE. Runs when the test bundle loads. */
__attribute__((constructor)) static void lease_tests_ignore_sigpipe(void) { signal(SIGPIPE, SIG_IGN); }
