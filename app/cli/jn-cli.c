/* jn-cli.c: the jonction-cli face of the core
 *
 * Its interface is a contract (cli.md): human output by default, one JSON document on
 * stdout with --json, diagnostics on stderr, documented exit statuses.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-cli"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "jn-cli-private.h"
#include "jn-connection.h"
#include "jn-error.h"
#include "jn-file-ent.h"
#include "jn-io.h"
#include "jn-matcher.h"
#include "jn-scim-client.h"
#include "jn-text.h"

/* A bearer token is a line of a few hundred characters: anything far larger is not one */
#define JN_CLI_TOKEN_MAX_SIZE (64 * 1024)

void
jn_cli_options_clear (JnCliOptions *options)
{
  g_clear_pointer (&options->key, g_free);
  g_clear_pointer (&options->partner, g_free);
  g_clear_pointer (&options->uai, g_free);
  g_clear_pointer (&options->mode, g_free);
  g_clear_pointer (&options->ent, g_free);
  g_clear_pointer (&options->token_file, g_free);
  g_clear_pointer (&options->extension_urn, g_free);
  g_clear_pointer (&options->state, g_free);
  g_clear_pointer (&options->directory, g_free);
  g_clear_pointer (&options->decisions, g_free);
  g_clear_pointer (&options->output, g_free);
}

/* Messages quote file names, names from exports and servers' words: one line, always */
void
jn_cli_print_error (const char *message)
{
  /* Everything is escaped but the line breaks of our own lists ("\n  " then an item):
   * the values in those items are escaped where the message is made */
  g_auto(GStrv) items = g_strsplit (message, "\n  ", -1);

  for (guint i = 0; items[i] != NULL; i++)
    {
      g_autofree char *safe = jn_text_escape_for_terminal (items[i]);

      g_printerr (i == 0 ? "jonction-cli: %s" : "\n  %s", safe);
    }
  g_printerr ("\n");
}

int
jn_cli_usage_error (GOptionContext *context,
                    const char     *message)
{
  jn_cli_print_error (message);
  if (context != NULL)
    g_printerr (_("Try “%s --help” for more information.\n"), g_get_prgname ());
  return JN_EXIT_USAGE;
}

void
jn_cli_print_json (JsonNode *root)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;
  g_autofree char *safe = NULL;

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, FALSE);
  text = json_generator_to_data (generator, NULL);
  /* json-glib leaves DEL, C1 and bidirectional controls raw: \u-escaped, the value is the same */
  safe = jn_text_escape_json (text);
  /* cli.md: the JSON is UTF-8 whatever the locale; g_print() would convert it */
  fputs (safe, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

void
jn_cli_print_row (const char *label,
                  const char *value)
{
  glong pad = 26 - g_utf8_strlen (label, -1);
  g_autofree char *safe = jn_text_escape_for_terminal (value);

  g_print ("%s%*s %s\n", label, (int)MAX (pad, 1), "", safe ? safe : "—");
}

char *
jn_cli_pad (const char *text,
            guint       width)
{
  g_autofree char *safe = jn_text_escape_for_terminal (text ? text : "");
  glong length = g_utf8_strlen (safe, -1);

  return g_strdup_printf ("%s%*s", safe, (int)(length < width ? width - length : 0), "");
}

char *
jn_cli_safe (const char *text)
{
  return jn_text_escape_for_terminal (text);
}

gboolean
jn_cli_parse (const char     *parameter_string,
              GOptionEntry   *entries,
              int            *argc,
              char         ***argv,
              int             n_positional,
              int            *status)
{
  g_autoptr(GOptionContext) context = g_option_context_new (parameter_string);
  g_autoptr(GError) error = NULL;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *status = jn_cli_usage_error (context, error->message);
      return FALSE;
    }

  if (n_positional >= 0 && *argc != n_positional + 1)
    {
      g_autofree char *message = g_strdup_printf (
        g_dngettext (GETTEXT_PACKAGE, "this command takes %d file argument",
                     "this command takes %d file arguments", n_positional),
        n_positional);

      *status = jn_cli_usage_error (context, message);
      return FALSE;
    }

  return TRUE;
}

