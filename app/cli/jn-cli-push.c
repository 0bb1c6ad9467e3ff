/* jn-cli-push.c: jonction-cli directory, push, set-id and history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-cli"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "jn-cli-private.h"
#include "jn-error.h"
#include "jn-matcher.h"
#include "jn-push.h"
#include "jn-suggestions.h"
#include "jn-user-edit.h"

static void
directory_progress_cb (guint    done,
                       guint    total,
                       gpointer user_data)
{
  if (GPOINTER_TO_INT (user_data))
    {
      g_printerr ("\r");
      g_printerr (_("Reading the ENT directory: %u / %u users"), done, total);
    }
}

int
jn_cli_command_directory (int    argc,
                          char **argv)
{
  g_auto(JnCliOptions) options = { 0 };
  g_autoptr(JnEnt) ent = NULL;
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(GFile) output = NULL;
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = {
    JN_CLI_ENT_ENTRIES (options),
    { "uai", 0, 0, G_OPTION_ARG_STRING, &options.uai, N_("Establishment"), N_("UAI") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &options.output, N_("Snapshot file to write"), N_("SNAPSHOT.json") },
    { NULL }
  };
  gboolean tty = isatty (fileno (stderr));
  int status;

  if (!jn_cli_parse (_("— download an establishment's ENT directory"), entries, &argc, &argv, 0, &status))
    return status;
  if (options.uai == NULL || options.output == NULL)
    return jn_cli_usage_error (NULL, _("give --uai UAI and -o SNAPSHOT.json"));
  if (!jn_uai_is_valid (options.uai))
    return jn_cli_usage_error (NULL, _("--uai takes a UAI: 7 digits and a letter"));

  ent = jn_cli_open_ent (&options, &status);
  if (ent == NULL)
    return status;

  directory = jn_ent_read_directory (ent, options.uai, directory_progress_cb, GINT_TO_POINTER (tty),
                                     NULL, &error);
  if (tty)
    g_printerr ("\n");
  if (directory == NULL)
    return jn_cli_fail (error);

  output = g_file_new_for_commandline_arg (options.output);
  if (!jn_directory_save_file (directory, output, NULL, &error))
    {
      g_autofree char *message = g_strdup_printf (_("cannot write %s: %s"), options.output, error->message);

      jn_cli_print_error (message);
      return JN_EXIT_USAGE;
    }

  {
    g_autofree char *safe_output = jn_cli_safe (options.output);

    g_printerr (_("%u users of %s saved to %s\n"), jn_directory_get_n_users (directory),
                options.uai, safe_output);
  }
  return JN_EXIT_OK;
}

static JsonNode *
report_to_json (JnPushReport *report)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "set");
  json_builder_add_int_value (builder, report->n_set);
  json_builder_set_member_name (builder, "replaced");
  json_builder_add_int_value (builder, report->n_replaced);
  json_builder_set_member_name (builder, "cleared");
  json_builder_add_int_value (builder, report->n_cleared);
  json_builder_set_member_name (builder, "unchanged");
  json_builder_add_int_value (builder, report->n_unchanged);
  json_builder_set_member_name (builder, "failed");
  json_builder_begin_array (builder);
  for (guint i = 0; i < report->failed->len; i++)
    {
      JnOperation *op = g_ptr_array_index (report->failed, i);
      g_autofree char *status = op->status ? g_strdup_printf ("%d", op->status) : g_strdup ("network");

      json_builder_begin_object (builder);
      /* For a removal, the identifier that was to be removed */
      json_builder_set_member_name (builder, "pronote_id");
      if (op->record_id != NULL || op->old_pronote_id != NULL)
        json_builder_add_string_value (builder, op->record_id ? op->record_id : op->old_pronote_id);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "ent_id");
      json_builder_add_string_value (builder, op->ent_id);
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, status);
      json_builder_set_member_name (builder, "detail");
      json_builder_add_string_value (builder, op->detail ? op->detail : "");
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "import_id");
  if (report->import_id != NULL)
    json_builder_add_string_value (builder, report->import_id);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
