/* jn-file-ent.c: the embedded default ENT: a snapshot file updated in place
 *
 * For the demo establishment, and for admins who work offline and hand the result to their
 * ENT operator. It behaves like a careful SCIM server: versions (ETags), uniqueness of an
 * identifier per establishment (an index by value, not a scan of every user).
 *
 * Writes are buffered, and the push engine confirms them only after jn_ent_flush(). A
 * flush appends them to a change log beside the snapshot (SNAPSHOT.log, 0600, one JSON
 * line per write: the user, the identifier, the version it had and the one it gets) and
 * syncs it: a few hundred bytes per batch instead of the whole snapshot. The log is folded
 * into the snapshot (written whole to a temporary file, synced, renamed over it, then the
 * log removed) at jn_ent_checkpoint() (the end of each step), when it grows large, when
 * the object goes away, and on opening a snapshot that a killed process left with a log.
 * Replaying is idempotent: an entry whose version the snapshot already has (or passed) is
 * skipped, so a kill between the rename and the removal of the log changes nothing; an
 * entry that fits neither the old nor the new version means the log is not this
 * snapshot's, and the file is refused rather than guessed at. A torn last line (a write
 * the kill interrupted, never confirmed) is dropped.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-file-ent"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "jn-error.h"
#include "jn-file-ent.h"
#include "jn-io.h"

/* Folded when the log grows past this, even within a step */
#define LOG_FOLD_SIZE ((guint64)8 * 1024 * 1024)

struct _JnFileEnt
{
  GObject      parent_instance;

  GFile       *file;
  char        *path;
  char        *log_path;
  char        *tmp_path;
  JnDirectory *directory;
  GMutex       mutex;

  GString     *pending;     /* log lines of writes not yet on disk */
  int          log_fd;      /* -1: no log open */
  guint64      log_size;    /* bytes of the log on disk (synced) */
  gboolean     unfolded;    /* the log holds writes the snapshot does not */

  GHashTable  *texts;       /* JnEntUser → its snapshot text, until it changes */
  GHashTable  *holders;     /* uai → (identifier → GPtrArray of JnEntUser holding it) */
  GHashTable  *positions;   /* JnEntUser → its position in the directory + 1 */
};

static void jn_file_ent_iface_init (JnEntInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (JnFileEnt, jn_file_ent, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (JN_TYPE_ENT, jn_file_ent_iface_init))

static gboolean fold (JnFileEnt *self, GError **error);

static void
set_io_error (GError     **error,
              const char  *path,
              int          saved_errno)
{
  g_set_error (error, JN_ERROR, JN_ERROR_IO, _("cannot write the directory file %s: %s"),
               path, g_strerror (saved_errno));
}

/* Whether the log this object appends to is still the one at log_path: another instance
 * that opened the snapshot meanwhile folded and removed it, and this one's state is old */
static gboolean
log_is_ours (JnFileEnt *self)
{
  struct stat ours, there;

  if (self->log_fd < 0)
    return TRUE;

  return fstat (self->log_fd, &ours) == 0 && ours.st_nlink > 0 &&
         g_lstat (self->log_path, &there) == 0 &&
         ours.st_dev == there.st_dev && ours.st_ino == there.st_ino;
}

static void
jn_file_ent_dispose (GObject *object)
{
  JnFileEnt *self = (JnFileEnt *)object;

  /* What was flushed is safe in the log; folding it leaves one whole file behind */
  if (self->directory != NULL && (self->unfolded || self->pending->len > 0) && log_is_ours (self))
    {
      g_autoptr(GError) error = NULL;

      if (!fold (self, &error))
        g_debug ("%s: not folded on close: %s", self->path, error->message);
    }
  if (self->log_fd >= 0)
    {
      close (self->log_fd);
      self->log_fd = -1;
    }

  G_OBJECT_CLASS (jn_file_ent_parent_class)->dispose (object);
}

static void
jn_file_ent_finalize (GObject *object)
{
  JnFileEnt *self = (JnFileEnt *)object;

  g_clear_pointer (&self->texts, g_hash_table_unref);
  g_clear_pointer (&self->holders, g_hash_table_unref);
  g_clear_pointer (&self->positions, g_hash_table_unref);
  g_string_free (self->pending, TRUE);
  g_clear_object (&self->file);
  g_clear_object (&self->directory);
  g_free (self->path);
  g_free (self->log_path);
  g_free (self->tmp_path);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (jn_file_ent_parent_class)->finalize (object);
}

static void
jn_file_ent_class_init (JnFileEntClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = jn_file_ent_dispose;
  G_OBJECT_CLASS (klass)->finalize = jn_file_ent_finalize;
}

static void
jn_file_ent_init (JnFileEnt *self)
{
  g_mutex_init (&self->mutex);
  self->pending = g_string_new (NULL);
  self->log_fd = -1;
  self->texts = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->holders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify)g_hash_table_unref);
}

