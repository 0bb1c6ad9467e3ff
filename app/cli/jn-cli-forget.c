/* jn-cli-forget.c: jonction-cli history and forget, the local store's own commands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "jn-cli-private.h"
#include "jn-error.h"

int
jn_cli_command_history (int    argc,
                        char **argv)
{
  g_auto(JnCliOptions) options = { 0 };
  g_autoptr(JnStore) store = NULL;
  g_autoptr(GPtrArray) imports = NULL;
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = {
    JN_CLI_STATE_ENTRY (options),
    JN_CLI_JSON_ENTRY (options),
    { NULL }
  };
  int status;

  if (!jn_cli_parse (_("— list past imports"), entries, &argc, &argv, 0, &status))
    return status;

  store = jn_cli_open_store (&options, &status);
  if (store == NULL)
    return status;

  imports = jn_store_list_imports (store, 0, &error);
  if (imports == NULL)
    return jn_cli_fail (error);

  if (options.json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < imports->len; i++)
        {
          JnImportRecord *record = g_ptr_array_index (imports, i);

          json_builder_begin_object (builder);
#define STRING(key, value) \
          json_builder_set_member_name (builder, key); \
          if (value) json_builder_add_string_value (builder, value); else json_builder_add_null_value (builder)
#define INT(key, value) \
          json_builder_set_member_name (builder, key); json_builder_add_int_value (builder, value)
          STRING ("import_id", record->id);
          STRING ("started_at", record->started_at);
          STRING ("finished_at", record->finished_at);
          STRING ("mode", record->mode);
          STRING ("uai", record->uai);
          STRING ("ent", record->ent);
          STRING ("outcome", record->state);
          INT ("set", record->n_set);
          INT ("replaced", record->n_replaced);
          INT ("cleared", record->n_cleared);
          INT ("unchanged", record->n_unchanged);
          INT ("failed", record->n_failed);
#undef STRING
#undef INT
          json_builder_set_member_name (builder, "purged");
          json_builder_add_boolean_value (builder, record->purged);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      jn_cli_print_json (root);
      return JN_EXIT_OK;
    }

  if (imports->len == 0)
    g_print (_("No import yet.\n"));

  /* The store is a file: what it says is printed like any other input */
  for (guint i = 0; i < imports->len; i++)
    {
      JnImportRecord *record = g_ptr_array_index (imports, i);
      g_autofree char *started_at = jn_cli_safe (record->started_at);
      g_autofree char *mode = jn_cli_safe (record->mode);
      g_autofree char *uai = jn_cli_safe (record->uai);
      g_autofree char *state = jn_cli_safe (record->state);

      g_print (_("%s  %-8s %s  %u set, %u replaced, %u removed, %u unchanged, %u failed  (%s)\n"),
               started_at, mode, uai, record->n_set, record->n_replaced,
               record->n_cleared, record->n_unchanged, record->n_failed, state);
    }

  return JN_EXIT_OK;
}

int
jn_cli_command_forget (int    argc,
                       char **argv)
{
  g_auto(JnCliOptions) options = { 0 };
  g_autoptr(JnStore) store = NULL;
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = {
    JN_CLI_STATE_ENTRY (options),
    { "yes", 0, 0, G_OPTION_ARG_NONE, &options.yes,
      N_("Remove them now (without it, say what would go)"), NULL },
    JN_CLI_JSON_ENTRY (options),
    { NULL }
  };
  guint n_imports = 0, n_decisions = 0, n_operations = 0;
  int status;

  if (!jn_cli_parse (_("— remove the local store's personal data now"), entries, &argc, &argv, 0,
                     &status))
    return status;

  store = jn_cli_open_store (&options, &status);
  if (store == NULL)
    return status;

  if (!jn_store_count_local_data (store, &n_imports, &n_decisions, &n_operations, &error))
    return jn_cli_fail (error);

  if (options.yes && !jn_store_forget (store, &error))
    return jn_cli_fail (error);

  if (options.json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "store");
      json_builder_add_string_value (builder, jn_store_get_path (store));
      json_builder_set_member_name (builder, "imports");
      json_builder_add_int_value (builder, n_imports);
      json_builder_set_member_name (builder, "decisions");
      json_builder_add_int_value (builder, n_decisions);
      json_builder_set_member_name (builder, "operations");
      json_builder_add_int_value (builder, n_operations);
      json_builder_set_member_name (builder, "removed");
      json_builder_add_boolean_value (builder, options.yes);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      jn_cli_print_json (root);
      return JN_EXIT_OK;
    }

  {
    g_autofree char *path = jn_cli_safe (jn_store_get_path (store));

    if (options.yes)
      g_print (_("Removed from %s: %u imports, %u decisions, %u journal entries.\n"),
               path, n_imports, n_decisions, n_operations);
    else
      g_print (_("%s holds %u imports, %u decisions, %u journal entries.\n"
                 "Nothing was removed: run again with --yes to remove them now (an interrupted "
                 "import can then no longer be resumed).\n"),
               path, n_imports, n_decisions, n_operations);
  }

  return JN_EXIT_OK;
}
