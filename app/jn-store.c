/* jn-store.c: the local SQLite store: imports, decisions, the operation journal
 *
 * Every write to the ENT is journalled here before it is sent (planned → sent → done or
 * failed, with the server's answer), so that a crash, a killed process or a dead network
 * resumes where it stopped. The file holds minors' names' identifiers: mode 0600.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "jn-error.h"
#include "jn-store.h"

struct _JnStore
{
  GObject  parent_instance;

  sqlite3 *db;
  char    *path;
  char    *lock_path;
  int      lock_fd;       /* -1 unless this store holds the push lock */
  int      target_fd;     /* -1 unless it also holds the lock of one ENT and UAI */
  guint    lock_depth;    /* explicit jn_store_lock() calls not yet released */
  GRecMutex lock_mutex;   /* the three above: a face's worker threads share the store */
};

G_DEFINE_FINAL_TYPE (JnStore, jn_store, G_TYPE_OBJECT)

static GMutex umask_mutex;

/* Schema migrations: entry N brings the schema from version N to N + 1. Never edit one
 * that has shipped; append. */
static const char * const migrations[] = {
  /* 0 → 1 */
  "CREATE TABLE imports ("
  "  id TEXT PRIMARY KEY,"
  "  started_at TEXT NOT NULL,"
  "  finished_at TEXT,"
  "  mode TEXT NOT NULL,"
  "  uai TEXT NOT NULL,"
  "  ent TEXT NOT NULL,"
  "  file_hash TEXT NOT NULL,"
  "  state TEXT NOT NULL,"
  "  n_unchanged INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX imports_resume ON imports (uai, mode, ent, file_hash, state);"
  "CREATE TABLE decisions ("
  "  import_id TEXT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,"
  "  pronote_id TEXT NOT NULL,"
  "  ent_id TEXT,"
  "  PRIMARY KEY (import_id, pronote_id));"
  "CREATE TABLE operations ("
  "  import_id TEXT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,"
  "  seq INTEGER NOT NULL,"
  "  category INTEGER NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  ent_id TEXT NOT NULL,"
  "  uai TEXT NOT NULL,"
  "  pronote_id TEXT,"
  "  old_pronote_id TEXT,"
  "  record_id TEXT,"
  "  state TEXT NOT NULL,"
  "  status INTEGER NOT NULL DEFAULT 0,"
  "  detail TEXT,"
  "  updated_at TEXT NOT NULL,"
  "  PRIMARY KEY (import_id, seq));",
  /* 1 → 2: an import resumes only with the decisions it was planned with */
  "ALTER TABLE imports ADD COLUMN decisions_hash TEXT NOT NULL DEFAULT '';",
  /* 2 → 3: retention. A purged import keeps an anonymous line: its counts move here and
   * its decisions and journal go. */
  "ALTER TABLE imports ADD COLUMN purged_at TEXT;"
  "ALTER TABLE imports ADD COLUMN kept_set INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE imports ADD COLUMN kept_replaced INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE imports ADD COLUMN kept_cleared INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE imports ADD COLUMN kept_failed INTEGER NOT NULL DEFAULT 0;",
  /* 3 → 4: the wizard's imports, journalled step by step: which face made it, the file
   * to open again, the steps validated; its decisions are stored as they are made */
  "ALTER TABLE imports ADD COLUMN kind TEXT NOT NULL DEFAULT 'cli';"
  "ALTER TABLE imports ADD COLUMN file_path TEXT;"
  "ALTER TABLE imports ADD COLUMN step INTEGER NOT NULL DEFAULT 0;",
};

static const char * const kind_names[] = { "set", "replace", "clear" };
static const char * const state_names[] = { "planned", "sent", "done", "failed", "superseded" };

const char *
jn_op_kind_to_string (JnOpKind kind)
{
  return kind_names[kind];
}

const char *
jn_op_state_to_string (JnOpState state)
{
  return state_names[state];
}

static int
index_of (const char * const *names,
          guint               n,
          const char         *name)
{
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (names[i], name) == 0)
      return (int)i;

  return 0;
}

void
jn_operation_free (JnOperation *op)
{
  if (op == NULL)
    return;

  g_free (op->ent_id);
  g_free (op->uai);
  g_free (op->pronote_id);
  g_free (op->old_pronote_id);
  g_free (op->record_id);
  g_free (op->detail);
  g_free (op);
}

void
jn_import_record_free (JnImportRecord *record)
{
  if (record == NULL)
    return;

  g_free (record->id);
  g_free (record->started_at);
  g_free (record->finished_at);
  g_free (record->mode);
  g_free (record->uai);
  g_free (record->ent);
  g_free (record->file_hash);
  g_free (record->state);
  g_free (record->kind);
  g_free (record->file_path);
  g_free (record);
}

static void
jn_store_finalize (GObject *object)
{
  JnStore *self = (JnStore *)object;

  if (self->lock_fd >= 0)
    {
      self->lock_depth = 0;
      jn_store_unlock (self);
    }
  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_free (self->path);
  g_free (self->lock_path);
  g_rec_mutex_clear (&self->lock_mutex);

  G_OBJECT_CLASS (jn_store_parent_class)->finalize (object);
}

static void
jn_store_class_init (JnStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jn_store_finalize;
}

static void
jn_store_init (JnStore *self)
{
  self->lock_fd = -1;
  self->target_fd = -1;
  g_rec_mutex_init (&self->lock_mutex);
}

static gboolean
set_sqlite_error (JnStore  *self,
                  GError  **error)
{
  g_set_error (error, JN_ERROR, JN_ERROR_IO, _("local store %s: %s"),
               self->path, sqlite3_errmsg (self->db));
  return FALSE;
}

static gboolean
exec (JnStore     *self,
      const char  *sql,
      GError     **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return set_sqlite_error (self, error);

  return TRUE;
}

/* Turning a new database to WAL takes it whole for a moment: SQLite answers "busy" to a
 * second process at that moment without waiting in the busy handler, so wait here (up to
 * the busy timeout) for the first one to be done. */
static gboolean
set_wal (JnStore  *self,
         GError  **error)
{
  for (guint attempt = 0; ; attempt++)
    {
      int rc = sqlite3_exec (self->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);

      if (rc == SQLITE_OK)
        return TRUE;
      if ((rc & 0xff) != SQLITE_BUSY || attempt >= 1000)
        return set_sqlite_error (self, error);
      g_usleep (10 * 1000);
    }
}

static sqlite3_stmt *
prepare (JnStore     *self,
         const char  *sql,
         GError     **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error);
      return NULL;
    }

  return stmt;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

static char *
column_text (sqlite3_stmt *stmt,
             int           index)
{
  const unsigned char *text = sqlite3_column_text (stmt, index);

  return text ? g_strdup ((const char *)text) : NULL;
}

