#include "CEditline.h"

#include <errno.h>
#include <histedit.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static EditLine *el;
static History *hist;
static char prompt_buf[256] = "> ";
static ced_completer user_completer;
static void *user_context;
static volatile sig_atomic_t interrupted;

static char *prompt_fn(EditLine *e) { (void)e; return prompt_buf; }

static void on_sigint(int sig) { (void)sig; interrupted = 1; }

void ced_install_sigint(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0; /* no SA_RESTART: a blocking read returns EINTR */
  sigaction(SIGINT, &sa, NULL);
  /* A parent may have started us with SIGINT blocked; Ctrl-C must work. */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
}

int ced_take_interrupt(void) { int v = interrupted; interrupted = 0; return v; }
int ced_peek_interrupt(void) { return interrupted; }

static size_t common_prefix(char **items, int n) {
  if (n == 0) return 0;
  size_t len = strlen(items[0]);
  for (int i = 1; i < n; i++) {
    size_t j = 0;
    while (j < len && items[i][j] == items[0][j]) j++;
    len = j;
  }
  return len;
}

static unsigned char complete_fn(EditLine *e, int ch) {
  (void)ch;
  if (!user_completer) return CC_ERROR;
  const LineInfo *li = el_line(e);
  size_t n = (size_t)(li->cursor - li->buffer);
  char *head = malloc(n + 1);
  if (!head) return CC_ERROR;
  memcpy(head, li->buffer, n);
  head[n] = 0;
  char *answer = user_completer(head, user_context);
  free(head);
  if (!answer) return CC_REFRESH_BEEP;
  /* Split into the word and its candidates. */
  char *items[512];
  int count = 0;
  char *word = answer;
  char *p = strchr(answer, '\n');
  if (p) { *p = 0; p++; }
  while (p && *p && count < 512) {
    items[count++] = p;
    char *q = strchr(p, '\n');
    if (!q) break;
    *q = 0;
    p = q + 1;
  }
  unsigned char result = CC_REFRESH_BEEP;
  if (count > 0) {
    size_t wl = strlen(word);
    size_t cp = common_prefix(items, count);
    if (cp > wl) {
      char *ins = strndup(items[0] + wl, cp - wl);
      if (ins) { el_insertstr(e, ins); free(ins); }
      if (count == 1) el_insertstr(e, "");
      result = CC_REFRESH;
    } else if (count > 1) {
      fputc('\n', stdout);
      for (int i = 0; i < count; i++) fprintf(stdout, "%s%s", items[i], i + 1 < count ? "  " : "\n");
      fflush(stdout);
      result = CC_REDISPLAY;
    }
  }
  free(answer);
  return result;
}

int ced_open(const char *program, ced_completer completer, void *context) {
  user_completer = completer;
  user_context = context;
  /* libedit decodes prompts and input by the locale: make it UTF-8 so that
   * currency signs can be typed, falling back to C.UTF-8. */
  setlocale(LC_CTYPE, "");
  const char *cs = nl_langinfo(CODESET);
  if (!cs || strcmp(cs, "UTF-8") != 0) setlocale(LC_CTYPE, "C.UTF-8");
  el = el_init(program, stdin, stdout, stderr);
  if (!el) return -1;
  hist = history_init();
  HistEvent ev;
  history(hist, &ev, H_SETSIZE, 1000);
  history(hist, &ev, H_SETUNIQUE, 1);
  el_set(el, EL_HIST, history, hist);
  el_set(el, EL_PROMPT, prompt_fn);
  el_set(el, EL_EDITOR, "emacs");
  el_set(el, EL_ADDFN, "lease-complete", "complete a name, field, unit or command", complete_fn);
  el_set(el, EL_BIND, "^I", "lease-complete", NULL);
  el_source(el, NULL); /* the user's ~/.editrc, after our defaults */
  /* `bind -v` in ~/.editrc replaces the key map, Tab included: bind Tab
   * again in whichever map is now in force. */
  el_set(el, EL_BIND, "^I", "lease-complete", NULL);
  return 0;
}

void ced_close(void) {
  if (el) el_end(el);
  if (hist) history_end(hist);
  el = NULL;
  hist = NULL;
}

void ced_set_prompt(const char *prompt) {
  strncpy(prompt_buf, prompt, sizeof prompt_buf - 1);
  prompt_buf[sizeof prompt_buf - 1] = 0;
}

char *ced_gets(int *status) {
  int count = 0;
  interrupted = 0;
  const char *line = el_gets(el, &count);
  if (interrupted || (line == NULL && count < 0 && errno == EINTR)) {
    interrupted = 0;
    *status = 2;
    el_reset(el);
    return NULL;
  }
  if (line == NULL || count <= 0) { *status = 1; return NULL; }
  *status = 0;
  size_t n = strlen(line);
  while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) n--;
  return strndup(line, n);
}

void ced_history_clear(void) {
  HistEvent ev;
  if (hist) history(hist, &ev, H_CLEAR);
}

void ced_history_add(const char *line) {
  HistEvent ev;
  if (hist) history(hist, &ev, H_ENTER, line);
}
