/* jn-import-session.c: the one import both faces drive
 *
 * The wizard and jonction-cli go through this object: it opens the export, reads the
 * directory, matches, keeps the admin's decisions (stored as they are made), validates the
 * six steps one by one through the journal, and finds an interrupted import again.
 *
 * Heavy work runs in a thread (GTask); what the faces see (state, rows, counts) changes on
 * the main context only, when the thread's result comes back. While busy, the plan belongs
 * to the thread: decisions are refused.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-import-session"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "jn-error.h"
#include "jn-import-session.h"
#include "jn-matcher.h"
#include "jn-search.h"
#include "jn-suggestions.h"

/* A directory read longer ago than this is not trusted for what an account holds when a
 * step is pushed: each account is read again before its write */
#define FRESH_DIRECTORY_USEC (10 * G_TIME_SPAN_MINUTE)

/* A whole establishment's export has at least this many records; fewer suggests a partial
 * export (one class, one category) */
#define PARTIAL_FILE_RECORDS 50

struct _JnImportSession
{
  GObject         parent_instance;

  JnStore        *store;
  JnEnt          *ent;
  GFile          *file;
  JnExport       *export;
  JnDirectory    *directory;
  gint64          directory_read_at;
  JnMatcher      *matcher;
  JnPlan         *plan;
  JnImportMode    mode;
  char           *uai;
  char           *configured_uai;
  gboolean        uai_mismatch;
  GPtrArray      *warnings;
  GHashTable     *decisions;         /* pronote id → ENT id, or NULL: do not import */
  GHashTable     *given_decisions;   /* a decisions file's, as given (the CLI's resume key) */
  char           *import_id;         /* the wizard's import in the store, once begun */

  JnSessionState  state;
  gboolean        busy;
  double          progress;
  char           *progress_text;
  guint           current_step;
  guint           n_validated;       /* steps validated, in order */
  gboolean        interrupt_pending;
  gboolean        holds_lock;        /* the store's push lock is this session's */
  GCancellable   *cancellable;       /* of the work under way */
  GCancellable   *face_cancellable;  /* the face's, chained to it */
  gulong          face_handler;

  GListStore     *rows[JN_N_CATEGORIES];
  GHashTable     *positions;         /* JnPlanItem → its row's position + 1 */
  GListStore     *failures;
  guint           n_recognised, n_unrecognised, n_to_check;
  /* Each category's counts as its rows last gave them (the current step's removals apart,
   * see compute_counts), valid until one of its rows changes: the session, each step page
   * and the validation read them after each change */
  JnStepCounts    counts[JN_N_CATEGORIES];
  guint           cause_counts[JN_N_CATEGORIES][JN_SESSION_N_CAUSES];
  gboolean        counts_valid[JN_N_CATEGORIES];
  GArray         *accounts[JN_N_CATEGORIES];   /* Account: the directory, folded once */
  GHashTable     *taken[JN_N_CATEGORIES];      /* accounts matched to a record, for suggest */

  /* progress from a thread, applied on the main context */
  GMainContext   *context;
  GMutex          pending_mutex;
  double          pending_progress;
  char           *pending_text;
  GSource        *pending_source;
};

G_DEFINE_FINAL_TYPE (JnImportSession, jn_import_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_BUSY,
  PROP_PROGRESS,
  PROP_PROGRESS_TEXT,
  PROP_CURRENT_STEP,
  PROP_MODE,
  PROP_UAI,
  PROP_EXPORT,
  PROP_DIRECTORY,
  PROP_PLAN,
  PROP_IMPORT_ID,
  PROP_N_RECOGNISED,
  PROP_N_UNRECOGNISED,
  PROP_N_TO_CHECK,
  N_PROPS
};

enum {
  COUNTS_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void clear_accounts (JnImportSession *self);

void
jn_session_suggestion_free (JnSessionSuggestion *suggestion)
{
  if (suggestion == NULL)
    return;

  g_clear_object (&suggestion->user);
  g_free (suggestion->reasons);
  g_free (suggestion->taken_by);
  g_free (suggestion->detail);
  g_free (suggestion);
}

/* ---- object ---- */

static void rows_items_changed_cb (GListModel *rows, guint position, guint removed, guint added,
                                   JnImportSession *self);

static void
jn_import_session_dispose (GObject *object)
{
  JnImportSession *self = (JnImportSession *)object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);

  g_mutex_lock (&self->pending_mutex);
  if (self->pending_source != NULL)
    {
      g_source_destroy (self->pending_source);
      g_clear_pointer (&self->pending_source, g_source_unref);
    }
  g_mutex_unlock (&self->pending_mutex);

  G_OBJECT_CLASS (jn_import_session_parent_class)->dispose (object);
}

static void
jn_import_session_finalize (GObject *object)
{
  JnImportSession *self = (JnImportSession *)object;

  /* A step pushed but never finished leaves its lock to the kernel otherwise; another
   * session's lock on a shared store is not ours to release */
  if (self->store != NULL && self->holds_lock)
    jn_store_unlock (self->store);

  g_clear_object (&self->store);
  g_clear_object (&self->ent);
  g_clear_object (&self->file);
  g_clear_object (&self->export);
  g_clear_object (&self->directory);
  g_clear_object (&self->matcher);
  g_clear_object (&self->plan);
  g_clear_object (&self->cancellable);
  if (self->face_cancellable != NULL)
    g_cancellable_disconnect (self->face_cancellable, self->face_handler);
  g_clear_object (&self->face_cancellable);
  g_free (self->uai);
  g_free (self->configured_uai);
  g_clear_pointer (&self->warnings, g_ptr_array_unref);
  g_clear_pointer (&self->decisions, g_hash_table_unref);
  g_clear_pointer (&self->given_decisions, g_hash_table_unref);
  g_free (self->import_id);
  g_free (self->progress_text);
  g_free (self->pending_text);
  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    {
      if (self->rows[c] != NULL)
        g_signal_handlers_disconnect_by_func (self->rows[c], rows_items_changed_cb, self);
      g_clear_object (&self->rows[c]);
    }
  g_clear_pointer (&self->positions, g_hash_table_unref);
  g_clear_object (&self->failures);
  clear_accounts (self);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->pending_mutex);

  G_OBJECT_CLASS (jn_import_session_parent_class)->finalize (object);
}

static void
jn_import_session_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  JnImportSession *self = JN_IMPORT_SESSION (object);

  switch (prop_id)
    {
    case PROP_STATE: g_value_set_int (value, self->state); break;
    case PROP_BUSY: g_value_set_boolean (value, self->busy); break;
    case PROP_PROGRESS: g_value_set_double (value, self->progress); break;
    case PROP_PROGRESS_TEXT: g_value_set_string (value, self->progress_text); break;
    case PROP_CURRENT_STEP: g_value_set_uint (value, self->current_step); break;
    case PROP_MODE: g_value_set_int (value, self->mode); break;
    case PROP_UAI: g_value_set_string (value, self->uai); break;
    case PROP_EXPORT: g_value_set_object (value, self->export); break;
    case PROP_DIRECTORY: g_value_set_object (value, self->directory); break;
    case PROP_PLAN: g_value_set_object (value, self->plan); break;
    case PROP_IMPORT_ID: g_value_set_string (value, self->import_id); break;
    case PROP_N_RECOGNISED: g_value_set_uint (value, self->n_recognised); break;
    case PROP_N_UNRECOGNISED: g_value_set_uint (value, self->n_unrecognised); break;
    case PROP_N_TO_CHECK: g_value_set_uint (value, self->n_to_check); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jn_import_session_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  JnImportSession *self = JN_IMPORT_SESSION (object);

  switch (prop_id)
    {
    case PROP_MODE:
      jn_import_session_set_mode (self, g_value_get_int (value));
      break;
    case PROP_CURRENT_STEP:
      jn_import_session_go_to_step (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jn_import_session_class_init (JnImportSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = jn_import_session_dispose;
  object_class->finalize = jn_import_session_finalize;
  object_class->get_property = jn_import_session_get_property;
  object_class->set_property = jn_import_session_set_property;

  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, 0, JN_SESSION_STATE_FINISHED, 0, flags);
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE, flags);
  properties[PROP_PROGRESS] = g_param_spec_double ("progress", NULL, NULL, -1, 1, 0, flags);
  properties[PROP_PROGRESS_TEXT] = g_param_spec_string ("progress-text", NULL, NULL, NULL, flags);
  properties[PROP_CURRENT_STEP] =
    g_param_spec_uint ("current-step", NULL, NULL, 0, JN_N_STEPS - 1, 0, flags | G_PARAM_WRITABLE);
  properties[PROP_MODE] =
    g_param_spec_int ("mode", NULL, NULL, 0, JN_IMPORT_MODE_COMPLETE, 0, flags | G_PARAM_WRITABLE);
  properties[PROP_UAI] = g_param_spec_string ("uai", NULL, NULL, NULL, flags);
  properties[PROP_EXPORT] = g_param_spec_object ("export", NULL, NULL, JN_TYPE_EXPORT, flags);
  properties[PROP_DIRECTORY] = g_param_spec_object ("directory", NULL, NULL, JN_TYPE_DIRECTORY, flags);
  properties[PROP_PLAN] = g_param_spec_object ("plan", NULL, NULL, JN_TYPE_PLAN, flags);
  properties[PROP_IMPORT_ID] = g_param_spec_string ("import-id", NULL, NULL, NULL, flags);
  properties[PROP_N_RECOGNISED] = g_param_spec_uint ("n-recognised", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_N_UNRECOGNISED] = g_param_spec_uint ("n-unrecognised", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_N_TO_CHECK] = g_param_spec_uint ("n-to-check", NULL, NULL, 0, G_MAXUINT, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * JnImportSession::counts-changed:
   * @category: the step's category
   *
   * A step's counts (jn_import_session_get_counts()) may have changed.
   */
  signals[COUNTS_CHANGED] =
    g_signal_new ("counts-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_INT);
}

/* Any change of a category's rows (a row in place included) makes its counts stale; the
 * session sees it before the faces do (connected first) */
static void
rows_items_changed_cb (GListModel      *rows,
                       guint            position,
                       guint            removed,
                       guint            added,
                       JnImportSession *self)
{
  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    if (G_LIST_MODEL (self->rows[c]) == rows)
      self->counts_valid[c] = FALSE;
}

static void
jn_import_session_init (JnImportSession *self)
{
  self->mode = JN_IMPORT_MODE_PARTIAL;
  self->warnings = g_ptr_array_new_with_free_func (g_free);
  self->decisions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->positions = g_hash_table_new (NULL, NULL);
  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    {
      self->rows[c] = g_list_store_new (JN_TYPE_SESSION_ROW);
      g_signal_connect (self->rows[c], "items-changed", G_CALLBACK (rows_items_changed_cb), self);
    }
  self->failures = g_list_store_new (JN_TYPE_SESSION_ROW);
  self->context = g_main_context_ref_thread_default ();
  g_mutex_init (&self->pending_mutex);
}

JnImportSession *
jn_import_session_new (JnStore *store)
{
  JnImportSession *self;

  g_return_val_if_fail (store == NULL || JN_IS_STORE (store), NULL);

  self = g_object_new (JN_TYPE_IMPORT_SESSION, NULL);
  if (store != NULL)
    self->store = g_object_ref (store);

  return self;
}

/* ---- state ---- */

static void
set_state (JnImportSession *self,
           JnSessionState   state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_progress (JnImportSession *self,
              double           progress,
              const char      *text)
{
  if (self->progress != progress)
    {
      self->progress = progress;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
    }
  if (g_strcmp0 (self->progress_text, text) != 0)
    {
      g_free (self->progress_text);
      self->progress_text = g_strdup (text);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS_TEXT]);
    }
}

static gboolean
apply_pending_progress (gpointer user_data)
{
  JnImportSession *self = user_data;
  g_autofree char *text = NULL;
  double progress;

  g_mutex_lock (&self->pending_mutex);
  progress = self->pending_progress;
  text = g_steal_pointer (&self->pending_text);
  g_clear_pointer (&self->pending_source, g_source_unref);
  g_mutex_unlock (&self->pending_mutex);

  /* A result that came back meanwhile made this stale */
  if (self->busy)
    set_progress (self, progress, text);

  return G_SOURCE_REMOVE;
}

/* From any thread: the newest value wins, applied once per main-loop turn */
static void
report_progress (JnImportSession *self,
                 double           progress,
                 char            *text)
{
  g_mutex_lock (&self->pending_mutex);
  self->pending_progress = progress;
  g_free (self->pending_text);
  self->pending_text = text;
  if (self->pending_source == NULL)
    {
      self->pending_source = g_idle_source_new ();
      g_source_set_priority (self->pending_source, G_PRIORITY_DEFAULT);
      g_source_set_callback (self->pending_source, apply_pending_progress, g_object_ref (self),
                             g_object_unref);
      g_source_attach (self->pending_source, self->context);
    }
  g_mutex_unlock (&self->pending_mutex);
}

static void
chain_cancel (GCancellable *face,
              GCancellable *ours)
{
  g_cancellable_cancel (ours);
}

/* Starts the work of @task: busy, a cancellable of our own chained to the face's */
static gboolean
begin_work (JnImportSession *self,
            GTask           *task,
            GCancellable    *cancellable,
            const char      *text)
{
  if (self->busy)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY, "%s",
                               _("Another operation of this import is under way"));
      return FALSE;
    }

  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      self->face_cancellable = g_object_ref (cancellable);
      self->face_handler = g_cancellable_connect (cancellable, G_CALLBACK (chain_cancel),
                                                  g_object_ref (self->cancellable), g_object_unref);
    }

  self->busy = TRUE;
  self->interrupt_pending = FALSE;
  set_progress (self, -1, text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);

  return TRUE;
}

