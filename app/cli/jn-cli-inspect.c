/* jn-cli-inspect.c: jonction-cli inspect
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "jn-cli-private.h"

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

      json_builder_set_member_name (builder, "warnings");
      json_builder_begin_array (builder);
      for (guint i = 0; i < jn_export_get_warnings (export)->len; i++)
        json_builder_add_string_value (builder, g_ptr_array_index (jn_export_get_warnings (export), i));
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
inspect_print_human (JnExport *export,
                     gboolean  with_counts)
{
  const char * const *partners = jn_export_get_partners (export);
  g_autofree char *file_name = NULL;

  if (jn_export_get_file (export) != NULL)
    file_name = g_file_get_basename (jn_export_get_file (export));

  jn_cli_print_row (_("File"), file_name);
  if (jn_export_get_encrypted (export))
    {
      g_autofree char *names = g_strjoinv (", ", (char **)partners);
      g_autofree char *value = NULL;

      if (jn_export_get_partner (export) != NULL)
        value = g_strdup_printf (_("yes, for %s (opened with the key of %s)"),
                                 names, jn_export_get_partner (export));
      else
        value = g_strdup_printf (_("yes, for %s"), names);
      jn_cli_print_row (_("Encrypted"), value);
    }
  else
    {
      jn_cli_print_row (_("Encrypted"), _("no"));
    }
  jn_cli_print_row (_("Establishment"), jn_export_get_establishment (export));
  jn_cli_print_row (_("UAI"), jn_export_get_uai (export));
  jn_cli_print_row (_("Exported on"), jn_export_get_exported_at (export));
  jn_cli_print_row (_("Software"), jn_export_get_software (export));

  if (with_counts)
    {
      g_autofree char *total = g_strdup_printf ("%u", jn_export_get_n_records (export));

      g_print ("\n");
      for (guint i = 0; i < JN_N_CATEGORIES; i++)
        {
          g_autofree char *count = g_strdup_printf ("%u", jn_export_get_count (export, i));

          jn_cli_print_row (jn_category_get_label (i), count);
        }
      jn_cli_print_row (_("Total"), total);
    }
}

int
jn_cli_command_inspect (int    argc,
                        char **argv)
{
  g_auto(JnCliOptions) options = { 0 };
  g_autoptr(JnExport) export = NULL;
  GOptionEntry entries[] = {
    JN_CLI_KEY_ENTRIES (options),
    JN_CLI_JSON_ENTRY (options),
    { NULL }
  };
  int status;

  if (!jn_cli_parse (_("EXPORT — describe a PRONOTE export"), entries, &argc, &argv, 1, &status))
    return status;

  /* Printed after the error of a file whose envelope was readable: still informative */
  export = jn_cli_load_export (argv[1], &options, &status);
  if (export != NULL)
    {
      gboolean loaded = jn_export_get_loaded (export);
      if (options.json)
        {
          g_autoptr(JsonNode) root = inspect_to_json (export, loaded);

          jn_cli_print_json (root);
        }
      else
        {
          inspect_print_human (export, loaded);
        }
    }

  return status;
}