JnExport *
jn_cli_load_export (const char   *path,
                    JnCliOptions *options,
                    int          *status)
{
  g_autoptr(JnExport) export = jn_export_new ();
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(GFile) key_file = NULL;
  g_autoptr(GError) error = NULL;

  if (options->key != NULL)
    key_file = g_file_new_for_commandline_arg (options->key);

  if (!jn_export_load (export, file, key_file, options->partner, NULL, &error))
    {
      jn_cli_print_error (error->message);
      if (g_error_matches (error, JN_ERROR, JN_ERROR_KEY_REQUIRED) ||
          g_error_matches (error, JN_ERROR, JN_ERROR_WRONG_KEY))
        g_printerr ("%s\n", _("Give the partner's private key with --key FILE, and --partner NAME "
                              "to choose among several partners."));
      *status = jn_error_is_input_error (error) ? JN_EXIT_INPUT : JN_EXIT_USAGE;
      /* The caller may still show what the envelope told */
      return jn_export_has_metadata (export) ? g_steal_pointer (&export) : NULL;
    }

  /* Malformed or shared identifiers, with file and line: on stderr, whatever the format,
   * for every command that reads an export */
  for (guint i = 0; i < jn_export_get_warnings (export)->len; i++)
    {
      g_autofree char *line = g_strdup_printf (_("warning: %s"),
                                               (const char *)g_ptr_array_index (jn_export_get_warnings (export), i));

      jn_cli_print_error (line);
    }

  *status = JN_EXIT_OK;
  return g_steal_pointer (&export);
}

int
jn_cli_fail (const GError *error)
{
  jn_cli_print_error (error->message);

  if (jn_error_is_ent_error (error))
    return JN_EXIT_ENT;
  if (jn_error_is_input_error (error))
    return JN_EXIT_INPUT;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return JN_EXIT_ENT;

  return JN_EXIT_USAGE;
}

static char *
read_token (JnCliOptions  *options,
            GError       **error)
{
  if (options->token_file != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (options->token_file);
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GBytes) bytes = NULL;
      gsize length;
      const char *data;

      bytes = jn_io_load_bounded (file, options->token_file, JN_CLI_TOKEN_MAX_SIZE, NULL, &local_error);
      if (bytes == NULL)
        {
          if (g_error_matches (local_error, JN_ERROR, JN_ERROR_TOO_LARGE))
            g_set_error (error, JN_ERROR, JN_ERROR_INVALID_ARGUMENT,
                         _("cannot read the token file: %s: larger than %u KiB, this is not a token"),
                         options->token_file, (guint)(JN_CLI_TOKEN_MAX_SIZE / 1024));
          else
            g_set_error (error, JN_ERROR, JN_ERROR_INVALID_ARGUMENT,
                         _("cannot read the token file: %s"), local_error->message);
          return NULL;
        }
      data = g_bytes_get_data (bytes, &length);
      return jn_connection_check_token (data ? data : "", length, options->token_file, error);
    }

  return jn_connection_dup_env_token (error);
}

/* From the thread that sends: a server asked to wait (Retry-After, cut to 60 s) */
static void
ent_waiting_cb (JnScimClient *client,
                guint         asked_s,
                guint         wait_s,
                gpointer      user_data)
{
  g_autofree char *message = NULL;

  if (asked_s > wait_s)
    message = g_strdup_printf (_("the ENT asks to wait %u s: waiting %u s (Ctrl+C to stop)"), asked_s, wait_s);
  else
    message = g_strdup_printf (_("the ENT asks to wait %u s: waiting (Ctrl+C to stop)"), wait_s);
  /* Prefixed like every other message on stderr */
  g_printerr ("jonction-cli: %s\n", message);
}

