/* jn-cli-match.c: jonction-cli match
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "jn-cli-private.h"
#include "jn-error.h"
#include "jn-matcher.h"
#include "jn-report.h"
#include "jn-suggestions.h"

static void
print_person_line (JnPlanItem *item)
{
  JnPerson *person = jn_plan_item_get_person (item);
  g_autofree char *name = jn_person_dup_display_name (person);
  g_autofree char *padded = jn_cli_pad (name, 36);
  g_autofree char *birth_date = jn_cli_safe (jn_person_get_birth_date (person));
  g_autofree char *pronote_id = jn_cli_safe (jn_plan_item_get_pronote_id (item));

  /* Every value comes from the file: escaped, so that none can forge a line */
  g_print ("    %s %-10s %s", padded, birth_date ? birth_date : "",
           pronote_id ? pronote_id : "—");
}

/* cli.md's cause code, the same in every language */
static void
print_cause (JnPlanItem *item)
{
  const char *cause = jn_plan_cause_to_string (jn_plan_item_get_cause (item));

  if (cause != NULL)
    g_print (" (%s)", cause);
}

/* The ranked suggestions of the match panel, one per line under the record */
static void
print_suggestions (JnPlanItem *item,
                   JnPlan     *plan,
                   JnMatcher  *matcher,
                   GHashTable *taken,
                   guint       max_results)
{
  JnPerson *person = jn_plan_item_get_person (item);
  g_autoptr(GArray) suggestions = jn_suggestions_for_person (matcher, plan, person, taken, max_results);

  if (suggestions->len == 0)
    {
      g_print ("        %s\n", _("no suggestion"));
      return;
    }
  for (guint i = 0; i < suggestions->len; i++)
    {
      const JnSuggestion *suggestion = &g_array_index (suggestions, JnSuggestion, i);
      g_auto(GStrv) reasons = jn_suggestion_dup_reasons (person, suggestion);
      g_autofree char *joined = g_strjoinv (", ", reasons);
      g_autofree char *name = jn_ent_user_dup_display_name (suggestion->user);
      g_autofree char *safe_name = jn_cli_safe (name);
      g_autofree char *safe_id = jn_cli_safe (jn_ent_user_get_id (suggestion->user));
      g_autofree char *birth_date = jn_cli_safe (jn_ent_user_get_birth_date (suggestion->user));

      g_print ("        ");
      /* Translators: a suggested ENT account, best first: rank, name, birth date, ENT id,
       * score and reasons ("1. DUPONT Léa 2011-03-04 (ENT id) 0.95: same birth date") */
      g_print (_("%u. %s %s (%s) %.2f: %s\n"), i + 1, safe_name,
               birth_date ? birth_date : "—", safe_id, suggestion->score, joined);
    }
}

static void
print_plan_human (JnPlan    *plan,
                  JnMatcher *matcher,
                  guint      max_suggestions)
{
  g_print (_("Establishment %s, %s mode\n"), jn_plan_get_uai (plan),
           jn_plan_get_mode (plan) == JN_IMPORT_MODE_COMPLETE ? _("complete") : _("partial"));

  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    {
      GListModel *items = jn_plan_get_items (plan, c);
      GListModel *clears = jn_plan_get_clears (plan, c);
      guint n = g_list_model_get_n_items (items);
      g_autoptr(GHashTable) taken = matcher ? jn_suggestions_taken_accounts (plan, c) : NULL;

      g_print ("\n");
      /* Translators: "Students: 12 matched · 3 not matched · 1 to check" */
      g_print (_("%s: %u matched · %u not matched · %u to check\n"),
               jn_category_get_label (c),
               jn_plan_count_state (plan, c, JN_PLAN_STATE_MATCHED),
               jn_plan_count_state (plan, c, JN_PLAN_STATE_UNMATCHED),
               jn_plan_count_state (plan, c, JN_PLAN_STATE_AMBIGUOUS));
      g_print (_("  %u to set, %u to replace, %u unchanged, %u to remove\n"),
               jn_plan_count_action (plan, c, JN_PLAN_ACTION_SET),
               jn_plan_count_action (plan, c, JN_PLAN_ACTION_REPLACE),
               jn_plan_count_action (plan, c, JN_PLAN_ACTION_UNCHANGED),
               g_list_model_get_n_items (clears));

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(JnPlanItem) item = g_list_model_get_item (items, i);
          JnPlanState state = jn_plan_item_get_state (item);

          if (state == JN_PLAN_STATE_AMBIGUOUS)
            {
              GPtrArray *candidates = jn_plan_item_get_candidates (item);

              print_person_line (item);
              g_print ("  %s", _("to check among:"));
              for (guint k = 0; k < candidates->len; k++)
                {
                  g_autofree char *ent_id = jn_cli_safe (jn_ent_user_get_id (g_ptr_array_index (candidates, k)));

                  g_print (" %s", ent_id);
                }
              print_cause (item);
              g_print ("\n");
              if (matcher != NULL)
                print_suggestions (item, plan, matcher, taken, max_suggestions);
            }
          else if (state == JN_PLAN_STATE_UNMATCHED)
            {
              print_person_line (item);
              g_print ("  %s", jn_plan_item_get_skipped (item) ? _("not imported (decision)")
                                                                : _("not matched"));
              print_cause (item);
              g_print ("\n");
              if (matcher != NULL)
                print_suggestions (item, plan, matcher, taken, max_suggestions);
            }
        }
    }
}