print_report_human (JnPushReport *report)
{
  if (report->resumed)
    g_print (_("Interrupted import resumed.\n"));
  g_print (_("%u identifiers set, %u replaced, %u removed, %u unchanged, %u failed\n"),
           report->n_set, report->n_replaced, report->n_cleared, report->n_unchanged,
           report->failed->len);
  for (guint i = 0; i < report->failed->len; i++)
    {
      JnOperation *op = g_ptr_array_index (report->failed, i);

      /* Identifiers and the server's words are escaped: none can forge a line */
      g_autofree char *record = jn_cli_safe (op->record_id ? op->record_id
                                             : op->old_pronote_id ? op->old_pronote_id : "—");
      g_autofree char *ent_id = jn_cli_safe (op->ent_id);
      g_autofree char *detail = jn_cli_safe (op->detail ? op->detail : "");

      g_print ("  %s %s → %s: %s\n", jn_op_kind_to_string (op->kind), record, ent_id, detail);
    }
  g_print (_("Import %s recorded.\n"), report->import_id);
}

static int
report_status (JnPushReport *report)
{
  return report->failed->len > 0 ? JN_EXIT_PARTIAL : JN_EXIT_OK;
}

static void
progress_text_cb (JnImportSession *session,
                  GParamSpec      *pspec,
                  gpointer         user_data)
{
  const char *text = jn_import_session_get_progress_text (session);

  if (GPOINTER_TO_INT (user_data) && text != NULL)
    g_printerr ("\r%s", text);
}

static gboolean
interrupt_cb (gpointer user_data)
{
  GCancellable *cancellable = user_data;

  if (!g_cancellable_is_cancelled (cancellable))
    g_printerr ("\n%s\n", _("Interrupting after the operations under way…"));
  g_cancellable_cancel (cancellable);
  return G_SOURCE_CONTINUE;
}

static void
got_report (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

/* The session pushes in a thread while the main context waits for Ctrl+C (or SIGTERM):
 * then the push is cancelled between two operations, the journal says where it stopped,
 * and the same command resumes it. */
static JnPushReport *
run_push (JnImportSession  *session,
          gboolean          tty,
          GError          **error)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  JnPushReport *report;
  guint sigint, sigterm;
  gulong progress;

  sigint = g_unix_signal_add (SIGINT, interrupt_cb, cancellable);
  sigterm = g_unix_signal_add (SIGTERM, interrupt_cb, cancellable);
  progress = g_signal_connect (session, "notify::progress-text", G_CALLBACK (progress_text_cb),
                               GINT_TO_POINTER (tty));

  jn_import_session_push_all_async (session, cancellable, got_report, &result);
  report = jn_import_session_push_all_finish (session, jn_cli_wait (&result), &local_error);

  g_signal_handler_disconnect (session, progress);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (tty)
    g_printerr ("\n");

  if (report == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("interrupted: what was done is recorded; run the same command "
                                 "again to resume"));
        }
      else if (local_error->domain == JN_ERROR && jn_error_is_ent_error (local_error))
        {
          /* The engine keeps no partial report: the journal has what was done */
          g_set_error (error, JN_ERROR, local_error->code,
                       _("%s; the push stopped there: what was done is recorded, run the same "
                         "command again to resume the import"),
                       local_error->message);
        }
      else
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
        }
    }

  return report;
}