/* The work of @task runs in a thread (cancelled with the session's work); @done gets its
 * result on the main context, applies it and returns @task's (it owns @task) */
static void
run_in_thread (JnImportSession     *self,
               GTask               *task,
               gpointer             data,
               GDestroyNotify       data_free,
               GTaskThreadFunc      thread,
               GAsyncReadyCallback  done)
{
  g_autoptr(GTask) inner = g_task_new (self, self->cancellable, done, task);

  g_task_set_task_data (inner, data, data_free);
  g_task_run_in_thread (inner, thread);
}

static void
end_work (JnImportSession *self)
{
  if (self->face_cancellable != NULL)
    {
      g_cancellable_disconnect (self->face_cancellable, self->face_handler);
      self->face_handler = 0;
      g_clear_object (&self->face_cancellable);
    }
  self->busy = FALSE;
  set_progress (self, 0, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

JnSessionState
jn_import_session_get_state (JnImportSession *self)
{
  g_return_val_if_fail (JN_IS_IMPORT_SESSION (self), 0);
  return self->state;
}

gboolean
jn_import_session_get_busy (JnImportSession *self)
{
  g_return_val_if_fail (JN_IS_IMPORT_SESSION (self), FALSE);
  return self->busy;
}

double
jn_import_session_get_progress (JnImportSession *self)
{
  g_return_val_if_fail (JN_IS_IMPORT_SESSION (self), 0);
  return self->progress;
}

const char *
jn_import_session_get_progress_text (JnImportSession *self)
{
  g_return_val_if_fail (JN_IS_IMPORT_SESSION (self), NULL);
  return self->progress_text;
}

void
jn_import_session_set_store (JnImportSession *self,
                             JnStore         *store)
{
  g_return_if_fail (JN_IS_IMPORT_SESSION (self));
  g_return_if_fail (store == NULL || JN_IS_STORE (store));
  g_return_if_fail (self->import_id == NULL && !self->busy);

  g_set_object (&self->store, store);
}

JnStore *
jn_import_session_get_store (JnImportSession *self)
{
  g_return_val_if_fail (JN_IS_IMPORT_SESSION (self), NULL);
  return self->store;
}

void
jn_import_session_set_ent (JnImportSession *self,
                           JnEnt           *ent)
{
  g_return_if_fail (JN_IS_IMPORT_SESSION (self));
  g_return_if_fail (ent == NULL || JN_IS_ENT (ent));
  g_return_if_fail (!self->busy);

  g_set_object (&self->ent, ent);
}

JnEnt *
jn_import_session_get_ent (JnImportSession *self)
{
  g_return_val_if_fail (JN_IS_IMPORT_SESSION (self), NULL);
  return self->ent;
}

/* ---- 1. the export ---- */

typedef struct
{
  GFile     *file;
  GFile     *key_file;
  char      *partner;
  JnExport  *export;
} OpenData;

static void
open_data_free (OpenData *data)
{
  g_clear_object (&data->file);
  g_clear_object (&data->key_file);
  g_free (data->partner);
  g_clear_object (&data->export);
  g_free (data);
}

static void
open_export_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  OpenData *data = task_data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  if (!jn_export_load (data->export, data->file, data->key_file, data->partner, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
update_uai (JnImportSession *self)
{
  const char *export_uai = self->export ? jn_export_get_uai (self->export) : NULL;
  const char *uai = self->configured_uai ? self->configured_uai : export_uai;
  gboolean mismatch;

  mismatch = self->configured_uai != NULL && export_uai != NULL &&
             g_ascii_strcasecmp (self->configured_uai, export_uai) != 0;
  self->uai_mismatch = mismatch;

  if (g_strcmp0 (self->uai, uai) != 0)
    {
      g_free (self->uai);
      self->uai = g_strdup (uai);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UAI]);
    }
}

static void
collect_warnings (JnImportSession *self)
{
  GPtrArray *export_warnings = jn_export_get_warnings (self->export);
  guint n_records = 0;

  g_ptr_array_set_size (self->warnings, 0);

  if (self->uai_mismatch)
    g_ptr_array_add (self->warnings,
                     g_strdup_printf (_("This file is for establishment %s, but Jonction is set up "
                                        "for %s."), jn_export_get_uai (self->export),
                                      self->configured_uai));

  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    n_records += jn_export_get_count (self->export, c);
  if (n_records == 0)
    g_ptr_array_add (self->warnings, g_strdup (_("This file contains no users: there is nothing to import.")));
  else if (n_records < PARTIAL_FILE_RECORDS)
    g_ptr_array_add (self->warnings,
                     g_strdup_printf (ngettext ("This file has only %u record: it is probably a "
                                                "partial export, not the whole establishment.",
                                                "This file has only %u records: it is probably a "
                                                "partial export, not the whole establishment.",
                                                n_records), n_records));
  else if (jn_export_get_count (self->export, JN_CATEGORY_STUDENT) == 0 ||
           jn_export_get_count (self->export, JN_CATEGORY_TEACHER) == 0)
    g_ptr_array_add (self->warnings,
                     g_strdup (_("This file has no students or no teachers: it is probably a "
                                 "partial export, not the whole establishment.")));

  for (guint i = 0; export_warnings != NULL && i < export_warnings->len; i++)
    g_ptr_array_add (self->warnings, g_strdup (g_ptr_array_index (export_warnings, i)));
}

static void
open_export_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  JnImportSession *self = JN_IMPORT_SESSION (source);
  g_autoptr(GTask) task = user_data;
  OpenData *data = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  end_work (self);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* What the envelope told (establishment, partners) helps the error page */
      if (jn_export_has_metadata (data->export))
        {
          g_set_object (&self->export, data->export);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPORT]);
        }
      g_task_return_error (task, error);
      return;
    }

  g_set_object (&self->file, data->file);
  g_set_object (&self->export, data->export);
  update_uai (self);
  collect_warnings (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPORT]);
  set_state (self, JN_SESSION_STATE_LOADED);

  g_task_return_boolean (task, TRUE);
}

/* Back to an empty session, keeping the ENT and the configured establishment */
static void
reset (JnImportSession *self)
{
  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    g_list_store_remove_all (self->rows[c]);
  g_list_store_remove_all (self->failures);
  g_hash_table_remove_all (self->positions);
  g_hash_table_remove_all (self->decisions);
  g_clear_object (&self->plan);
  g_clear_object (&self->matcher);
  g_clear_object (&self->directory);
  clear_accounts (self);
  g_clear_object (&self->export);
  g_clear_object (&self->file);
  g_clear_pointer (&self->import_id, g_free);
  g_ptr_array_set_size (self->warnings, 0);
  self->n_validated = 0;
  self->uai_mismatch = FALSE;
  if (self->current_step != 0)
    {
      self->current_step = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_STEP]);
    }
  set_state (self, JN_SESSION_STATE_EMPTY);
}

