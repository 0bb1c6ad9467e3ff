/* fuzz-match-common.h: a small fixed export and snapshot (invented, written by
 * make-seeds.py) for the harnesses that run the matcher on what they read.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "jn-directory.h"
#include "jn-export.h"
#include "jn-matcher.h"

#define FUZZ_UAI "0312609T"

G_GNUC_UNUSED static JnExport *
fuzz_load_export (void)
{
  g_autoptr(GFile) file = g_file_new_for_path (JN_FUZZ_DIR "/match-export.xml");
  g_autoptr(JnExport) export = jn_export_new ();
  g_autoptr(GError) error = NULL;

  if (!jn_export_load (export, file, NULL, NULL, NULL, &error))
    {
      g_printerr ("cannot load the fixed export: %s\n", error->message);
      abort ();
    }
  return g_steal_pointer (&export);
}

G_GNUC_UNUSED static JnDirectory *
fuzz_load_directory (void)
{
  g_autoptr(GFile) file = g_file_new_for_path (JN_FUZZ_DIR "/match-directory.json");
  g_autoptr(JnDirectory) directory = jn_directory_new (JN_DEFAULT_EXTENSION_URN);
  g_autoptr(GError) error = NULL;

  if (!jn_directory_load_file (directory, file, NULL, &error))
    {
      g_printerr ("cannot load the fixed snapshot: %s\n", error->message);
      abort ();
    }
  return g_steal_pointer (&directory);
}

/* Reads every item of a plan, as the CLI's report does */
G_GNUC_UNUSED static void
fuzz_walk_plan (JnPlan *plan)
{
  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    {
      GListModel *items = jn_plan_get_items (plan, c);
      GListModel *clears = jn_plan_get_clears (plan, c);

      for (guint i = 0; items != NULL && i < g_list_model_get_n_items (items); i++)
        {
          g_autoptr(JnPlanItem) item = g_list_model_get_item (items, i);

          (void)jn_plan_action_to_string (jn_plan_item_get_action (item));
          (void)jn_plan_item_get_rule (item);
          (void)jn_plan_item_get_pronote_id (item);
        }
      for (guint i = 0; clears != NULL && i < g_list_model_get_n_items (clears); i++)
        {
          g_autoptr(JnPlanItem) item = g_list_model_get_item (clears, i);

          (void)jn_plan_item_get_user (item);
        }
    }
}