static char *
now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format_iso8601 (now);
}

int
jn_store_get_schema_version (JnStore *self)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, "PRAGMA user_version", NULL);

  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    return -1;

  return sqlite3_column_int (stmt, 0);
}

/* Two processes may open a new store at once (two pushes started together): each version
 * is read again inside the write transaction that moves it on, so the second one finds the
 * first one's work done instead of creating the tables twice. */
static gboolean
migrate (JnStore  *self,
         GError  **error)
{
  for (;;)
    {
      g_autofree char *bump = NULL;
      int version;

      if (!exec (self, "BEGIN IMMEDIATE", error))
        return FALSE;

      version = jn_store_get_schema_version (self);
      if (version > (int)G_N_ELEMENTS (migrations))
        {
          exec (self, "ROLLBACK", NULL);
          g_set_error (error, JN_ERROR, JN_ERROR_IO,
                       _("local store %s was written by a newer version of Jonction (schema %d)"),
                       self->path, version);
          return FALSE;
        }
      if (version < 0)
        {
          exec (self, "ROLLBACK", NULL);
          g_set_error (error, JN_ERROR, JN_ERROR_IO, _("local store %s: %s"), self->path,
                       sqlite3_errmsg (self->db));
          return FALSE;
        }
      if (version == (int)G_N_ELEMENTS (migrations))
        {
          exec (self, "ROLLBACK", NULL);
          break;
        }

      bump = g_strdup_printf ("PRAGMA user_version = %d", version + 1);
      if (!exec (self, migrations[version], error) || !exec (self, bump, error))
        {
          exec (self, "ROLLBACK", NULL);
          return FALSE;
        }
      if (!exec (self, "COMMIT", error))
        return FALSE;
    }

  return TRUE;
}

/* Opens one of the store's files without following a symbolic link. A file this store
 * creates is made private (0600); an existing one must be a regular file of this user that
 * nobody else can read: its mode is never changed behind the user's back. */
static int
open_private (const char  *path,
              gboolean     create,
              GError     **error)
{
  struct stat st;
  int flags = O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK;
  int fd = -1;

  if (create)
    {
      fd = g_open (path, flags | O_CREAT | O_EXCL, 0600);
      if (fd >= 0)
        {
          /* Ours: private whatever the umask */
          if (fchmod (fd, 0600) != 0)
            {
              int saved = errno;

              close (fd);
              g_set_error (error, JN_ERROR, JN_ERROR_IO, _("cannot create the local store %s: %s"),
                           path, g_strerror (saved));
              return -1;
            }
          return fd;
        }
      if (errno != EEXIST)
        goto failed;
    }

  fd = g_open (path, flags, 0);
  if (fd < 0)
    goto failed;

  if (fstat (fd, &st) != 0)
    goto failed;
  if (!S_ISREG (st.st_mode) || st.st_nlink > 1)
    {
      close (fd);
      g_set_error (error, JN_ERROR, JN_ERROR_IO,
                   _("local store %s: not a regular file (or one with other names, hard links); "
                     "refusing to use it"), path);
      return -1;
    }
  if (st.st_uid != geteuid ())
    {
      close (fd);
      g_set_error (error, JN_ERROR, JN_ERROR_IO,
                   _("local store %s: the file belongs to another user; refusing to use it"), path);
      return -1;
    }
  if ((st.st_mode & 0077) != 0)
    {
      close (fd);
      g_set_error (error, JN_ERROR, JN_ERROR_IO,
                   _("local store %s: other users may access this file (mode %03o); it holds "
                     "personal data, so Jonction refuses it. Make it private with "
                     "“chmod 600 %s” (Jonction never changes the mode of a file it did not create)"),
                   path, (guint)(st.st_mode & 0777), path);
      return -1;
    }

  return fd;

failed:
  {
    int saved = errno;

    if (fd >= 0)
      close (fd);
    if (saved == ELOOP || saved == EMLINK)
      g_set_error (error, JN_ERROR, JN_ERROR_IO,
                   _("local store %s: this is a symbolic link; refusing to follow it"), path);
    else
      g_set_error (error, JN_ERROR, JN_ERROR_IO, _("cannot open the local store %s: %s"),
                   path, g_strerror (saved));
    return -1;
  }
}

/* The database's companions: SQLite would follow a link planted there */
static gboolean
check_companion (const char  *path,
                 GError     **error)
{
  struct stat st;

  if (lstat (path, &st) != 0)
    {
      if (errno == ENOENT)
        return TRUE;
      g_set_error (error, JN_ERROR, JN_ERROR_IO, _("cannot open the local store %s: %s"),
                   path, g_strerror (errno));
      return FALSE;
    }

  if (S_ISLNK (st.st_mode))
    {
      g_set_error (error, JN_ERROR, JN_ERROR_IO,
                   _("local store %s: this is a symbolic link; refusing to follow it"), path);
      return FALSE;
    }

  /* An existing regular file is checked like the database itself. Another process's
   * SQLite may delete it meanwhile (a -journal at the end of a transaction): gone is fine. */
  {
    GError *local_error = NULL;
    int fd = open_private (path, FALSE, &local_error);

    if (fd < 0)
      {
        if (lstat (path, &st) != 0 && errno == ENOENT)
          {
            g_clear_error (&local_error);
            return TRUE;
          }
        g_propagate_error (error, local_error);
        return FALSE;
      }
    close (fd);
  }

  return TRUE;
}

static gboolean
check_directory (const char  *directory,
                 GError     **error)
{
  struct stat st;

  if (g_mkdir_with_parents (directory, 0700) != 0 || stat (directory, &st) != 0)
    {
      int saved = errno;

      g_set_error (error, JN_ERROR, JN_ERROR_IO, _("cannot create the folder %s: %s"),
                   directory, g_strerror (saved));
      return FALSE;
    }

  /* Anyone could swap the files under us there */
  if ((st.st_mode & S_IWOTH) != 0 && (st.st_mode & S_ISVTX) == 0)
    {
      g_set_error (error, JN_ERROR, JN_ERROR_IO,
                   _("local store folder %s: any user can write in it; choose a private folder"),
                   directory);
      return FALSE;
    }

  return TRUE;
}