void
jn_import_session_open_export_async (JnImportSession     *self,
                                     GFile               *file,
                                     GFile               *key_file,
                                     const char          *partner,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  OpenData *data;

  g_return_if_fail (JN_IS_IMPORT_SESSION (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, jn_import_session_open_export_async);
  if (!begin_work (self, task, cancellable, _("Reading the PRONOTE file…")))
    return;

  reset (self);

  data = g_new0 (OpenData, 1);
  data->file = g_object_ref (file);
  data->key_file = key_file ? g_object_ref (key_file) : NULL;
  data->partner = g_strdup (partner);
  data->export = jn_export_new ();

  run_in_thread (self, g_steal_pointer (&task), data, (GDestroyNotify)open_data_free, open_export_thread,
                 open_export_done);
}

gboolean
jn_import_session_open_export_finish (JnImportSession  *self,
                                      GAsyncResult     *result,
                                      GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

JnExport *
jn_import_session_get_export (JnImportSession *self)
{
  g_return_val_if_fail (JN_IS_IMPORT_SESSION (self), NULL);
  return self->export;
}

GFile *
jn_import_session_get_file (JnImportSession *self)
{
  g_return_val_if_fail (JN_IS_IMPORT_SESSION (self), NULL);
  return self->file;
}

gboolean
jn_import_session_error_needs_key (const GError *error)
{
  return g_error_matches (error, JN_ERROR, JN_ERROR_KEY_REQUIRED) ||
         g_error_matches (error, JN_ERROR, JN_ERROR_WRONG_KEY) ||
         g_error_matches (error, JN_ERROR, JN_ERROR_INVALID_KEY) ||
         g_error_matches (error, JN_ERROR, JN_ERROR_UNKNOWN_PARTNER);
}

void
jn_import_session_set_uai (JnImportSession *self,
                           const char      *uai)
{
  g_return_if_fail (JN_IS_IMPORT_SESSION (self));
  g_return_if_fail (self->plan == NULL);

  g_free (self->configured_uai);
  self->configured_uai = (uai != NULL && uai[0] != '\0') ? g_strdup (uai) : NULL;
  update_uai (self);
  if (self->export != NULL)
    collect_warnings (self);
}

const char *
jn_import_session_get_uai (JnImportSession *self)
{
  g_return_val_if_fail (JN_IS_IMPORT_SESSION (self), NULL);
  return self->uai;
}

gboolean
jn_import_session_get_uai_mismatch (JnImportSession *self)
{
  g_return_val_if_fail (JN_IS_IMPORT_SESSION (self), FALSE);
  return self->uai_mismatch;
}

void
jn_import_session_accept_uai_mismatch (JnImportSession *self)
{
  g_return_if_fail (JN_IS_IMPORT_SESSION (self));

  /* The admin confirmed: the export's establishment it is */
  if (self->uai_mismatch && self->export != NULL)
    {
      g_free (self->configured_uai);
      self->configured_uai = g_strdup (jn_export_get_uai (self->export));
      update_uai (self);
    }
}

GPtrArray *
jn_import_session_get_warnings (JnImportSession *self)
{
  g_return_val_if_fail (JN_IS_IMPORT_SESSION (self), NULL);
  return self->warnings;
}

/* ---- 2. the directory ---- */

typedef struct
{
  JnImportSession *self;
  JnEnt           *ent;
  char            *uai;
  JnDirectory     *directory;
} DirectoryData;

static void
directory_data_free (DirectoryData *data)
{
  g_clear_object (&data->ent);
  g_free (data->uai);
  g_clear_object (&data->directory);
  g_free (data);
}

/* From the reading thread; @user_data is the session */
static void
directory_progress_cb (guint    done,
                       guint    total,
                       gpointer user_data)
{
  report_progress (user_data, total > 0 ? MIN (1.0, (double)done / total) : -1,
                   g_strdup_printf (_("Reading the ENT directory: %u of %u accounts"), done, total));
}

static void
read_directory_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  DirectoryData *data = task_data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  data->directory = jn_ent_read_directory (data->ent, data->uai, directory_progress_cb, data->self,
                                           cancellable, &error);
  if (data->directory == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
read_directory_done (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  JnImportSession *self = JN_IMPORT_SESSION (source);
  g_autoptr(GTask) task = user_data;
  DirectoryData *data = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  end_work (self);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }

  jn_import_session_set_directory (self, data->directory);
  /* Just read from the ENT: the plan's writes trust it for a while */
  self->directory_read_at = g_get_monotonic_time ();
  g_task_return_boolean (task, TRUE);
}

void
jn_import_session_read_directory_async (JnImportSession     *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  DirectoryData *data;

  g_return_if_fail (JN_IS_IMPORT_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, jn_import_session_read_directory_async);

  if (self->ent == NULL || self->uai == NULL)
    {
      g_task_return_new_error (task, JN_ERROR, JN_ERROR_INVALID_ARGUMENT, "%s",
                               self->ent == NULL ? _("No ENT is configured")
                                                 : _("The establishment (UAI) is not known"));
      return;
    }
  if (!begin_work (self, task, cancellable, _("Reading the ENT directory…")))
    return;

  data = g_new0 (DirectoryData, 1);
  data->self = self;
  data->ent = g_object_ref (self->ent);
  data->uai = g_strdup (self->uai);

  run_in_thread (self, g_steal_pointer (&task), data, (GDestroyNotify)directory_data_free, read_directory_thread,
                 read_directory_done);
}

gboolean
jn_import_session_read_directory_finish (JnImportSession  *self,
                                         GAsyncResult     *result,
                                         GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
jn_import_session_set_directory (JnImportSession *self,
                                 JnDirectory     *directory)
{
  g_return_if_fail (JN_IS_IMPORT_SESSION (self));
  g_return_if_fail (JN_IS_DIRECTORY (directory));
  g_return_if_fail (!self->busy);

  if (g_set_object (&self->directory, directory))
    {
      /* Read elsewhere, at a time unknown: a push reads each account first */
      self->directory_read_at = 0;
      g_clear_object (&self->matcher);
      clear_accounts (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIRECTORY]);
    }
}

void
jn_import_session_note_ent_changed (JnImportSession *self)
{
  g_return_if_fail (JN_IS_IMPORT_SESSION (self));

  /* The plan stays as the admin reviewed it; its writes no longer trust the directory it
   * was made from: each account is read first, a value changed since is not overwritten
   * (the row says so) and one already in place is not sent again */
  self->directory_read_at = 0;
}

JnDirectory *
jn_import_session_get_directory (JnImportSession *self)
{
  g_return_val_if_fail (JN_IS_IMPORT_SESSION (self), NULL);
  return self->directory;
}

gboolean
jn_import_session_check_directory (JnImportSession  *self,
                                   GError          **error)
{
  g_return_val_if_fail (JN_IS_IMPORT_SESSION (self), FALSE);
  g_return_val_if_fail (self->directory != NULL && self->export != NULL && self->uai != NULL, FALSE);

  return jn_matcher_check_directory (self->directory, self->uai, self->export, error);
}

/* ---- 3. mode and matching ---- */

void
jn_import_session_set_mode (JnImportSession *self,
                            JnImportMode     mode)
{
  g_return_if_fail (JN_IS_IMPORT_SESSION (self));

  if (self->mode == mode)
    return;
  /* A plan is made for one mode */
  g_return_if_fail (self->plan == NULL);

  self->mode = mode;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
}

JnImportMode
jn_import_session_get_mode (JnImportSession *self)
{
  g_return_val_if_fail (JN_IS_IMPORT_SESSION (self), 0);
  return self->mode;
}

typedef struct
{
  JnImportSession *self;
  JnDirectory     *directory;
  JnExport        *export;
  JnMatcher       *matcher;
  char            *uai;
  JnImportMode     mode;
  GHashTable      *decisions;        /* applied as a file: all checked, all or nothing */
  GHashTable      *stored;           /* resume: applied one by one, the refused ones named */
  /* resume */
  GFile           *file;
  GFile           *key_file;
  char            *partner;
  JnImportRecord  *record;
  JnEnt           *ent;
  /* results */
  JnPlan          *plan;
  GPtrArray       *rows[JN_N_CATEGORIES];
  GPtrArray       *refused;          /* resume: decisions that no longer apply, in words */
} MatchData;

static void
match_data_free (MatchData *data)
{
  g_clear_object (&data->directory);
  g_clear_object (&data->export);
  g_clear_object (&data->matcher);
  g_free (data->uai);
  g_clear_pointer (&data->decisions, g_hash_table_unref);
  g_clear_pointer (&data->stored, g_hash_table_unref);
  g_clear_object (&data->file);
  g_clear_object (&data->key_file);
  g_free (data->partner);
  g_clear_pointer (&data->record, jn_import_record_free);
  g_clear_object (&data->ent);
  g_clear_object (&data->plan);
  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    g_clear_pointer (&data->rows[c], g_ptr_array_unref);
  g_clear_pointer (&data->refused, g_ptr_array_unref);
  g_free (data);
}

/* In the thread: the plan and its rows (built here: 10,000 rows would stall the window) */
static gboolean
match_in_thread (MatchData     *data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  if (data->matcher == NULL)
    data->matcher = jn_matcher_new (data->directory, data->uai);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  /* Resume: the stored decisions together first, as a decisions file. Made one by one, each
   * was valid after the ones before it; applied one by one to a fresh match, a swap of two
   * accounts would refuse itself (each account still matched automatically to the other
   * record) and both decisions would be lost. */
  if (data->stored != NULL && data->decisions == NULL)
    {
      data->plan = jn_matcher_match (data->matcher, data->export, data->mode, data->stored, NULL);
      if (data->plan != NULL)
        data->refused = g_ptr_array_new_with_free_func (g_free);
    }
  if (data->plan == NULL)
    data->plan = jn_matcher_match (data->matcher, data->export, data->mode, data->decisions, error);
  if (data->plan == NULL)
    return FALSE;

  if (data->stored != NULL && data->refused == NULL)
    {
      g_autoptr(GPtrArray) pending = g_ptr_array_new ();
      g_autofree gpointer *keys = NULL;
      guint n = 0;
      gboolean progress = TRUE;

      /* Some no longer apply (the ENT changed): the others one by one, again while one more
       * applies (one may free the account another takes); the rest refused, named */
      keys = g_hash_table_get_keys_as_array (data->stored, &n);
      for (guint i = 0; i < n; i++)
        g_ptr_array_add (pending, keys[i]);
      data->refused = g_ptr_array_new_with_free_func (g_free);
      while (progress && pending->len > 0)
        {
          progress = FALSE;
          for (guint i = 0; i < pending->len;)
            {
              const char *pronote_id = g_ptr_array_index (pending, i);
              g_autoptr(GError) refused = NULL;

              if (jn_matcher_apply_decision (data->matcher, data->plan, pronote_id,
                                             g_hash_table_lookup (data->stored, pronote_id), &refused))
                {
                  g_ptr_array_remove_index (pending, i);
                  progress = TRUE;
                }
              else
                {
                  i++;
                }
            }
        }
      /* (applied once more for the reason, in words) */
      for (guint i = 0; i < pending->len; i++)
        {
          const char *pronote_id = g_ptr_array_index (pending, i);
          g_autoptr(GError) refused = NULL;

          if (!jn_matcher_apply_decision (data->matcher, data->plan, pronote_id,
                                          g_hash_table_lookup (data->stored, pronote_id), &refused))
            g_ptr_array_add (data->refused, g_strdup (refused->message));
        }
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    {
      GListModel *items = jn_plan_get_items (data->plan, c);
      GListModel *clears = jn_plan_get_clears (data->plan, c);
      guint n_items = g_list_model_get_n_items (items);
      guint n_clears = g_list_model_get_n_items (clears);

      data->rows[c] = g_ptr_array_new_full (n_items + n_clears, g_object_unref);
      for (guint i = 0; i < n_items; i++)
        {
          g_autoptr(JnPlanItem) item = g_list_model_get_item (items, i);

          g_ptr_array_add (data->rows[c], jn_session_row_new (item, data->uai));
        }
      for (guint i = 0; i < n_clears; i++)
        {
          g_autoptr(JnPlanItem) item = g_list_model_get_item (clears, i);

          g_ptr_array_add (data->rows[c], jn_session_row_new (item, data->uai));
        }
    }

  return TRUE;
}

static void
match_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  if (!match_in_thread (task_data, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void compute_counts (JnImportSession *self, JnCategory category, JnStepCounts *counts);
static void invalidate_counts (JnImportSession *self, JnCategory category);
static void clears_changed_cb (GListModel *clears, guint position, guint removed, guint added,
                               JnImportSession *self);

static void
update_current_counts (JnImportSession *self)
{
  JnStepCounts counts;

  compute_counts (self, jn_import_session_step_category (self->current_step), &counts);

  if (self->n_recognised != counts.n_recognised)
    {
      self->n_recognised = counts.n_recognised;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_RECOGNISED]);
    }
  if (self->n_unrecognised != counts.n_unrecognised)
    {
      self->n_unrecognised = counts.n_unrecognised;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_UNRECOGNISED]);
    }
  if (self->n_to_check != counts.n_to_check)
    {
      self->n_to_check = counts.n_to_check;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_TO_CHECK]);
    }
}