int
jn_cli_command_push (int    argc,
                     char **argv)
{
  g_auto(JnCliOptions) options = { 0 };
  g_autoptr(JnImportSession) session = NULL;
  g_autoptr(JnEnt) ent = NULL;
  g_autoptr(JnStore) store = NULL;
  g_autoptr(GHashTable) decisions = NULL;
  JnDirectory *directory;
  JnExport *export;
  JnPlan *plan;
  g_autoptr(JnPushReport) report = NULL;
  g_autoptr(JnImportRecord) resumable = NULL;
  g_autoptr(GError) error = NULL;
  int concurrency = 4;
  int suggestions = -1;
  gboolean force_small = FALSE;
  GOptionEntry entries[] = {
    JN_CLI_KEY_ENTRIES (options),
    JN_CLI_ENT_ENTRIES (options),
    JN_CLI_STATE_ENTRY (options),
    JN_CLI_PLAN_ENTRIES (options),
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &options.dry_run,
      N_("Print the plan and change nothing"), NULL },
    { "yes", 0, 0, G_OPTION_ARG_NONE, &options.yes,
      N_("Apply the plan, replacements and removals included"), NULL },
    { "concurrency", 0, 0, G_OPTION_ARG_INT, &concurrency,
      N_("Requests sent in parallel to the ENT (default 4)"), N_("N") },
    { "bulk", 0, 0, G_OPTION_ARG_NONE, &options.bulk,
      N_("Group writes in SCIM Bulk requests when the ENT offers them"), NULL },
    { "force-small-directory", 0, 0, G_OPTION_ARG_NONE, &force_small,
      N_("Push even to a directory with far fewer accounts than the export has records"), NULL },
    JN_CLI_JSON_ENTRY (options),
    { "suggestions", 0, 0, G_OPTION_ARG_INT, &suggestions,
      N_("With --dry-run --json: rank up to N ENT accounts for each record not matched automatically"),
      N_("N") },
    { NULL }
  };
  JnImportMode mode;
  gboolean tty = isatty (fileno (stderr));
  guint n_replace = 0, n_clear = 0, n_set = 0;
  const char *uai;
  int status;

  if (!jn_cli_parse (_("EXPORT --ent URL — match, then apply the plan to the ENT"),
                     entries, &argc, &argv, 1, &status))
    return status;
  if (concurrency < 1 || concurrency > 32)
    return jn_cli_usage_error (NULL, _("--concurrency is between 1 and 32"));
  jn_push_set_concurrency ((guint)concurrency);
  if (suggestions != -1 && suggestions < 1)
    return jn_cli_usage_error (NULL, _("--suggestions is a number of 1 or more"));
  if (suggestions != -1 && !(options.json && options.dry_run))
    return jn_cli_usage_error (NULL, _("--suggestions goes with --dry-run --json"));

  session = jn_cli_open_session (argv[1], &options, NULL, &decisions, &status);
  if (session == NULL)
    return status;
  export = jn_import_session_get_export (session);
  uai = jn_import_session_get_uai (session);
  mode = jn_import_session_get_mode (session);

  ent = jn_cli_open_ent (&options, &status);
  if (ent == NULL)
    return status;
  store = jn_cli_open_store (&options, &status);
  if (store == NULL)
    return status;
  /* One push at a time: before the journal is read, so that a resume is never run twice */
  if (options.yes && !options.dry_run && !jn_cli_lock_store (store, jn_ent_describe (ent), uai, &status))
    return status;
  jn_import_session_set_store (session, store);
  jn_import_session_set_ent (session, ent);

  /* An interrupted import of this very file is resumed, not planned again; the directory
   * is read all the same: who holds what now is checked before each write. */
  resumable = jn_store_find_resumable (store, uai, jn_import_mode_to_string (mode),
                                       jn_ent_describe (ent), jn_export_get_file_hash (export),
                                       decisions);

  if (!jn_cli_session_read_directory (session, &status))
    return status;
  directory = jn_import_session_get_directory (session);
  if (!jn_cli_check_directory (directory, uai, export, force_small, &status))
    return status;

  plan = jn_cli_session_match (session, decisions, &options, &status);
  if (plan == NULL)
    return status;

  if (resumable != NULL && options.yes && !options.dry_run)
    g_printerr (_("Resuming the import started on %s.\n"), resumable->started_at);

  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    {
      n_set += jn_plan_count_action (plan, c, JN_PLAN_ACTION_SET);
      n_replace += jn_plan_count_action (plan, c, JN_PLAN_ACTION_REPLACE);
      n_clear += g_list_model_get_n_items (jn_plan_get_clears (plan, c));
    }

  if (options.dry_run || !options.yes)
    {
      if (options.json)
        {
          g_autoptr(JnMatcher) matcher = suggestions >= 1 ? jn_matcher_new (directory, uai) : NULL;
          g_autoptr(JsonNode) root = matcher ? jn_plan_to_json_with_suggestions (plan, matcher, (guint)suggestions)
                                             : jn_plan_to_json (plan);

          jn_cli_print_json (root);
        }
      else
        {
          g_print (_("%u identifiers to set, %u to replace, %u to remove.\n"), n_set, n_replace, n_clear);
        }
      if (resumable != NULL)
        g_printerr (_("Note: with --yes, the interrupted import of this file started on %s is "
                      "resumed (its remaining operations), rather than this plan.\n"),
                    resumable->started_at);
      if (!options.dry_run)
        g_printerr ("%s\n", _("Nothing was sent: this is a preview. Run again with --yes to apply it "
                              "(replacing and removing identifiers included)."));
      return JN_EXIT_OK;
    }

  report = run_push (session, tty, &error);
  if (report == NULL)
    return jn_cli_fail (error);

  if (options.json)
    {
      g_autoptr(JsonNode) root = report_to_json (report);

      jn_cli_print_json (root);
    }
  else
    {
      print_report_human (report);
    }

  return report_status (report);
}