JnStore *
jn_store_open (const char  *directory,
               GError     **error)
{
  g_autoptr(JnStore) self = NULL;
  g_autofree char *default_dir = NULL;
  g_autofree char *real_dir = NULL;
  static const char * const companions[] = { "-wal", "-shm", "-journal" };
  mode_t old_umask;
  int fd;
  int rc;

  if (directory == NULL)
    directory = default_dir = g_build_filename (g_get_user_data_dir (), "jonction", NULL);

  if (!check_directory (directory, error))
    return NULL;

  /* A folder reached through a link is the user's choice (a home on another disk); the
   * store's own files never are. The real path lets SQLite refuse links itself. */
  real_dir = realpath (directory, NULL);
  if (real_dir == NULL)
    {
      int saved = errno;

      g_set_error (error, JN_ERROR, JN_ERROR_IO, _("cannot open the folder %s: %s"),
                   directory, g_strerror (saved));
      return NULL;
    }

  self = g_object_new (JN_TYPE_STORE, NULL);
  self->path = g_build_filename (real_dir, "jonction.sqlite", NULL);
  self->lock_path = g_build_filename (real_dir, "jonction.lock", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (companions); i++)
    {
      g_autofree char *companion = g_strconcat (self->path, companions[i], NULL);

      if (!check_companion (companion, error))
        return NULL;
    }

  fd = open_private (self->path, TRUE, error);
  if (fd < 0)
    return NULL;
  close (fd);

  /* SQLite creates -wal and -shm next to it: keep them private too. The umask is the
   * process's: two stores opened at once from two threads (the editor's own connections)
   * would otherwise leave it at 0077 for good. */
  g_mutex_lock (&umask_mutex);
  old_umask = umask (0077);
  rc = sqlite3_open_v2 (self->path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX |
                        SQLITE_OPEN_NOFOLLOW, NULL);
  umask (old_umask);
  g_mutex_unlock (&umask_mutex);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (self, error);
      return NULL;
    }

  sqlite3_busy_timeout (self->db, 10000);
  /* Deleted rows are overwritten, not left in free pages */
  if (!set_wal (self, error) ||
      !exec (self, "PRAGMA synchronous = FULL", error) ||
      !exec (self, "PRAGMA foreign_keys = ON", error) ||
      !exec (self, "PRAGMA secure_delete = ON", error) ||
      !migrate (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

/* The push lock: an flock(2) on jonction.lock next to the database. The kernel releases it
 * when the process dies, however it dies, so a killed push never blocks the resume. The file
 * says who holds it, for the message of the one refused. */
static char *
describe_holder (const char *lock_path,
                 gboolean   *ours)
{
  g_autofree char *pid = NULL, *program = NULL, *since = NULL;
  char buffer[1024];
  ssize_t n;
  int fd = g_open (lock_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0);

  if (fd < 0)
    return NULL;
  n = read (fd, buffer, sizeof buffer - 1);
  close (fd);
  if (n <= 0)
    return NULL;
  buffer[n] = '\0';

  {
    g_auto(GStrv) lines = g_strsplit (buffer, "\n", 8);

    for (guint i = 0; lines[i] != NULL; i++)
      {
        if (g_str_has_prefix (lines[i], "pid="))
          { g_free (pid); pid = g_strdup (lines[i] + 4); }
        else if (g_str_has_prefix (lines[i], "program="))
          { g_free (program); program = g_strdup (lines[i] + 8); }
        else if (g_str_has_prefix (lines[i], "since="))
          { g_free (since); since = g_strdup (lines[i] + 6); }
      }
  }

  if (pid == NULL)
    return NULL;

  *ours = g_ascii_strtoll (pid, NULL, 10) == (gint64)getpid ();
  return g_strdup_printf (_("process %s (%s) since %s"), pid, program ? program : "?",
                          since ? since : "?");
}

/* The holder writes who it is just after taking the lock: give it that moment (0.1 s) */
/* *@ours: held by this very process (another of its connections: the app's editor and
 * wizard), where naming the process would only puzzle the admin */
static char *
wait_for_holder (const char *lock_path,
                 gboolean   *ours)
{
  char *holder = NULL;

  *ours = FALSE;
  for (guint attempt = 0; (holder = describe_holder (lock_path, ours)) == NULL && attempt < 20; attempt++)
    g_usleep (5 * 1000);

  return holder;
}

static void
set_busy_in_this_process (GError **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY, "%s",
               _("Another import is sending identifiers with this local store: wait for it "
                 "to end"));
}

/* Opens @path (created private) and takes its exclusive lock, writing who holds it. On
 * failure returns -1 with *busy set when another process holds it, else an error. */
static int
take_lock (const char  *path,
           gboolean    *busy,
           GError     **error)
{
  g_autofree char *since = NULL;
  g_autofree char *contents = NULL;
  int fd;

  *busy = FALSE;
  fd = open_private (path, TRUE, error);
  if (fd < 0)
    return -1;

  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved = errno;

      close (fd);
      if (saved == EWOULDBLOCK)
        *busy = TRUE;
      else
        g_set_error (error, JN_ERROR, JN_ERROR_IO, _("cannot lock %s: %s"), path, g_strerror (saved));
      return -1;
    }

  since = now_iso8601 ();
  contents = g_strdup_printf ("pid=%d\nprogram=%s\nsince=%s\n", (int)getpid (),
                              g_get_prgname () ? g_get_prgname () : "?", since);
  /* Only informative: a failure to write it does not matter */
  if (ftruncate (fd, 0) == 0 && write (fd, contents, strlen (contents)) < 0)
    g_debug ("cannot write %s: %s", path, g_strerror (errno));

  return fd;
}

static gboolean lock_locked (JnStore *self, GError **error);

gboolean
jn_store_lock (JnStore  *self,
               GError  **error)
{
  gboolean ok;

  g_return_val_if_fail (JN_IS_STORE (self), FALSE);

  g_rec_mutex_lock (&self->lock_mutex);
  ok = lock_locked (self, error);
  g_rec_mutex_unlock (&self->lock_mutex);
  return ok;
}

static gboolean
lock_locked (JnStore  *self,
             GError  **error)
{
  g_autofree char *holder = NULL;
  gboolean busy, ours = FALSE;
  int fd;

  if (self->lock_fd >= 0)
    {
      self->lock_depth++;
      return TRUE;
    }

  fd = take_lock (self->lock_path, &busy, error);
  if (fd < 0)
    {
      if (!busy)
        return FALSE;

      holder = wait_for_holder (self->lock_path, &ours);
      if (ours)
        set_busy_in_this_process (error);
      else if (holder != NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                     _("another push is using the local store %s: %s. Only one push (or "
                       "identifier edit) runs at a time; wait for it to end, or stop it, then "
                       "run this command again"), self->path, holder);
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                     _("another push is using the local store %s. Only one push (or identifier "
                       "edit) runs at a time; wait for it to end, or stop it, then run this "
                       "command again"), self->path);
      return FALSE;
    }

  self->lock_fd = fd;
  self->lock_depth = 1;
  return TRUE;
}

/* Two stores (the app's and a CLI's --state, two users' homes on one machine…) must not
 * push to one ENT at once either: on a server without versions both would write every
 * change. A second lock, in the user's runtime folder, names the ENT and the UAI. */