static guint
version_number (const char *version)
{
  const char *p = version;

  while (p != NULL && *p != '\0' && !g_ascii_isdigit (*p))
    p++;

  return p ? (guint)g_ascii_strtoull (p, NULL, 10) : 0;
}

/* ---- the snapshot, written whole ---- */

static const char *
user_text_cb (JnEntUser *user,
              gpointer   user_data)
{
  JnFileEnt *self = user_data;
  char *text = g_hash_table_lookup (self->texts, user);

  if (text == NULL)
    {
      text = jn_directory_user_to_text (self->directory, user);
      g_hash_table_insert (self->texts, user, text);
    }

  return text;
}

static gboolean
sync_folder (const char  *path,
             GError     **error)
{
  g_autofree char *folder = g_path_get_dirname (path);
  int fd = g_open (folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  int saved_errno;

  if (fd < 0)
    {
      set_io_error (error, folder, errno);
      return FALSE;
    }
  if (fsync (fd) != 0 && errno != EINVAL)
    {
      saved_errno = errno;
      close (fd);
      set_io_error (error, folder, saved_errno);
      return FALSE;
    }
  close (fd);

  return TRUE;
}

/* The state in memory (flushed or not) becomes the snapshot; the log, now in it, goes */
static gboolean
fold (JnFileEnt  *self,
      GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  struct stat st;
  int fd, saved_errno;

  /* A fixed name, never followed if it is a link; a leftover of a kill is overwritten */
  fd = g_open (self->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      set_io_error (error, self->tmp_path, errno);
      return FALSE;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || fchmod (fd, 0600) != 0)
    {
      saved_errno = errno ? errno : EINVAL;
      close (fd);
      set_io_error (error, self->tmp_path, saved_errno);
      return FALSE;
    }

  if (!jn_directory_write_snapshot (self->directory, fd, user_text_cb, self, &local_error))
    {
      close (fd);
      g_unlink (self->tmp_path);
      g_set_error (error, JN_ERROR, JN_ERROR_IO, _("cannot write the directory file %s: %s"),
                   self->path, local_error->message);
      return FALSE;
    }
  if (fsync (fd) != 0)
    {
      saved_errno = errno;
      close (fd);
      g_unlink (self->tmp_path);
      set_io_error (error, self->path, saved_errno);
      return FALSE;
    }
  close (fd);

  if (g_rename (self->tmp_path, self->path) != 0)
    {
      saved_errno = errno;
      g_unlink (self->tmp_path);
      set_io_error (error, self->path, saved_errno);
      return FALSE;
    }
  if (!sync_folder (self->path, error))
    return FALSE;

  /* Everything is in the snapshot: the log goes (were the removal lost, replaying it would
   * skip every entry) */
  if (self->log_fd >= 0)
    {
      if (log_is_ours (self))
        g_unlink (self->log_path);
      close (self->log_fd);
      self->log_fd = -1;
    }
  self->log_size = 0;
  self->unfolded = FALSE;
  g_string_truncate (self->pending, 0);

  return TRUE;
}

/* ---- the log ---- */

static void
append_log_line (JnFileEnt  *self,
                 const char *id,
                 const char *uai,
                 const char *pronote_id,
                 const char *from,
                 const char *version)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  json_object_set_string_member (object, "id", id);
  json_object_set_string_member (object, "uai", uai);
  if (pronote_id != NULL)
    json_object_set_string_member (object, "value", pronote_id);
  else
    json_object_set_null_member (object, "value");
  if (from != NULL)
    json_object_set_string_member (object, "from", from);
  else
    json_object_set_null_member (object, "from");
  json_object_set_string_member (object, "version", version);

  node = json_node_init_object (json_node_alloc (), object);
  text = json_to_string (node, FALSE);
  g_string_append (self->pending, text);
  g_string_append_c (self->pending, '\n');
}