/* Says on stderr what became of each edit left unfinished (the ENT account's id only:
 * the CLI never prints a name from the journal) */
static gboolean
finish_interrupted_edits (JnStore     *store,
                          JnEnt       *ent,
                          const char  *uai,
                          GError     **error)
{
  g_autoptr(GPtrArray) outcomes = jn_push_finish_edits (store, ent, uai, NULL, error);

  if (outcomes == NULL)
    return FALSE;

  for (guint i = 0; i < outcomes->len; i++)
    {
      JnOperation *op = g_ptr_array_index (outcomes, i);
      g_autofree char *safe_user = jn_cli_safe (op->ent_id);

      if (op->state == JN_OP_DONE && op->pronote_id != NULL)
        g_printerr (_("An interrupted edit was finished: the user “%s” now holds the identifier "
                      "%s for %s.\n"), safe_user, op->pronote_id, op->uai);
      else if (op->state == JN_OP_DONE)
        g_printerr (_("An interrupted edit was finished: the user “%s” no longer holds an "
                      "identifier for %s.\n"), safe_user, op->uai);
      else
        {
          g_autofree char *safe_detail = jn_cli_safe (op->detail != NULL ? op->detail : "");

          g_printerr (_("An interrupted edit of the user “%s” could not be finished: %s\n"),
                      safe_user, safe_detail);
        }
    }

  return TRUE;
}