static void
invalidate_counts (JnImportSession *self,
                   JnCategory       category)
{
  self->counts_valid[category] = FALSE;
}

static void
counts_changed (JnImportSession *self,
                JnCategory       category)
{
  invalidate_counts (self, category);
  if (category == jn_import_session_step_category (self->current_step))
    update_current_counts (self);
  g_signal_emit (self, signals[COUNTS_CHANGED], 0, (int)category);
}

/* On the main context: the thread's plan becomes the session's, in three parts (see
 * match_done) */
static void
install_plan_begin (JnImportSession *self,
                    MatchData       *data)
{
  if (self->plan != NULL)
    for (guint c = 0; c < JN_N_CATEGORIES; c++)
      g_signal_handlers_disconnect_by_func (jn_plan_get_clears (self->plan, c), clears_changed_cb, self);

  g_set_object (&self->matcher, data->matcher);
  g_set_object (&self->plan, data->plan);
  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    g_clear_pointer (&self->taken[c], g_hash_table_unref);
  g_hash_table_remove_all (self->positions);
}

static void
install_category (JnImportSession *self,
                  MatchData       *data,
                  JnCategory       c)
{
  GPtrArray *rows = data->rows[c];

  for (guint i = 0; i < rows->len; i++)
    g_hash_table_insert (self->positions, jn_session_row_get_item (g_ptr_array_index (rows, i)),
                         GUINT_TO_POINTER (i + 1));
  g_list_store_splice (self->rows[c], 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows[c])),
                       rows->pdata, rows->len);
  g_signal_connect (jn_plan_get_clears (self->plan, c), "items-changed",
                    G_CALLBACK (clears_changed_cb), self);
}

static void
install_plan_end (JnImportSession *self)
{
  /* The decisions in force: what the plan holds (a file's, or the ones restored) */
  g_hash_table_remove_all (self->decisions);
  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    {
      GListModel *items = jn_plan_get_items (self->plan, c);

      for (guint i = 0; i < g_list_model_get_n_items (items); i++)
        {
          g_autoptr(JnPlanItem) item = g_list_model_get_item (items, i);
          JnEntUser *user = jn_plan_item_get_user (item);

          if (jn_plan_item_get_manual (item) && jn_plan_item_get_pronote_id (item) != NULL)
            g_hash_table_insert (self->decisions, g_strdup (jn_plan_item_get_pronote_id (item)),
                                 user && !jn_plan_item_get_skipped (item)
                                   ? g_strdup (jn_ent_user_get_id (user)) : NULL);
        }
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAN]);
  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    counts_changed (self, c);
}

static void
install_plan (JnImportSession *self,
              MatchData       *data)
{
  install_plan_begin (self, data);
  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    install_category (self, data, c);
  install_plan_end (self);
}

/* After the match's thread, its plan is installed one part per main-loop turn (a
 * category's rows, then the decisions and counts), then the steps begin in a turn of their
 * own (the face builds its first page then): all in one turn stalled the window 40–100 ms
 * on the bench. The session stays busy until the end. */
typedef struct
{
  GTask *task;      /* the face's */
  GTask *result;    /* the thread's, which owns the MatchData */
  guint  phase;     /* 0…JN_N_CATEGORIES - 1: a category; then the end; then the steps */
} MatchInstall;

static void
match_install_free (MatchInstall *install)
{
  g_clear_object (&install->task);
  g_clear_object (&install->result);
  g_free (install);
}

static gboolean
match_install_cb (gpointer user_data)
{
  MatchInstall *install = user_data;
  JnImportSession *self = g_task_get_source_object (install->task);
  MatchData *data = g_task_get_task_data (install->result);
  guint phase = install->phase++;

  if (phase < JN_N_CATEGORIES)
    {
      install_category (self, data, phase);
      return G_SOURCE_CONTINUE;
    }
  if (phase == JN_N_CATEGORIES)
    {
      install_plan_end (self);
      return G_SOURCE_CONTINUE;
    }

  end_work (self);
  self->n_validated = 0;
  if (self->current_step != 0)
    {
      self->current_step = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_STEP]);
      update_current_counts (self);
    }
  set_state (self, JN_SESSION_STATE_STEPS);
  g_task_return_boolean (install->task, TRUE);

  return G_SOURCE_REMOVE;
}

static void
match_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  JnImportSession *self = JN_IMPORT_SESSION (source);
  g_autoptr(GTask) task = user_data;
  MatchData *data = g_task_get_task_data (G_TASK (result));
  MatchInstall *install;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      end_work (self);
      g_task_return_error (task, error);
      return;
    }

  install_plan_begin (self, data);
  install = g_new0 (MatchInstall, 1);
  install->task = g_steal_pointer (&task);
  install->result = g_object_ref (G_TASK (result));
  g_idle_add_full (G_PRIORITY_DEFAULT, match_install_cb, install,
                   (GDestroyNotify)match_install_free);
}

void
jn_import_session_match_async (JnImportSession     *self,
                               GHashTable          *decisions,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  MatchData *data;

  g_return_if_fail (JN_IS_IMPORT_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, jn_import_session_match_async);

  if (self->export == NULL || self->directory == NULL || self->uai == NULL)
    {
      g_task_return_new_error (task, JN_ERROR, JN_ERROR_INVALID_ARGUMENT, "%s",
                               _("Open a PRONOTE file and read the ENT directory first"));
      return;
    }
  if (self->import_id != NULL)
    {
      /* Its decisions and validated steps belong to that plan */
      g_task_return_new_error (task, JN_ERROR, JN_ERROR_INVALID_ARGUMENT, "%s",
                               _("This import has begun: interrupt it to start again"));
      return;
    }
  if (!begin_work (self, task, cancellable, _("Matching the accounts…")))
    return;

  data = g_new0 (MatchData, 1);
  data->self = self;
  data->directory = g_object_ref (self->directory);
  data->export = g_object_ref (self->export);
  data->matcher = self->matcher ? g_object_ref (self->matcher) : NULL;
  data->uai = g_strdup (self->uai);
  data->mode = self->mode;
  data->decisions = decisions ? g_hash_table_ref (decisions) : NULL;
  g_clear_pointer (&self->given_decisions, g_hash_table_unref);
  self->given_decisions = decisions ? g_hash_table_ref (decisions) : NULL;

  run_in_thread (self, g_steal_pointer (&task), data, (GDestroyNotify)match_data_free, match_thread,
                 match_done);
}

gboolean
jn_import_session_match_finish (JnImportSession  *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

JnPlan *
jn_import_session_get_plan (JnImportSession *self)
{
  g_return_val_if_fail (JN_IS_IMPORT_SESSION (self), NULL);
  return self->plan;
}

GHashTable *
jn_import_session_get_decisions (JnImportSession *self)
{
  g_return_val_if_fail (JN_IS_IMPORT_SESSION (self), NULL);
  return self->decisions;
}

GListModel *
jn_import_session_get_rows (JnImportSession *self,
                            JnCategory       category)
{
  g_return_val_if_fail (JN_IS_IMPORT_SESSION (self), NULL);
  g_return_val_if_fail ((guint)category < JN_N_CATEGORIES, NULL);

  return G_LIST_MODEL (self->rows[category]);
}

/* Counts @category's rows into the cache */
static void
tally_rows (JnImportSession *self,
            JnCategory       category)
{
  GListModel *rows = G_LIST_MODEL (self->rows[category]);
  guint n = g_list_model_get_n_items (rows);
  JnStepCounts *counts = &self->counts[category];
  guint *causes = self->cause_counts[category];

  memset (counts, 0, sizeof *counts);
  memset (causes, 0, sizeof self->cause_counts[category]);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JnSessionRow) row = g_list_model_get_item (rows, i);
      JnPlanItem *item = jn_session_row_get_item (row);
      JnRowStatus status = jn_session_row_get_status (row);
      JnRowPushState push_state = jn_session_row_get_push_state (row);

      switch (status)
        {
        case JN_ROW_STATUS_MATCHED:
          counts->n_records++;
          counts->n_recognised++;
          switch (jn_plan_item_get_action (item))
            {
            case JN_PLAN_ACTION_SET: counts->n_set++; break;
            case JN_PLAN_ACTION_REPLACE: counts->n_replace++; break;
            case JN_PLAN_ACTION_UNCHANGED: counts->n_unchanged++; break;
            default: break;
            }
          break;
        case JN_ROW_STATUS_AMBIGUOUS:
          counts->n_records++;
          counts->n_to_check++;
          break;
        case JN_ROW_STATUS_UNMATCHED:
          counts->n_records++;
          counts->n_unrecognised++;
          break;
        case JN_ROW_STATUS_NOT_IMPORTED:
          counts->n_records++;
          counts->n_not_imported++;
          break;
        case JN_ROW_STATUS_WILL_CLEAR:
          counts->n_clear++;
          break;
        default:
          break;
        }

      if (status == JN_ROW_STATUS_AMBIGUOUS || status == JN_ROW_STATUS_UNMATCHED)
        {
          guint cause = jn_plan_item_get_cause (item);

          causes[cause < JN_SESSION_N_CAUSES ? cause : JN_PLAN_CAUSE_NONE]++;
        }

      if (push_state == JN_ROW_PUSH_DONE)
        {
          counts->n_done++;
          if (status == JN_ROW_STATUS_WILL_CLEAR)
            counts->n_removed++;
        }
      else if (push_state == JN_ROW_PUSH_FAILED)
        counts->n_failed++;
    }

  self->counts_valid[category] = TRUE;
}

static guint count_step_clears (JnImportSession *self);

static void
compute_counts (JnImportSession *self,
                JnCategory       category,
                JnStepCounts    *counts)
{
  if (!self->counts_valid[category])
    tally_rows (self, category);
  *counts = self->counts[category];

  /* The current step's removals are the ones its push makes (see list_step_changes): the
   * confirmation's figures must count a removal moved here from another step */
  if (self->plan != NULL && category == jn_import_session_step_category (self->current_step))
    counts->n_clear = count_step_clears (self);
}

void
jn_import_session_get_counts (JnImportSession *self,
                              JnCategory       category,
                              JnStepCounts    *counts)
{
  g_return_if_fail (JN_IS_IMPORT_SESSION (self));
  g_return_if_fail ((guint)category < JN_N_CATEGORIES);
  g_return_if_fail (counts != NULL);

  compute_counts (self, category, counts);
}

void
jn_import_session_get_cause_counts (JnImportSession *self,
                                    JnCategory       category,
                                    guint           *counts)
{
  g_return_if_fail (JN_IS_IMPORT_SESSION (self));
  g_return_if_fail ((guint)category < JN_N_CATEGORIES);
  g_return_if_fail (counts != NULL);

  if (!self->counts_valid[category])
    tally_rows (self, category);
  memcpy (counts, self->cause_counts[category], sizeof self->cause_counts[category]);
}