JnEnt *
jn_cli_open_ent (JnCliOptions *options,
                 int          *status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JnEnt) ent = NULL;
  g_autofree char *token = NULL;

  if (options->ent == NULL)
    {
      *status = jn_cli_usage_error (NULL, _("give the ENT with --ent URL (or a snapshot file)"));
      return NULL;
    }

  if (jn_connection_is_remote (options->ent))
    {
      token = read_token (options, &error);
      if (error != NULL)
        {
          *status = jn_cli_fail (error);
          return NULL;
        }
    }

  /* The core opens it; the hints that name options are the CLI's own */
  ent = jn_connection_new_ent (options->ent, token, options->extension_urn, &error);
  if (ent == NULL)
    {
      *status = jn_cli_fail (error);
      if (token == NULL && jn_connection_check_address (options->ent, NULL))
        g_printerr ("%s\n", _("Give the token with --token-file FILE, or in the JONCTION_TOKEN "
                              "environment variable."));
      return NULL;
    }

  if (JN_IS_SCIM_CLIENT (ent))
    {
      jn_scim_client_set_use_bulk (JN_SCIM_CLIENT (ent), options->bulk);
      g_signal_connect (ent, "waiting", G_CALLBACK (ent_waiting_cb), NULL);
    }

  if (!jn_connection_discover (ent, NULL, &error))
    {
      *status = jn_cli_fail (error);
      if (JN_IS_SCIM_CLIENT (ent) && jn_scim_client_get_extension_missing (JN_SCIM_CLIENT (ent)))
        g_printerr ("%s\n", _("Give the right one with --extension-urn URN."));
      return NULL;
    }

  *status = JN_EXIT_OK;
  return g_steal_pointer (&ent);
}

JnStore *
jn_cli_open_store (JnCliOptions *options,
                   int          *status)
{
  g_autoptr(GError) error = NULL;
  JnStore *store = jn_store_open (options->state, &error);

  if (store == NULL)
    {
      *status = jn_cli_fail (error);
      return NULL;
    }

  /* Retention: finished imports older than the setting lose their personal data. A store
   * that cannot be written to is still read (history), with a warning. */
  if (!jn_store_purge_expired (store, jn_cli_get_retention_days (), NULL, &error))
    {
      g_autofree char *warning = g_strdup_printf (_("warning: the expired imports were not purged: %s"),
                                                  error->message);

      jn_cli_print_error (warning);
    }

  *status = JN_EXIT_OK;
  return store;
}

guint
jn_cli_get_retention_days (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;

  /* The CLI runs where the application's schema may not be installed */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "retention-days"))
    return JN_STORE_DEFAULT_RETENTION_DAYS;

  settings = g_settings_new_full (schema, NULL, NULL);
  return g_settings_get_uint (settings, "retention-days");
}

gboolean
jn_cli_lock_store (JnStore    *store,
                   const char *ent,
                   const char *uai,
                   int        *status)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *real = NULL;
  g_autofree char *target = NULL;

  /* One name per ENT: a snapshot file by its real path, a URL without its last '/' */
  if (!g_str_has_prefix (ent, "http://") && !g_str_has_prefix (ent, "https://") &&
      (real = realpath (ent, NULL)) != NULL)
    target = g_strdup (real);
  else
    {
      target = g_strdup (ent);
      while (g_str_has_suffix (target, "/"))
        target[strlen (target) - 1] = '\0';
    }

  if (!jn_store_lock_target (store, target, uai, &error))
    {
      *status = jn_cli_fail (error);
      return FALSE;
    }

  *status = JN_EXIT_OK;
  return TRUE;
}

