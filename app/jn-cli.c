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
#include <json-glib/json-glib.h>

#include "jn-cli.h"
#include "jn-error.h"
#include "jn-export.h"

typedef struct
{
  char     *key;
  char     *partner;
  gboolean  json;
} CommonOptions;

static void
common_options_clear (CommonOptions *options)
{
  g_clear_pointer (&options->key, g_free);
  g_clear_pointer (&options->partner, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CommonOptions, common_options_clear)

static void
print_error (const char *message)
{
  g_printerr ("jonction-cli: %s\n", message);
}

static int
usage_error (GOptionContext *context,
             const char     *message)
{
  print_error (message);
  if (context != NULL)
    g_printerr (_("Try “%s --help” for more information.\n"), g_get_prgname ());
  return JN_EXIT_USAGE;
}

static void
print_json (JsonNode *root)
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

static void
add_nullable_string (JsonBuilder *builder,
                     const char  *member,
                     const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static JsonNode *
inspect_to_json (JnExport *export,
                 gboolean  with_counts)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const char * const *partners = jn_export_get_partners (export);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "encrypted");
  json_builder_add_boolean_value (builder, jn_export_get_encrypted (export));
  json_builder_set_member_name (builder, "partners");
  json_builder_begin_array (builder);
  for (guint i = 0; partners[i] != NULL; i++)
    json_builder_add_string_value (builder, partners[i]);
  json_builder_end_array (builder);
  add_nullable_string (builder, "uai", jn_export_get_uai (export));
  add_nullable_string (builder, "establishment", jn_export_get_establishment (export));
  add_nullable_string (builder, "exported_at", jn_export_get_exported_at (export));
  add_nullable_string (builder, "software", jn_export_get_software (export));
  if (with_counts)
    {
      json_builder_set_member_name (builder, "counts");
      json_builder_begin_object (builder);
      for (guint i = 0; i < JN_N_CATEGORIES; i++)
        {
          json_builder_set_member_name (builder, jn_category_to_key (i));
          json_builder_add_int_value (builder, jn_export_get_count (export, i));
        }
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* Pads @label to @width columns (not bytes: the labels are translated) */
static void
print_row (const char *label,
           const char *value)
{
  glong pad = 22 - g_utf8_strlen (label, -1);

  g_print ("%s%*s %s\n", label, (int)MAX (pad, 1), "", value ? value : "—");
}

static void
inspect_print_human (JnExport *export,
                     gboolean  with_counts)
{
  const char * const *partners = jn_export_get_partners (export);
  g_autofree char *file_name = NULL;

  if (jn_export_get_file (export) != NULL)
    file_name = g_file_get_basename (jn_export_get_file (export));

  print_row (_("File"), file_name);
  if (jn_export_get_encrypted (export))
    {
      g_autofree char *names = g_strjoinv (", ", (char **)partners);
      g_autofree char *value = NULL;

      if (jn_export_get_partner (export) != NULL)
        value = g_strdup_printf (_("yes, for %s (opened with the key of %s)"),
                                 names, jn_export_get_partner (export));
      else
        value = g_strdup_printf (_("yes, for %s"), names);
      print_row (_("Encrypted"), value);
    }
  else
    {
      print_row (_("Encrypted"), _("no"));
    }
  print_row (_("Establishment"), jn_export_get_establishment (export));
  print_row (_("UAI"), jn_export_get_uai (export));
  print_row (_("Exported on"), jn_export_get_exported_at (export));
  print_row (_("Software"), jn_export_get_software (export));

  if (with_counts)
    {
      g_autofree char *total = g_strdup_printf ("%u", jn_export_get_n_records (export));

      g_print ("\n");
      for (guint i = 0; i < JN_N_CATEGORIES; i++)
        {
          g_autofree char *count = g_strdup_printf ("%u", jn_export_get_count (export, i));

          print_row (jn_category_get_label (i), count);
        }
      print_row (_("Total"), total);
    }
}

static int
command_inspect (int    argc,
                 char **argv)
{
  g_auto(CommonOptions) options = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JnExport) export = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) key_file = NULL;
  GOptionEntry entries[] = {
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &options.key,
      N_("Private key of the partner (PEM or DER PKCS#8)"), N_("FILE") },
    { "partner", 0, 0, G_OPTION_ARG_STRING, &options.partner,
      N_("Partner name in the encrypted export"), N_("NAME") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &options.json,
      N_("Print one JSON document"), NULL },
    { NULL }
  };
  gboolean loaded;

  context = g_option_context_new (_("EXPORT — describe a PRONOTE export"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (context, error->message);
  if (argc != 2)
    return usage_error (context, _("inspect takes exactly one export file"));

  file = g_file_new_for_commandline_arg (argv[1]);
  if (options.key != NULL)
    key_file = g_file_new_for_commandline_arg (options.key);

  export = jn_export_new ();
  loaded = jn_export_load (export, file, key_file, options.partner, NULL, &error);

  if (loaded || jn_export_has_metadata (export))
    {
      if (options.json)
        {
          g_autoptr(JsonNode) root = inspect_to_json (export, loaded);

          print_json (root);
        }
      else
        {
          inspect_print_human (export, loaded);
        }
    }

  if (!loaded)
    {
      print_error (error->message);
      if (g_error_matches (error, JN_ERROR, JN_ERROR_KEY_REQUIRED) ||
          g_error_matches (error, JN_ERROR, JN_ERROR_WRONG_KEY))
        g_printerr ("%s\n", _("Give the partner's private key with --key FILE, and --partner NAME "
                              "to choose among several partners."));
      return jn_error_is_input_error (error) ? JN_EXIT_INPUT : JN_EXIT_USAGE;
    }

  return JN_EXIT_OK;
}

static const struct
{
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *summary;
} commands[] = {
  { "inspect", command_inspect, N_("Describe an export: encryption, partners, UAI, counts") },
  { "directory", NULL, N_("Download an establishment's ENT directory") },
  { "match", NULL, N_("Match an export with the ENT directory and print the plan") },
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

          return usage_error (NULL, message);
        }

      prgname = g_strdup_printf ("jonction-cli %s", command);
      g_set_prgname (prgname);
      return commands[i].run (argc - 1, argv + 1);
    }

  {
    g_autofree char *message = g_strdup_printf (_("unknown command “%s”"), command);

    print_error (message);
    print_usage (stderr);
  }

  return JN_EXIT_USAGE;
}