/* Complete mode's removals of a category changed (after a decision): their rows follow */
static void
clears_changed_cb (GListModel      *clears,
                   guint            position,
                   guint            removed,
                   guint            added,
                   JnImportSession *self)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) before = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  JnCategory category = 0;
  guint offset;

  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    if (self->plan != NULL && jn_plan_get_clears (self->plan, c) == clears)
      category = c;

  offset = g_list_model_get_n_items (jn_plan_get_items (self->plan, category));
  for (guint i = 0; i < removed; i++)
    {
      JnSessionRow *row = g_list_model_get_item (G_LIST_MODEL (self->rows[category]),
                                                 offset + position + i);

      g_hash_table_remove (self->positions, jn_session_row_get_item (row));
      g_hash_table_insert (before, (gpointer)jn_ent_user_get_id (jn_plan_item_get_user (jn_session_row_get_item (row))),
                           row);
    }
  for (guint i = 0; i < added; i++)
    {
      g_autoptr(JnPlanItem) item = g_list_model_get_item (clears, position + i);
      JnSessionRow *row = jn_session_row_new (item, self->uai);
      JnSessionRow *old = g_hash_table_lookup (before, jn_ent_user_get_id (jn_plan_item_get_user (item)));

      /* The same removal as before the change: what its push did stays shown (a step
       * validated before keeps its figures, its removals are not listed again) */
      if (old != NULL && jn_session_row_get_push_state (old) != JN_ROW_PUSH_NONE)
        jn_session_row_set_push_outcome (row, jn_session_row_get_push_state (old),
                                         jn_session_row_get_failure (old));
      g_ptr_array_add (rows, row);
    }

  g_list_store_splice (self->rows[category], offset + position, removed, rows->pdata, rows->len);

  /* Positions after the change moved */
  for (guint i = offset + position; i < g_list_model_get_n_items (G_LIST_MODEL (self->rows[category])); i++)
    {
      g_autoptr(JnSessionRow) row = g_list_model_get_item (G_LIST_MODEL (self->rows[category]), i);

      g_hash_table_insert (self->positions, jn_session_row_get_item (row), GUINT_TO_POINTER (i + 1));
    }

  counts_changed (self, category);
}

/* ---- 4. decisions ---- */

static JnSessionRow *
row_of_item (JnImportSession *self,
             JnPlanItem      *item,
             guint           *position)
{
  guint stored = GPOINTER_TO_UINT (g_hash_table_lookup (self->positions, item));
  JnCategory category;
  JnSessionRow *row;

  if (stored == 0)
    return NULL;

  category = jn_plan_item_get_category (item);
  row = g_list_model_get_item (G_LIST_MODEL (self->rows[category]), stored - 1);
  if (position != NULL)
    *position = stored - 1;
  if (row != NULL)
    g_object_unref (row);     /* the store keeps it */

  return row;
}

/* The row's item changed: refreshed, and announced as one change of its model */
static void
row_changed (JnImportSession *self,
             JnSessionRow    *row)
{
  JnPlanItem *item = jn_session_row_get_item (row);
  JnCategory category = jn_plan_item_get_category (item);
  guint position;

  g_clear_pointer (&self->taken[category], g_hash_table_unref);
  jn_session_row_refresh (row);
  if (row_of_item (self, item, &position) == row)
    g_list_model_items_changed (G_LIST_MODEL (self->rows[category]), position, 1, 1);
  counts_changed (self, category);
}

/* The wizard's import in the store begins with the first decision or step: an import the
 * admin never touched leaves nothing to resume */
static gboolean
ensure_import (JnImportSession  *self,
               GError          **error)
{
  g_autofree char *path = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (self->store == NULL || self->import_id != NULL)
    return TRUE;

  path = self->file ? g_file_get_path (self->file) : NULL;
  self->import_id = jn_store_begin_session (self->store, jn_import_mode_to_string (self->mode),
                                            self->uai, self->ent ? jn_ent_describe (self->ent) : "",
                                            jn_export_get_file_hash (self->export), path, error);
  if (self->import_id == NULL)
    return FALSE;

  g_hash_table_iter_init (&iter, self->decisions);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!jn_store_save_decision (self->store, self->import_id, key, value, error))
      return FALSE;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IMPORT_ID]);
  return TRUE;
}

static gboolean
check_can_decide (JnImportSession  *self,
                  JnSessionRow     *row,
                  GError          **error)
{
  JnPlanItem *item;

  if (self->plan == NULL || self->busy)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                           self->plan == NULL ? _("Nothing is matched yet")
                                              : _("Wait until the work under way ends"));
      return FALSE;
    }

  item = jn_session_row_get_item (row);
  if (jn_plan_item_get_person (item) == NULL || jn_plan_item_get_pronote_id (item) == NULL)
    {
      g_set_error_literal (error, JN_ERROR, JN_ERROR_INVALID_DECISION,
                           _("Only a record of the file can be matched"));
      return FALSE;
    }
  if (jn_import_session_get_step_validated (self, jn_plan_item_get_category (item)))
    {
      g_set_error_literal (error, JN_ERROR, JN_ERROR_INVALID_DECISION,
                           _("This step is validated: its identifiers are already sent"));
      return FALSE;
    }

  return TRUE;
}

static gboolean
record_decision (JnImportSession  *self,
                 JnSessionRow     *row,
                 const char       *ent_id,
                 gboolean          undo,
                 GError          **error)
{
  JnPlanItem *item = jn_session_row_get_item (row);
  const char *pronote_id = jn_plan_item_get_pronote_id (item);

  /* Stored before it shows: a crash never loses a choice the admin saw made */
  if (!ensure_import (self, error))
    return FALSE;
  if (self->import_id != NULL &&
      !(undo ? jn_store_delete_decision (self->store, self->import_id, pronote_id, error)
             : jn_store_save_decision (self->store, self->import_id, pronote_id, ent_id, error)))
    return FALSE;

  if (undo)
    g_hash_table_remove (self->decisions, pronote_id);
  else
    g_hash_table_insert (self->decisions, g_strdup (pronote_id), g_strdup (ent_id));

  row_changed (self, row);
  return TRUE;
}

/* The decision could not be stored: the plan goes back to the one before (or to what the
 * matcher found), so that what is sent is only what the store would restore */
static void
restore_decision (JnImportSession *self,
                  const char      *pronote_id,
                  gboolean         had,
                  const char      *previous)
{
  g_autoptr(GError) error = NULL;

  if (had ? !jn_matcher_apply_decision (self->matcher, self->plan, pronote_id, previous, &error)
          : !jn_matcher_undo_decision (self->matcher, self->plan, pronote_id, &error))
    g_warning ("cannot restore the decision of %s: %s", pronote_id, error->message);
}

static JnPlanItem *holder_in_plan (JnImportSession *self, JnEntUser *user, JnPlanItem *except);
static char *describe_record (JnPlanItem *item);

/* A manual match (@user) or "Don't Import" (NULL) of @row's record: applied to the plan,
 * then stored; a choice the store refuses is taken back from the plan */
static gboolean
decide (JnImportSession  *self,
        JnSessionRow     *row,
        JnEntUser        *user,
        GError          **error)
{
  JnPlanItem *item;
  const char *pronote_id;
  const char *ent_id = user ? jn_ent_user_get_id (user) : NULL;
  gpointer previous = NULL;
  gboolean had;

  if (!check_can_decide (self, row, error))
    return FALSE;

  item = jn_session_row_get_item (row);
  pronote_id = jn_plan_item_get_pronote_id (item);
  had = g_hash_table_lookup_extended (self->decisions, pronote_id, NULL, &previous);

  /* The usual refusal, in names rather than identifiers */
  if (user != NULL)
    {
      JnPlanItem *holder = holder_in_plan (self, user, item);

      if (holder != NULL)
        {
          g_autofree char *account = jn_ent_user_dup_display_name (user);
          g_autofree char *record = describe_record (holder);

          if (jn_plan_item_get_manual (holder))
            g_set_error (error, JN_ERROR, JN_ERROR_INVALID_DECISION,
                         _("The account %s is already chosen for %s: undo that choice first"), account, record);
          else
            g_set_error (error, JN_ERROR, JN_ERROR_INVALID_DECISION,
                         _("The account %s is already recognised as %s"), account, record);
          return FALSE;
        }
    }

  if (!jn_matcher_apply_decision (self->matcher, self->plan, pronote_id, ent_id, error))
    return FALSE;

  if (!record_decision (self, row, ent_id, FALSE, error))
    {
      restore_decision (self, pronote_id, had, previous);
      return FALSE;
    }

  return TRUE;
}

gboolean
jn_import_session_decide (JnImportSession  *self,
                          JnSessionRow     *row,
                          JnEntUser        *user,
                          GError          **error)
{
  g_return_val_if_fail (JN_IS_IMPORT_SESSION (self), FALSE);
  g_return_val_if_fail (JN_IS_SESSION_ROW (row), FALSE);
  g_return_val_if_fail (JN_IS_ENT_USER (user), FALSE);

  return decide (self, row, user, error);
}

gboolean
jn_import_session_skip (JnImportSession  *self,
                        JnSessionRow     *row,
                        GError          **error)
{
  g_return_val_if_fail (JN_IS_IMPORT_SESSION (self), FALSE);
  g_return_val_if_fail (JN_IS_SESSION_ROW (row), FALSE);

  return decide (self, row, NULL, error);
}

gboolean
jn_import_session_undo (JnImportSession  *self,
                        JnSessionRow     *row,
                        GError          **error)
{
  JnPlanItem *item;
  gpointer previous = NULL;
  gboolean had;

  g_return_val_if_fail (JN_IS_IMPORT_SESSION (self), FALSE);
  g_return_val_if_fail (JN_IS_SESSION_ROW (row), FALSE);

  if (!check_can_decide (self, row, error))
    return FALSE;

  item = jn_session_row_get_item (row);
  if (!jn_plan_item_get_manual (item))
    return TRUE;

  had = g_hash_table_lookup_extended (self->decisions, jn_plan_item_get_pronote_id (item), NULL,
                                      &previous);
  if (!jn_matcher_undo_decision (self->matcher, self->plan, jn_plan_item_get_pronote_id (item), error))
    return FALSE;

  if (!record_decision (self, row, NULL, TRUE, error))
    {
      restore_decision (self, jn_plan_item_get_pronote_id (item), had, previous);
      return FALSE;
    }

  return TRUE;
}

/* The record an account is chosen for (or matched to), other than @except; NULL if free */
static JnPlanItem *
holder_in_plan (JnImportSession *self,
                JnEntUser       *user,
                JnPlanItem      *except)
{
  JnCategory category;
  GListModel *items;

  if (!jn_ent_user_get_category (user, &category))
    return NULL;

  items = jn_plan_get_items (self->plan, category);
  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(JnPlanItem) item = g_list_model_get_item (items, i);

      if (item != except && jn_plan_item_get_state (item) == JN_PLAN_STATE_MATCHED &&
          jn_plan_item_get_user (item) == user)
        return item;
    }

  return NULL;
}