static gboolean lock_target_locked (JnStore *self, const char *ent, const char *uai, GError **error);

gboolean
jn_store_lock_target (JnStore     *self,
                      const char  *ent,
                      const char  *uai,
                      GError     **error)
{
  gboolean ok;

  g_return_val_if_fail (JN_IS_STORE (self), FALSE);
  g_return_val_if_fail (ent != NULL && uai != NULL, FALSE);

  g_rec_mutex_lock (&self->lock_mutex);
  /* Held already in this process (the wizard's step being pushed while the single-user
   * editor saves, from another thread): the count would let both write at once */
  if (self->lock_fd >= 0)
    {
      set_busy_in_this_process (error);
      ok = FALSE;
    }
  else
    ok = lock_target_locked (self, ent, uai, error);
  g_rec_mutex_unlock (&self->lock_mutex);
  return ok;
}

static gboolean
lock_target_locked (JnStore     *self,
                    const char  *ent,
                    const char  *uai,
                    GError     **error)
{
  g_autofree char *key = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *holder = NULL;
  gboolean busy, ours = FALSE;
  int fd;

  if (!lock_locked (self, error))
    return FALSE;
  if (self->target_fd >= 0)
    return TRUE;

  {
    /* One ENT however it is written: "https://ent/scim/v2/" is "https://ent/scim/v2", a
     * UAI in either case */
    g_autofree char *address = g_strdup (ent);
    g_autofree char *establishment = g_ascii_strup (uai, -1);
    gsize length = strlen (address);

    while (length > 1 && address[length - 1] == '/')
      address[--length] = '\0';
    key = g_strdup_printf ("%s\n%s", address, establishment);
  }
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  dir = g_build_filename (g_get_user_runtime_dir (), "jonction", NULL);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      jn_store_unlock (self);
      g_set_error (error, JN_ERROR, JN_ERROR_IO, _("cannot create %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  path = g_strdup_printf ("%s/push-%.32s.lock", dir, digest);

  fd = take_lock (path, &busy, error);
  if (fd < 0)
    {
      jn_store_unlock (self);
      if (!busy)
        return FALSE;
      holder = wait_for_holder (path, &ours);
      if (ours)
        set_busy_in_this_process (error);
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                     _("another push to this ENT for establishment %s is running (%s), from "
                       "another local store. Only one push to an ENT runs at a time; wait for "
                       "it to end, or stop it, then run this command again"),
                     uai, holder ? holder : _("a process of yours"));
      return FALSE;
    }

  self->target_fd = fd;
  return TRUE;
}

static void unlock_locked (JnStore *self);

void
jn_store_unlock (JnStore *self)
{
  g_return_if_fail (JN_IS_STORE (self));

  g_rec_mutex_lock (&self->lock_mutex);
  unlock_locked (self);
  g_rec_mutex_unlock (&self->lock_mutex);
}

static void
unlock_locked (JnStore *self)
{
  if (self->lock_fd < 0)
    return;
  if (self->lock_depth > 1)
    {
      self->lock_depth--;
      return;
    }

  if (self->target_fd >= 0)
    {
      if (ftruncate (self->target_fd, 0) != 0)
        g_debug ("cannot empty the ENT lock: %s", g_strerror (errno));
      flock (self->target_fd, LOCK_UN);
      close (self->target_fd);
      self->target_fd = -1;
    }

  /* Emptied while still held: the next holder never reads a stale owner */
  if (ftruncate (self->lock_fd, 0) != 0)
    g_debug ("cannot empty %s: %s", self->lock_path, g_strerror (errno));
  flock (self->lock_fd, LOCK_UN);
  close (self->lock_fd);
  self->lock_fd = -1;
  self->lock_depth = 0;
}

gboolean
jn_store_is_locked (JnStore *self)
{
  gboolean locked;

  g_return_val_if_fail (JN_IS_STORE (self), FALSE);

  g_rec_mutex_lock (&self->lock_mutex);
  locked = self->lock_fd >= 0;
  g_rec_mutex_unlock (&self->lock_mutex);
  return locked;
}

/* Every write of an import holds the lock, whoever calls: a face that forgot to take it
 * is still refused rather than writing alongside another push. */
static gboolean
ensure_locked (JnStore  *self,
               GError  **error)
{
  gboolean ok = TRUE;

  g_rec_mutex_lock (&self->lock_mutex);
  if (self->lock_fd < 0)
    {
      ok = lock_locked (self, error);
      /* Held until the import ends (jn_store_finish_import) or the store is closed */
      if (ok)
        self->lock_depth = 0;
    }
  g_rec_mutex_unlock (&self->lock_mutex);
  return ok;
}

const char *
jn_store_get_path (JnStore *self)
{
  g_return_val_if_fail (JN_IS_STORE (self), NULL);

  return self->path;
}

static JnImportRecord *
read_import (JnStore      *self,
             sqlite3_stmt *stmt)
{
  JnImportRecord *record = g_new0 (JnImportRecord, 1);
  g_autoptr(sqlite3_stmt) counts = NULL;

  record->id = column_text (stmt, 0);
  record->started_at = column_text (stmt, 1);
  record->finished_at = column_text (stmt, 2);
  record->mode = column_text (stmt, 3);
  record->uai = column_text (stmt, 4);
  record->ent = column_text (stmt, 5);
  record->file_hash = column_text (stmt, 6);
  record->state = column_text (stmt, 7);
  record->n_unchanged = (guint)sqlite3_column_int (stmt, 8);
  /* What a purged import kept of its journal */
  record->n_set = (guint)sqlite3_column_int (stmt, 9);
  record->n_replaced = (guint)sqlite3_column_int (stmt, 10);
  record->n_cleared = (guint)sqlite3_column_int (stmt, 11);
  record->n_failed = (guint)sqlite3_column_int (stmt, 12);
  record->purged = sqlite3_column_type (stmt, 13) != SQLITE_NULL;
  record->kind = column_text (stmt, 14);
  record->file_path = column_text (stmt, 15);
  record->step = (guint)sqlite3_column_int (stmt, 16);

  counts = prepare (self, "SELECT kind, state, COUNT(*) FROM operations WHERE import_id = ?1 "
                          "GROUP BY kind, state", NULL);
  if (counts == NULL)
    return record;

  bind_text (counts, 1, record->id);
  while (sqlite3_step (counts) == SQLITE_ROW)
    {
      const char *kind = (const char *)sqlite3_column_text (counts, 0);
      const char *state = (const char *)sqlite3_column_text (counts, 1);
      guint n = (guint)sqlite3_column_int (counts, 2);

      if (g_strcmp0 (state, "failed") == 0)
        record->n_failed += n;
      else if (g_strcmp0 (state, "done") != 0)
        continue;
      else if (g_strcmp0 (kind, "set") == 0)
        record->n_set += n;
      else if (g_strcmp0 (kind, "replace") == 0)
        record->n_replaced += n;
      else if (g_strcmp0 (kind, "clear") == 0)
        record->n_cleared += n;
    }

  return record;
}

/* The one import @stmt selects, or NULL: none (@error left unset) or a failure (@error set) */
static JnImportRecord *
step_one_import (JnStore       *self,
                 sqlite3_stmt  *stmt,
                 GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    return read_import (self, stmt);
  if (rc != SQLITE_DONE)
    set_sqlite_error (self, error);

  return NULL;
}

static int
compare_strings (const void *a,
                 const void *b)
{
  return g_strcmp0 (*(const char * const *)a, *(const char * const *)b);
}

/* SHA-256 of the decisions, sorted: "" when there are none */
static char *
hash_decisions (GHashTable *decisions)
{
  g_autoptr(GChecksum) sha = NULL;
  g_autofree gpointer *keys = NULL;
  guint n = 0;

  if (decisions == NULL || g_hash_table_size (decisions) == 0)
    return g_strdup ("");

  sha = g_checksum_new (G_CHECKSUM_SHA256);
  keys = g_hash_table_get_keys_as_array (decisions, &n);
  qsort (keys, n, sizeof (gpointer), compare_strings);
  for (guint i = 0; i < n; i++)
    {
      const char *value = g_hash_table_lookup (decisions, keys[i]);

      g_checksum_update (sha, keys[i], -1);
      g_checksum_update (sha, (const guchar *)"\t", 1);
      g_checksum_update (sha, (const guchar *)(value ? value : "\x01null"), -1);
      g_checksum_update (sha, (const guchar *)"\n", 1);
    }

  return g_strdup (g_checksum_get_string (sha));
}

#define IMPORT_COLUMNS "id, started_at, finished_at, mode, uai, ent, file_hash, state, n_unchanged"
#define SELECT_COLUMNS IMPORT_COLUMNS ", kept_set, kept_replaced, kept_cleared, kept_failed, purged_at, " \
                       "kind, file_path, step"

JnImportRecord *
jn_store_find_resumable (JnStore    *self,
                         const char *uai,
                         const char *mode,
                         const char *ent,
                         const char *file_hash,
                         GHashTable *decisions)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *decisions_hash = hash_decisions (decisions);

  g_return_val_if_fail (JN_IS_STORE (self), NULL);

  stmt = prepare (self, "SELECT " SELECT_COLUMNS " FROM imports WHERE uai = ?1 AND mode = ?2 "
                        "AND ent = ?3 AND file_hash = ?4 AND decisions_hash = ?5 AND kind = 'cli' "
                        "AND state IN ('running', 'interrupted') "
                        "ORDER BY started_at DESC LIMIT 1", NULL);
  if (stmt == NULL)
    return NULL;

  bind_text (stmt, 1, uai);
  bind_text (stmt, 2, mode);
  bind_text (stmt, 3, ent);
  bind_text (stmt, 4, file_hash);
  bind_text (stmt, 5, decisions_hash);

  return sqlite3_step (stmt) == SQLITE_ROW ? read_import (self, stmt) : NULL;
}