static const char *
member_string (JsonObject *object,
               const char *name,
               gboolean    nullable,
               gboolean   *ok)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node != NULL && JSON_NODE_HOLDS_NULL (node) && nullable)
    return NULL;
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      *ok = FALSE;
      return NULL;
    }

  return json_node_get_string (node);
}

static void
set_foreign_log_error (JnFileEnt  *self,
                       GError    **error)
{
  g_set_error (error, JN_ERROR, JN_ERROR_INVALID_FILE,
               _("%s: its change log %s does not fit it (was one of them replaced?): move the "
                 "log away to use the file as it is"),
               self->path, self->log_path);
}

/* Applies the log a killed process left beside the snapshot. TRUE with *@found FALSE
 * when there is none. */
static gboolean
replay_log (JnFileEnt  *self,
            gboolean   *found,
            GError    **error)
{
  g_autoptr(GFile) log_file = g_file_new_for_path (self->log_path);
  g_autofree char *display_name = g_file_get_basename (log_file);
  g_autoptr(GBytes) contents = NULL;
  GStatBuf st;
  const char *data, *end, *line;
  gsize length;

  *found = FALSE;
  if (g_lstat (self->log_path, &st) != 0)
    {
      if (errno == ENOENT)
        return TRUE;
      g_set_error (error, JN_ERROR, JN_ERROR_IO, _("%s: cannot read the file: %s"), self->log_path,
                   g_strerror (errno));
      return FALSE;
    }
  /* Written by us only, as a plain file: a link there is not followed */
  if (!S_ISREG (st.st_mode))
    {
      set_foreign_log_error (self, error);
      return FALSE;
    }
  *found = TRUE;

  contents = jn_io_load_bounded (log_file, display_name, JN_DIRECTORY_MAX_FILE_SIZE, NULL, error);
  if (contents == NULL)
    return FALSE;

  data = g_bytes_get_data (contents, &length);
  end = data + length;
  for (line = data; line < end;)
    {
      const char *newline = memchr (line, '\n', end - line);
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();
      const char *id, *uai, *value, *from, *version;
      JsonObject *object;
      JnEntUser *user;
      gboolean ok = TRUE;

      /* A torn last line: a write the kill interrupted, never confirmed */
      if (newline == NULL)
        break;
      if (!json_parser_load_from_data (parser, line, newline - line, NULL) ||
          !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          /* Only the unsynced end can be damaged: nothing after it was confirmed */
          g_debug ("%s: replay stops at offset %" G_GSIZE_FORMAT, self->log_path, (gsize)(line - data));
          break;
        }
      object = json_node_get_object (json_parser_get_root (parser));
      id = member_string (object, "id", FALSE, &ok);
      uai = member_string (object, "uai", FALSE, &ok);
      value = member_string (object, "value", TRUE, &ok);
      from = member_string (object, "from", TRUE, &ok);
      version = member_string (object, "version", FALSE, &ok);
      user = ok ? jn_directory_lookup (self->directory, id) : NULL;
      if (user == NULL)
        {
          set_foreign_log_error (self, error);
          return FALSE;
        }

      if (g_strcmp0 (jn_ent_user_get_version (user), version) == 0 ||
          version_number (jn_ent_user_get_version (user)) > version_number (version))
        {
          /* Already in the snapshot (folded before the log could be removed) */
        }
      else if (g_strcmp0 (jn_ent_user_get_version (user), from) == 0)
        {
          jn_ent_user_set_pronote_id (user, uai, value);
          jn_ent_user_set_version (user, version);
        }
      else
        {
          set_foreign_log_error (self, error);
          return FALSE;
        }
      line = newline + 1;
    }

  return TRUE;
}

