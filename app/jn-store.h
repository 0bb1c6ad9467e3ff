/* jn-store.h: the local SQLite store: imports, decisions, the operation journal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "jn-types.h"

G_BEGIN_DECLS

typedef enum
{
  JN_OP_SET,
  JN_OP_REPLACE,
  JN_OP_CLEAR,
} JnOpKind;

typedef enum
{
  JN_OP_PLANNED,
  JN_OP_SENT,
  JN_OP_DONE,
  JN_OP_FAILED,
  JN_OP_SUPERSEDED,  /* the wizard: no longer planned (a decision changed), never sent again */
} JnOpState;

/* One write to the ENT, as journalled */
typedef struct
{
  gint64      seq;
  JnCategory  category;
  JnOpKind    kind;
  JnOpState   state;
  char       *ent_id;
  char       *uai;
  char       *pronote_id;       /* the value written (NULL for CLEAR) */
  char       *old_pronote_id;   /* the value expected before (NULL for SET) */
  char       *record_id;        /* the export's record, for reports (its PRONOTE id) */
  int         status;           /* HTTP status of the last answer, 0 if none */
  char       *detail;           /* the server's words, for the admin */
} JnOperation;

typedef struct
{
  char  *id;
  char  *started_at;    /* ISO 8601, UTC */
  char  *finished_at;
  char  *mode;          /* "complete", "partial", "single" */
  char  *uai;
  char  *ent;
  char  *file_hash;
  char  *state;         /* "running", "interrupted", "done", "partial", "superseded" */
  guint  n_set, n_replaced, n_cleared, n_unchanged, n_failed;
  gboolean purged;      /* its personal data are gone: only this line is left */
  char  *kind;          /* "cli" (one journal for the whole plan) or "wizard" (step by step) */
  char  *file_path;     /* the wizard's export, to open again when resuming */
  guint  step;          /* the wizard's steps validated so far (0…6) */
} JnImportRecord;

void            jn_operation_free              (JnOperation     *op);
void            jn_import_record_free          (JnImportRecord  *record);
const char     *jn_op_kind_to_string           (JnOpKind         kind);
const char     *jn_op_state_to_string          (JnOpState        state);

#define JN_TYPE_STORE (jn_store_get_type ())
G_DECLARE_FINAL_TYPE (JnStore, jn_store, JN, STORE, GObject)

/* How long a finished import keeps its personal data, by default */
#define JN_STORE_DEFAULT_RETENTION_DAYS 30

/* Opens (creating, migrating) the store in @directory; NULL = the default under
 * $XDG_DATA_HOME/jonction. The files it creates are 0600 (the folder 0700); a symbolic link
 * at the database or its companions, a file of another user or one others can read is
 * refused, never followed nor chmod'ed. */
JnStore        *jn_store_open                  (const char      *directory,
                                                GError         **error);
const char     *jn_store_get_path              (JnStore         *self);
int             jn_store_get_schema_version    (JnStore         *self);

/* An unfinished import of the same file, mode, UAI, ENT and decisions, to resume; or NULL */
JnImportRecord *jn_store_find_resumable        (JnStore         *self,
                                                const char      *uai,
                                                const char      *mode,
                                                const char      *ent,
                                                const char      *file_hash,
                                                GHashTable      *decisions);
/* Marks the unfinished imports of this file "superseded": a new plan replaces them */
gboolean        jn_store_supersede_unfinished  (JnStore         *self,
                                                const char      *uai,
                                                const char      *mode,
                                                const char      *ent,
                                                const char      *file_hash,
                                                GError         **error);
/* Records a new import with its decisions and every planned operation, in one
 * transaction: nothing is sent before it is journalled. Returns the import id. */
char           *jn_store_begin_import          (JnStore         *self,
                                                const char      *mode,
                                                const char      *uai,
                                                const char      *ent,
                                                const char      *file_hash,
                                                GHashTable      *decisions,
                                                GPtrArray       *operations,
                                                guint            n_unchanged,
                                                GError         **error);
/* ---- the wizard's imports, journalled step by step ---- */

/* Records a new wizard import (state "running", no operation yet); the unfinished wizard
 * imports of the same ENT and establishment are superseded: one is offered to resume. */
char           *jn_store_begin_session         (JnStore         *self,
                                                const char      *mode,
                                                const char      *uai,
                                                const char      *ent,
                                                const char      *file_hash,
                                                const char      *file_path,
                                                GError         **error);
/* A decision as the admin makes it: @ent_id a manual match, NULL "do not import" */
gboolean        jn_store_save_decision         (JnStore         *self,
                                                const char      *import_id,
                                                const char      *pronote_id,
                                                const char      *ent_id,
                                                GError         **error);
