/* bench-match.c: parse, match and suggestion times on a generated establishment
 *
 * Usage: bench-match EXPORT.xml DIRECTORY.json
 * A benchmark, not a test: it prints figures and asserts nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sys/resource.h>

#include "jn-matcher.h"

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(JnExport) export = jn_export_new ();
  g_autoptr(JnDirectory) directory = jn_directory_new (NULL);
  g_autoptr(JnMatcher) matcher = NULL;
  g_autoptr(JnPlan) plan = NULL;
  g_autoptr(GFile) export_file = NULL;
  g_autoptr(GFile) directory_file = NULL;
  g_autoptr(GError) error = NULL;
  double parse_ms, directory_ms, prepare_ms, match_ms, suggest_total = 0, suggest_max = 0;
  guint n_suggest = 0, n_matched = 0, n_records;
  struct rusage usage;
  gint64 start;

  if (argc != 3)
    {
      g_printerr ("usage: %s EXPORT.xml DIRECTORY.json\n", argv[0]);
      return 1;
    }
  export_file = g_file_new_for_commandline_arg (argv[1]);
  directory_file = g_file_new_for_commandline_arg (argv[2]);

  start = g_get_monotonic_time ();
  if (!jn_export_load (export, export_file, NULL, NULL, NULL, &error))
    g_error ("%s", error->message);
  parse_ms = ms_since (start);
  n_records = jn_export_get_n_records (export);

  start = g_get_monotonic_time ();
  if (!jn_directory_load_file (directory, directory_file, NULL, &error))
    g_error ("%s", error->message);
  directory_ms = ms_since (start);

  start = g_get_monotonic_time ();
  matcher = jn_matcher_new (directory, jn_export_get_uai (export));
  prepare_ms = ms_since (start);

  start = g_get_monotonic_time ();
  plan = jn_matcher_match (matcher, export, JN_IMPORT_MODE_COMPLETE, NULL, &error);
  match_ms = ms_since (start);
  g_assert_no_error (error);

  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    {
      GListModel *items = jn_plan_get_items (plan, c);

      n_matched += jn_plan_count_state (plan, c, JN_PLAN_STATE_MATCHED);
      /* Suggestions for every record nobody matched, as the wizard computes them */
      for (guint i = 0; i < g_list_model_get_n_items (items); i++)
        {
          g_autoptr(JnPlanItem) item = g_list_model_get_item (items, i);
          g_autoptr(GArray) suggestions = NULL;
          double ms;

          if (jn_plan_item_get_state (item) == JN_PLAN_STATE_MATCHED)
            continue;

          start = g_get_monotonic_time ();
          suggestions = jn_matcher_suggest (matcher, jn_plan_item_get_person (item), NULL, 5);
          ms = ms_since (start);
          suggest_total += ms;
          suggest_max = MAX (suggest_max, ms);
          n_suggest++;
        }
    }

  getrusage (RUSAGE_SELF, &usage);

  g_print ("records                 %u (%u matched automatically)\n", n_records, n_matched);
  g_print ("ENT users               %u\n", jn_directory_get_n_users (directory));
  g_print ("parse export            %8.1f ms\n", parse_ms);
  g_print ("load directory          %8.1f ms\n", directory_ms);
  g_print ("prepare matcher         %8.1f ms\n", prepare_ms);
  g_print ("match (complete mode)   %8.1f ms\n", match_ms);
  g_print ("export to plan, total   %8.1f ms\n", parse_ms + directory_ms + prepare_ms + match_ms);
  g_print ("suggestions             %8.2f ms mean, %.2f ms max, over %u records\n",
           n_suggest ? suggest_total / n_suggest : 0, suggest_max, n_suggest);
  g_print ("peak memory (RSS)       %8.1f MB\n", usage.ru_maxrss / 1024.0);

  return 0;
}