static char *
describe_record (JnPlanItem *item)
{
  JnPerson *person = jn_plan_item_get_person (item);

  return person ? jn_person_dup_display_name (person) : g_strdup (jn_plan_item_get_pronote_id (item));
}

GPtrArray *
jn_import_session_suggest (JnImportSession *self,
                           JnSessionRow    *row,
                           guint            max_results)
{
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func ((GDestroyNotify)jn_session_suggestion_free);
  g_autoptr(GArray) suggestions = NULL;
  JnPlanItem *item;
  JnPerson *person;

  g_return_val_if_fail (JN_IS_IMPORT_SESSION (self), NULL);
  g_return_val_if_fail (JN_IS_SESSION_ROW (row), NULL);

  item = jn_session_row_get_item (row);
  person = jn_plan_item_get_person (item);
  if (self->plan == NULL || person == NULL || self->busy)
    return g_steal_pointer (&result);

  /* The ranking `match --suggestions` prints: accounts matched to a record are left out
   * (this record's own choice included: it is shown as the match, not as a proposal) */
  {
    JnCategory category = jn_plan_item_get_category (item);

    if (self->taken[category] == NULL)
      self->taken[category] = jn_suggestions_taken_accounts (self->plan, category);
    suggestions = jn_suggestions_for_person (self->matcher, self->plan, person, self->taken[category],
                                             max_results);
  }
  for (guint i = 0; i < suggestions->len; i++)
    {
      JnSuggestion *suggestion = &g_array_index (suggestions, JnSuggestion, i);
      JnSessionSuggestion *proposal;
      g_auto(GStrv) reasons = jn_suggestion_dup_reasons (person, suggestion);

      proposal = g_new0 (JnSessionSuggestion, 1);
      proposal->user = g_object_ref (suggestion->user);
      proposal->score = suggestion->score;
      proposal->reasons = g_strjoinv (", ", reasons);
      proposal->detail = jn_matcher_explain (self->matcher, person, suggestion->user, self->plan);
      g_ptr_array_add (result, proposal);
    }

  return g_steal_pointer (&result);
}

typedef struct
{
  JnEntUser *user;
  int        rank;
  char      *sort_key;
} Found;

/* An account of the establishment as "Browse Directory…" searches it, folded once */
typedef struct
{
  JnEntUser *user;
  char      *family;
  char      *given;
  char      *sort_key;
} Account;

static void
account_clear (Account *account)
{
  g_clear_object (&account->user);
  g_free (account->family);
  g_free (account->given);
  g_free (account->sort_key);
}

static void
clear_accounts (JnImportSession *self)
{
  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    {
      g_clear_pointer (&self->accounts[c], g_array_unref);
      g_clear_pointer (&self->taken[c], g_hash_table_unref);
    }
}

static GArray *
get_accounts (JnImportSession *self,
              JnCategory       category)
{
  GListModel *users;
  guint n;

  if (self->accounts[category] != NULL)
    return self->accounts[category];

  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    {
      self->accounts[c] = g_array_new (FALSE, FALSE, sizeof (Account));
      g_array_set_clear_func (self->accounts[c], (GDestroyNotify)account_clear);
    }

  users = jn_directory_get_users (self->directory);
  n = g_list_model_get_n_items (users);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JnEntUser) user = g_list_model_get_item (users, i);
      JnCategory user_category;
      Account account;

      if (!jn_ent_user_belongs_to (user, self->uai) || !jn_ent_user_get_category (user, &user_category))
        continue;

      account.user = g_object_ref (user);
      account.family = jn_search_fold (jn_ent_user_get_family_name (user));
      account.given = jn_search_fold (jn_ent_user_get_given_name (user));
      account.sort_key = g_strconcat (account.family, "\x01", account.given, "\x01",
                                      jn_ent_user_get_id (user), NULL);
      g_array_append_val (self->accounts[user_category], account);
    }

  return self->accounts[category];
}

static int
compare_found (gconstpointer a,
               gconstpointer b)
{
  const Found *fa = a, *fb = b;

  if (fa->rank != fb->rank)
    return fa->rank < fb->rank ? -1 : 1;
  return strcmp (fa->sort_key, fb->sort_key);
}

GPtrArray *
jn_import_session_search_directory (JnImportSession *self,
                                    JnCategory       category,
                                    const char      *query,
                                    guint            max_results)
{
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func ((GDestroyNotify)jn_session_suggestion_free);
  g_autoptr(GArray) found = NULL;
  g_auto(GStrv) words = NULL;
  GArray *accounts;

  g_return_val_if_fail (JN_IS_IMPORT_SESSION (self), NULL);

  if (self->directory == NULL || self->uai == NULL)
    return g_steal_pointer (&result);

  words = jn_search_split_words (query);

  found = g_array_new (FALSE, FALSE, sizeof (Found));
  accounts = get_accounts (self, category);
  for (guint i = 0; i < accounts->len; i++)
    {
      Account *account = &g_array_index (accounts, Account, i);
      Found f;

      f.rank = jn_search_rank (account->family, account->given, words);
      if (f.rank < 0)
        continue;
      f.user = account->user;
      f.sort_key = account->sort_key;
      g_array_append_val (found, f);
    }

  g_array_sort (found, compare_found);
  for (guint i = 0; i < found->len; i++)
    {
      Found *f = &g_array_index (found, Found, i);

      if (result->len < max_results)
        {
          JnSessionSuggestion *proposal = g_new0 (JnSessionSuggestion, 1);
          JnPlanItem *holder = self->plan ? holder_in_plan (self, f->user, NULL) : NULL;

          proposal->user = g_object_ref (f->user);
          proposal->score = f->rank == 0 ? 1.0 : f->rank == 1 ? 0.8 : 0.5;
          proposal->reasons = g_strdup (f->rank == 0 ? _("the family name begins with your search")
                                        : f->rank == 1 ? _("the names begin with your search")
                                        : _("the names contain your search"));
          proposal->taken_by = holder ? describe_record (holder) : NULL;
          g_ptr_array_add (result, proposal);
        }
    }

  return g_steal_pointer (&result);
}

/* ---- 5. steps ---- */

JnCategory
jn_import_session_step_category (guint step)
{
  /* The seeds' order is the categories' own: teachers, students, relatives, internship
   * masters, inspectors, staff */
  return (JnCategory)MIN (step, JN_N_CATEGORIES - 1);
}

guint
jn_import_session_get_current_step (JnImportSession *self)
{
  g_return_val_if_fail (JN_IS_IMPORT_SESSION (self), 0);
  return self->current_step;
}

gboolean
jn_import_session_get_step_validated (JnImportSession *self,
                                      guint            step)
{
  g_return_val_if_fail (JN_IS_IMPORT_SESSION (self), FALSE);
  return step < self->n_validated;
}

gboolean
jn_import_session_go_to_step (JnImportSession *self,
                              guint            step)
{
  g_return_val_if_fail (JN_IS_IMPORT_SESSION (self), FALSE);

  if (step >= JN_N_STEPS || step > self->n_validated || self->plan == NULL)
    return FALSE;

  if (self->current_step != step)
    {
      self->current_step = step;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_STEP]);
      update_current_counts (self);
    }

  return TRUE;
}

/* The removals are the ones the step's push makes: each goes in the step that gives its
 * identifier to another account when that comes first (jn_push_run_step), so a removal
 * listed in another step may be this one's, and one that appeared in a step validated
 * before (by a decision here) is sent now. Adds their rows to @rows (or counts them, @rows
 * NULL); returns how many. */
static guint
add_step_clears (JnImportSession *self,
                 GPtrArray       *rows)
{
  guint n = 0;

  for (guint c = 0; self->plan != NULL && c < JN_N_CATEGORIES; c++)
    {
      GListModel *clears = jn_plan_get_clears (self->plan, c);

      for (guint i = 0; i < g_list_model_get_n_items (clears); i++)
        {
          g_autoptr(JnPlanItem) item = g_list_model_get_item (clears, i);
          JnPlanItem *giver = jn_plan_lookup (self->plan, jn_plan_item_get_pronote_id (item));
          JnSessionRow *row = row_of_item (self, item, NULL);
          guint step = c;

          if (giver != NULL && jn_plan_item_get_state (giver) == JN_PLAN_STATE_MATCHED)
            step = MIN (step, (guint)jn_plan_item_get_category (giver));
          if (row != NULL &&
              (step == self->current_step ||
               (step < self->current_step && jn_session_row_get_push_state (row) == JN_ROW_PUSH_NONE)))
            {
              if (rows != NULL)
                g_ptr_array_add (rows, g_object_ref (row));
              n++;
            }
        }
    }

  return n;
}

static guint
count_step_clears (JnImportSession *self)
{
  return add_step_clears (self, NULL);
}

GPtrArray *
jn_import_session_list_step_changes (JnImportSession *self,
                                     JnPlanAction     action)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *model;

  g_return_val_if_fail (JN_IS_IMPORT_SESSION (self), NULL);

  model = G_LIST_MODEL (self->rows[jn_import_session_step_category (self->current_step)]);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(JnSessionRow) row = g_list_model_get_item (model, i);
      JnPlanItem *item = jn_session_row_get_item (row);
      JnPlanState state = jn_plan_item_get_state (item);

      if (state == JN_PLAN_STATE_MATCHED && jn_plan_item_get_action (item) == action &&
          !jn_plan_item_get_blocked (item))
        g_ptr_array_add (rows, g_steal_pointer (&row));
    }

  if (action == JN_PLAN_ACTION_CLEAR)
    add_step_clears (self, rows);

  return g_steal_pointer (&rows);
}

typedef struct
{
  JnImportSession *self;
  JnStore         *store;
  JnEnt           *ent;
  JnPlan          *plan;
  JnDirectory     *directory;
  gboolean         fresh;
  char            *import_id;
  guint            step;
  gboolean         retry;            /* retry_failed: nothing new is journalled */
  JnPushReport    *report;
  /* push_all */
  char            *file_hash;
  GHashTable      *decisions;
} PushData;

static void
push_data_free (PushData *data)
{
  g_clear_object (&data->store);
  g_clear_object (&data->ent);
  g_clear_object (&data->plan);
  g_clear_object (&data->directory);
  g_free (data->import_id);
  g_clear_pointer (&data->report, jn_push_report_free);
  g_free (data->file_hash);
  g_clear_pointer (&data->decisions, g_hash_table_unref);
  g_free (data);
}

static void
push_progress_cb (JnCategory category,
                  guint      done,
                  guint      total,
                  gpointer   user_data)
{
  PushData *data = user_data;

  report_progress (data->self, total > 0 ? (double)done / total : 1,
                   /* TRANSLATORS: "Students: 120 of 300 identifiers sent" */
                   g_strdup_printf (_("%s: %u of %u identifiers sent"), jn_category_get_label (category),
                                    done, total));
}