GAsyncResult *
jn_cli_wait (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

JnImportSession *
jn_cli_open_session (const char    *path,
                     JnCliOptions  *options,
                     JnStore       *store,
                     GHashTable   **decisions,
                     int           *status)
{
  g_autoptr(JnImportSession) session = jn_import_session_new (store);
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(GFile) key_file = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  JnImportMode mode = JN_IMPORT_MODE_PARTIAL;
  JnExport *export;
  const char *uai;

  if (options->mode != NULL && !jn_import_mode_from_string (options->mode, &mode))
    {
      *status = jn_cli_usage_error (NULL, _("--mode is “complete” or “partial”"));
      return NULL;
    }
  jn_import_session_set_mode (session, mode);

  if (options->key != NULL)
    key_file = g_file_new_for_commandline_arg (options->key);

  /* The establishment of --uai, else the export's */
  jn_import_session_set_uai (session, options->uai);
  jn_import_session_open_export_async (session, file, key_file, options->partner, NULL, got_result, &result);
  if (!jn_import_session_open_export_finish (session, jn_cli_wait (&result), &error))
    {
      jn_cli_print_error (error->message);
      if (jn_import_session_error_needs_key (error) &&
          !g_error_matches (error, JN_ERROR, JN_ERROR_INVALID_KEY) &&
          !g_error_matches (error, JN_ERROR, JN_ERROR_UNKNOWN_PARTNER))
        g_printerr ("%s\n", _("Give the partner's private key with --key FILE, and --partner NAME "
                              "to choose among several partners."));
      *status = jn_error_is_input_error (error) ? JN_EXIT_INPUT : JN_EXIT_USAGE;
      return NULL;
    }

  /* Malformed or shared identifiers, with file and line: on stderr, whatever the format */
  export = jn_import_session_get_export (session);
  for (guint i = 0; i < jn_export_get_warnings (export)->len; i++)
    {
      g_autofree char *line = g_strdup_printf (_("warning: %s"),
                                               (const char *)g_ptr_array_index (jn_export_get_warnings (export), i));

      jn_cli_print_error (line);
    }

  uai = jn_import_session_get_uai (session);
  if (uai == NULL)
    {
      *status = jn_cli_usage_error (NULL, _("the export names no establishment: give --uai"));
      return NULL;
    }
  if (!jn_uai_is_valid (uai))
    {
      g_autofree char *message = g_strdup_printf (_("“%s” is not a UAI (7 digits and a letter)"), uai);

      *status = jn_cli_usage_error (NULL, message);
      return NULL;
    }
  if (jn_import_session_get_uai_mismatch (session))
    {
      g_autofree char *warning = g_strdup_printf (_("warning: the export is for %s, matching for %s"),
                                                  jn_export_get_uai (export), options->uai);
      jn_cli_print_error (warning);
    }

  *decisions = NULL;
  if (options->decisions != NULL)
    {
      g_autoptr(GFile) decisions_file = g_file_new_for_commandline_arg (options->decisions);

      *decisions = jn_decisions_load (decisions_file, &error);
      if (*decisions == NULL)
        {
          *status = jn_cli_fail (error);
          return NULL;
        }
    }

  *status = JN_EXIT_OK;
  return g_steal_pointer (&session);
}

gboolean
jn_cli_session_read_directory (JnImportSession  *session,
                               int              *status)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  jn_import_session_read_directory_async (session, NULL, got_result, &result);
  if (!jn_import_session_read_directory_finish (session, jn_cli_wait (&result), &error))
    {
      *status = jn_cli_fail (error);
      return FALSE;
    }

  *status = JN_EXIT_OK;
  return TRUE;
}

JnPlan *
jn_cli_session_match (JnImportSession  *session,
                      GHashTable       *decisions,
                      JnCliOptions     *options,
                      int              *status)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  jn_import_session_match_async (session, decisions, NULL, got_result, &result);
  if (!jn_import_session_match_finish (session, jn_cli_wait (&result), &error))
    {
      g_autofree char *name = g_path_get_basename (options->decisions ? options->decisions : "");
      g_autofree char *message = g_strdup_printf ("%s: %s", name, error->message);

      jn_cli_print_error (message);
      *status = JN_EXIT_INPUT;
      return NULL;
    }

  *status = JN_EXIT_OK;
  return jn_import_session_get_plan (session);
}

