#ifndef CEDITLINE_H
#define CEDITLINE_H

/* Fixed-signature wrappers around libedit. el_set() and history() are
 * variadic, which Swift cannot call, and Swift 6 cannot name C's stdin and
 * stdout globals, so the editor is opened and driven from here. */

/* Called on Tab with the line up to the cursor. Returns a malloc'd string:
 * the word being completed, then each candidate, separated by '\n'; or NULL. */
typedef char *(*ced_completer)(const char *line_to_cursor, void *context);

/* Opens an editor on the process's terminal; reads ~/.editrc. 0 on success. */
int ced_open(const char *program, ced_completer completer, void *context);
void ced_close(void);
void ced_set_prompt(const char *prompt);
/* The next line without its newline (malloc'd; caller frees), or NULL.
 * *status is 0 for a line, 1 at end of input (Ctrl-D), 2 when interrupted (Ctrl-C). */
char *ced_gets(int *status);
void ced_history_clear(void);
void ced_history_add(const char *line);

/* SIGINT sets a flag instead of killing the process; the flag is read and
 * cleared by ced_take_interrupt(). */
void ced_install_sigint(void);
int ced_take_interrupt(void);
int ced_peek_interrupt(void);

#endif