static void
push_step_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  PushData *data = task_data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  /* A directory read long ago (or before the editor changed the ENT) is read again first,
   * for who holds what: a wait the admin is told of */
  if (!data->fresh)
    report_progress (data->self, 0, g_strdup (_("Checking the ENT’s accounts again before sending…")));

  data->report = (data->retry ? jn_push_retry_step : jn_push_run_step)
                   (data->store, data->ent, data->plan, data->directory, data->fresh,
                    data->import_id, data->step, push_progress_cb, data, cancellable, &error);
  if (data->report == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* The removals' rows by account, for the outcomes of a push */
static GHashTable *
clear_rows_by_account (JnImportSession *self)
{
  GHashTable *rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    {
      GListModel *clears = jn_plan_get_clears (self->plan, c);

      for (guint i = 0; i < g_list_model_get_n_items (clears); i++)
        {
          g_autoptr(JnPlanItem) item = g_list_model_get_item (clears, i);
          JnSessionRow *row = row_of_item (self, item, NULL);
          const char *ent_id = jn_ent_user_get_id (jn_plan_item_get_user (item));

          /* the first one, as a scan in order would find */
          if (row != NULL && !g_hash_table_contains (rows, ent_id))
            g_hash_table_insert (rows, g_strdup (ent_id), row);
        }
    }

  return rows;
}

/* The outcome of each operation on its row: by the record's identifier, or for a removal
 * by the account (@clear_rows: clear_rows_by_account()) */
static void
apply_operation_outcome (JnImportSession *self,
                         JnOperation     *op,
                         GHashTable      *clear_rows)
{
  JnSessionRow *row = NULL;
  JnRowPushState state;

  if (op->state == JN_OP_DONE)
    state = JN_ROW_PUSH_DONE;
  else if (op->state == JN_OP_FAILED)
    state = JN_ROW_PUSH_FAILED;
  else
    return;

  if (op->kind != JN_OP_CLEAR)
    {
      JnPlanItem *item = jn_plan_lookup (self->plan, op->record_id);

      if (item != NULL)
        row = row_of_item (self, item, NULL);
    }
  else if (op->ent_id != NULL)
    row = g_hash_table_lookup (clear_rows, op->ent_id);

  if (row == NULL)
    return;

  if (jn_session_row_get_push_state (row) != state ||
      g_strcmp0 (jn_session_row_get_failure (row), op->detail ? op->detail : "") != 0)
    {
      guint position;

      jn_session_row_set_push_outcome (row, state, op->detail);
      invalidate_counts (self, jn_session_row_get_category (row));
      if (row_of_item (self, jn_session_row_get_item (row), &position) == row)
        g_list_model_items_changed (G_LIST_MODEL (self->rows[jn_session_row_get_category (row)]),
                                    position, 1, 1);
    }
}

static void
refresh_failures (JnImportSession *self)
{
  g_autoptr(GPtrArray) failed = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    {
      GListModel *rows = G_LIST_MODEL (self->rows[c]);

      for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
        {
          JnSessionRow *row = g_list_model_get_item (rows, i);

          if (jn_session_row_get_push_state (row) == JN_ROW_PUSH_FAILED)
            g_ptr_array_add (failed, row);
          else
            g_object_unref (row);
        }
    }

  g_list_store_splice (self->failures, 0, g_list_model_get_n_items (G_LIST_MODEL (self->failures)),
                       failed->pdata, failed->len);
}

/* FALSE with @error when the session's import was replaced in the store (another window
 * began one since, or the local data were forgotten): it is no longer this session's to
 * push or to mark */
static gboolean
check_import_current (JnImportSession  *self,
                      GError          **error)
{
  g_autoptr(JnImportRecord) record = NULL;

  if (self->store == NULL || self->import_id == NULL)
    return TRUE;

  /* (finished, "done" or "partial", it is still this session's: a retry after the last step) */
  record = jn_store_get_import (self->store, self->import_id, NULL);
  if (record == NULL || g_strcmp0 (record->state, "superseded") == 0)
    {
      g_set_error_literal (error, JN_ERROR, JN_ERROR_INVALID_ARGUMENT,
                           _("This import was replaced meanwhile by another one (started in another "
                             "window, or its local data forgotten): its choices can no longer be "
                             "recorded"));
      return FALSE;
    }

  return TRUE;
}

static void
mark_interrupted (JnImportSession *self)
{
  if (self->store != NULL && self->import_id != NULL && check_import_current (self, NULL))
    {
      g_autoptr(GError) error = NULL;

      if (!jn_store_set_import_state (self->store, self->import_id, "interrupted", &error))
        g_warning ("%s", error->message);
    }
  set_state (self, JN_SESSION_STATE_INTERRUPTED);
}

/* A push's outcomes are put on their rows a batch at a time, each batch in its own
 * main-loop turn (a step of the bench has 5,000: one items-changed each, all in one turn
 * stalled the window); the step is finished, and the task returned, after the last */
#define OUTCOMES_BATCH 400

typedef struct
{
  GTask      *task;       /* the face's */
  GTask      *result;     /* the thread's, which owns the PushData */
  GHashTable *clear_rows;
  guint       next;       /* in report->all, then in report->failed */
} PushOutcomes;

static void
push_outcomes_free (PushOutcomes *outcomes)
{
  g_clear_object (&outcomes->task);
  g_clear_object (&outcomes->result);
  g_clear_pointer (&outcomes->clear_rows, g_hash_table_unref);
  g_free (outcomes);
}

static void
finish_push_step (JnImportSession *self,
                  GTask           *task,
                  PushData        *data)
{
  gboolean retry = g_task_get_source_tag (task) == jn_import_session_retry_failed_async;

  refresh_failures (self);
  end_work (self);

  if (!retry)
    {
      g_autoptr(GError) store_error = NULL;

      self->n_validated = data->step + 1;
      if (!jn_store_set_step (self->store, self->import_id, self->n_validated, &store_error))
        g_warning ("%s", store_error->message);

      if (self->n_validated == JN_N_STEPS)
        {
          if (!jn_store_finish_import (self->store, self->import_id,
                                       data->report->failed->len > 0 ? "partial" : "done", &store_error))
            g_warning ("%s", store_error->message);
          set_state (self, JN_SESSION_STATE_FINISHED);
        }
      else
        {
          jn_import_session_go_to_step (self, self->n_validated);
        }
    }
  else if (self->n_validated == JN_N_STEPS)
    {
      g_autoptr(GError) store_error = NULL;

      if (!jn_store_finish_import (self->store, self->import_id,
                                   data->report->failed->len > 0 ? "partial" : "done", &store_error))
        g_warning ("%s", store_error->message);
    }

  for (guint c = 0; c <= data->step && c < JN_N_CATEGORIES; c++)
    counts_changed (self, c);

  if (self->interrupt_pending && self->state != JN_SESSION_STATE_FINISHED)
    mark_interrupted (self);

  g_task_return_boolean (task, TRUE);
}

static gboolean
apply_outcomes_cb (gpointer user_data)
{
  PushOutcomes *outcomes = user_data;
  JnImportSession *self = g_task_get_source_object (outcomes->task);
  PushData *data = g_task_get_task_data (outcomes->result);
  GPtrArray *all = data->report->all, *failed = data->report->failed;
  guint end = MIN (outcomes->next + OUTCOMES_BATCH, all->len + failed->len);

  for (; outcomes->next < end; outcomes->next++)
    apply_operation_outcome (self, outcomes->next < all->len
                                     ? g_ptr_array_index (all, outcomes->next)
                                     : g_ptr_array_index (failed, outcomes->next - all->len),
                             outcomes->clear_rows);

  if (outcomes->next < all->len + failed->len)
    return G_SOURCE_CONTINUE;

  finish_push_step (self, outcomes->task, data);
  return G_SOURCE_REMOVE;
}

static void
push_step_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  JnImportSession *self = JN_IMPORT_SESSION (source);
  g_autoptr(GTask) task = user_data;
  PushOutcomes *outcomes;
  GError *error = NULL;

  jn_store_unlock (self->store);
  self->holds_lock = FALSE;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      end_work (self);
      /* What was sent is in the journal: the same step can be validated again */
      if (self->interrupt_pending)
        mark_interrupted (self);
      g_task_return_error (task, error);
      return;
    }

  /* Still busy (no decision, no other push) until every outcome is on its row */
  outcomes = g_new0 (PushOutcomes, 1);
  outcomes->task = g_steal_pointer (&task);
  outcomes->result = g_object_ref (G_TASK (result));
  outcomes->clear_rows = clear_rows_by_account (self);
  g_idle_add_full (G_PRIORITY_DEFAULT, apply_outcomes_cb, outcomes,
                   (GDestroyNotify)push_outcomes_free);
}

