#ifndef OZON_RULES_CEDITLINE_SHIM_H
#define OZON_RULES_CEDITLINE_SHIM_H
#include <stdio.h>
#include <histedit.h>
#include <editline/readline.h>
#endif
