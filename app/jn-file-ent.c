/* jn-file-ent.c: the embedded default ENT: a snapshot file updated in place
 *
 * For the demo establishment, and for admins who work offline and hand the result to their
 * ENT operator. It behaves like a careful SCIM server: versions (ETags), uniqueness of an
 * identifier per establishment. Writes are buffered: rewriting the whole snapshot for each
 * would be slow, so the push engine confirms them after jn_ent_flush() has put them on
 * disk; a crash before that leaves them "sent" in the journal, and the resume, reading
 * the file, sends them again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-file-ent"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "jn-error.h"
#include "jn-file-ent.h"

struct _JnFileEnt
{
  GObject      parent_instance;

  GFile       *file;
  char        *path;
  JnDirectory *directory;
  GMutex       mutex;
  gboolean     dirty;     /* writes not yet on disk */
};

static void jn_file_ent_iface_init (JnEntInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (JnFileEnt, jn_file_ent, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (JN_TYPE_ENT, jn_file_ent_iface_init))

static void
jn_file_ent_finalize (GObject *object)
{
  JnFileEnt *self = (JnFileEnt *)object;

  g_clear_object (&self->file);
  g_clear_object (&self->directory);
  g_free (self->path);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (jn_file_ent_parent_class)->finalize (object);
}

static void
jn_file_ent_class_init (JnFileEntClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jn_file_ent_finalize;
}

static void
jn_file_ent_init (JnFileEnt *self)
{
  g_mutex_init (&self->mutex);
}

JnFileEnt *
jn_file_ent_new (GFile       *file,
                 const char  *extension_urn,
                 GError     **error)
{
  g_autoptr(JnFileEnt) self = g_object_new (JN_TYPE_FILE_ENT, NULL);

  self->file = g_object_ref (file);
  self->path = g_file_get_path (file);
  self->directory = jn_directory_new (extension_urn);
  if (!jn_directory_load_file (self->directory, file, NULL, error))
    return NULL;

  return g_steal_pointer (&self);
}

static JnEntUser *
copy_user (JnFileEnt *self,
           JnEntUser *user)
{
  const char *urn = jn_directory_get_extension_urn (self->directory);
  g_autoptr(JsonNode) node = jn_ent_user_to_json (user, urn);

  return jn_ent_user_new_from_json (json_node_get_object (node), urn, NULL);
}

static const char *
jn_file_ent_describe (JnEnt *ent)
{
  return JN_FILE_ENT (ent)->path;
}

static JnDirectory *
jn_file_ent_read_directory (JnEnt          *ent,
                            const char     *uai,
                            JnEntProgress   progress,
                            gpointer        progress_data,
                            GCancellable   *cancellable,
                            GError        **error)
{
  JnFileEnt *self = JN_FILE_ENT (ent);
  g_autoptr(JnDirectory) copy = jn_directory_new (jn_directory_get_extension_urn (self->directory));
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
  GListModel *users = jn_directory_get_users (self->directory);
  guint n = g_list_model_get_n_items (users);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JnEntUser) user = g_list_model_get_item (users, i);

      if (jn_ent_user_belongs_to (user, uai))
        {
          g_autoptr(JnEntUser) user_copy = copy_user (self, user);

          jn_directory_add_user (copy, user_copy);
        }
    }

  /* A snapshot that says it is not whole gives no whole directory either */
  jn_directory_set_complete (copy, jn_directory_get_complete (self->directory),
                             jn_directory_get_incomplete_reason (self->directory));

  if (progress != NULL)
    progress (jn_directory_get_n_users (copy), jn_directory_get_n_users (copy), progress_data);

  return g_steal_pointer (&copy);
}

static JnEntUser *
jn_file_ent_read_user (JnEnt         *ent,
                       const char    *id,
                       GCancellable  *cancellable,
                       GError       **error)
{
  JnFileEnt *self = JN_FILE_ENT (ent);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
  JnEntUser *user = jn_directory_lookup (self->directory, id);

  if (user == NULL)
    {
      g_set_error (error, JN_ERROR, JN_ERROR_ENT_NOT_FOUND,
                   _("the ENT has no user “%s” (any more)"), id);
      return NULL;
    }

  return copy_user (self, user);
}

static guint
version_number (const char *version)
{
  const char *p = version;

  while (p != NULL && *p != '\0' && !g_ascii_isdigit (*p))
    p++;

  return p ? (guint)g_ascii_strtoull (p, NULL, 10) : 0;
}

static JnEntUser *
jn_file_ent_write_pronote_id (JnEnt         *ent,
                              JnEntUser     *expected,
                              const char    *uai,
                              const char    *pronote_id,
                              GCancellable  *cancellable,
                              GError       **error)
{
  JnFileEnt *self = JN_FILE_ENT (ent);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
  const char *id = jn_ent_user_get_id (expected);
  JnEntUser *user = jn_directory_lookup (self->directory, id);
  g_autofree char *version = NULL;
  GListModel *users;

  if (user == NULL)
    {
      g_set_error (error, JN_ERROR, JN_ERROR_ENT_NOT_FOUND,
                   _("the ENT has no user “%s” (any more)"), id);
      return NULL;
    }

  if (g_strcmp0 (jn_ent_user_get_version (user), jn_ent_user_get_version (expected)) != 0)
    {
      g_set_error (error, JN_ERROR, JN_ERROR_ENT_STALE,
                   _("the user “%s” was changed meanwhile"), id);
      return NULL;
    }

  /* One identifier per establishment belongs to one user only */
  users = jn_directory_get_users (self->directory);
  for (guint i = 0; pronote_id != NULL && i < g_list_model_get_n_items (users); i++)
    {
      g_autoptr(JnEntUser) other = g_list_model_get_item (users, i);

      if (other != user && g_strcmp0 (jn_ent_user_get_pronote_id (other, uai), pronote_id) == 0)
        {
          g_set_error (error, JN_ERROR, JN_ERROR_ENT_CONFLICT,
                       _("the identifier %s is already held by the user “%s”"),
                       pronote_id, jn_ent_user_get_id (other));
          return NULL;
        }
    }

  version = g_strdup_printf ("W/\"%u\"", version_number (jn_ent_user_get_version (user)) + 1);
  jn_ent_user_set_pronote_id (user, uai, pronote_id);
  jn_ent_user_set_version (user, version);
  self->dirty = TRUE;

  return copy_user (self, user);
}

static gboolean
jn_file_ent_flush (JnEnt         *ent,
                   GCancellable  *cancellable,
                   GError       **error)
{
  JnFileEnt *self = JN_FILE_ENT (ent);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
  g_autoptr(GError) local_error = NULL;

  if (!self->dirty)
    return TRUE;

  if (!jn_directory_save_file (self->directory, self->file, cancellable, &local_error))
    {
      g_set_error (error, JN_ERROR, JN_ERROR_IO, _("cannot write the directory file %s: %s"),
                   self->path, local_error->message);
      return FALSE;
    }

  self->dirty = FALSE;
  return TRUE;
}

static void
jn_file_ent_iface_init (JnEntInterface *iface)
{
  iface->describe = jn_file_ent_describe;
  iface->read_directory = jn_file_ent_read_directory;
  iface->read_user = jn_file_ent_read_user;
  iface->write_pronote_id = jn_file_ent_write_pronote_id;
  iface->flush = jn_file_ent_flush;
}