static void
start_push_step (JnImportSession     *self,
                 guint                step,
                 gpointer             source_tag,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  PushData *data;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  if (self->store == NULL || self->ent == NULL || self->plan == NULL)
    {
      g_task_return_new_error (task, JN_ERROR, JN_ERROR_INVALID_ARGUMENT, "%s",
                               _("Nothing to send: no plan, ENT or local store"));
      return;
    }
  if (self->state != JN_SESSION_STATE_STEPS && self->state != JN_SESSION_STATE_FINISHED)
    {
      g_task_return_new_error (task, JN_ERROR, JN_ERROR_INVALID_ARGUMENT, "%s",
                               _("This import is interrupted: resume it first"));
      return;
    }
  if (self->busy)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY, "%s",
                               _("Another operation of this import is under way"));
      return;
    }

  /* The store's lock counts its holders in this process: a second session (another window)
   * on the same store would take it again and push alongside */
  if (jn_store_is_locked (self->store))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY, "%s",
                               _("Another import is sending identifiers with this local store: "
                                 "wait for it to end"));
      return;
    }

  /* One push at a time for this ENT and establishment, whatever the store or the face */
  if (!jn_store_lock_target (self->store, jn_ent_describe (self->ent), self->uai, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  self->holds_lock = TRUE;
  if (!ensure_import (self, &error) || !check_import_current (self, &error))
    {
      jn_store_unlock (self->store);
      self->holds_lock = FALSE;
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* The state as the wizard knows it, in case of a crash during the push */
  jn_store_set_import_state (self->store, self->import_id, "running", NULL);

  begin_work (self, task, cancellable, _("Sending the identifiers…"));

  data = g_new0 (PushData, 1);
  data->self = self;
  data->store = g_object_ref (self->store);
  data->ent = g_object_ref (self->ent);
  data->plan = g_object_ref (self->plan);
  data->directory = g_object_ref (self->directory);
  data->fresh = g_get_monotonic_time () - self->directory_read_at < FRESH_DIRECTORY_USEC;
  data->import_id = g_strdup (self->import_id);
  data->step = step;
  data->retry = source_tag == jn_import_session_retry_failed_async;

  run_in_thread (self, g_steal_pointer (&task), data, (GDestroyNotify)push_data_free, push_step_thread,
                 push_step_done);
}

void
jn_import_session_validate_step_async (JnImportSession     *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (JN_IS_IMPORT_SESSION (self));

  if (self->current_step != self->n_validated || self->n_validated >= JN_N_STEPS)
    {
      g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

      g_task_set_source_tag (task, jn_import_session_validate_step_async);
      g_task_return_new_error (task, JN_ERROR, JN_ERROR_INVALID_ARGUMENT, "%s",
                               _("This step is already validated"));
      return;
    }

  start_push_step (self, self->current_step, jn_import_session_validate_step_async, cancellable,
                   callback, user_data);
}

gboolean
jn_import_session_validate_step_finish (JnImportSession  *self,
                                        GAsyncResult     *result,
                                        GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
jn_import_session_retry_failed_async (JnImportSession     *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (JN_IS_IMPORT_SESSION (self));

  if (self->n_validated == 0)
    {
      g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

      g_task_set_source_tag (task, jn_import_session_retry_failed_async);
      g_task_return_new_error (task, JN_ERROR, JN_ERROR_INVALID_ARGUMENT, "%s",
                               _("No step is validated yet"));
      return;
    }

  start_push_step (self, self->n_validated - 1, jn_import_session_retry_failed_async, cancellable,
                   callback, user_data);
}

gboolean
jn_import_session_retry_failed_finish (JnImportSession  *self,
                                       GAsyncResult     *result,
                                       GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
jn_import_session_interrupt (JnImportSession  *self,
                             GError          **error)
{
  g_return_val_if_fail (JN_IS_IMPORT_SESSION (self), FALSE);

  if (self->state != JN_SESSION_STATE_STEPS)
    return TRUE;

  if (self->busy)
    {
      /* Stops between two operations; the push's end marks the import */
      self->interrupt_pending = TRUE;
      g_cancellable_cancel (self->cancellable);
      return TRUE;
    }

  /* An import the admin never touched has nothing to keep */
  if (self->import_id == NULL && g_hash_table_size (self->decisions) == 0 && self->n_validated == 0)
    {
      set_state (self, JN_SESSION_STATE_INTERRUPTED);
      return TRUE;
    }

  if (!ensure_import (self, error))
    return FALSE;
  mark_interrupted (self);
  return TRUE;
}

GListModel *
jn_import_session_get_failures (JnImportSession *self)
{
  g_return_val_if_fail (JN_IS_IMPORT_SESSION (self), NULL);
  return G_LIST_MODEL (self->failures);
}

/* ---- 6. resume ---- */

JnImportRecord *
jn_import_session_find_interrupted (JnStore  *store,
                                    GError  **error)
{
  g_return_val_if_fail (JN_IS_STORE (store), NULL);
  return jn_store_find_interrupted_session (store, error);
}

gboolean
jn_import_session_discard (JnStore     *store,
                           const char  *import_id,
                           GError     **error)
{
  g_return_val_if_fail (JN_IS_STORE (store), FALSE);
  return jn_store_set_import_state (store, import_id, "superseded", error);
}

static JnImportRecord *
copy_record (const JnImportRecord *record)
{
  JnImportRecord *copy = g_new0 (JnImportRecord, 1);

  *copy = *record;
  copy->id = g_strdup (record->id);
  copy->started_at = g_strdup (record->started_at);
  copy->finished_at = g_strdup (record->finished_at);
  copy->mode = g_strdup (record->mode);
  copy->uai = g_strdup (record->uai);
  copy->ent = g_strdup (record->ent);
  copy->file_hash = g_strdup (record->file_hash);
  copy->state = g_strdup (record->state);
  copy->kind = g_strdup (record->kind);
  copy->file_path = g_strdup (record->file_path);

  return copy;
}

static void
resume_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  MatchData *data = task_data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  report_progress (data->self, -1, g_strdup (_("Reading the PRONOTE file…")));
  if (!jn_export_load (data->export, data->file, data->key_file, data->partner, cancellable, &error))
    goto failed;

  if (g_strcmp0 (jn_export_get_file_hash (data->export), data->record->file_hash) != 0)
    {
      g_autofree char *name = g_file_get_parse_name (data->file);

      g_set_error (&error, JN_ERROR, JN_ERROR_INVALID_FILE,
                   _("%s has changed since the import began: it cannot be resumed with it"), name);
      goto failed;
    }

  data->directory = jn_ent_read_directory (data->ent, data->uai, directory_progress_cb, data->self,
                                           cancellable, &error);
  if (data->directory == NULL)
    goto failed;

  report_progress (data->self, -1, g_strdup (_("Matching the accounts…")));
  if (!match_in_thread (data, cancellable, &error))
    goto failed;

  g_task_return_boolean (task, TRUE);
  return;

failed:
  g_task_return_error (task, error);
}

static void
resume_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  JnImportSession *self = JN_IMPORT_SESSION (source);
  g_autoptr(GTask) task = user_data;
  MatchData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) store_error = NULL;
  GError *error = NULL;

  end_work (self);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* What the envelope told (establishment, partners) helps the error page */
      if (jn_export_has_metadata (data->export))
        {
          g_set_object (&self->export, data->export);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPORT]);
        }
      g_task_return_error (task, error);
      return;
    }

  g_set_object (&self->file, data->file);
  g_set_object (&self->export, data->export);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPORT]);
  g_free (self->configured_uai);
  self->configured_uai = g_strdup (data->uai);
  update_uai (self);
  collect_warnings (self);
  for (guint i = 0; i < data->refused->len; i++)
    g_ptr_array_add (self->warnings,
                     g_strdup_printf (_("A choice made before the interruption no longer applies: %s"),
                                      (const char *)g_ptr_array_index (data->refused, i)));
  if (self->mode != data->mode)
    {
      self->mode = data->mode;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
    }
  g_set_object (&self->directory, data->directory);
  clear_accounts (self);
  self->directory_read_at = g_get_monotonic_time ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIRECTORY]);

  install_plan (self, data);
  self->import_id = g_strdup (data->record->id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IMPORT_ID]);
  /* The refused decisions are gone from the plan: from the store too */
  {
    g_autoptr(GHashTable) stored = jn_store_load_decisions (self->store, self->import_id, NULL);
    GHashTableIter iter;
    gpointer key;

    if (stored != NULL)
      {
        g_hash_table_iter_init (&iter, stored);
        while (g_hash_table_iter_next (&iter, &key, NULL))
          if (!g_hash_table_contains (self->decisions, key))
            jn_store_delete_decision (self->store, self->import_id, key, NULL);
      }
  }

  self->n_validated = MIN (data->record->step, JN_N_STEPS);
  /* Every step was sent (the process ended before it said so): finished, offered no more */
  if (self->n_validated >= JN_N_STEPS)
    jn_store_finish_import (self->store, self->import_id,
                            data->record->n_failed > 0 ? "partial" : "done", &store_error);
  else
    jn_store_set_import_state (self->store, self->import_id, "running", &store_error);
  if (self->current_step != MIN (self->n_validated, JN_N_STEPS - 1))
    {
      self->current_step = MIN (self->n_validated, JN_N_STEPS - 1);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_STEP]);
    }
  update_current_counts (self);
  set_state (self, self->n_validated >= JN_N_STEPS ? JN_SESSION_STATE_FINISHED : JN_SESSION_STATE_STEPS);

  g_task_return_boolean (task, TRUE);
}

void
jn_import_session_resume_async (JnImportSession     *self,
                                JnImportRecord      *record,
                                GFile               *key_file,
                                const char          *partner,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) stored = NULL;
  g_autoptr(GError) error = NULL;
  MatchData *data;

  g_return_if_fail (JN_IS_IMPORT_SESSION (self));
  g_return_if_fail (record != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, jn_import_session_resume_async);

  if (self->store == NULL || self->ent == NULL)
    {
      g_task_return_new_error (task, JN_ERROR, JN_ERROR_INVALID_ARGUMENT, "%s",
                               _("No ENT or local store to resume with"));
      return;
    }
  if (record->file_path == NULL)
    {
      g_task_return_new_error (task, JN_ERROR, JN_ERROR_INVALID_FILE, "%s",
                               _("This import did not record its file: it cannot be resumed"));
      return;
    }
  if (g_strcmp0 (record->ent, jn_ent_describe (self->ent)) != 0)
    {
      g_task_return_new_error (task, JN_ERROR, JN_ERROR_INVALID_ARGUMENT,
                               _("This import was made with another ENT (%s): connect to it to "
                                 "resume"), record->ent);
      return;
    }
  stored = jn_store_load_decisions (self->store, record->id, &error);
  if (stored == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!begin_work (self, task, cancellable, _("Resuming the interrupted import…")))
    return;

  reset (self);

  data = g_new0 (MatchData, 1);
  data->self = self;
  data->export = jn_export_new ();
  data->uai = g_strdup (record->uai);
  if (!jn_import_mode_from_string (record->mode, &data->mode))
    data->mode = JN_IMPORT_MODE_PARTIAL;
  data->stored = g_steal_pointer (&stored);
  data->file = g_file_new_for_path (record->file_path);
  data->key_file = key_file ? g_object_ref (key_file) : NULL;
  data->partner = g_strdup (partner);
  data->record = copy_record (record);
  data->ent = g_object_ref (self->ent);

  run_in_thread (self, g_steal_pointer (&task), data, (GDestroyNotify)match_data_free, resume_thread,
                 resume_done);
}

gboolean
jn_import_session_resume_finish (JnImportSession  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- the CLI's one-shot push ---- */

static void
push_all_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  PushData *data = task_data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  data->report = jn_push_run (data->store, data->ent, data->plan, data->directory, data->file_hash,
                              data->decisions, push_progress_cb, data, cancellable, &error);
  if (data->report == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
push_all_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  JnImportSession *self = JN_IMPORT_SESSION (source);
  g_autoptr(GTask) task = user_data;
  PushData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GHashTable) clear_rows = NULL;
  GError *error = NULL;

  end_work (self);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }

  clear_rows = clear_rows_by_account (self);
  for (guint i = 0; i < data->report->failed->len; i++)
    apply_operation_outcome (self, g_ptr_array_index (data->report->failed, i), clear_rows);
  refresh_failures (self);
  set_state (self, JN_SESSION_STATE_FINISHED);

  g_task_return_pointer (task, g_steal_pointer (&data->report), (GDestroyNotify)jn_push_report_free);
}

void
jn_import_session_push_all_async (JnImportSession     *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  PushData *data;

  g_return_if_fail (JN_IS_IMPORT_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, jn_import_session_push_all_async);

  if (self->store == NULL || self->ent == NULL || self->plan == NULL)
    {
      g_task_return_new_error (task, JN_ERROR, JN_ERROR_INVALID_ARGUMENT, "%s",
                               _("Nothing to send: no plan, ENT or local store"));
      return;
    }
  if (!begin_work (self, task, cancellable, _("Sending the identifiers…")))
    return;

  data = g_new0 (PushData, 1);
  data->self = self;
  data->store = g_object_ref (self->store);
  data->ent = g_object_ref (self->ent);
  data->plan = g_object_ref (self->plan);
  data->directory = g_object_ref (self->directory);
  data->file_hash = g_strdup (jn_export_get_file_hash (self->export));
  /* The decisions as the file gave them: an unfinished push of the same ones resumes */
  data->decisions = g_hash_table_ref (self->given_decisions ? self->given_decisions : self->decisions);

  run_in_thread (self, g_steal_pointer (&task), data, (GDestroyNotify)push_data_free, push_all_thread,
                 push_all_done);
}

JnPushReport *
jn_import_session_push_all_finish (JnImportSession  *self,
                                   GAsyncResult     *result,
                                   GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
