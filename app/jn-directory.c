/* jn-directory.c: the ENT users of an establishment, from a SCIM ListResponse
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-directory"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "jn-directory.h"
#include "jn-error.h"
#include "jn-io.h"

#define LIST_RESPONSE_URN "urn:ietf:params:scim:api:messages:2.0:ListResponse"
#define CORE_USER_URN "urn:ietf:params:scim:schemas:core:2.0:User"

struct _JnDirectory
{
  GObject      parent_instance;

  char        *extension_urn;
  GListStore  *users;
  GHashTable  *by_id;     /* id → JnEntUser (borrowed from users) */
  gboolean     complete;
};

G_DEFINE_FINAL_TYPE (JnDirectory, jn_directory, G_TYPE_OBJECT)

static void
jn_directory_finalize (GObject *object)
{
  JnDirectory *self = (JnDirectory *)object;

  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_object (&self->users);
  g_free (self->extension_urn);

  G_OBJECT_CLASS (jn_directory_parent_class)->finalize (object);
}

static void
jn_directory_class_init (JnDirectoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jn_directory_finalize;
}

static void
jn_directory_init (JnDirectory *self)
{
  self->users = g_list_store_new (JN_TYPE_ENT_USER);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->complete = TRUE;
}

gboolean
jn_directory_get_complete (JnDirectory *self)
{
  g_return_val_if_fail (JN_IS_DIRECTORY (self), FALSE);

  return self->complete;
}

void
jn_directory_set_complete (JnDirectory *self,
                           gboolean     complete)
{
  g_return_if_fail (JN_IS_DIRECTORY (self));

  self->complete = !!complete;
}

JnDirectory *
jn_directory_new (const char *extension_urn)
{
  JnDirectory *self = g_object_new (JN_TYPE_DIRECTORY, NULL);

  self->extension_urn = g_strdup (extension_urn && *extension_urn ? extension_urn
                                                                   : JN_DEFAULT_EXTENSION_URN);
  return self;
}

const char *
jn_directory_get_extension_urn (JnDirectory *self)
{
  g_return_val_if_fail (JN_IS_DIRECTORY (self), NULL);

  return self->extension_urn;
}

void
jn_directory_add_user (JnDirectory *self,
                       JnEntUser   *user)
{
  JnEntUser *existing;

  g_return_if_fail (JN_IS_DIRECTORY (self));
  g_return_if_fail (JN_IS_ENT_USER (user));

  /* A server that repeats a page must not make two users of one. The index goes first:
   * its key is the id string of the user being replaced. */
  existing = g_hash_table_lookup (self->by_id, jn_ent_user_get_id (user));
  if (existing != NULL)
    {
      guint position;

      g_hash_table_remove (self->by_id, jn_ent_user_get_id (user));
      g_hash_table_insert (self->by_id, (gpointer)jn_ent_user_get_id (user), user);
      if (g_list_store_find (self->users, existing, &position))
        g_list_store_splice (self->users, position, 1, (gpointer *)&user, 1);
    }
  else
    {
      g_hash_table_insert (self->by_id, (gpointer)jn_ent_user_get_id (user), user);
      g_list_store_append (self->users, user);
    }
}

gboolean
jn_directory_add_list_response (JnDirectory  *self,
                                JsonNode     *list_response,
                                const char   *display_name,
                                guint        *n_added,
                                GError      **error)
{
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func (g_object_unref);
  JsonObject *object;
  JsonNode *resources;
  JsonArray *array;

  g_return_val_if_fail (JN_IS_DIRECTORY (self), FALSE);

  if (list_response == NULL || !JSON_NODE_HOLDS_OBJECT (list_response))
    goto invalid;

  object = json_node_get_object (list_response);
  resources = json_object_get_member (object, "Resources");
  if (resources == NULL)
    {
      /* RFC 7644: Resources may be omitted when there are none */
      if (json_object_has_member (object, "totalResults"))
        {
          if (n_added != NULL)
            *n_added = 0;
          return TRUE;
        }
      goto invalid;
    }
  if (!JSON_NODE_HOLDS_ARRAY (resources))
    goto invalid;

  array = json_node_get_array (resources);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autoptr(GError) local_error = NULL;
      JnEntUser *user;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        goto invalid;

      user = jn_ent_user_new_from_json (json_node_get_object (element), self->extension_urn,
                                        &local_error);
      if (user == NULL)
        {
          g_set_error (error, JN_ERROR, JN_ERROR_INVALID_FILE, _("%s: resource %u: %s"),
                       display_name, i + 1, local_error->message);
          return FALSE;
        }
      g_ptr_array_add (users, user);
    }

  /* All or nothing */
  for (guint i = 0; i < users->len; i++)
    jn_directory_add_user (self, g_ptr_array_index (users, i));

  if (n_added != NULL)
    *n_added = users->len;

  return TRUE;

