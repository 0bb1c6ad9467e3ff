/* bench-match.c: parse, match and suggestion times on a generated establishment
 *
 * Usage: bench-match EXPORT.xml DIRECTORY.json
 * A benchmark, not a test: it prints figures and asserts nothing. Suggestions are timed
 * for every ambiguous and unmatched record: jn_matcher_suggest() without a plan and with
 * the plan (marking the accounts other records already have), and the match panel's
 * jn_suggestions_for_person() (leaving them out).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sys/resource.h>
#include <time.h>

#include "jn-matcher.h"
#include "jn-suggestions.h"

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

/* This thread's CPU time in ms: on a busy machine, what the code costs without the time
 * other processes took the CPU */
static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* Every suggestion, its score to the last bit and its reasons: two builds that rank alike
 * print the same digest */
static void
digest_suggestions (GChecksum *digest,
                    GArray    *suggestions)
{
  for (guint i = 0; i < suggestions->len; i++)
    {
      JnSuggestion *suggestion = &g_array_index (suggestions, JnSuggestion, i);
      g_autofree char *line = g_strdup_printf ("%s %a %u\n", jn_ent_user_get_id (suggestion->user),
                                               suggestion->score, (guint)suggestion->reasons);

      g_checksum_update (digest, (const guchar *)line, -1);
    }
  g_checksum_update (digest, (const guchar *)"--\n", -1);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

/* Mean, 99th percentile and maximum of @times (sorted here), in ms */
static void
print_times (const char *label,
             GArray     *times)
{
  double total = 0;

  g_array_sort (times, compare_doubles);
  for (guint i = 0; i < times->len; i++)
    total += g_array_index (times, double, i);

  if (times->len == 0)
    {
      g_print ("%-23s none\n", label);
      return;
    }
  g_print ("%-23s %8.2f ms mean, %.2f ms p99, %.2f ms max, over %u records\n", label,
           total / times->len,
           g_array_index (times, double, MIN (times->len - 1, (guint)(times->len * 0.99))),
           g_array_index (times, double, times->len - 1), times->len);
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
  g_autoptr(GArray) without_plan = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) with_plan = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) with_plan_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) wizard = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GChecksum) digest = g_checksum_new (G_CHECKSUM_SHA256);
  double parse_ms, directory_ms, prepare_ms, match_ms;
  guint n_matched = 0, n_records;
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
      /* Suggestions for every ambiguous and unmatched record, as the wizard asks them */
      for (guint i = 0; i < g_list_model_get_n_items (items); i++)
        {
          g_autoptr(JnPlanItem) item = g_list_model_get_item (items, i);
          JnPlanState state = jn_plan_item_get_state (item);
          g_autoptr(GArray) suggestions = NULL;
          g_autoptr(GArray) suggestions_plan = NULL;
          double ms, cpu;

          if (state != JN_PLAN_STATE_AMBIGUOUS && state != JN_PLAN_STATE_UNMATCHED)
            continue;

          start = g_get_monotonic_time ();
          suggestions = jn_matcher_suggest (matcher, jn_plan_item_get_person (item), NULL, 5);
          ms = ms_since (start);
          g_array_append_val (without_plan, ms);

          cpu = cpu_ms ();
          start = g_get_monotonic_time ();
          suggestions_plan = jn_matcher_suggest (matcher, jn_plan_item_get_person (item), plan, 5);
          ms = ms_since (start);
          cpu = cpu_ms () - cpu;
          g_array_append_val (with_plan, ms);
          g_array_append_val (with_plan_cpu, cpu);

          /* The match panel's call: the accounts taken by another record left out */
          {
            g_autoptr(GArray) panel = NULL;

            start = g_get_monotonic_time ();
            panel = jn_suggestions_for_person (matcher, plan, jn_plan_item_get_person (item), NULL, 5);
            ms = ms_since (start);
            g_array_append_val (wizard, ms);
          }

          digest_suggestions (digest, suggestions);
          digest_suggestions (digest, suggestions_plan);
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
  print_times ("suggestions, no plan", without_plan);
  print_times ("suggestions, with plan", with_plan);
  print_times ("  the same, CPU time", with_plan_cpu);
  print_times ("match panel's (wizard)", wizard);
  g_print ("suggestions digest      %.16s (the same ranking gives the same digest)\n",
           g_checksum_get_string (digest));
  g_print ("peak memory (RSS)       %8.1f MB\n", usage.ru_maxrss / 1024.0);

  return 0;
}