int
jn_cli_command_set_id (int    argc,
                       char **argv)
{
  g_auto(JnCliOptions) options = { 0 };
  g_autofree char *user_id = NULL;
  g_autofree char *pronote_id = NULL;
  g_autoptr(JnEnt) ent = NULL;
  g_autoptr(JnStore) store = NULL;
  g_autoptr(JnEntUser) user = NULL;
  g_autoptr(JnPushReport) report = NULL;
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(JnUserEditCheck) check = NULL;
  g_autoptr(GError) error = NULL;
  gboolean clear = FALSE;
  GOptionEntry entries[] = {
    JN_CLI_ENT_ENTRIES (options),
    JN_CLI_STATE_ENTRY (options),
    { "user", 0, 0, G_OPTION_ARG_STRING, &user_id, N_("ENT user id"), N_("ENT_ID") },
    { "uai", 0, 0, G_OPTION_ARG_STRING, &options.uai, N_("Establishment"), N_("UAI") },
    { "pronote-id", 0, 0, G_OPTION_ARG_STRING, &pronote_id, N_("The PRONOTE identifier"), N_("ID") },
    { "clear", 0, 0, G_OPTION_ARG_NONE, &clear, N_("Remove the identifier instead"), NULL },
    { "yes", 0, 0, G_OPTION_ARG_NONE, &options.yes,
      N_("Confirm replacing a different identifier, or an unusual value"), NULL },
    JN_CLI_JSON_ENTRY (options),
    { NULL }
  };
  const char *current;
  int status;

  if (!jn_cli_parse (_("— set one user's PRONOTE identifier"), entries, &argc, &argv, 0, &status))
    return status;
  if (user_id == NULL || options.uai == NULL || (pronote_id == NULL) == !clear)
    return jn_cli_usage_error (NULL, _("give --user ENT_ID, --uai UAI and --pronote-id ID (or --clear)"));
  if (!jn_uai_is_valid (options.uai))
    return jn_cli_usage_error (NULL, _("--uai takes a UAI: 7 digits and a letter"));
  /* "0312609t" is 0312609T: the ENT's directory filter and its one-holder check compare
   * UAIs as written, so a small letter would miss the holders and write a second entry */
  {
    char *upper = g_ascii_strup (options.uai, -1);

    g_free (options.uai);
    options.uai = upper;
  }

  if (pronote_id != NULL)
    {
      JnPronoteIdCheck format = jn_pronote_id_check (g_strstrip (pronote_id));

      if (format == JN_PRONOTE_ID_INVALID)
        {
          g_autofree char *message = g_strdup_printf (
            _("a PRONOTE identifier is made of capital letters A–Z and digits 0–9 only "
              "(at most %u)"), (guint)JN_PRONOTE_ID_MAX_LENGTH);

          return jn_cli_usage_error (NULL, message);
        }
      if (format == JN_PRONOTE_ID_UNUSUAL && !options.yes)
        {
          g_autofree char *message = g_strdup_printf (
            _("“%s” does not look like a PRONOTE identifier (16 characters among "
              "2345789ABCDEFGHJKMNPQRSTUVWXYZ); add --yes if it is right"), pronote_id);

          return jn_cli_usage_error (NULL, message);
        }
    }

  ent = jn_cli_open_ent (&options, &status);
  if (ent == NULL)
    return status;
  store = jn_cli_open_store (&options, &status);
  if (store == NULL || !jn_cli_lock_store (store, jn_ent_describe (ent), options.uai, &status))
    return status;

  /* An edit a kill or a lost connection left unfinished is finished first: this one is
   * checked against the ENT as it is afterwards */
  if (!finish_interrupted_edits (store, ent, options.uai, &error))
    {
      /* One account the ENT keeps failing on must not block every edit of the
       * establishment: said, left for the next time. An ENT that cannot be reached at all
       * fails the edit below the same way. */
      g_autofree char *safe = jn_cli_safe (error->message);

      g_printerr (_("An interrupted edit could not be finished now (%s); it will be tried "
                    "again next time.\n"), safe);
      g_clear_error (&error);
    }

  user = jn_ent_read_user (ent, user_id, NULL, &error);
  if (user == NULL)
    return jn_cli_fail (error);

  /* Who else holds the value: the establishment's directory as the ENT holds it now */
  if (pronote_id != NULL)
    {
      directory = jn_ent_read_directory (ent, options.uai, NULL, NULL, NULL, &error);
      if (directory == NULL)
        return jn_cli_fail (error);
    }

  /* The desktop's "Edit a User…" makes the same checks */
  check = jn_user_edit_check (user, options.uai, pronote_id, directory, NULL);
  current = check->current;
  if (check->verdict == JN_USER_EDIT_REFUSED && check->holder != NULL)
    {
      /* Refused: the push engine's one-holder check journals the refusal (a 409 naming the
       * holder's account, in history) and sends nothing; the admin reads the holder's name
       * here, never in the journal */
      g_autofree char *name = jn_user_edit_dup_name (check->holder);
      g_autofree char *safe_name = jn_cli_safe (name);
      g_autofree char *safe_holder = jn_cli_safe (jn_ent_user_get_id (check->holder));
      g_autofree char *message = g_strdup_printf (
        _("%s (ENT account “%s”) already holds the identifier %s for %s: remove it there first"),
        safe_name, safe_holder, check->value, options.uai);

      jn_cli_print_error (message);
    }
  else if (check->verdict == JN_USER_EDIT_REFUSED)
    return jn_cli_usage_error (NULL, check->message);
  else if (check->replaces && !options.yes)
    {
      g_autofree char *safe_user = jn_cli_safe (user_id);
      g_autofree char *safe_current = jn_cli_safe (current);
      g_autofree char *message = g_strdup_printf (
        _("the user “%s” already holds the identifier %s for %s; add --yes to replace it"),
        safe_user, safe_current, options.uai);

      return jn_cli_usage_error (NULL, message);
    }

  if (check->verdict == JN_USER_EDIT_UNCHANGED)
    {
      /* Nothing to write, nothing to journal */
      if (options.json)
        {
          g_autoptr(JnPushReport) nothing = g_new0 (JnPushReport, 1);
          g_autoptr(JsonNode) root = NULL;

          nothing->n_unchanged = 1;
          nothing->failed = g_ptr_array_new ();
          root = report_to_json (nothing);
          jn_cli_print_json (root);
        }
      else
        {
          g_autofree char *safe_user = jn_cli_safe (user_id);

          g_print (_("%s already holds this identifier: nothing to do.\n"), safe_user);
        }
      return JN_EXIT_OK;
    }

  report = jn_push_set_one (store, ent, user, options.uai, check->value, NULL, &error);
  if (report == NULL)
    return jn_cli_fail (error);

  if (options.json)
    {
      g_autoptr(JsonNode) root = report_to_json (report);

      jn_cli_print_json (root);
    }
  else if (report->failed->len == 0)
    {
      g_autofree char *safe_user = jn_cli_safe (user_id);

      g_print (_("Identifier saved for %s.\n"), safe_user);
    }
  else
    {
      print_report_human (report);
    }

  return report_status (report);
}
