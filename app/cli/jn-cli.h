/* jn-cli.h: the jonction-cli face of the core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit statuses of cli.md */
typedef enum
{
  JN_EXIT_OK = 0,
  JN_EXIT_USAGE = 1,
  JN_EXIT_INPUT = 2,
  JN_EXIT_ENT = 3,
  JN_EXIT_PARTIAL = 4,
} JnExitStatus;

int jn_cli_run (int    argc,
                char **argv);

G_END_DECLS