gboolean
jn_store_supersede_unfinished (JnStore     *self,
                               const char  *uai,
                               const char  *mode,
                               const char  *ent,
                               const char  *file_hash,
                               GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (JN_IS_STORE (self), FALSE);

  if (!ensure_locked (self, error))
    return FALSE;

  stmt = prepare (self, "UPDATE imports SET state = 'superseded' WHERE uai = ?1 AND mode = ?2 "
                        "AND ent = ?3 AND file_hash = ?4 AND kind = 'cli' "
                        "AND state IN ('running', 'interrupted')",
                  error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, uai);
  bind_text (stmt, 2, mode);
  bind_text (stmt, 3, ent);
  bind_text (stmt, 4, file_hash);

  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_sqlite_error (self, error);

  return TRUE;
}

char *
jn_store_begin_import (JnStore     *self,
                       const char  *mode,
                       const char  *uai,
                       const char  *ent,
                       const char  *file_hash,
                       GHashTable  *decisions,
                       GPtrArray   *operations,
                       guint        n_unchanged,
                       GError     **error)
{
  g_autoptr(sqlite3_stmt) insert_import = NULL;
  g_autoptr(sqlite3_stmt) insert_decision = NULL;
  g_autoptr(sqlite3_stmt) insert_op = NULL;
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *now = now_iso8601 ();

  g_return_val_if_fail (JN_IS_STORE (self), NULL);

  if (!ensure_locked (self, error) || !exec (self, "BEGIN IMMEDIATE", error))
    return NULL;

  insert_import = prepare (self, "INSERT INTO imports (" IMPORT_COLUMNS ", decisions_hash) "
                                 "VALUES (?1, ?2, NULL, ?3, ?4, ?5, ?6, 'running', ?7, ?8)", error);
  insert_decision = prepare (self, "INSERT INTO decisions VALUES (?1, ?2, ?3)", error);
  insert_op = prepare (self, "INSERT INTO operations VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                             "'planned', 0, NULL, ?10)", error);
  if (insert_import == NULL || insert_decision == NULL || insert_op == NULL)
    goto rollback;

  bind_text (insert_import, 1, id);
  bind_text (insert_import, 2, now);
  bind_text (insert_import, 3, mode);
  bind_text (insert_import, 4, uai);
  bind_text (insert_import, 5, ent);
  bind_text (insert_import, 6, file_hash);
  sqlite3_bind_int (insert_import, 7, (int)n_unchanged);
  {
    g_autofree char *decisions_hash = hash_decisions (decisions);

    bind_text (insert_import, 8, decisions_hash);
  }
  if (sqlite3_step (insert_import) != SQLITE_DONE)
    goto sqlite_failure;

  if (decisions != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, decisions);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          sqlite3_reset (insert_decision);
          bind_text (insert_decision, 1, id);
          bind_text (insert_decision, 2, key);
          bind_text (insert_decision, 3, value);
          if (sqlite3_step (insert_decision) != SQLITE_DONE)
            goto sqlite_failure;
        }
    }

  for (guint i = 0; i < operations->len; i++)
    {
      JnOperation *op = g_ptr_array_index (operations, i);

      op->seq = i + 1;
      op->state = JN_OP_PLANNED;
      sqlite3_reset (insert_op);
      bind_text (insert_op, 1, id);
      sqlite3_bind_int64 (insert_op, 2, op->seq);
      sqlite3_bind_int (insert_op, 3, op->category);
      bind_text (insert_op, 4, jn_op_kind_to_string (op->kind));
      bind_text (insert_op, 5, op->ent_id);
      bind_text (insert_op, 6, op->uai);
      bind_text (insert_op, 7, op->pronote_id);
      bind_text (insert_op, 8, op->old_pronote_id);
      bind_text (insert_op, 9, op->record_id);
      bind_text (insert_op, 10, now);
      if (sqlite3_step (insert_op) != SQLITE_DONE)
        goto sqlite_failure;
    }

  if (!exec (self, "COMMIT", error))
    goto rollback;

  return g_steal_pointer (&id);

