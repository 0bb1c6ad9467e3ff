/* jn-directory.c: the ENT users of an establishment, from a SCIM ListResponse
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-directory"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "jn-directory.h"
#include "jn-error.h"
#include "jn-io.h"
#include "jn-json.h"
#include "jn-text.h"

#define LIST_RESPONSE_URN "urn:ietf:params:scim:api:messages:2.0:ListResponse"
#define CORE_USER_URN "urn:ietf:params:scim:schemas:core:2.0:User"
/* A snapshot of a directory not known whole says so (and why) */
#define INCOMPLETE_MEMBER "jonctionIncomplete"

struct _JnDirectory
{
  GObject      parent_instance;

  char        *extension_urn;
  GListStore  *users;
  GHashTable  *by_id;     /* id → JnEntUser (borrowed from users) */
  char        *incomplete_reason;   /* NULL: known whole */
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
  g_free (self->incomplete_reason);

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

gboolean
jn_directory_get_complete (JnDirectory *self)
{
  g_return_val_if_fail (JN_IS_DIRECTORY (self), FALSE);

  return self->complete;
}

const char *
jn_directory_get_incomplete_reason (JnDirectory *self)
{
  g_return_val_if_fail (JN_IS_DIRECTORY (self), NULL);

  return self->complete ? NULL : self->incomplete_reason;
}

void
jn_directory_set_complete (JnDirectory *self,
                           gboolean     complete,
                           const char  *reason)
{
  g_return_if_fail (JN_IS_DIRECTORY (self));

  self->complete = complete;
  g_free (self->incomplete_reason);
  self->incomplete_reason = complete ? NULL : g_strdup (reason ? reason : _("the directory may be incomplete"));
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

static void
set_duplicate_error (GError     **error,
                     const char  *display_name,
                     const char  *id)
{
  g_autofree char *shown = jn_text_dup_bounded (id, 80);

  g_set_error (error, JN_ERROR, JN_ERROR_INVALID_FILE,
               _("%s: two users have the id “%s”: which one is right cannot be known"),
               display_name, shown);
}

gboolean
jn_directory_add_list_response (JnDirectory  *self,
                                JsonNode     *list_response,
                                const char   *display_name,
                                guint        *n_added,
                                GError      **error)
{
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
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
  if (json_array_get_length (array) > JN_DIRECTORY_MAX_USERS ||
      jn_directory_get_n_users (self) + json_array_get_length (array) > JN_DIRECTORY_MAX_USERS)
    {
      g_set_error (error, JN_ERROR, JN_ERROR_TOO_LARGE, _("%s: more than %u users"),
                   display_name, JN_DIRECTORY_MAX_USERS);
      return FALSE;
    }
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
      if (!g_hash_table_add (ids, (gpointer)jn_ent_user_get_id (user)))
        {
          set_duplicate_error (error, display_name, jn_ent_user_get_id (user));
          return FALSE;
        }
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

typedef struct
{
  JnDirectory *self;
  const char  *display_name;
  GPtrArray   *users;
  GHashTable  *ids;
} LoadData;

/* One element of "Resources": parsed alone, kept as a user, its tree dropped */
static gboolean
load_element_cb (const char  *data,
                 gsize        length,
                 guint        index,
                 gpointer     user_data,
                 GError     **error)
{
  LoadData *load = user_data;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JnEntUser *user;

  if (index >= JN_DIRECTORY_MAX_USERS)
    {
      g_set_error (error, JN_ERROR, JN_ERROR_TOO_LARGE, _("%s: more than %u users"),
                   load->display_name, JN_DIRECTORY_MAX_USERS);
      return FALSE;
    }

  if (!json_parser_load_from_data (parser, data, (gssize)length, &local_error))
    {
      g_set_error (error, JN_ERROR, JN_ERROR_INVALID_FILE, _("%s: resource %u: invalid JSON: %s"),
                   load->display_name, index + 1, local_error->message);
      return FALSE;
    }

  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, JN_ERROR, JN_ERROR_INVALID_FILE,
                   _("%s: not a SCIM ListResponse (an object with a “Resources” array of users)"),
                   load->display_name);
      return FALSE;
    }

  user = jn_ent_user_new_from_json (json_node_get_object (root), load->self->extension_urn, &local_error);
  if (user == NULL)
    {
      g_set_error (error, JN_ERROR, JN_ERROR_INVALID_FILE, _("%s: resource %u: %s"),
                   load->display_name, index + 1, local_error->message);
      return FALSE;
    }
  g_ptr_array_add (load->users, user);

  if (!g_hash_table_add (load->ids, (gpointer)jn_ent_user_get_id (user)) ||
      jn_directory_lookup (load->self, jn_ent_user_get_id (user)) != NULL)
    {
      set_duplicate_error (error, load->display_name, jn_ent_user_get_id (user));
      return FALSE;
    }

  return TRUE;
}

gboolean
jn_directory_load_file (JnDirectory   *self,
                        GFile         *file,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(JsonObject) others = NULL;
  g_autofree char *display_name = NULL;
  g_autoptr(GBytes) contents = NULL;
  LoadData load = { 0 };
  gboolean has_array = FALSE;
  JsonNode *total_node;
  gsize length;
  const char *data;

  g_return_val_if_fail (JN_IS_DIRECTORY (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  display_name = g_file_get_basename (file);

  contents = jn_io_load_bounded (file, display_name, JN_DIRECTORY_MAX_FILE_SIZE, cancellable, error);
  if (contents == NULL)
    return FALSE;

  load.self = self;
  load.display_name = display_name;
  load.users = users;
  load.ids = ids;
  data = g_bytes_get_data (contents, &length);
  if (!jn_json_split_array (data, length, JN_DIRECTORY_MAX_FILE_SIZE, JN_JSON_REFUSE_DUPLICATE_KEYS,
                            display_name, "Resources", load_element_cb, &load, &others, &has_array,
                            error))
    return FALSE;

  /* RFC 7644: Resources may be omitted when there are none */
  total_node = json_object_get_member (others, "totalResults");
  if (!has_array && total_node == NULL)
    {
      g_set_error (error, JN_ERROR, JN_ERROR_INVALID_FILE,
                   _("%s: not a SCIM ListResponse (an object with a “Resources” array of users)"),
                   display_name);
      return FALSE;
    }

  if (jn_directory_get_n_users (self) + users->len > JN_DIRECTORY_MAX_USERS)
    {
      g_set_error (error, JN_ERROR, JN_ERROR_TOO_LARGE, _("%s: more than %u users"),
                   display_name, JN_DIRECTORY_MAX_USERS);
      return FALSE;
    }

  for (guint i = 0; i < users->len; i++)
    {
      JnEntUser *user = g_ptr_array_index (users, i);

      g_hash_table_insert (self->by_id, (gpointer)jn_ent_user_get_id (user), user);
    }
  g_list_store_splice (self->users, g_list_model_get_n_items (G_LIST_MODEL (self->users)), 0,
                       users->pdata, users->len);

  /* A snapshot of part of a directory says so */
  if (json_object_has_member (others, INCOMPLETE_MEMBER))
    {
      const char *why = json_object_get_string_member_with_default (others, INCOMPLETE_MEMBER, NULL);
      g_autofree char *bounded = jn_text_dup_bounded (why ? why : "", 300);
      g_autofree char *reason = g_strdup_printf (_("%s says it may be incomplete: %s"), display_name, bounded);

      jn_directory_set_complete (self, FALSE, reason);
    }
  else if (total_node != NULL &&
      (json_node_get_value_type (total_node) != G_TYPE_INT64 ||
       json_node_get_int (total_node) != (gint64)users->len))
    {
      g_autofree char *reason = g_strdup_printf (_("%s announces another number of users than the %u it holds"),
                                                 display_name, users->len);

      jn_directory_set_complete (self, FALSE, reason);
    }

  return TRUE;
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

static void
append_head (JnDirectory *self,
             GString     *buffer,
             guint        n)
{
  g_string_append (buffer, "{\n");
  if (!self->complete)
    {
      g_autoptr(JsonNode) reason = json_node_init_string (json_node_alloc (), self->incomplete_reason);
      g_autofree char *text = json_to_string (reason, FALSE);

      g_string_append_printf (buffer, "  \"" INCOMPLETE_MEMBER "\" : %s,\n", text);
    }
  g_string_append_printf (buffer,
                          "  \"schemas\" : [\n    \"" LIST_RESPONSE_URN "\"\n  ],\n"
                          "  \"totalResults\" : %u,\n  \"startIndex\" : 1,\n  \"itemsPerPage\" : %u,\n"
                          "  \"Resources\" : [",
                          n, n);
}

static void
append_user (GString    *buffer,
             guint       index,
             const char *text)
{
  g_string_append (buffer, index > 0 ? ",\n    " : "\n    ");
  g_string_append (buffer, text);
}

static void
append_tail (GString *buffer,
             guint    n)
{
  g_string_append (buffer, n > 0 ? "\n  ]\n}\n" : "]\n}\n");
}

char *
jn_directory_user_to_text (JnDirectory *self,
                           JnEntUser   *user)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (JN_IS_DIRECTORY (self), NULL);
  g_return_val_if_fail (JN_IS_ENT_USER (user), NULL);

  node = jn_ent_user_to_json (user, self->extension_urn);
  return json_to_string (node, FALSE);
}

/* Written user by user: a whole tree of a large directory would weigh many times the file */
gboolean
jn_directory_save_file (JnDirectory   *self,
                        GFile         *file,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autoptr(GString) buffer = g_string_sized_new (1024 * 1024);
  guint n = jn_directory_get_n_users (self);

  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                           cancellable, error);
  if (stream == NULL)
    return FALSE;

  append_head (self, buffer, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JnEntUser) user = g_list_model_get_item (G_LIST_MODEL (self->users), i);
      g_autofree char *text = jn_directory_user_to_text (self, user);

      append_user (buffer, i, text);
      if (buffer->len >= 1024 * 1024)
        {
          if (!g_output_stream_write_all (G_OUTPUT_STREAM (stream), buffer->str, buffer->len, NULL,
                                          cancellable, error))
            return FALSE;
          g_string_truncate (buffer, 0);
        }
    }
  append_tail (buffer, n);

  if (!g_output_stream_write_all (G_OUTPUT_STREAM (stream), buffer->str, buffer->len, NULL,
                                  cancellable, error))
    return FALSE;

  return g_output_stream_close (G_OUTPUT_STREAM (stream), cancellable, error);
}

static gboolean
write_fd_all (int          fd,
              const char  *data,
              gsize        length,
              GError     **error)
{
  while (length > 0)
    {
      gssize written = write (fd, data, length);

      if (written < 0 && errno == EINTR)
        continue;
      if (written <= 0)
        {
          int saved_errno = written < 0 ? errno : ENOSPC;

          g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               g_strerror (saved_errno));
          return FALSE;
        }
      data += written;
      length -= (gsize)written;
    }

  return TRUE;
}

gboolean
jn_directory_write_snapshot (JnDirectory          *self,
                             int                   fd,
                             JnDirectoryUserText   user_text,
                             gpointer              user_data,
                             GError              **error)
{
  g_autoptr(GString) buffer = g_string_sized_new (1024 * 1024);
  guint n = jn_directory_get_n_users (self);

  g_return_val_if_fail (JN_IS_DIRECTORY (self), FALSE);
  g_return_val_if_fail (user_text != NULL, FALSE);

  append_head (self, buffer, n);
  for (guint i = 0; i < n; i++)
    {
      JnEntUser *user = g_list_model_get_item (G_LIST_MODEL (self->users), i);

      append_user (buffer, i, user_text (user, user_data));
      g_object_unref (user);   /* the directory keeps it */
      if (buffer->len >= 1024 * 1024)
        {
          if (!write_fd_all (fd, buffer->str, buffer->len, error))
            return FALSE;
          g_string_truncate (buffer, 0);
        }
    }
  append_tail (buffer, n);

  return write_fd_all (fd, buffer->str, buffer->len, error);
}
