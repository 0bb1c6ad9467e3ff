/* jn-import-session.h: the one import both faces drive
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * load the export → read the directory → mode → match → six steps (decide, validate each:
 * journalled then pushed) → summary; an interrupted wizard import is found again and
 * resumed with its file, mode, decisions and validated steps.
 *
 * Every async call runs its heavy work in a thread and can be cancelled; state changes are
 * notified on the main context of the thread that created the session, only on change.
 */
#pragma once

#include "jn-directory.h"
#include "jn-ent.h"
#include "jn-export.h"
#include "jn-plan.h"
#include "jn-push.h"
#include "jn-session-row.h"
#include "jn-store.h"

G_BEGIN_DECLS

typedef enum
{
  JN_SESSION_STATE_EMPTY,        /* nothing loaded */
  JN_SESSION_STATE_LOADED,       /* export read (and directory, once read_directory is done) */
  JN_SESSION_STATE_STEPS,        /* matched: the six steps */
  JN_SESSION_STATE_INTERRUPTED,  /* the admin interrupted (or a push stopped): resumable */
  JN_SESSION_STATE_FINISHED,     /* every step validated */
} JnSessionState;

/* Counts of one step (one category), as its header shows them */
typedef struct
{
  guint n_records;
  guint n_recognised;     /* matched, automatically or by hand */
  guint n_unrecognised;   /* unmatched */
  guint n_to_check;       /* ambiguous */
  guint n_not_imported;   /* "Don't Import" */
  /* what validating the step does */
  guint n_set;
  guint n_replace;
  guint n_clear;
  guint n_unchanged;
  /* after the step's push */
  guint n_done;           /* identifiers written or removed */
  guint n_failed;
  guint n_removed;        /* of n_done: removals (complete mode) */
} JnStepCounts;

/* One ranked proposal for a row: from the matcher's suggestions, or a directory search */
typedef struct
{
  JnEntUser *user;
  double     score;       /* orders the list; not a probability */
  char      *reasons;     /* in words: "same birth date, accent differs" (as `match --json
                             --suggestions` lists them) */
  char      *taken_by;    /* NULL, or the record this account is already chosen for */
  char      *detail;      /* the reasons with the names where they help ("given name cut:
                             JEAN FRANC / Jean-François", "mother of DUPONT Léa"), or NULL */
} JnSessionSuggestion;

void jn_session_suggestion_free (JnSessionSuggestion *suggestion);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JnSessionSuggestion, jn_session_suggestion_free)

#define JN_N_STEPS JN_N_CATEGORIES

/* The causes a record is left unrecognised or to check for (JnPlanCause), as indexes of
 * jn_import_session_get_cause_counts()'s array */
#define JN_SESSION_N_CAUSES (JN_PLAN_CAUSE_INVALID_IDENTIFIER + 1)

#define JN_TYPE_IMPORT_SESSION (jn_import_session_get_type ())
G_DECLARE_FINAL_TYPE (JnImportSession, jn_import_session, JN, IMPORT_SESSION, GObject)

/* @store: the journal (NULL for a session that only matches, like `jonction-cli match`) */
JnImportSession *jn_import_session_new                 (JnStore              *store);

/* The journal, when the session was made without one (before anything is journalled) */
void             jn_import_session_set_store           (JnImportSession      *self,
                                                        JnStore              *store);

/* Properties, read-only unless said: "state" (JnSessionState), "busy", "progress" (0…1, or
 * -1 while the amount is unknown), "progress-text", "current-step" (0…5, see
 * jn_import_session_go_to_step), "mode" (read-write before matching), "uai", "export",
 * "directory", "plan", "import-id", "n-recognised", "n-unrecognised", "n-to-check" (of the
 * current step). Signal "counts-changed" (JnCategory) after any change of a step's counts. */
JnSessionState   jn_import_session_get_state           (JnImportSession      *self);
gboolean         jn_import_session_get_busy            (JnImportSession      *self);
double           jn_import_session_get_progress        (JnImportSession      *self);
const char      *jn_import_session_get_progress_text   (JnImportSession      *self);
JnStore         *jn_import_session_get_store           (JnImportSession      *self);

/* The ENT to read and write (SCIM client or the file ENT); set before read_directory */
void             jn_import_session_set_ent             (JnImportSession      *self,
                                                        JnEnt                *ent);