sqlite_failure:
  set_sqlite_error (self, error);
rollback:
  exec (self, "ROLLBACK", NULL);
  return NULL;
}

GPtrArray *
jn_store_list_operations (JnStore     *self,
                          const char  *import_id,
                          GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)jn_operation_free);
  int rc;

  g_return_val_if_fail (JN_IS_STORE (self), NULL);

  stmt = prepare (self, "SELECT seq, category, kind, state, ent_id, uai, pronote_id, old_pronote_id, "
                        "record_id, status, detail FROM operations WHERE import_id = ?1 ORDER BY seq",
                  error);
  if (stmt == NULL)
    return NULL;

  bind_text (stmt, 1, import_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JnOperation *op = g_new0 (JnOperation, 1);

      op->seq = sqlite3_column_int64 (stmt, 0);
      op->category = sqlite3_column_int (stmt, 1);
      op->kind = index_of (kind_names, G_N_ELEMENTS (kind_names),
                           (const char *)sqlite3_column_text (stmt, 2));
      op->state = index_of (state_names, G_N_ELEMENTS (state_names),
                            (const char *)sqlite3_column_text (stmt, 3));
      op->ent_id = column_text (stmt, 4);
      op->uai = column_text (stmt, 5);
      op->pronote_id = column_text (stmt, 6);
      op->old_pronote_id = column_text (stmt, 7);
      op->record_id = column_text (stmt, 8);
      op->status = sqlite3_column_int (stmt, 9);
      op->detail = column_text (stmt, 10);
      g_ptr_array_add (ops, op);
    }

  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error);
      return NULL;
    }

  return g_steal_pointer (&ops);
}

gboolean
jn_store_set_operation_state (JnStore     *self,
                              const char  *import_id,
                              gint64       seq,
                              JnOpState    state,
                              int          status,
                              const char  *detail,
                              GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *now = now_iso8601 ();

  g_return_val_if_fail (JN_IS_STORE (self), FALSE);

  if (!ensure_locked (self, error))
    return FALSE;

  stmt = prepare (self, "UPDATE operations SET state = ?1, status = ?2, detail = ?3, updated_at = ?4 "
                        "WHERE import_id = ?5 AND seq = ?6", error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, jn_op_state_to_string (state));
  sqlite3_bind_int (stmt, 2, status);
  bind_text (stmt, 3, detail);
  bind_text (stmt, 4, now);
  bind_text (stmt, 5, import_id);
  sqlite3_bind_int64 (stmt, 6, seq);

  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_sqlite_error (self, error);

  return TRUE;
}

gboolean
jn_store_save_operations (JnStore     *self,
                          const char  *import_id,
                          GPtrArray   *ops,
                          GError     **error)
{
  g_return_val_if_fail (JN_IS_STORE (self), FALSE);

  if (ops->len == 0)
    return TRUE;

  if (!ensure_locked (self, error) || !exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  for (guint i = 0; i < ops->len; i++)
    {
      JnOperation *op = g_ptr_array_index (ops, i);

      if (!jn_store_set_operation_state (self, import_id, op->seq, op->state, op->status,
                                         op->detail, error))
        {
          exec (self, "ROLLBACK", NULL);
          return FALSE;
        }
    }

  return exec (self, "COMMIT", error);
}

gboolean
jn_store_finish_import (JnStore     *self,
                        const char  *import_id,
                        const char  *state,
                        GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *now = now_iso8601 ();

  g_return_val_if_fail (JN_IS_STORE (self), FALSE);

  stmt = prepare (self, "UPDATE imports SET state = ?1, finished_at = ?2 WHERE id = ?3", error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, state);
  bind_text (stmt, 2, g_str_equal (state, "interrupted") || g_str_equal (state, "running") ? NULL : now);
  bind_text (stmt, 3, import_id);

  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_sqlite_error (self, error);

  /* The lock a write took by itself ends with the import */
  g_rec_mutex_lock (&self->lock_mutex);
  if (self->lock_fd >= 0 && self->lock_depth == 0 && !g_str_equal (state, "running"))
    unlock_locked (self);
  g_rec_mutex_unlock (&self->lock_mutex);

  return TRUE;
}

GPtrArray *
jn_store_list_imports (JnStore  *self,
                       guint     limit,
                       GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) imports = g_ptr_array_new_with_free_func ((GDestroyNotify)jn_import_record_free);
  int rc;

  g_return_val_if_fail (JN_IS_STORE (self), NULL);

  stmt = prepare (self, "SELECT " SELECT_COLUMNS " FROM imports ORDER BY started_at DESC, rowid DESC "
                        "LIMIT ?1", error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int (stmt, 1, limit > 0 ? (int)limit : -1);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (imports, read_import (self, stmt));

  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error);
      return NULL;
    }

  return g_steal_pointer (&imports);
}

