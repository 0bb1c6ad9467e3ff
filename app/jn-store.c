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
#include <sys/stat.h>
#include <stdlib.h>
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
};

G_DEFINE_FINAL_TYPE (JnStore, jn_store, G_TYPE_OBJECT)

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
};

static const char * const kind_names[] = { "set", "replace", "clear" };
static const char * const state_names[] = { "planned", "sent", "done", "failed" };

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
  g_free (record);
}

static void
jn_store_finalize (GObject *object)
{
  JnStore *self = (JnStore *)object;

  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_free (self->path);

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

static gboolean
migrate (JnStore  *self,
         GError  **error)
{
  int version = jn_store_get_schema_version (self);

  if (version > (int)G_N_ELEMENTS (migrations))
    {
      g_set_error (error, JN_ERROR, JN_ERROR_IO,
                   _("local store %s was written by a newer version of Jonction (schema %d)"),
                   self->path, version);
      return FALSE;
    }

  for (int v = version; v < (int)G_N_ELEMENTS (migrations); v++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", v + 1);

      if (!exec (self, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (!exec (self, migrations[v], error) || !exec (self, bump, error))
        {
          exec (self, "ROLLBACK", NULL);
          return FALSE;
        }
      if (!exec (self, "COMMIT", error))
        return FALSE;
    }

  return TRUE;
}

/* The database and its WAL companions are created private before SQLite touches them. */
static gboolean
create_private (const char  *path,
                GError     **error)
{
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, JN_ERROR, JN_ERROR_IO, _("cannot create the local store %s: %s"),
                   path, g_strerror (saved));
      return FALSE;
    }
  fchmod (fd, 0600);
  close (fd);

  return TRUE;
}

JnStore *
jn_store_open (const char  *directory,
               GError     **error)
{
  g_autoptr(JnStore) self = NULL;
  g_autofree char *default_dir = NULL;
  mode_t old_umask;
  int rc;

  if (directory == NULL)
    directory = default_dir = g_build_filename (g_get_user_data_dir (), "jonction", NULL);

  if (g_mkdir_with_parents (directory, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, JN_ERROR, JN_ERROR_IO, _("cannot create the folder %s: %s"),
                   directory, g_strerror (saved));
      return NULL;
    }

  self = g_object_new (JN_TYPE_STORE, NULL);
  self->path = g_build_filename (directory, "jonction.sqlite", NULL);

  if (!create_private (self->path, error))
    return NULL;

  /* SQLite creates -wal and -shm next to it: keep them private too. */
  old_umask = umask (0077);
  rc = sqlite3_open_v2 (self->path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);
  umask (old_umask);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (self, error);
      return NULL;
    }

  sqlite3_busy_timeout (self->db, 10000);
  if (!exec (self, "PRAGMA journal_mode = WAL", error) ||
      !exec (self, "PRAGMA synchronous = FULL", error) ||
      !exec (self, "PRAGMA foreign_keys = ON", error) ||
      !migrate (self, error))
    return NULL;

  return g_steal_pointer (&self);
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

  stmt = prepare (self, "SELECT " IMPORT_COLUMNS " FROM imports WHERE uai = ?1 AND mode = ?2 "
                        "AND ent = ?3 AND file_hash = ?4 AND decisions_hash = ?5 "
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

  stmt = prepare (self, "UPDATE imports SET state = 'superseded' WHERE uai = ?1 AND mode = ?2 "
                        "AND ent = ?3 AND file_hash = ?4 AND state IN ('running', 'interrupted')",
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

  if (!exec (self, "BEGIN IMMEDIATE", error))
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

  if (!exec (self, "BEGIN IMMEDIATE", error))
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

  stmt = prepare (self, "SELECT " IMPORT_COLUMNS " FROM imports ORDER BY started_at DESC, rowid DESC "
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

  stmt = prepare (self, "SELECT " IMPORT_COLUMNS " FROM imports WHERE id = ?1", error);
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
