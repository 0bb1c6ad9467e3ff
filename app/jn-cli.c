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

#include <glib/gi18n.h>

#include "jn-cli-private.h"
#include "jn-error.h"

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

void
jn_cli_print_error (const char *message)
{
  g_printerr ("jonction-cli: %s\n", message);
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

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, FALSE);
  text = json_generator_to_data (generator, NULL);
  /* cli.md: the JSON is UTF-8 whatever the locale; g_print() would convert it */
  fputs (text, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

void
jn_cli_print_row (const char *label,
                  const char *value)
{
  glong pad = 22 - g_utf8_strlen (label, -1);

  g_print ("%s%*s %s\n", label, (int)MAX (pad, 1), "", value ? value : "—");
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

  *status = JN_EXIT_OK;
  return g_steal_pointer (&export);
}

static const struct
{
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *summary;
} commands[] = {
  { "inspect", jn_cli_command_inspect, N_("Describe an export: encryption, partners, UAI, counts") },
  { "directory", NULL, N_("Download an establishment's ENT directory") },
  { "match", jn_cli_command_match, N_("Match an export with the ENT directory and print the plan") },
  { "push", NULL, N_("Apply the plan to the ENT, journalled and resumable") },
  { "set-id", NULL, N_("Set one user's PRONOTE identifier") },
  { "history", NULL, N_("List past imports") },
};

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