/* A directory that cannot be the establishment's whole is refused (exit 2: the input is
 * implausible, not the ENT unreachable; the admin checks the UAI and the account's scope)
 * unless forced; one that looked truncated is used with caution, and said so. Shared
 * with push. */
gboolean
jn_cli_check_directory (JnDirectory *directory,
                        const char  *uai,
                        JnExport    *export,
                        gboolean     force,
                        int         *status)
{
  g_autoptr(GError) error = NULL;

  *status = JN_EXIT_OK;
  if (!jn_directory_get_complete (directory))
    {
      g_autofree char *message = g_strdup_printf (
        _("warning: the ENT directory looked incomplete (%s): names alone match nobody and "
          "no identifier is removed"),
        jn_directory_get_incomplete_reason (directory) ? jn_directory_get_incomplete_reason (directory)
                                                      : _("no reason given"));

      jn_cli_print_error (message);
    }

  if (!jn_matcher_check_directory (directory, uai, export, &error))
    {
      g_autofree char *message = NULL;

      if (force)
        {
          message = g_strdup_printf (_("warning: %s (--force-small-directory: matching anyway)"),
                                     error->message);
          jn_cli_print_error (message);
          return TRUE;
        }
      jn_cli_print_error (error->message);
      g_printerr ("%s\n", _("Nothing was matched. If this directory is right, run again "
                            "with --force-small-directory."));
      *status = JN_EXIT_INPUT;
      return FALSE;
    }

  return TRUE;
}

int
jn_cli_command_match (int    argc,
                      char **argv)
{
  g_auto(JnCliOptions) options = { 0 };
  g_autoptr(JnImportSession) session = NULL;
  g_autoptr(GHashTable) decisions = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JnMatcher) matcher = NULL;
  JnDirectory *directory;
  JnExport *export;
  JnPlan *plan;
  g_autofree char *report_path = NULL;
  gboolean force_small = FALSE;
  int suggestions = -1;
  GOptionEntry entries[] = {
    JN_CLI_KEY_ENTRIES (options),
    { "directory", 0, 0, G_OPTION_ARG_FILENAME, &options.directory,
      N_("ENT directory snapshot (a SCIM ListResponse)"), N_("SNAPSHOT.json") },
    { "force-small-directory", 0, 0, G_OPTION_ARG_NONE, &force_small,
      N_("Match even a directory with far fewer accounts than the export has records"), NULL },
    JN_CLI_ENT_ENTRIES (options),
    JN_CLI_PLAN_ENTRIES (options),
    JN_CLI_JSON_ENTRY (options),
    { "suggestions", 0, 0, G_OPTION_ARG_INT, &suggestions,
      N_("Rank up to N ENT accounts for each record not matched automatically"), N_("N") },
    { "report", 0, 0, G_OPTION_ARG_FILENAME, &report_path,
      N_("Also write the follow-up report (CSV): what is left to fix, and how"), N_("FILE.csv") },
    { NULL }
  };
  const char *uai;
  int status;

  if (!jn_cli_parse (_("EXPORT (--directory SNAPSHOT.json | --ent URL) — match and print the plan"),
                     entries, &argc, &argv, 1, &status))
    return status;
  if (suggestions != -1 && suggestions < 1)
    return jn_cli_usage_error (NULL, _("--suggestions is a number of 1 or more"));

  if ((options.directory == NULL) == (options.ent == NULL))
    return jn_cli_usage_error (NULL, _("give either --directory SNAPSHOT.json or --ent URL"));

  session = jn_cli_open_session (argv[1], &options, NULL, &decisions, &status);
  if (session == NULL)
    return status;
  export = jn_import_session_get_export (session);
  uai = jn_import_session_get_uai (session);

  if (options.ent != NULL)
    {
      g_autoptr(JnEnt) ent = jn_cli_open_ent (&options, &status);

      if (ent == NULL)
        return status;
      jn_import_session_set_ent (session, ent);
      if (!jn_cli_session_read_directory (session, &status))
        return status;
    }
  else
    {
      g_autoptr(GFile) directory_file = g_file_new_for_commandline_arg (options.directory);
      g_autoptr(JnDirectory) snapshot = jn_directory_new (options.extension_urn);

      if (!jn_directory_load_file (snapshot, directory_file, NULL, &error))
        return jn_cli_fail (error);
      jn_import_session_set_directory (session, snapshot);
    }
  directory = jn_import_session_get_directory (session);

  if (!jn_cli_check_directory (directory, uai, export, force_small, &status))
    return status;

  plan = jn_cli_session_match (session, decisions, &options, &status);
  if (plan == NULL)
    return status;

  /* Written before the plan is printed: a report that cannot be written fails the command
   * (exit 2) rather than leave the admin thinking it exists */
  if (report_path != NULL)
    {
      g_autoptr(GBytes) report = jn_report_build_for_session (session);

      if (!jn_report_write (report, report_path, &error))
        {
          jn_cli_print_error (error->message);
          return JN_EXIT_INPUT;
        }
    }

  /* The same ranking as the wizard's match panel */
  if (suggestions >= 1)
    matcher = jn_matcher_new (directory, uai);

  if (options.json)
    {
      g_autoptr(JsonNode) root = matcher ? jn_plan_to_json_with_suggestions (plan, matcher, (guint)suggestions)
                                         : jn_plan_to_json (plan);

      jn_cli_print_json (root);
    }
  else
    {
      print_plan_human (plan, matcher, matcher ? (guint)suggestions : 0);
    }

  return JN_EXIT_OK;
}