/* The pending lines go to the log, synced */
static gboolean
write_pending (JnFileEnt  *self,
               GError    **error)
{
  const char *data = self->pending->str;
  gsize length = self->pending->len;
  gboolean created = FALSE;

  if (length == 0)
    return TRUE;

  if (self->log_fd < 0)
    {
      /* Never through a link, never over another instance's log */
      self->log_fd = g_open (self->log_path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
                             0600);
      if (self->log_fd < 0)
        {
          set_io_error (error, self->log_path, errno);
          return FALSE;
        }
      self->log_size = 0;
      created = TRUE;
    }
  else if (!log_is_ours (self))
    {
      g_set_error (error, JN_ERROR, JN_ERROR_IO,
                   _("the directory file %s was opened by another Jonction meanwhile: "
                     "this one stops writing to it"),
                   self->path);
      return FALSE;
    }

  while (length > 0)
    {
      gssize written = write (self->log_fd, data, length);
      int saved_errno;

      if (written < 0 && errno == EINTR)
        continue;
      if (written <= 0)
        {
          saved_errno = written < 0 ? errno : ENOSPC;
          /* No half line left before the next attempt */
          if (ftruncate (self->log_fd, (off_t)self->log_size) != 0)
            g_debug ("%s: %s", self->log_path, g_strerror (errno));
          set_io_error (error, self->log_path, saved_errno);
          return FALSE;
        }
      data += written;
      length -= (gsize)written;
    }

  if (fdatasync (self->log_fd) != 0 || (created && !sync_folder (self->log_path, NULL)))
    {
      int saved_errno = errno;

      if (ftruncate (self->log_fd, (off_t)self->log_size) != 0)
        g_debug ("%s: %s", self->log_path, g_strerror (errno));
      set_io_error (error, self->log_path, saved_errno);
      return FALSE;
    }

  self->log_size += self->pending->len;
  self->unfolded = TRUE;
  g_string_truncate (self->pending, 0);

  return TRUE;
}

JnFileEnt *
jn_file_ent_new (GFile       *file,
                 const char  *extension_urn,
                 GError     **error)
{
  g_autoptr(JnFileEnt) self = g_object_new (JN_TYPE_FILE_ENT, NULL);
  gboolean found = FALSE;

  self->file = g_object_ref (file);
  self->path = g_file_get_path (file);
  if (self->path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);

      g_set_error (error, JN_ERROR, JN_ERROR_IO, _("cannot write the directory file %s: %s"),
                   uri, g_strerror (EINVAL));
      return NULL;
    }
  self->log_path = g_strconcat (self->path, ".log", NULL);
  self->tmp_path = g_strconcat (self->path, ".tmp", NULL);
  self->directory = jn_directory_new (extension_urn);
  if (!jn_directory_load_file (self->directory, file, NULL, error))
    return NULL;

  /* A process killed while pushing left its confirmed writes in the log */
  if (!replay_log (self, &found, error))
    return NULL;
  if (found)
    {
      g_autoptr(GError) local_error = NULL;

      if (!fold (self, &local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      /* A log left by a kill between the fold's rename and its removal of the log */
      g_unlink (self->log_path);
    }

  return g_steal_pointer (&self);
}

/* What the ENT hands out is a copy: the caller's changes never reach the snapshot */
static JnEntUser *
copy_user (JnFileEnt *self,
           JnEntUser *user)
{
  return jn_ent_user_copy (user);
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

/* ---- one identifier, one user: an index by value ---- */

/* identifier → holders for @uai, built at its first use */
static GHashTable *
holders_for (JnFileEnt  *self,
             const char *uai)
{
  GHashTable *by_value = g_hash_table_lookup (self->holders, uai);
  GListModel *users;
  guint n;

  if (by_value != NULL)
    return by_value;

  users = jn_directory_get_users (self->directory);
  n = g_list_model_get_n_items (users);
  if (self->positions == NULL)
    {
      self->positions = g_hash_table_new (NULL, NULL);
      for (guint i = 0; i < n; i++)
        {
          JnEntUser *user = g_list_model_get_item (users, i);

          g_hash_table_insert (self->positions, user, GUINT_TO_POINTER (i + 1));
          g_object_unref (user);   /* the directory keeps it */
        }
    }

  by_value = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
  for (guint i = 0; i < n; i++)
    {
      JnEntUser *user = g_list_model_get_item (users, i);
      const char *value = jn_ent_user_get_pronote_id (user, uai);

      if (value != NULL)
        {
          GPtrArray *set = g_hash_table_lookup (by_value, value);

          if (set == NULL)
            {
              set = g_ptr_array_new ();
              g_hash_table_insert (by_value, g_strdup (value), set);
            }
          g_ptr_array_add (set, user);
        }
      g_object_unref (user);
    }
  g_hash_table_insert (self->holders, g_strdup (uai), by_value);

  return by_value;
}

/* The first user in directory order other than @user holding @value for @uai, or NULL */
static JnEntUser *
other_holder (JnFileEnt  *self,
              JnEntUser  *user,
              const char *uai,
              const char *value)
{
  GPtrArray *set = g_hash_table_lookup (holders_for (self, uai), value);
  JnEntUser *first = NULL;
  guint first_position = G_MAXUINT;

  for (guint i = 0; set != NULL && i < set->len; i++)
    {
      JnEntUser *other = g_ptr_array_index (set, i);
      guint position = GPOINTER_TO_UINT (g_hash_table_lookup (self->positions, other));

      if (other != user && position < first_position)
        {
          first = other;
          first_position = position;
        }
    }

  return first;
}

/* @user's identifiers changed: each index follows */
static void
reindex (JnFileEnt  *self,
         JnEntUser  *user,
         GHashTable *before)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->holders);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GHashTable *by_value = value;
      const char *old = g_hash_table_lookup (before, key);
      const char *new = jn_ent_user_get_pronote_id (user, key);
      GPtrArray *set;

      if (g_strcmp0 (old, new) == 0)
        continue;
      if (old != NULL && (set = g_hash_table_lookup (by_value, old)) != NULL)
        {
          g_ptr_array_remove (set, user);
          if (set->len == 0)
            g_hash_table_remove (by_value, old);
        }
      if (new != NULL)
        {
          set = g_hash_table_lookup (by_value, new);
          if (set == NULL)
            {
              set = g_ptr_array_new ();
              g_hash_table_insert (by_value, g_strdup (new), set);
            }
          g_ptr_array_add (set, user);
        }
    }
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
  g_autoptr(GHashTable) before = NULL;
  g_autofree char *version = NULL;
  g_autofree char *from = NULL;
  GHashTableIter iter;
  gpointer key;

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
  if (pronote_id != NULL)
    {
      JnEntUser *other = other_holder (self, user, uai, pronote_id);

      if (other != NULL)
        {
          g_set_error (error, JN_ERROR, JN_ERROR_ENT_CONFLICT,
                       _("the identifier %s is already held by the user “%s”"),
                       pronote_id, jn_ent_user_get_id (other));
          return NULL;
        }
    }

  /* What each index knew of this user */
  before = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_hash_table_iter_init (&iter, self->holders);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_hash_table_insert (before, key, g_strdup (jn_ent_user_get_pronote_id (user, key)));

  from = g_strdup (jn_ent_user_get_version (user));
  version = g_strdup_printf ("W/\"%u\"", version_number (from) + 1);
  jn_ent_user_set_pronote_id (user, uai, pronote_id);
  jn_ent_user_set_version (user, version);
  g_hash_table_remove (self->texts, user);
  reindex (self, user, before);
  append_log_line (self, id, uai, pronote_id, from, version);

  return copy_user (self, user);
}