JnImportRecord *
jn_store_get_import (JnStore     *self,
                     const char  *import_id,
                     GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (JN_IS_STORE (self), NULL);

  stmt = prepare (self, "SELECT " SELECT_COLUMNS " FROM imports WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;

  bind_text (stmt, 1, import_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error (error, JN_ERROR, JN_ERROR_FAILED, _("no import %s in the local store"), import_id);
      return NULL;
    }

  return read_import (self, stmt);
}

JnImportRecord *
jn_store_get_last_import (JnStore     *self,
                          const char  *uai,
                          GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (JN_IS_STORE (self), NULL);

  stmt = prepare (self, "SELECT " SELECT_COLUMNS " FROM imports "
                        "WHERE mode IN ('complete', 'partial') AND state IN ('done', 'partial') "
                        "AND (?1 IS NULL OR uai = ?1) "
                        "ORDER BY COALESCE(finished_at, started_at) DESC, rowid DESC LIMIT 1",
                  error);
  if (stmt == NULL)
    return NULL;

  bind_text (stmt, 1, uai);
  return step_one_import (self, stmt, error);
}

/* Finished imports whose end is older than @days lose their personal data: the journal
 * (PRONOTE and ENT identifiers, server details) and the decisions go; the import keeps an
 * anonymous line (dates, mode, UAI, ENT, counts, outcome) for the history. Unfinished
 * imports keep their journal: it is what resumes them. */
gboolean
jn_store_purge_expired (JnStore  *self,
                        guint     days,
                        guint    *n_purged,
                        GError  **error)
{
  g_autoptr(sqlite3_stmt) mark = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) limit = g_date_time_add_days (now, -(gint)MIN (days, 36500));
  g_autofree char *cutoff = g_date_time_format_iso8601 (limit);
  g_autofree char *stamp = g_date_time_format_iso8601 (now);
  int changes;

  g_return_val_if_fail (JN_IS_STORE (self), FALSE);

  if (n_purged != NULL)
    *n_purged = 0;

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  mark = prepare (self,
                  "UPDATE imports SET purged_at = ?1, file_hash = '', decisions_hash = '', file_path = NULL,"
                  " kept_set = kept_set + (SELECT COUNT(*) FROM operations o WHERE o.import_id = imports.id"
                  "   AND o.kind = 'set' AND o.state = 'done'),"
                  " kept_replaced = kept_replaced + (SELECT COUNT(*) FROM operations o WHERE o.import_id = imports.id"
                  "   AND o.kind = 'replace' AND o.state = 'done'),"
                  " kept_cleared = kept_cleared + (SELECT COUNT(*) FROM operations o WHERE o.import_id = imports.id"
                  "   AND o.kind = 'clear' AND o.state = 'done'),"
                  " kept_failed = kept_failed + (SELECT COUNT(*) FROM operations o WHERE o.import_id = imports.id"
                  "   AND o.state = 'failed')"
                  " WHERE purged_at IS NULL AND state NOT IN ('running', 'interrupted')"
                  " AND COALESCE(finished_at, started_at) <= ?2", error);
  if (mark == NULL)
    goto rollback;

  sqlite3_bind_text (mark, 1, stamp, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (mark, 2, cutoff, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (mark) != SQLITE_DONE)
    {
      set_sqlite_error (self, error);
      goto rollback;
    }
  changes = sqlite3_changes (self->db);

  if (!exec (self, "DELETE FROM operations WHERE import_id IN "
                   "(SELECT id FROM imports WHERE purged_at IS NOT NULL)", error) ||
      !exec (self, "DELETE FROM decisions WHERE import_id IN "
                   "(SELECT id FROM imports WHERE purged_at IS NOT NULL)", error) ||
      !exec (self, "COMMIT", error))
    goto rollback;

  if (n_purged != NULL)
    *n_purged = (guint)changes;
  return TRUE;

rollback:
  exec (self, "ROLLBACK", NULL);
  return FALSE;
}

static gboolean
count_rows (JnStore     *self,
            const char  *sql,
            guint       *count,
            GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return set_sqlite_error (self, error);

  *count = (guint)sqlite3_column_int (stmt, 0);
  return TRUE;
}

gboolean
jn_store_count_local_data (JnStore  *self,
                           guint    *n_imports,
                           guint    *n_decisions,
                           guint    *n_operations,
                           GError  **error)
{
  g_return_val_if_fail (JN_IS_STORE (self), FALSE);

  return count_rows (self, "SELECT COUNT(*) FROM imports", n_imports, error) &&
         count_rows (self, "SELECT COUNT(*) FROM decisions", n_decisions, error) &&
         count_rows (self, "SELECT COUNT(*) FROM operations", n_operations, error);
}

/* Removes every import, decision and journal row now, then rewrites the file so that the
 * removed data leave it (and its write-ahead log) too. Refused while a push holds the lock. */
gboolean
jn_store_forget (JnStore  *self,
                 GError  **error)
{
  gboolean ok;

  g_return_val_if_fail (JN_IS_STORE (self), FALSE);

  if (!jn_store_lock (self, error))
    return FALSE;

  ok = exec (self, "BEGIN IMMEDIATE", error);
  if (ok && !(exec (self, "DELETE FROM operations", error) &&
              exec (self, "DELETE FROM decisions", error) &&
              exec (self, "DELETE FROM imports", error) &&
              exec (self, "COMMIT", error)))
    {
      exec (self, "ROLLBACK", NULL);
      ok = FALSE;
    }

  ok = ok &&
       exec (self, "VACUUM", error) &&
       exec (self, "PRAGMA wal_checkpoint(TRUNCATE)", error);

  jn_store_unlock (self);
  return ok;
}

/* One statement with two text parameters, run to its end */
static gboolean
run_with_texts (JnStore     *self,
                const char  *sql,
                const char  *first,
                const char  *second,
                GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, first);
  bind_text (stmt, 2, second);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_sqlite_error (self, error);

  return TRUE;
}

/* ---- the wizard's imports ---- */

char *
jn_store_begin_session (JnStore     *self,
                        const char  *mode,
                        const char  *uai,
                        const char  *ent,
                        const char  *file_hash,
                        const char  *file_path,
                        GError     **error)
{
  g_autoptr(sqlite3_stmt) supersede = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *now = now_iso8601 ();

  g_return_val_if_fail (JN_IS_STORE (self), NULL);

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return NULL;

  supersede = prepare (self, "UPDATE imports SET state = 'superseded' WHERE kind = 'wizard' "
                             "AND uai = ?1 AND ent = ?2 AND state IN ('running', 'interrupted')",
                       error);
  insert = prepare (self, "INSERT INTO imports (" IMPORT_COLUMNS ", decisions_hash, kind, "
                          "file_path, step) VALUES (?1, ?2, NULL, ?3, ?4, ?5, ?6, 'running', 0, "
                          "'', 'wizard', ?7, 0)", error);
  if (supersede == NULL || insert == NULL)
    goto rollback;

  bind_text (supersede, 1, uai);
  bind_text (supersede, 2, ent);
  if (sqlite3_step (supersede) != SQLITE_DONE)
    goto sqlite_failure;

  bind_text (insert, 1, id);
  bind_text (insert, 2, now);
  bind_text (insert, 3, mode);
  bind_text (insert, 4, uai);
  bind_text (insert, 5, ent);
  bind_text (insert, 6, file_hash);
  bind_text (insert, 7, file_path);
  if (sqlite3_step (insert) != SQLITE_DONE)
    goto sqlite_failure;

  if (!exec (self, "COMMIT", error))
    goto rollback;

  return g_steal_pointer (&id);

sqlite_failure:
  set_sqlite_error (self, error);
rollback:
  exec (self, "ROLLBACK", NULL);
  return NULL;
}