gboolean        jn_store_delete_decision       (JnStore         *self,
                                                const char      *import_id,
                                                const char      *pronote_id,
                                                GError         **error);
/* pronote id → ENT id (NULL: do not import) */
GHashTable     *jn_store_load_decisions        (JnStore         *self,
                                                const char      *import_id,
                                                GError         **error);
/* Journals @operations after those already there (their seq and state are set), in one
 * transaction, before any is sent */
gboolean        jn_store_append_operations     (JnStore         *self,
                                                const char      *import_id,
                                                GPtrArray       *operations,
                                                guint            n_unchanged,
                                                GError         **error);
/* The wizard's steps validated so far, and the import's state ("running", "interrupted") */
gboolean        jn_store_set_step              (JnStore         *self,
                                                const char      *import_id,
                                                guint            step,
                                                GError         **error);
gboolean        jn_store_set_import_state      (JnStore         *self,
                                                const char      *import_id,
                                                const char      *state,
                                                GError         **error);
/* The newest unfinished wizard import, or NULL (and no error) */
JnImportRecord *jn_store_find_interrupted_session (JnStore      *self,
                                                   GError      **error);

/* The single edits (mode "single") of this ENT and establishment a crash, a kill or a
 * lost connection left unfinished, oldest first */
GPtrArray      *jn_store_list_unfinished_edits (JnStore         *self,
                                                const char      *ent,
                                                const char      *uai,
                                                GError         **error);

/* Operations of an import, in order */
GPtrArray      *jn_store_list_operations       (JnStore         *self,
                                                const char      *import_id,
                                                GError         **error);
gboolean        jn_store_set_operation_state   (JnStore         *self,
                                                const char      *import_id,
                                                gint64           seq,
                                                JnOpState        state,
                                                int              status,
                                                const char      *detail,
                                                GError         **error);
/* Records the state, status and detail of each JnOperation of @ops in one transaction */
gboolean        jn_store_save_operations       (JnStore         *self,
                                                const char      *import_id,
                                                GPtrArray       *ops,
                                                GError         **error);
gboolean        jn_store_finish_import         (JnStore         *self,
                                                const char      *import_id,
                                                const char      *state,
                                                GError         **error);
/* Past imports, most recent first */
GPtrArray      *jn_store_list_imports          (JnStore         *self,
                                                guint            limit,
                                                GError         **error);
JnImportRecord *jn_store_get_import            (JnStore         *self,
                                                const char      *import_id,
                                                GError         **error);
/* The newest finished import of a file ("complete" or "partial" mode, state "done" or
 * "partial"; purged ones count, single edits do not), of @uai unless NULL; NULL (and no
 * error) when there is none */
JnImportRecord *jn_store_get_last_import       (JnStore         *self,
                                                const char      *uai,
                                                GError         **error);

/* One push (or single edit) at a time per store. Takes the lock or fails at once with
 * G_IO_ERROR_BUSY, naming the process that holds it and since when; calls nest. The kernel
 * drops the lock of a process that dies, however it dies. Writing an import takes it by
 * itself (until jn_store_finish_import) if the caller did not. */
gboolean        jn_store_lock                  (JnStore         *self,
                                                GError         **error);
/* jn_store_lock(), and the lock of one ENT and establishment shared by every store of this
 * user on this machine (in $XDG_RUNTIME_DIR); released by jn_store_unlock() */
gboolean        jn_store_lock_target           (JnStore         *self,
                                                const char      *ent,
                                                const char      *uai,
                                                GError         **error);
void            jn_store_unlock                (JnStore         *self);
gboolean        jn_store_is_locked             (JnStore         *self);

/* Privacy. Purges the personal data (journal, decisions) of the imports finished more than
 * @days ago (0: all finished imports), keeping an anonymous history line. */
gboolean        jn_store_purge_expired         (JnStore         *self,
                                                guint            days,
                                                guint           *n_purged,
                                                GError         **error);
gboolean        jn_store_count_local_data      (JnStore         *self,
                                                guint           *n_imports,
                                                guint           *n_decisions,
                                                guint           *n_operations,
                                                GError         **error);
/* Removes all imports, decisions and journal rows now, and rewrites the file so that they
 * leave it. Fails with G_IO_ERROR_BUSY while a push holds the lock. */
gboolean        jn_store_forget                (JnStore         *self,
                                                GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JnOperation, jn_operation_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JnImportRecord, jn_import_record_free)

G_END_DECLS