invalid:
  g_set_error (error, JN_ERROR, JN_ERROR_INVALID_FILE,
               _("%s: not a SCIM ListResponse (an object with a “Resources” array of users)"),
               display_name);
  return FALSE;
}

gboolean
jn_directory_load_file (JnDirectory   *self,
                        GFile         *file,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *display_name = NULL;
  g_autoptr(GBytes) contents = NULL;
  gsize length;
  const char *data;

  g_return_val_if_fail (JN_IS_DIRECTORY (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  display_name = g_file_get_basename (file);

  /* 100,000 users weigh about 70 MB */
  contents = jn_io_load_bounded (file, display_name, (gsize)512 * 1024 * 1024, cancellable, error);
  if (contents == NULL)
    return FALSE;

  data = g_bytes_get_data (contents, &length);
  if (!json_parser_load_from_data (parser, data, (gssize)length, &local_error))
    {
      g_set_error (error, JN_ERROR, JN_ERROR_INVALID_FILE, _("%s: invalid JSON: %s"),
                   display_name, local_error->message);
      return FALSE;
    }

  return jn_directory_add_list_response (self, json_parser_get_root (parser), display_name,
                                         NULL, error);
}

GListModel *
jn_directory_get_users (JnDirectory *self)
{
  g_return_val_if_fail (JN_IS_DIRECTORY (self), NULL);

  return G_LIST_MODEL (self->users);
}

guint
jn_directory_get_n_users (JnDirectory *self)
{
  g_return_val_if_fail (JN_IS_DIRECTORY (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->users));
}

JnEntUser *
jn_directory_lookup (JnDirectory *self,
                     const char  *id)
{
  g_return_val_if_fail (JN_IS_DIRECTORY (self), NULL);

  return id ? g_hash_table_lookup (self->by_id, id) : NULL;
}

JsonNode *
jn_directory_to_json (JnDirectory *self)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonArray) schemas = json_array_new ();
  g_autoptr(JsonArray) resources = json_array_new ();
  guint n = jn_directory_get_n_users (self);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JnEntUser) user = g_list_model_get_item (G_LIST_MODEL (self->users), i);

      json_array_add_element (resources, jn_ent_user_to_json (user, self->extension_urn));
    }

  json_array_add_string_element (schemas, LIST_RESPONSE_URN);
  json_object_set_array_member (object, "schemas", g_steal_pointer (&schemas));
  json_object_set_int_member (object, "totalResults", n);
  json_object_set_int_member (object, "startIndex", 1);
  json_object_set_int_member (object, "itemsPerPage", n);
  json_object_set_array_member (object, "Resources", g_steal_pointer (&resources));

  return json_node_init_object (json_node_alloc (), object);
}

gboolean
jn_directory_save_file (JnDirectory   *self,
                        GFile         *file,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = jn_directory_to_json (self);
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autofree char *text = NULL;
  gsize length;

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, &length);

  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                           cancellable, error);
  if (stream == NULL)
    return FALSE;

  if (!g_output_stream_write_all (G_OUTPUT_STREAM (stream), text, length, NULL, cancellable, error))
    return FALSE;

  return g_output_stream_close (G_OUTPUT_STREAM (stream), cancellable, error);
}