static const struct
{
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *summary;
} commands[] = {
  { "inspect", jn_cli_command_inspect, N_("Describe an export: encryption, partners, UAI, counts") },
  { "directory", jn_cli_command_directory, N_("Download an establishment's ENT directory") },
  { "match", jn_cli_command_match, N_("Match an export with the ENT directory and print the plan") },
  { "push", jn_cli_command_push, N_("Apply the plan to the ENT, journalled and resumable") },
  { "set-id", jn_cli_command_set_id, N_("Set one user's PRONOTE identifier") },
  { "history", jn_cli_command_history, N_("List past imports") },
  { "forget", jn_cli_command_forget, N_("Remove the personal data of the local store now") },
};

/* Defence in depth for whatever a command prints without escaping it: escape sequences,
 * C1 and bidirectional controls never reach the terminal. Line ends are the format
 * strings' own and pass. */
static void
print_escaped (FILE       *stream,
               const char *string)
{
  g_autoptr(GString) safe = g_string_new (NULL);
  const char *charset;

  for (const char *p = string; *p != '\0';)
    {
      gsize span = strcspn (p, "\r\n");
      g_autofree char *segment = g_strndup (p, span);
      g_autofree char *escaped = jn_text_escape_for_terminal (segment);

      g_string_append (safe, escaped);
      p += span;
      if (*p != '\0')
        g_string_append_c (safe, *p++);
    }

  if (g_get_charset (&charset))
    {
      fputs (safe->str, stream);
    }
  else
    {
      g_autofree char *converted = g_convert_with_fallback (safe->str, -1, charset, "UTF-8", "?",
                                                            NULL, NULL, NULL);

      fputs (converted ? converted : safe->str, stream);
    }
  fflush (stream);
}

static void
print_stdout_cb (const char *string)
{
  print_escaped (stdout, string);
}

static void
print_stderr_cb (const char *string)
{
  print_escaped (stderr, string);
}

static void
print_usage (FILE *stream)
{
  fprintf (stream, "%s\n\n%s\n", _("Usage: jonction-cli COMMAND [OPTION…]"), _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (stream, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (stream, "\n%s\n", _("“jonction-cli COMMAND --help” describes a command's options."));
}

int
jn_cli_run (int    argc,
            char **argv)
{
  const char *command;

  g_set_prgname ("jonction-cli");
  g_set_print_handler (print_stdout_cb);
  g_set_printerr_handler (print_stderr_cb);

  if (argc < 2)
    {
      print_usage (stderr);
      return JN_EXIT_USAGE;
    }

  command = argv[1];
  if (g_str_equal (command, "--help") || g_str_equal (command, "-h") ||
      g_str_equal (command, "help"))
    {
      print_usage (stdout);
      return JN_EXIT_OK;
    }
  if (g_str_equal (command, "--version"))
    {
      g_print ("jonction-cli %s\n", PACKAGE_VERSION);
      return JN_EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *prgname = NULL;

      if (!g_str_equal (command, commands[i].name))
        continue;

      if (commands[i].run == NULL)
        {
          g_autofree char *message =
            g_strdup_printf (_("the “%s” command is not available in this version yet"), command);

          return jn_cli_usage_error (NULL, message);
        }

      prgname = g_strdup_printf ("jonction-cli %s", command);
      g_set_prgname (prgname);
      return commands[i].run (argc - 1, argv + 1);
    }

  {
    g_autofree char *message = g_strdup_printf (_("unknown command “%s”"), command);

    jn_cli_print_error (message);
    print_usage (stderr);
  }

  return JN_EXIT_USAGE;
}