gboolean
jn_store_save_decision (JnStore     *self,
                        const char  *import_id,
                        const char  *pronote_id,
                        const char  *ent_id,
                        GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (JN_IS_STORE (self), FALSE);
  g_return_val_if_fail (import_id != NULL && pronote_id != NULL, FALSE);

  /* Only into an import still under way: one replaced by a newer one (another window),
   * finished or forgotten is not silently written into, never to be resumed */
  stmt = prepare (self, "INSERT OR REPLACE INTO decisions SELECT ?1, ?2, ?3 WHERE EXISTS "
                        "(SELECT 1 FROM imports WHERE id = ?1 AND state IN ('running', 'interrupted'))",
                  error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, import_id);
  bind_text (stmt, 2, pronote_id);
  bind_text (stmt, 3, ent_id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_sqlite_error (self, error);
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error_literal (error, JN_ERROR, JN_ERROR_INVALID_ARGUMENT,
                           _("This import was replaced meanwhile by another one (started in another "
                             "window, or its local data forgotten): its choices can no longer be "
                             "recorded"));
      return FALSE;
    }

  return TRUE;
}

gboolean
jn_store_delete_decision (JnStore     *self,
                          const char  *import_id,
                          const char  *pronote_id,
                          GError     **error)
{
  g_return_val_if_fail (JN_IS_STORE (self), FALSE);

  return run_with_texts (self, "DELETE FROM decisions WHERE import_id = ?1 AND pronote_id = ?2",
                         import_id, pronote_id, error);
}

GHashTable *
jn_store_load_decisions (JnStore     *self,
                         const char  *import_id,
                         GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GHashTable) decisions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  int rc;

  g_return_val_if_fail (JN_IS_STORE (self), NULL);

  stmt = prepare (self, "SELECT pronote_id, ent_id FROM decisions WHERE import_id = ?1", error);
  if (stmt == NULL)
    return NULL;

  bind_text (stmt, 1, import_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_insert (decisions, column_text (stmt, 0), column_text (stmt, 1));

  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error);
      return NULL;
    }

  return g_steal_pointer (&decisions);
}

gboolean
jn_store_append_operations (JnStore     *self,
                            const char  *import_id,
                            GPtrArray   *operations,
                            guint        n_unchanged,
                            GError     **error)
{
  g_autoptr(sqlite3_stmt) last = NULL;
  g_autoptr(sqlite3_stmt) insert_op = NULL;
  g_autoptr(sqlite3_stmt) unchanged = NULL;
  g_autofree char *now = now_iso8601 ();
  gint64 seq = 0;

  g_return_val_if_fail (JN_IS_STORE (self), FALSE);

  if (!ensure_locked (self, error) || !exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  last = prepare (self, "SELECT COALESCE(MAX(seq), 0) FROM operations WHERE import_id = ?1", error);
  insert_op = prepare (self, "INSERT INTO operations VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                             "'planned', 0, NULL, ?10)", error);
  unchanged = prepare (self, "UPDATE imports SET n_unchanged = n_unchanged + ?1 WHERE id = ?2", error);
  if (last == NULL || insert_op == NULL || unchanged == NULL)
    goto rollback;

  bind_text (last, 1, import_id);
  if (sqlite3_step (last) != SQLITE_ROW)
    goto sqlite_failure;
  seq = sqlite3_column_int64 (last, 0);

  for (guint i = 0; i < operations->len; i++)
    {
      JnOperation *op = g_ptr_array_index (operations, i);

      op->seq = ++seq;
      op->state = JN_OP_PLANNED;
      sqlite3_reset (insert_op);
      bind_text (insert_op, 1, import_id);
      sqlite3_bind_int64 (insert_op, 2, op->seq);
      sqlite3_bind_int (insert_op, 3, op->category);
      bind_text (insert_op, 4, jn_op_kind_to_string (op->kind));
      bind_text (insert_op, 5, op->ent_id);
      bind_text (insert_op, 6, op->uai);
      bind_text (insert_op, 7, op->pronote_id);
      bind_text (insert_op, 8, op->old_pronote_id);
      bind_text (insert_op, 9, op->record_id);
      bind_text (insert_op, 10, now);
      if (sqlite3_step (insert_op) != SQLITE_DONE)
        goto sqlite_failure;
    }

  sqlite3_bind_int (unchanged, 1, (int)n_unchanged);
  bind_text (unchanged, 2, import_id);
  if (sqlite3_step (unchanged) != SQLITE_DONE)
    goto sqlite_failure;

  if (!exec (self, "COMMIT", error))
    goto rollback;

  return TRUE;

sqlite_failure:
  set_sqlite_error (self, error);
rollback:
  exec (self, "ROLLBACK", NULL);
  return FALSE;
}

gboolean
jn_store_set_step (JnStore     *self,
                   const char  *import_id,
                   guint        step,
                   GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (JN_IS_STORE (self), FALSE);

  stmt = prepare (self, "UPDATE imports SET step = ?1 WHERE id = ?2", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int (stmt, 1, (int)step);
  bind_text (stmt, 2, import_id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_sqlite_error (self, error);

  return TRUE;
}

gboolean
jn_store_set_import_state (JnStore     *self,
                           const char  *import_id,
                           const char  *state,
                           GError     **error)
{
  g_return_val_if_fail (JN_IS_STORE (self), FALSE);

  return run_with_texts (self, "UPDATE imports SET state = ?1 WHERE id = ?2", state, import_id, error);
}

GPtrArray *
jn_store_list_unfinished_edits (JnStore     *self,
                                const char  *ent,
                                const char  *uai,
                                GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) edits = g_ptr_array_new_with_free_func ((GDestroyNotify)jn_import_record_free);
  int rc;

  g_return_val_if_fail (JN_IS_STORE (self), NULL);
  g_return_val_if_fail (ent != NULL, NULL);
  g_return_val_if_fail (uai != NULL, NULL);

  /* Oldest first: they are finished in the order the admin made them */
  stmt = prepare (self, "SELECT " SELECT_COLUMNS " FROM imports WHERE mode = 'single' "
                        "AND ent = ?1 AND uai = ?2 AND state IN ('running', 'interrupted') "
                        "AND purged_at IS NULL ORDER BY started_at, rowid", error);
  if (stmt == NULL)
    return NULL;

  bind_text (stmt, 1, ent);
  bind_text (stmt, 2, uai);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (edits, read_import (self, stmt));

  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error);
      return NULL;
    }

  return g_steal_pointer (&edits);
}

JnImportRecord *
jn_store_find_interrupted_session (JnStore  *self,
                                   GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (JN_IS_STORE (self), NULL);

  stmt = prepare (self, "SELECT " SELECT_COLUMNS " FROM imports WHERE kind = 'wizard' "
                        "AND state IN ('running', 'interrupted') AND purged_at IS NULL "
                        "ORDER BY started_at DESC, rowid DESC LIMIT 1", error);
  if (stmt == NULL)
    return NULL;

  return step_one_import (self, stmt, error);
}