JnEnt           *jn_import_session_get_ent             (JnImportSession      *self);

/* ---- 1. the export ---- */

/* Decrypts (with @key_file and @partner when encrypted) and reads @file */
void             jn_import_session_open_export_async   (JnImportSession      *self,
                                                        GFile                *file,
                                                        GFile                *key_file,
                                                        const char           *partner,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean         jn_import_session_open_export_finish  (JnImportSession      *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);
/* After a failed open, the export holds what the envelope told (establishment, partners)
 * when it could be read, for the error page; the state stays EMPTY */
JnExport        *jn_import_session_get_export          (JnImportSession      *self);
GFile           *jn_import_session_get_file            (JnImportSession      *self);
/* TRUE when @error means "this export is encrypted: choose the partner's key" */
gboolean         jn_import_session_error_needs_key     (const GError         *error);

/* The establishment the import is for: set it from the configuration before opening (or
 * NULL); after opening, the export's UAI when none was set. */
void             jn_import_session_set_uai             (JnImportSession      *self,
                                                        const char           *uai);
const char      *jn_import_session_get_uai             (JnImportSession      *self);
/* The export names another establishment than the configured one: the face asks for an
 * explicit confirmation (jn_import_session_accept_uai_mismatch) before going on */
gboolean         jn_import_session_get_uai_mismatch    (JnImportSession      *self);
void             jn_import_session_accept_uai_mismatch (JnImportSession      *self);
/* Warnings about the export, translated: malformed or shared identifiers (file, line),
 * another establishment, a probably partial file (few records for a whole establishment) */
GPtrArray       *jn_import_session_get_warnings        (JnImportSession      *self);

/* ---- 2. the directory ---- */

/* Reads the establishment's accounts from the ENT, with progress per page */
void             jn_import_session_read_directory_async  (JnImportSession    *self,
                                                          GCancellable       *cancellable,
                                                          GAsyncReadyCallback callback,
                                                          gpointer            user_data);
gboolean         jn_import_session_read_directory_finish (JnImportSession    *self,
                                                          GAsyncResult       *result,
                                                          GError            **error);
/* A directory read elsewhere (`match --directory`) */
void             jn_import_session_set_directory       (JnImportSession      *self,
                                                        JnDirectory          *directory);
JnDirectory     *jn_import_session_get_directory       (JnImportSession      *self);
/* The ENT was changed from elsewhere in the app (the single-user editor) since the
 * directory was read: the next pushes read each account before writing it */
void             jn_import_session_note_ent_changed    (JnImportSession      *self);
/* jn_matcher_check_directory(): refuses a directory that cannot be the establishment's */
gboolean         jn_import_session_check_directory     (JnImportSession      *self,
                                                        GError              **error);

/* ---- 3. mode and matching ---- */

void             jn_import_session_set_mode            (JnImportSession      *self,
                                                        JnImportMode          mode);
JnImportMode     jn_import_session_get_mode            (JnImportSession      *self);

/* Matches in a thread. @decisions (pronote id → ENT id, or NULL = don't import; may be
 * NULL) are applied like a decisions file: all checked, every refusal named. When the
 * session has a store, the wizard's import is recorded (journal, step 0) and each later
 * decision is stored as it is made. */
void             jn_import_session_match_async         (JnImportSession      *self,
                                                        GHashTable           *decisions,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean         jn_import_session_match_finish        (JnImportSession      *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);
JnPlan          *jn_import_session_get_plan            (JnImportSession      *self);
/* The pronote id → ENT id (or NULL) decisions of the admin so far */
GHashTable      *jn_import_session_get_decisions       (JnImportSession      *self);

/* JnSessionRow of a step: the export's records of @category, then the accounts complete
 * mode clears. Rows are updated in place (one items-changed (position, 1, 1) per change,
 * the same row object). */
GListModel      *jn_import_session_get_rows            (JnImportSession      *self,
                                                        JnCategory            category);
void             jn_import_session_get_counts          (JnImportSession      *self,
                                                        JnCategory            category,
                                                        JnStepCounts         *counts);
/* How many of @category's records left unrecognised or to check have each cause:
 * @counts[JnPlanCause], JN_SESSION_N_CAUSES of them (JN_PLAN_CAUSE_NONE: no cause known).
 * Kept as the rows change (a decision, a push), not recounted at each call. */
void             jn_import_session_get_cause_counts    (JnImportSession      *self,
                                                        JnCategory            category,
                                                        guint                *counts);

/* ---- 4. the admin's decisions (stored as they are made) ---- */

/* A manual match of @row's record to @user, with the checks of a decisions file (same
 * category and establishment, not chosen for another record, not matched automatically to
 * another record, not a blocked record…): fails with JN_ERROR_INVALID_DECISION in words */
gboolean         jn_import_session_decide              (JnImportSession      *self,
                                                        JnSessionRow         *row,
                                                        JnEntUser            *user,
                                                        GError              **error);
/* "Don't Import" */
gboolean         jn_import_session_skip                (JnImportSession      *self,
                                                        JnSessionRow         *row,
                                                        GError              **error);
/* Back to what the matcher found */
gboolean         jn_import_session_undo                (JnImportSession      *self,
                                                        JnSessionRow         *row,
                                                        GError              **error);
/* Ranked proposals for @row (JnSessionSuggestion), best first; accounts chosen for another
 * record are left out */
GPtrArray       *jn_import_session_suggest             (JnImportSession      *self,
                                                        JnSessionRow         *row,
                                                        guint                 max_results);
/* "Browse Directory…": the accounts of @category and the establishment whose names fit
 * @query (all of them, by name, when empty), ranked; taken ones carry taken_by */
GPtrArray       *jn_import_session_search_directory    (JnImportSession      *self,
                                                        JnCategory            category,
                                                        const char           *query,
                                                        guint                 max_results);

/* ---- 5. steps ---- */

/* The steps in the seeds' order: step n shows category jn_import_session_step_category (n) */
JnCategory       jn_import_session_step_category       (guint                 step);
guint            jn_import_session_get_current_step    (JnImportSession      *self);
gboolean         jn_import_session_get_step_validated  (JnImportSession      *self,
                                                        guint                 step);
/* Shows a validated step, or the first one not validated yet; FALSE otherwise */
gboolean         jn_import_session_go_to_step          (JnImportSession      *self,
                                                        guint                 step);
/* The rows whose identifier the current step sets, replaces or removes */
GPtrArray       *jn_import_session_list_step_changes   (JnImportSession      *self,
                                                        JnPlanAction          action);

/* Journals then pushes the current step (progress, cancellable), marks its rows done or
 * failed, and moves to the next step (or FINISHED). Cancelling stops between two
 * operations: what was sent is recorded and the step can be validated again. */
void             jn_import_session_validate_step_async (JnImportSession      *self,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean         jn_import_session_validate_step_finish (JnImportSession     *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);
/* Sends again the failed operations of every validated step */
void             jn_import_session_retry_failed_async  (JnImportSession      *self,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean         jn_import_session_retry_failed_finish (JnImportSession      *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);
/* "Interrupt": the import is kept, with its validated steps and decisions, to resume */
gboolean         jn_import_session_interrupt           (JnImportSession      *self,
                                                        GError              **error);

/* Rows whose push failed, every step (for the summary) */
GListModel      *jn_import_session_get_failures        (JnImportSession      *self);

/* ---- 6. resume ---- */

/* The newest interrupted wizard import of @store (file, mode, step…), or NULL */
JnImportRecord  *jn_import_session_find_interrupted    (JnStore              *store,
                                                        GError              **error);
/* Forgets an interrupted import: it will not be offered again */
gboolean         jn_import_session_discard             (JnStore              *store,
                                                        const char           *import_id,
                                                        GError              **error);
/* Opens the recorded file again (it must be the same: same hash), reads the directory,
 * matches with the stored decisions and goes to the first step not validated */
void             jn_import_session_resume_async        (JnImportSession      *self,
                                                        JnImportRecord       *record,
                                                        GFile                *key_file,
                                                        const char           *partner,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean         jn_import_session_resume_finish       (JnImportSession      *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);

/* ---- the CLI's one-shot push ---- */

/* `jonction-cli push --yes`: journals the whole plan and pushes it (jn_push_run(): an
 * unfinished import of the same file, mode and decisions is resumed) */
void             jn_import_session_push_all_async      (JnImportSession      *self,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
JnPushReport    *jn_import_session_push_all_finish     (JnImportSession      *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);

G_END_DECLS