static gboolean
jn_file_ent_flush (JnEnt         *ent,
                   GCancellable  *cancellable,
                   GError       **error)
{
  JnFileEnt *self = JN_FILE_ENT (ent);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);

  if (!write_pending (self, error))
    return FALSE;

  /* A long step: the log does not grow without bound (durable already, so a failure
   * here is told at the next checkpoint) */
  if (self->log_size > LOG_FOLD_SIZE)
    {
      g_autoptr(GError) local_error = NULL;

      if (!fold (self, &local_error))
        g_debug ("%s: not folded yet: %s", self->path, local_error->message);
    }

  return TRUE;
}

static gboolean
jn_file_ent_checkpoint (JnEnt         *ent,
                        GCancellable  *cancellable,
                        GError       **error)
{
  JnFileEnt *self = JN_FILE_ENT (ent);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);

  if (!self->unfolded && self->pending->len == 0)
    return TRUE;

  if (!log_is_ours (self))
    {
      g_set_error (error, JN_ERROR, JN_ERROR_IO,
                   _("the directory file %s was opened by another Jonction meanwhile: "
                     "this one stops writing to it"),
                   self->path);
      return FALSE;
    }

  return fold (self, error);
}

static void
jn_file_ent_iface_init (JnEntInterface *iface)
{
  iface->describe = jn_file_ent_describe;
  iface->read_directory = jn_file_ent_read_directory;
  iface->read_user = jn_file_ent_read_user;
  iface->write_pronote_id = jn_file_ent_write_pronote_id;
  iface->flush = jn_file_ent_flush;
  iface->checkpoint = jn_file_ent_checkpoint;
}
