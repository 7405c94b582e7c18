#ifndef OZON_RULES_CEDITLINE_SHIM_H
#define OZON_RULES_CEDITLINE_SHIM_H
#include <stdio.h>
#include <histedit.h>
#include <editline/readline.h>

/* libedit's readline interface is configured through global variables, which
   Swift 6 treats as unsafe shared state; these setters keep that in C. */
static inline void ozr_editline_configure(const char *name, char *word_breaks, rl_completion_func_t *complete) {
    rl_readline_name = name;
    rl_completer_word_break_characters = word_breaks;
    rl_completion_append_character = 0;
    rl_attempted_completion_function = complete;
}

/* Called from the completion function: no file-name completion as a fallback. */
static inline void ozr_editline_completion_over(void) {
    rl_attempted_completion_over = 1;
}
#endif
