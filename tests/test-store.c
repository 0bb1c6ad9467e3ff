/* test-store.c: the local store's file safety, push lock and privacy, case by case
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE /* memmem */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "jn-error.h"
#include "jn-store.h"

#define UAI "0312609T"
#define SECRET_ID "SECRETPRONOTE777"

static char *
make_dir (void)
{
  char *dir = g_dir_make_tmp ("jn-store-XXXXXX", NULL);

  g_assert_nonnull (dir);
  return dir;
}

static void
write_file (const char *path,
            const char *contents,
            int         mode)
{
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

static int
file_mode (const char *path)
{
  struct stat st;

  g_assert_cmpint (lstat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

/* What is at the database path (or next to it) before the store opens */
typedef enum
{
  SETUP_NOTHING,
  SETUP_SYMLINK_DB,           /* jonction.sqlite → a file elsewhere */
  SETUP_DANGLING_SYMLINK_DB,  /* jonction.sqlite → a file that does not exist */
  SETUP_SYMLINK_WAL,
  SETUP_SYMLINK_SHM,
  SETUP_SYMLINK_JOURNAL,
  SETUP_SYMLINK_LOCK,
  SETUP_LOOSE_DB,             /* an existing 0644 store */
  SETUP_PRIVATE_DB,           /* an existing 0600 store */
  SETUP_GROUP_DB,             /* an existing 0640 store */
  SETUP_FIFO_DB,
  SETUP_DIR_DB,
  SETUP_OPEN_DIR,             /* the folder is 0777 */
  SETUP_STICKY_DIR,           /* the folder is 1777, like /tmp */
  SETUP_HARDLINK_DB,          /* jonction.sqlite has another name elsewhere */
  SETUP_LINKED_DIR,           /* the folder itself is a link: the user's choice */
} Setup;

static void
test_open_paths (void)
{
  static const struct
  {
    Setup       setup;
    gboolean    opens;
    const char *reason;       /* in the message when refused */
  } cases[] = {
    { SETUP_NOTHING, TRUE, NULL },
    { SETUP_SYMLINK_DB, FALSE, "symbolic link" },
    { SETUP_DANGLING_SYMLINK_DB, FALSE, "symbolic link" },
    { SETUP_SYMLINK_WAL, FALSE, "symbolic link" },
    { SETUP_SYMLINK_SHM, FALSE, "symbolic link" },
    { SETUP_SYMLINK_JOURNAL, FALSE, "symbolic link" },
    { SETUP_SYMLINK_LOCK, TRUE, NULL },           /* refused when a push locks, below */
    { SETUP_LOOSE_DB, FALSE, "chmod 600" },
    { SETUP_GROUP_DB, FALSE, "mode 640" },
    { SETUP_PRIVATE_DB, TRUE, NULL },
    { SETUP_FIFO_DB, FALSE, "not a regular file" },
    { SETUP_DIR_DB, FALSE, NULL },
    { SETUP_OPEN_DIR, FALSE, "any user can write" },
    { SETUP_STICKY_DIR, TRUE, NULL },
    { SETUP_HARDLINK_DB, FALSE, "hard links" },
    { SETUP_LINKED_DIR, TRUE, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *dir = make_dir ();
      g_autofree char *db = g_build_filename (dir, "jonction.sqlite", NULL);
      g_autofree char *outside = g_build_filename (dir, "outside", NULL);
      g_autoptr(JnStore) store = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *open_dir = g_strdup (dir);
      const char *suffix = NULL;

      g_test_message ("case %u", i);
      switch (cases[i].setup)
        {
        case SETUP_NOTHING:
          break;
        case SETUP_SYMLINK_DB:
          write_file (outside, "", 0600);
          g_assert_cmpint (symlink (outside, db), ==, 0);
          break;
        case SETUP_DANGLING_SYMLINK_DB:
          g_assert_cmpint (symlink (outside, db), ==, 0);
          break;
        case SETUP_SYMLINK_WAL:
          suffix = "-wal";
          break;
        case SETUP_SYMLINK_SHM:
          suffix = "-shm";
          break;
        case SETUP_SYMLINK_JOURNAL:
          suffix = "-journal";
          break;
        case SETUP_SYMLINK_LOCK:
          {
            g_autofree char *lock = g_build_filename (dir, "jonction.lock", NULL);

            g_assert_cmpint (symlink (outside, lock), ==, 0);
          }
          break;
        case SETUP_LOOSE_DB:
          write_file (db, "", 0644);
          break;
        case SETUP_GROUP_DB:
          write_file (db, "", 0640);
          break;
        case SETUP_PRIVATE_DB:
          write_file (db, "", 0600);
          break;
        case SETUP_FIFO_DB:
          g_assert_cmpint (mkfifo (db, 0600), ==, 0);
          break;
        case SETUP_DIR_DB:
          g_assert_cmpint (g_mkdir (db, 0700), ==, 0);
          break;
        case SETUP_OPEN_DIR:
          g_assert_cmpint (g_chmod (dir, 0777), ==, 0);
          break;
        case SETUP_STICKY_DIR:
          g_assert_cmpint (g_chmod (dir, 01777), ==, 0);
          break;
        case SETUP_HARDLINK_DB:
          write_file (outside, "", 0600);
          g_assert_cmpint (link (outside, db), ==, 0);
          break;
        case SETUP_LINKED_DIR:
          g_free (open_dir);
          open_dir = g_strconcat (dir, "-link", NULL);
          g_assert_cmpint (symlink (dir, open_dir), ==, 0);
          break;
        }
      if (suffix != NULL)
        {
          g_autofree char *companion = g_strconcat (db, suffix, NULL);

          g_assert_cmpint (symlink (outside, companion), ==, 0);
        }

      store = jn_store_open (open_dir, &error);
      if (cases[i].opens)
        {
          g_assert_no_error (error);
          g_assert_nonnull (store);
          g_assert_cmpint (file_mode (db), ==, 0600);
          if (cases[i].setup == SETUP_LINKED_DIR)
            g_unlink (open_dir);
        }
      else
        {
          g_assert_null (store);
          g_assert_error (error, JN_ERROR, JN_ERROR_IO);
          if (cases[i].reason != NULL)
            g_assert_nonnull (strstr (error->message, cases[i].reason));
          /* Nothing was created through a link, nothing was chmod'ed */
          g_assert_false (g_file_test (outside, G_FILE_TEST_EXISTS) &&
                          cases[i].setup != SETUP_SYMLINK_DB && cases[i].setup != SETUP_HARDLINK_DB);
          if (cases[i].setup == SETUP_SYMLINK_DB || cases[i].setup == SETUP_HARDLINK_DB)
            {
              g_assert_cmpint (file_mode (outside), ==, 0600);
              g_assert_true (g_file_test (outside, G_FILE_TEST_IS_REGULAR));
            }
          if (cases[i].setup == SETUP_LOOSE_DB)
            g_assert_cmpint (file_mode (db), ==, 0644);
          if (cases[i].setup == SETUP_GROUP_DB)
            g_assert_cmpint (file_mode (db), ==, 0640);
        }

      if (cases[i].setup == SETUP_SYMLINK_LOCK)
        {
          g_assert_false (jn_store_lock (store, &error));
          g_assert_nonnull (strstr (error->message, "symbolic link"));
          g_assert_false (g_file_test (outside, G_FILE_TEST_EXISTS));
        }
    }

  /* A new folder is private */
  {
    g_autofree char *dir = make_dir ();
    g_autofree char *sub = g_build_filename (dir, "new", "state", NULL);
    g_autoptr(JnStore) store = jn_store_open (sub, NULL);

    g_assert_nonnull (store);
    g_assert_cmpint (file_mode (sub), ==, 0700);
  }
}

static GPtrArray *
make_operations (const char *pronote_prefix,
                 guint       n)
{
  GPtrArray *ops = g_ptr_array_new_with_free_func ((GDestroyNotify)jn_operation_free);

  for (guint i = 0; i < n; i++)
    {
      JnOperation *op = g_new0 (JnOperation, 1);

      op->category = JN_CATEGORY_STUDENT;
      op->kind = i % 3 == 2 ? JN_OP_CLEAR : i % 3 == 1 ? JN_OP_REPLACE : JN_OP_SET;
      op->ent_id = g_strdup_printf ("ent-user-%u", i);
      op->uai = g_strdup (UAI);
      op->pronote_id = op->kind == JN_OP_CLEAR ? NULL : g_strdup_printf ("%s%u", pronote_prefix, i);
      op->old_pronote_id = op->kind == JN_OP_SET ? NULL : g_strdup ("OLDVALUE00000000");
      op->record_id = g_strdup (op->pronote_id);
      g_ptr_array_add (ops, op);
    }

  return ops;
}

/* An import with its decisions and operations, finished in @state (NULL: left running) */
static char *
add_import (JnStore    *store,
            const char *hash,
            const char *state)
{
  g_autoptr(GPtrArray) ops = make_operations (SECRET_ID, 3);
  g_autoptr(GHashTable) decisions = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  char *id;

  g_hash_table_insert (decisions, (char *)"DECIDEDPRONOTE01", (char *)"ent-decided");
  id = jn_store_begin_import (store, "complete", UAI, "file:test", hash, decisions, ops, 2, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < ops->len; i++)
    {
      JnOperation *op = g_ptr_array_index (ops, i);

      op->state = i == 1 ? JN_OP_FAILED : JN_OP_DONE;
      op->detail = g_strdup ("server said: Zoé ELAPHE holds it");
    }
  g_assert_true (jn_store_save_operations (store, id, ops, &error));
  if (state != NULL)
    g_assert_true (jn_store_finish_import (store, id, state, &error));
  g_assert_no_error (error);

  return id;
}

/* The store's file, its WAL included, as bytes */
static gboolean
store_bytes_contain (const char *dir,
                     const char *needle)
{
  static const char * const names[] = { "jonction.sqlite", "jonction.sqlite-wal" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_autofree char *contents = NULL;
      gsize length;

      if (!g_file_get_contents (path, &contents, &length, NULL))
        continue;
      if (memmem (contents, length, needle, strlen (needle)) != NULL)
        return TRUE;
    }

  return FALSE;
}

static void
age_import (const char *dir,
            const char *import_id,
            int         days)
{
  g_autofree char *path = g_build_filename (dir, "jonction.sqlite", NULL);
  char *sql;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_days (now, -days);
  g_autofree char *stamp = g_date_time_format_iso8601 (then);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sql = sqlite3_mprintf ("UPDATE imports SET started_at = %Q, finished_at = "
                         "CASE WHEN finished_at IS NULL THEN NULL ELSE %Q END WHERE id = %Q",
                         stamp, stamp, import_id);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_free (sql);
  sqlite3_close (db);
}

static void
test_retention (void)
{
  static const struct
  {
    const char *state;      /* NULL: still running */
    int         age_days;
    guint       retention;
    gboolean    purged;
  } cases[] = {
    { "done", 40, 30, TRUE },
    { "partial", 31, 30, TRUE },
    { "superseded", 40, 30, TRUE },
    { "done", 29, 30, FALSE },
    { "done", 0, 30, FALSE },
    { "done", 0, 0, TRUE },
    { "done", 8, 7, TRUE },
    { "interrupted", 400, 30, FALSE },
    { NULL, 400, 30, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *dir = make_dir ();
      g_autofree char *id = NULL;
      g_autofree char *keep_id = NULL;
      g_autoptr(JnStore) store = jn_store_open (dir, NULL);
      g_autoptr(JnImportRecord) record = NULL;
      g_autoptr(GPtrArray) ops = NULL;
      g_autoptr(GError) error = NULL;
      guint n_imports, n_decisions, n_operations, n_purged = 99;

      g_test_message ("case %u", i);
      keep_id = add_import (store, "recent", "done");
      id = add_import (store, "aged", cases[i].state);
      if (cases[i].state == NULL)
        jn_store_unlock (store);
      age_import (dir, id, cases[i].age_days);

      g_assert_true (jn_store_purge_expired (store, cases[i].retention, &n_purged, &error));
      g_assert_no_error (error);
      /* The recent import stays whole unless the retention is 0 */
      g_assert_cmpuint (n_purged, ==, (cases[i].purged ? 1 : 0) + (cases[i].retention == 0 ? 1 : 0));

      record = jn_store_get_import (store, id, &error);
      g_assert_no_error (error);
      g_assert_cmpint (record->purged, ==, cases[i].purged);
      /* The anonymous line keeps its counts */
      g_assert_cmpuint (record->n_set, ==, 1);
      g_assert_cmpuint (record->n_failed, ==, 1);
      g_assert_cmpuint (record->n_cleared, ==, 1);
      g_assert_cmpuint (record->n_unchanged, ==, 2);
      g_assert_cmpstr (record->uai, ==, UAI);
      g_assert_cmpstr (record->mode, ==, "complete");

      ops = jn_store_list_operations (store, id, &error);
      g_assert_cmpuint (ops->len, ==, cases[i].purged ? 0 : 3);
      g_assert_true (jn_store_count_local_data (store, &n_imports, &n_decisions, &n_operations, &error));
      g_assert_cmpuint (n_imports, ==, 2);
      g_assert_cmpuint (n_decisions, ==, cases[i].retention == 0 ? 0 : cases[i].purged ? 1 : 2);

      /* A purged import is never resumed */
      if (cases[i].purged)
        g_assert_null (jn_store_find_resumable (store, UAI, "complete", "file:test", "aged", NULL));
    }
}

/* The start page's "last import": the newest finished import of a file (purged ones too,
 * with the counts they kept), of the establishment asked; not a running, interrupted or
 * single-edit one */
static void
test_last_import (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JnStore) store = jn_store_open (dir, &error);
  g_autoptr(JnImportRecord) last = NULL;
  g_autoptr(GPtrArray) single_ops = make_operations (SECRET_ID, 1);
  g_autofree char *old = NULL;
  g_autofree char *running = NULL;
  g_autofree char *interrupted = NULL;
  g_autofree char *single = NULL;
  g_autofree char *newest = NULL;
  guint n_purged = 0;

  g_assert_no_error (error);
  g_assert_null (jn_store_get_last_import (store, NULL, &error));
  g_assert_no_error (error);

  old = add_import (store, "hash-old", "done");
  age_import (dir, old, 40);
  g_assert_true (jn_store_purge_expired (store, 30, &n_purged, &error));
  g_assert_cmpuint (n_purged, ==, 1);
  running = add_import (store, "hash-running", NULL);
  interrupted = add_import (store, "hash-interrupted", NULL);
  g_assert_true (jn_store_finish_import (store, interrupted, "interrupted", &error));
  single = jn_store_begin_import (store, "single", UAI, "file:test", "", NULL, single_ops, 0,
                                  &error);
  g_assert_no_error (error);
  g_assert_true (jn_store_finish_import (store, single, "done", &error));

  last = jn_store_get_last_import (store, UAI, &error);
  g_assert_no_error (error);
  g_assert_nonnull (last);
  g_assert_cmpstr (last->id, ==, old);
  g_assert_true (last->purged);
  g_assert_cmpuint (last->n_set, ==, 1);
  g_assert_cmpuint (last->n_cleared, ==, 1);
  g_assert_cmpuint (last->n_failed, ==, 1);
  g_clear_pointer (&last, jn_import_record_free);

  /* Another establishment has none */
  g_assert_null (jn_store_get_last_import (store, "0750001A", &error));
  g_assert_no_error (error);

  /* A newer one finished with failures is the last */
  newest = add_import (store, "hash-newest", "partial");
  last = jn_store_get_last_import (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (last->id, ==, newest);
  g_assert_false (last->purged);
}

static void
test_forget (void)
{
  static const char * const states[] = { "done", "partial", "interrupted", NULL };
  g_autofree char *dir = make_dir ();
  g_autoptr(JnStore) store = jn_store_open (dir, NULL);
  g_autoptr(JnStore) other = jn_store_open (dir, NULL);
  g_autoptr(GPtrArray) imports = NULL;
  g_autoptr(GError) error = NULL;
  guint n_imports, n_decisions, n_operations;

  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    {
      g_autofree char *hash = g_strdup_printf ("hash-%u", i);
      g_autofree char *id = add_import (store, hash, states[i]);
    }
  /* The running one holds the lock: forget waits for no one, it is refused */
  g_assert_false (jn_store_forget (other, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_clear_error (&error);
  jn_store_unlock (store);
  g_clear_object (&store);
  g_assert_true (store_bytes_contain (dir, SECRET_ID "0"));

  g_assert_true (jn_store_forget (other, &error));
  g_assert_no_error (error);
  g_assert_true (jn_store_count_local_data (other, &n_imports, &n_decisions, &n_operations, &error));
  g_assert_cmpuint (n_imports + n_decisions + n_operations, ==, 0);
  imports = jn_store_list_imports (other, 0, &error);
  g_assert_cmpuint (imports->len, ==, 0);
  g_clear_object (&other);

  /* The data left the file itself */
  g_assert_false (store_bytes_contain (dir, SECRET_ID));
  g_assert_false (store_bytes_contain (dir, "DECIDEDPRONOTE01"));
  g_assert_false (store_bytes_contain (dir, "ELAPHE"));
}

static gpointer
open_in_thread (gpointer data)
{
  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JnStore) store = jn_store_open (data, &error);

      g_assert_no_error (error);
    }
  return NULL;
}

/* Stores opened at once from several threads (the editor's own connections): the process's
 * umask, which each open sets for SQLite's files, is left as it was */
static void
test_open_threads (void)
{
  g_autofree char *dir = make_dir ();
  GThread *threads[6];
  mode_t before = umask (0022);
  mode_t after;

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("open", open_in_thread, dir);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  after = umask (before);
  g_assert_cmpuint (after, ==, 0022);
}

static gpointer
lock_target_in_thread (gpointer data)
{
  g_autoptr(GError) error = NULL;
  gboolean locked = jn_store_lock_target (data, "file:x", UAI, &error);

  g_assert_true (locked || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BUSY));
  return GINT_TO_POINTER (locked);
}

static void
test_lock (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(JnStore) a = jn_store_open (dir, NULL);
  g_autoptr(JnStore) b = jn_store_open (dir, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *pid = g_strdup_printf ("process %d (", (int)getpid ());
  g_autoptr(GPtrArray) ops = make_operations ("LOCKED", 2);

  /* Explicit, nested */
  g_assert_true (jn_store_lock (a, &error));
  g_assert_true (jn_store_lock (a, &error));
  g_assert_false (jn_store_lock (b, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  /* Held by another connection of this very process (the app's editor and wizard): said
   * so, not "process N… run this command again" (another process is named: cli-safety) */
  g_assert_null (strstr (error->message, pid));
  g_assert_nonnull (strstr (error->message, "Another import is sending identifiers"));
  g_clear_error (&error);
  jn_store_unlock (a);
  g_assert_false (jn_store_lock (b, &error));
  g_clear_error (&error);
  jn_store_unlock (a);
  g_assert_true (jn_store_lock (b, &error));
  jn_store_unlock (b);

  /* Every write of an import takes it, whoever forgot to */
  {
    g_autofree char *id = jn_store_begin_import (a, "partial", UAI, "file:x", "h", NULL, ops, 0, &error);
    g_autofree char *other = NULL;

    g_assert_no_error (error);
    g_assert_true (jn_store_is_locked (a));
    other = jn_store_begin_import (b, "partial", UAI, "file:x", "h2", NULL, ops, 0, &error);
    g_assert_null (other);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
    g_clear_error (&error);
    g_assert_false (jn_store_save_operations (b, id, ops, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
    g_clear_error (&error);
    g_assert_false (jn_store_supersede_unfinished (b, UAI, "partial", "file:x", "h", &error));
    g_clear_error (&error);
    /* Finished, the import lets go */
    g_assert_true (jn_store_finish_import (a, id, "done", &error));
    g_assert_false (jn_store_is_locked (a));
    g_assert_true (jn_store_lock (b, &error));
    jn_store_unlock (b);
  }

  /* One push per ENT and establishment in this process too: a second holder of the same
   * store (the editor's save while the wizard pushes a step, from another thread) is
   * refused, not counted in */
  g_assert_true (jn_store_lock_target (a, "file:x", UAI, &error));
  g_assert_false (jn_store_lock_target (a, "file:x", UAI, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_clear_error (&error);
  {
    GThread *thread = g_thread_new ("other", lock_target_in_thread, a);

    g_assert_false (GPOINTER_TO_INT (g_thread_join (thread)));
  }
  g_assert_true (jn_store_is_locked (a));
  jn_store_unlock (a);
  g_assert_false (jn_store_is_locked (a));
  g_assert_true (jn_store_lock_target (a, "file:x", UAI, &error));
  jn_store_unlock (a);

  /* Closing the store lets go */
  g_assert_true (jn_store_lock (a, &error));
  g_clear_object (&a);
  g_assert_true (jn_store_lock (b, &error));
  jn_store_unlock (b);
}

/* A process holding the lock dies by SIGKILL: the lock goes with it */
static void
test_lock_killed (void)
{
  static const int signals[] = { SIGKILL, SIGTERM, SIGSEGV };

  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    {
      g_autofree char *dir = make_dir ();
      g_autoptr(JnStore) store = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *holder = NULL;
      int ready[2];
      char c;
      pid_t child;
      int wstatus;

      g_assert_cmpint (pipe (ready), ==, 0);
      child = fork ();
      g_assert_cmpint (child, >=, 0);
      if (child == 0)
        {
          JnStore *mine;

          signal (signals[i], SIG_DFL);
          close (ready[0]);
          g_set_prgname ("lock-holder");
          mine = jn_store_open (dir, NULL);
          if (mine == NULL || !jn_store_lock (mine, NULL))
            _exit (1);
          if (write (ready[1], "x", 1) != 1)
            _exit (1);
          for (;;)
            pause ();
        }
      close (ready[1]);
      g_assert_cmpint (read (ready[0], &c, 1), ==, 1);
      close (ready[0]);

      store = jn_store_open (dir, &error);
      g_assert_no_error (error);
      g_assert_false (jn_store_lock (store, &error));
      holder = g_strdup_printf ("process %d (lock-holder) since ", (int)child);
      g_assert_nonnull (strstr (error->message, holder));
      g_clear_error (&error);

      kill (child, signals[i]);
      g_assert_cmpint (waitpid (child, &wstatus, 0), ==, child);
      g_assert_true (WIFSIGNALED (wstatus));

      g_assert_true (jn_store_lock (store, &error));
      g_assert_no_error (error);
      jn_store_unlock (store);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_set_prgname ("test-store");

  g_test_add_func ("/store/open-paths", test_open_paths);
  g_test_add_func ("/store/lock", test_lock);
  g_test_add_func ("/store/open-threads", test_open_threads);
  g_test_add_func ("/store/lock-killed", test_lock_killed);
  g_test_add_func ("/store/retention", test_retention);
  g_test_add_func ("/store/forget", test_forget);
  g_test_add_func ("/store/last-import", test_last_import);

  return g_test_run ();
}
