/* jn-push.c: executes a plan through the journal, step by step, resumably
 *
 * Nothing is sent before it is journalled. Each operation goes planned → sent → done or
 * failed; a "sent" operation found at start-up had an unknown outcome (crash, kill, lost
 * network): the user is read again and the operation decided anew, so it is applied once.
 *
 * One identifier, one account, whatever the plan says: before an identifier is sent, the
 * engine checks that no other account of the establishment holds it (in the directory as
 * read, as changed by this push) and that no other operation of the import gives it. An
 * identifier still held elsewhere is not sent (a 409-like conflict, reported): complete
 * mode removes stale holders first, in the step of the write that needs it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-push"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "jn-error.h"
#include "jn-push.h"
#include "jn-types.h"

void
jn_push_report_free (JnPushReport *report)
{
  if (report == NULL)
    return;

  g_free (report->import_id);
  g_clear_pointer (&report->failed, g_ptr_array_unref);
  g_clear_pointer (&report->all, g_ptr_array_unref);
  g_free (report);
}

static int
status_for_error (const GError *error)
{
  if (error == NULL || error->domain != JN_ERROR)
    return 0;

  switch (error->code)
    {
    case JN_ERROR_ENT_AUTH: return 401;
    case JN_ERROR_ENT_NOT_FOUND: return 404;
    case JN_ERROR_ENT_CONFLICT: return 409;
    case JN_ERROR_ENT_STALE: return 412;
    case JN_ERROR_ENT_REFUSED: return 400;
    case JN_ERROR_ENT_SERVER: return 500;
    default: return 0;
    }
}

const char *
jn_push_status_for_error (const GError *error)
{
  switch (status_for_error (error))
    {
    case 401: return "401";
    case 404: return "404";
    case 409: return "409";
    case 412: return "412";
    case 400: return "400";
    case 500: return "500";
    default: return "network";
    }
}

/* The push cannot go on: the rest would fail the same way */
static gboolean
is_fatal (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
         g_error_matches (error, JN_ERROR, JN_ERROR_ENT_UNREACHABLE) ||
         g_error_matches (error, JN_ERROR, JN_ERROR_ENT_AUTH) ||
         g_error_matches (error, JN_ERROR, JN_ERROR_ENT_SERVER) ||
         (error->domain == JN_ERROR && error->code == JN_ERROR_IO);
}

static char *
fold (const char *pronote_id)
{
  char *folded = jn_pronote_id_fold (pronote_id);

  return folded ? folded : g_strdup (pronote_id);
}

static JnOperation *
clear_operation (JnPlanItem *item,
                 guint       step,
                 const char *uai)
{
  JnOperation *op = g_new0 (JnOperation, 1);

  op->category = step;
  op->kind = JN_OP_CLEAR;
  op->ent_id = g_strdup (jn_ent_user_get_id (jn_plan_item_get_user (item)));
  op->uai = g_strdup (uai);
  op->old_pronote_id = g_strdup (jn_plan_item_get_pronote_id (item));

  return op;
}

/* @with_clears: FALSE when the directory is not known to be whole (a stale identifier
 * may be one the truncated listing did not show to the matcher): nothing is removed */
static GPtrArray *
operations_from_plan (JnPlan   *plan,
                      gboolean  with_clears)
{
  GPtrArray *ops = g_ptr_array_new_with_free_func ((GDestroyNotify)jn_operation_free);
  const char *uai = jn_plan_get_uai (plan);
  g_autoptr(GHashTable) given = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *clears[JN_N_CATEGORIES];

  /* The step that first gives each identifier */
  for (guint c = JN_N_CATEGORIES; c-- > 0;)
    {
      GListModel *items = jn_plan_get_items (plan, c);

      for (guint i = 0; i < g_list_model_get_n_items (items); i++)
        {
          g_autoptr(JnPlanItem) item = g_list_model_get_item (items, i);

          if (jn_plan_item_get_state (item) == JN_PLAN_STATE_MATCHED &&
              jn_plan_item_get_pronote_id (item) != NULL)
            g_hash_table_insert (given, fold (jn_plan_item_get_pronote_id (item)), GUINT_TO_POINTER (c));
        }
    }

  /* A stale holder is cleared in its own step, or earlier in the step of the write that
   * gives its identifier to another account: never two holders, even for a moment */
  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    clears[c] = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint c = 0; c < JN_N_CATEGORIES && with_clears; c++)
    {
      GListModel *model = jn_plan_get_clears (plan, c);

      for (guint i = 0; i < g_list_model_get_n_items (model); i++)
        {
          JnPlanItem *item = g_list_model_get_item (model, i);
          g_autofree char *folded = fold (jn_plan_item_get_pronote_id (item));
          gpointer step;
          guint target = c;

          if (folded != NULL && g_hash_table_lookup_extended (given, folded, NULL, &step))
            target = MIN (c, GPOINTER_TO_UINT (step));
          g_ptr_array_add (clears[target], item);
        }
    }

  /* The six steps in order. In each, identifiers are freed before they are given: the
   * removals, then the replacements, then the new ones; a server that enforces uniqueness
   * would otherwise refuse an identifier moving from one user to another (409). */
  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    {
      GListModel *items = jn_plan_get_items (plan, c);

      for (guint i = 0; i < clears[c]->len; i++)
        g_ptr_array_add (ops, clear_operation (g_ptr_array_index (clears[c], i), c, uai));

      for (guint pass = 0; pass < 2; pass++)
        for (guint i = 0; i < g_list_model_get_n_items (items); i++)
          {
            g_autoptr(JnPlanItem) item = g_list_model_get_item (items, i);
            JnPlanAction action = jn_plan_item_get_action (item);
            JnEntUser *user = jn_plan_item_get_user (item);
            JnOperation *op;

            if (jn_plan_item_get_state (item) != JN_PLAN_STATE_MATCHED ||
                action != (pass == 0 ? JN_PLAN_ACTION_REPLACE : JN_PLAN_ACTION_SET))
              continue;
            /* An identifier PRONOTE did not write is never sent, whatever the plan says */
            if (jn_plan_item_get_blocked (item) ||
                !jn_pronote_id_is_wellformed (jn_plan_item_get_pronote_id (item)))
              continue;

            op = g_new0 (JnOperation, 1);
            op->category = c;
            op->kind = action == JN_PLAN_ACTION_SET ? JN_OP_SET : JN_OP_REPLACE;
            op->ent_id = g_strdup (jn_ent_user_get_id (user));
            op->uai = g_strdup (uai);
            op->pronote_id = g_strdup (jn_plan_item_get_pronote_id (item));
            op->old_pronote_id = g_strdup (jn_ent_user_get_pronote_id (user, uai));
            op->record_id = g_strdup (jn_plan_item_get_pronote_id (item));
            g_ptr_array_add (ops, op);
          }
      g_ptr_array_unref (clears[c]);
    }

  return ops;
}

/* ---- who holds what ---- */

typedef struct
{
  GMutex      mutex;
  GHashTable *by_value;    /* folded identifier → GHashTable (set) of ENT ids */
  GHashTable *disputed;    /* folded identifiers several operations give */
} Holders;

static void
holders_add (Holders    *holders,
             const char *value,
             const char *ent_id)
{
  g_autofree char *folded = fold (value);
  GHashTable *set = g_hash_table_lookup (holders->by_value, folded);

  if (set == NULL)
    {
      set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (holders->by_value, g_steal_pointer (&folded), set);
    }
  g_hash_table_add (set, g_strdup (ent_id));
}

/* From the directory as read (NULL: unknown, only this push's own writes are known) and
 * the import's operations */
static Holders *
holders_new (JnDirectory *directory,
             GPtrArray   *ops)
{
  Holders *holders = g_new0 (Holders, 1);
  g_autoptr(GHashTable) given = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *uai = NULL;

  g_mutex_init (&holders->mutex);
  holders->by_value = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify)g_hash_table_unref);
  holders->disputed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < ops->len; i++)
    {
      JnOperation *op = g_ptr_array_index (ops, i);
      char *folded;
      const char *other;

      uai = op->uai;
      if (op->pronote_id == NULL || op->state == JN_OP_SUPERSEDED)
        continue;
      folded = fold (op->pronote_id);
      other = g_hash_table_lookup (given, folded);
      if (other != NULL && g_strcmp0 (other, op->ent_id) != 0)
        g_hash_table_add (holders->disputed, folded);
      else
        g_hash_table_insert (given, folded, op->ent_id);
    }

  if (directory != NULL && uai != NULL)
    {
      GListModel *users = jn_directory_get_users (directory);

      for (guint i = 0; i < g_list_model_get_n_items (users); i++)
        {
          g_autoptr(JnEntUser) user = g_list_model_get_item (users, i);
          const char *value = jn_ent_user_get_pronote_id (user, uai);

          if (value != NULL)
            holders_add (holders, value, jn_ent_user_get_id (user));
        }
    }

  return holders;
}

static void
holders_free (Holders *holders)
{
  g_clear_pointer (&holders->by_value, g_hash_table_unref);
  g_clear_pointer (&holders->disputed, g_hash_table_unref);
  g_mutex_clear (&holders->mutex);
  g_free (holders);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Holders, holders_free)

/* Reserves @op's identifier for its user before it is sent. FALSE, with the conflict
 * set as @op's outcome, when another account holds it or another operation gives it. The
 * reservation stays when the outcome is unknown: the safe side. */
static gboolean
holders_claim (Holders     *holders,
               JnOperation *op)
{
  g_autofree char *folded = NULL;
  g_autofree char *other = NULL;
  g_autofree char *detail = NULL;
  gboolean disputed;
  GHashTable *set;

  if (op->pronote_id == NULL)
    return TRUE;

  folded = fold (op->pronote_id);
  g_mutex_lock (&holders->mutex);
  disputed = g_hash_table_contains (holders->disputed, folded);
  set = g_hash_table_lookup (holders->by_value, folded);
  if (set != NULL)
    {
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, set);
      while (other == NULL && g_hash_table_iter_next (&iter, &key, NULL))
        if (g_strcmp0 (key, op->ent_id) != 0)
          other = g_strdup (key);
    }
  if (!disputed && other == NULL)
    holders_add (holders, op->pronote_id, op->ent_id);
  g_mutex_unlock (&holders->mutex);

  if (!disputed && other == NULL)
    return TRUE;

  if (disputed)
    detail = g_strdup_printf (_("the import gives the identifier %s to several accounts: "
                                "given to none"), op->pronote_id);
  else
    detail = g_strdup_printf (_("the identifier %s is already held by the ENT user “%s” for %s: "
                                "not given to a second account"),
                              op->pronote_id, other, op->uai);
  op->state = JN_OP_FAILED;
  op->status = 409;
  g_free (op->detail);
  op->detail = g_steal_pointer (&detail);

  return FALSE;
}

/* @op is done: its user no longer holds the identifier it had */
static void
holders_release (Holders     *holders,
                 JnOperation *op)
{
  g_autofree char *old = NULL;
  g_autofree char *new = NULL;
  GHashTable *set;

  if (op->state != JN_OP_DONE || op->old_pronote_id == NULL)
    return;

  old = fold (op->old_pronote_id);
  new = fold (op->pronote_id);
  if (g_strcmp0 (old, new) == 0)
    return;

  g_mutex_lock (&holders->mutex);
  set = g_hash_table_lookup (holders->by_value, old);
  if (set != NULL)
    g_hash_table_remove (set, op->ent_id);
  g_mutex_unlock (&holders->mutex);
}

static guint
count_unchanged (JnPlan *plan)
{
  guint n = 0;

  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    n += jn_plan_count_action (plan, c, JN_PLAN_ACTION_UNCHANGED);

  return n;
}

#define BATCH_SIZE 32

static void
set_outcome (JnOperation  *op,
             JnOpState     state,
             int           status,
             const char   *detail)
{
  op->state = state;
  op->status = status;
  g_free (op->detail);
  op->detail = g_strdup (detail);
}

/* Applies one operation already journalled as sent. Sets its outcome, except when the
 * push must stop (returns FALSE with @error; the operation stays "sent": the resume will
 * read the ENT and decide). On a buffered ENT a successful write stays "sent" until the
 * flush. */
static gboolean
apply_operation (JnEnt         *ent,
                 JnOperation   *op,
                 gboolean       fresh,
                 JnDirectory   *directory,
                 Holders       *holders,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(JnEntUser) user = NULL;
  g_autoptr(JnEntUser) written = NULL;
  g_autoptr(GError) local_error = NULL;

  if (fresh && directory != NULL && jn_directory_lookup (directory, op->ent_id) != NULL)
    user = g_object_ref (jn_directory_lookup (directory, op->ent_id));
  /* A directory that no longer holds what the plan was made from (changed by the app
   * since): the ENT is asked */
  if (user != NULL && g_strcmp0 (jn_ent_user_get_pronote_id (user, op->uai), op->old_pronote_id) != 0)
    g_clear_object (&user);

  if (user == NULL)
    {
      /* Resumed, or a retry: what does the ENT hold now? */
      user = jn_ent_read_user (ent, op->ent_id, cancellable, &local_error);
      if (user == NULL)
        goto failed;

      if (g_strcmp0 (jn_ent_user_get_pronote_id (user, op->uai), op->pronote_id) == 0)
        {
          /* A buffered ENT may hold it in memory only: done after the flush. Held in two
           * entries (concurrent writers): not done, the write below repairs it. */
          if (jn_ent_user_count_pronote_ids (user, op->uai) <= 1 || op->pronote_id == NULL)
            {
              if (!jn_ent_get_buffered (ent))
                set_outcome (op, JN_OP_DONE, 200, _("already in place"));
              return TRUE;
            }
        }
      else if (g_strcmp0 (jn_ent_user_get_pronote_id (user, op->uai), op->old_pronote_id) != 0)
        {
          g_set_error (&local_error, JN_ERROR, JN_ERROR_ENT_STALE,
                       _("the user “%s” was changed in the ENT meanwhile: not overwritten"),
                       op->ent_id);
          goto failed;
        }
    }

  /* Never a second holder: refused before anything is sent */
  if (!holders_claim (holders, op))
    return TRUE;

  written = jn_ent_write_pronote_id (ent, user, op->uai, op->pronote_id, cancellable, &local_error);
  if (written == NULL)
    goto failed;

  if (!jn_ent_get_buffered (ent))
    set_outcome (op, JN_OP_DONE, 200, NULL);
  return TRUE;

failed:
  if (is_fatal (local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  set_outcome (op, JN_OP_FAILED, status_for_error (local_error), local_error->message);
  return TRUE;
}

static guint concurrency = 4;

void
jn_push_set_concurrency (guint n)
{
  concurrency = CLAMP (n, 1, 32);
}

typedef struct
{
  JnEnt        *ent;
  GPtrArray    *batch;
  GPtrArray    *fresh;
  GPtrArray    *written;
  JnDirectory  *directory;
  Holders      *holders;
  GCancellable *cancellable;
  guint         next;       /* atomic */
  GError       *stop;       /* under mutex */
  GMutex        mutex;
} Workers;

static gpointer
worker_thread (gpointer data)
{
  Workers *workers = data;

  for (;;)
    {
      guint i = (guint)g_atomic_int_add (&workers->next, 1);
      g_autoptr(GError) error = NULL;
      JnOperation *op;
      gboolean fresh, ok;

      if (i >= workers->batch->len)
        break;
      if (((JnOperation *)g_ptr_array_index (workers->batch, i))->state != JN_OP_SENT)
        continue;   /* decided by the Bulk round trip */

      g_mutex_lock (&workers->mutex);
      /* Stopped, or cancelled: what was not sent stays "sent", the resume decides */
      if (workers->stop == NULL)
        g_cancellable_set_error_if_cancelled (workers->cancellable, &workers->stop);
      fresh = g_ptr_array_find (workers->fresh, g_ptr_array_index (workers->batch, i), NULL);
      if (workers->stop != NULL)
        {
          g_mutex_unlock (&workers->mutex);
          break;
        }
      g_mutex_unlock (&workers->mutex);

      op = g_ptr_array_index (workers->batch, i);
      ok = apply_operation (workers->ent, op, fresh, workers->directory, workers->holders,
                            workers->cancellable, &error);

      g_mutex_lock (&workers->mutex);
      if (!ok && workers->stop == NULL)
        workers->stop = g_steal_pointer (&error);
      else if (ok && op->state == JN_OP_SENT)
        g_ptr_array_add (workers->written, op);
      g_mutex_unlock (&workers->mutex);
    }

  return NULL;
}

/* Sends the fresh operations of a batch in one round trip. What it cannot settle (no
 * answer, a user changed meanwhile, a form the server refused) is left to the one-by-one
 * path, which reads the user first. FALSE only when the push must stop. */
static gboolean
run_bulk (JnEnt         *ent,
          GPtrArray     *fresh,
          JnDirectory   *directory,
          Holders       *holders,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autofree JnEntWrite *writes = g_new0 (JnEntWrite, fresh->len);
  g_autofree JnOperation **ops = g_new0 (JnOperation *, fresh->len);
  g_autoptr(GError) local_error = NULL;
  guint n = 0;

  for (guint i = 0; i < fresh->len; i++)
    {
      JnOperation *op = g_ptr_array_index (fresh, i);
      JnEntUser *user = jn_directory_lookup (directory, op->ent_id);

      if (user == NULL || jn_ent_user_get_version (user) == NULL)
        continue;   /* unguarded: the one-by-one path reads it first */
      if (!holders_claim (holders, op))
        continue;   /* decided: a conflict, nothing sent */
      ops[n] = op;
      writes[n].user = user;
      writes[n].uai = op->uai;
      writes[n].pronote_id = op->pronote_id;
      n++;
    }

  if (!jn_ent_write_many (ent, writes, n, cancellable, &local_error))
    {
      for (guint i = 0; i < n; i++)
        jn_ent_write_clear (&writes[i]);

      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_error_matches (local_error, JN_ERROR, JN_ERROR_ENT_AUTH))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      /* Unknown outcome: every one is read again and decided alone */
      g_ptr_array_set_size (fresh, 0);
      return TRUE;
    }

  for (guint i = 0; i < n; i++)
    {
      if (writes[i].result != NULL)
        set_outcome (ops[i], JN_OP_DONE, 200, NULL);
      else if (g_error_matches (writes[i].error, JN_ERROR, JN_ERROR_ENT_STALE) ||
               g_error_matches (writes[i].error, JN_ERROR, JN_ERROR_ENT_REFUSED) ||
               g_error_matches (writes[i].error, JN_ERROR, JN_ERROR_ENT_SERVER))
        g_ptr_array_remove (fresh, ops[i]);
      else
        set_outcome (ops[i], JN_OP_FAILED, status_for_error (writes[i].error), writes[i].error->message);

      jn_ent_write_clear (&writes[i]);
    }

  return TRUE;
}

/* Runs one batch: journalled as sent, applied, flushed, journalled with its outcomes */
static gboolean
run_batch (JnStore       *store,
           JnEnt         *ent,
           const char    *import_id,
           GPtrArray     *batch,
           gboolean       resumed,
           JnDirectory   *directory,
           Holders       *holders,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GPtrArray) fresh = g_ptr_array_new ();
  g_autoptr(GPtrArray) written = g_ptr_array_new ();   /* buffered writes awaiting the flush */
  g_autoptr(GError) stop = NULL;

  /* Planned operations are fresh: the directory the plan was made from is their state.
   * Anything else had an unknown outcome and is decided again from the ENT. */
  for (guint i = 0; i < batch->len; i++)
    {
      JnOperation *op = g_ptr_array_index (batch, i);

      if (!resumed && op->state == JN_OP_PLANNED)
        g_ptr_array_add (fresh, op);
      set_outcome (op, JN_OP_SENT, 0, NULL);
    }

  /* Nothing is sent before it is journalled */
  if (!jn_store_save_operations (store, import_id, batch, error))
    return FALSE;

  if (jn_ent_get_batch_size (ent) > 1 && fresh->len > 1 &&
      !run_bulk (ent, fresh, directory, holders, cancellable, error))
    return FALSE;

  {
    Workers workers = { ent, batch, fresh, written, directory, holders, cancellable, 0, NULL, { 0 } };
    guint n_threads = jn_ent_get_buffered (ent) ? 1 : MIN (concurrency, batch->len);
    g_autoptr(GPtrArray) threads = g_ptr_array_new ();

    /* The operations of a batch concern distinct users: they may go in parallel. */
    g_mutex_init (&workers.mutex);
    for (guint t = 1; t < n_threads; t++)
      g_ptr_array_add (threads, g_thread_new ("jn-push", worker_thread, &workers));
    worker_thread (&workers);
    for (guint t = 0; t < threads->len; t++)
      g_thread_join (g_ptr_array_index (threads, t));
    g_mutex_clear (&workers.mutex);
    stop = g_steal_pointer (&workers.stop);
  }

  if (jn_ent_get_buffered (ent))
    {
      g_autoptr(GError) flush_error = NULL;

      /* Even when the push stops, what was written is made durable and recorded */
      if (jn_ent_flush (ent, NULL, &flush_error))
        {
          for (guint i = 0; i < written->len; i++)
            set_outcome (g_ptr_array_index (written, i), JN_OP_DONE, 200, NULL);
        }
      else if (stop == NULL)
        {
          stop = g_steal_pointer (&flush_error);
        }
    }

  for (guint i = 0; i < batch->len; i++)
    holders_release (holders, g_ptr_array_index (batch, i));

  if (!jn_store_save_operations (store, import_id, batch, error))
    return FALSE;

  if (stop != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&stop));
      return FALSE;
    }

  return TRUE;
}

/* @directory: the state the plan was made from, for its fresh operations (NULL when
 * resumed); @holders_directory: the ENT as read before this run, for who holds what.
 * @last_step: -1 runs the whole import and finishes it; a step (the wizard) runs the
 * operations of the steps up to it that are not done, and leaves the import running. */
static JnPushReport *
execute (JnStore         *store,
         JnEnt           *ent,
         const char      *import_id,
         gboolean         resumed,
         JnDirectory     *directory,
         JnDirectory     *holders_directory,
         int              last_step,
         JnPushProgress   progress,
         gpointer         progress_data,
         GCancellable    *cancellable,
         GError         **error)
{
  g_autoptr(GPtrArray) ops = NULL;
  g_autoptr(JnImportRecord) record = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JnPushReport) report = NULL;
  g_autoptr(Holders) holders = NULL;
  guint i = 0;

  ops = jn_store_list_operations (store, import_id, error);
  if (ops == NULL)
    return NULL;
  holders = holders_new (holders_directory, ops);

  /* Step by step, in the six-step order: a finished step stays imported even when a
   * later one is interrupted. */
  while (i < ops->len)
    {
      JnCategory category = ((JnOperation *)g_ptr_array_index (ops, i))->category;
      g_autoptr(GPtrArray) conflicts = g_ptr_array_new ();
      guint first = i, total = 0;

      while (i + total < ops->len && ((JnOperation *)g_ptr_array_index (ops, i + total))->category == category)
        total++;

      if (last_step >= 0 && (int)category > last_step)
        {
          i += total;
          continue;
        }

      while (i < first + total)
        {
          g_autoptr(GPtrArray) batch = g_ptr_array_new ();
          guint end = MIN (i + BATCH_SIZE, first + total);
          JnOpKind kind = ((JnOperation *)g_ptr_array_index (ops, i))->kind;

          /* A batch runs in parallel: it never mixes removals, replacements and new ones */
          for (; i < end && ((JnOperation *)g_ptr_array_index (ops, i))->kind == kind; i++)
            {
              JnOperation *op = g_ptr_array_index (ops, i);

              if (op->state != JN_OP_DONE && op->state != JN_OP_SUPERSEDED)
                g_ptr_array_add (batch, op);
            }

          if (batch->len > 0 &&
              (g_cancellable_set_error_if_cancelled (cancellable, &local_error) ||
               !run_batch (store, ent, import_id, batch, resumed, directory, holders, cancellable,
                           &local_error)))
            {
              if (last_step < 0)
                jn_store_finish_import (store, import_id, "interrupted", NULL);
              g_propagate_error (error, g_steal_pointer (&local_error));
              return NULL;
            }

          for (guint k = 0; k < batch->len; k++)
            if (((JnOperation *)g_ptr_array_index (batch, k))->status == 409)
              g_ptr_array_add (conflicts, g_ptr_array_index (batch, k));

          if (progress != NULL)
            progress (category, i - first, total, progress_data);
        }

      /* An identifier refused as held by another user may have been freed since by this
       * step (a chain of replacements): once more, reading each user first. */
      if (conflicts->len > 0 &&
          !run_batch (store, ent, import_id, conflicts, TRUE, NULL, holders, cancellable, &local_error))
        {
          if (last_step < 0)
            jn_store_finish_import (store, import_id, "interrupted", NULL);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      /* The step is over: an ENT that logs its writes folds them into its state file */
      if (!jn_ent_checkpoint (ent, NULL, &local_error))
        {
          jn_store_finish_import (store, import_id, "interrupted", NULL);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

  report = g_new0 (JnPushReport, 1);
  report->import_id = g_strdup (import_id);
  report->resumed = resumed;
  report->failed = g_ptr_array_new_with_free_func ((GDestroyNotify)jn_operation_free);

  if (last_step >= 0)
    {
      /* The steps run so far: their counts come from their operations */
      for (guint k = 0; k < ops->len; k++)
        {
          JnOperation *op = g_ptr_array_index (ops, k);

          if ((int)op->category > last_step)
            continue;
          if (op->state == JN_OP_DONE)
            {
              if (op->kind == JN_OP_SET)
                report->n_set++;
              else if (op->kind == JN_OP_REPLACE)
                report->n_replaced++;
              else
                report->n_cleared++;
            }
          else if (op->state == JN_OP_FAILED)
            {
              g_ptr_array_add (report->failed, g_ptr_array_steal_index (ops, k--));
            }
        }
      report->all = g_steal_pointer (&ops);
      return g_steal_pointer (&report);
    }

  for (guint k = 0; k < ops->len; k++)
    {
      JnOperation *op = g_ptr_array_index (ops, k);

      if (op->state == JN_OP_FAILED)
        g_ptr_array_add (report->failed, g_ptr_array_steal_index (ops, k--));
    }

  if (!jn_store_finish_import (store, import_id, report->failed->len ? "partial" : "done", error))
    return NULL;

  record = jn_store_get_import (store, import_id, error);
  if (record == NULL)
    return NULL;
  report->n_set = record->n_set;
  report->n_replaced = record->n_replaced;
  report->n_cleared = record->n_cleared;
  report->n_unchanged = record->n_unchanged;

  return g_steal_pointer (&report);
}

JnPushReport *
jn_push_run (JnStore         *store,
             JnEnt           *ent,
             JnPlan          *plan,
             JnDirectory     *directory,
             const char      *file_hash,
             GHashTable      *decisions,
             JnPushProgress   progress,
             gpointer         progress_data,
             GCancellable    *cancellable,
             GError         **error)
{
  g_autoptr(JnImportRecord) resumable = NULL;
  g_autoptr(GPtrArray) ops = NULL;
  g_autofree char *import_id = NULL;
  const char *mode;

  g_return_val_if_fail (JN_IS_STORE (store), NULL);
  g_return_val_if_fail (JN_IS_ENT (ent), NULL);
  g_return_val_if_fail (JN_IS_PLAN (plan), NULL);
  g_return_val_if_fail (file_hash != NULL, NULL);

  mode = jn_import_mode_to_string (jn_plan_get_mode (plan));
  resumable = jn_store_find_resumable (store, jn_plan_get_uai (plan), mode, jn_ent_describe (ent),
                                       file_hash, decisions);
  if (resumable != NULL)
    return execute (store, ent, resumable->id, TRUE, NULL, directory, -1, progress, progress_data,
                    cancellable, error);

  /* Planned with other decisions: that plan is not resumed but replaced by this one, made
   * from what the ENT holds now (what the old one did is there). */
  if (!jn_store_supersede_unfinished (store, jn_plan_get_uai (plan), mode, jn_ent_describe (ent),
                                      file_hash, error))
    return NULL;

  ops = operations_from_plan (plan, directory == NULL || jn_directory_get_complete (directory));
  import_id = jn_store_begin_import (store, mode, jn_plan_get_uai (plan), jn_ent_describe (ent),
                                     file_hash, decisions, ops, count_unchanged (plan), error);
  if (import_id == NULL)
    return NULL;

  return execute (store, ent, import_id, FALSE, directory, directory, -1, progress, progress_data,
                  cancellable, error);
}

JnPushReport *
jn_push_resume (JnStore         *store,
                JnEnt           *ent,
                const char      *import_id,
                JnPushProgress   progress,
                gpointer         progress_data,
                GCancellable    *cancellable,
                GError         **error)
{
  g_return_val_if_fail (JN_IS_STORE (store), NULL);
  g_return_val_if_fail (JN_IS_ENT (ent), NULL);

  return execute (store, ent, import_id, TRUE, NULL, NULL, -1, progress, progress_data, cancellable,
                  error);
}

JnPushReport *
jn_push_set_one (JnStore       *store,
                 JnEnt         *ent,
                 JnEntUser     *user,
                 const char    *uai,
                 const char    *pronote_id,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)jn_operation_free);
  g_autoptr(JnDirectory) directory = jn_directory_new (NULL);
  g_autoptr(JnDirectory) everyone = NULL;
  g_autofree char *import_id = NULL;
  g_autofree char *hash = NULL;
  JnOperation *op = g_new0 (JnOperation, 1);
  JnCategory category = JN_CATEGORY_STUDENT;
  const char *current = jn_ent_user_get_pronote_id (user, uai);

  g_return_val_if_fail (JN_IS_STORE (store), NULL);
  g_return_val_if_fail (JN_IS_ENT_USER (user), NULL);

  /* Who else holds it: the establishment's directory as it is now */
  if (pronote_id != NULL)
    {
      everyone = jn_ent_read_directory (ent, uai, NULL, NULL, cancellable, error);
      if (everyone == NULL)
        {
          jn_operation_free (op);
          return NULL;
        }
    }

  jn_ent_user_get_category (user, &category);
  op->category = category;
  op->kind = pronote_id == NULL ? JN_OP_CLEAR : current == NULL ? JN_OP_SET : JN_OP_REPLACE;
  op->ent_id = g_strdup (jn_ent_user_get_id (user));
  op->uai = g_strdup (uai);
  op->pronote_id = g_strdup (pronote_id);
  op->old_pronote_id = g_strdup (current);
  op->record_id = g_strdup (pronote_id);
  g_ptr_array_add (ops, op);

  /* Each single edit is its own import: never resumed into another one */
  hash = g_uuid_string_random ();
  import_id = jn_store_begin_import (store, "single", uai, jn_ent_describe (ent), hash, NULL, ops,
                                     0, error);
  if (import_id == NULL)
    return NULL;

  jn_directory_add_user (directory, user);
  return execute (store, ent, import_id, FALSE, directory, everyone, -1, NULL, NULL, cancellable,
                  error);
}

/* The operations of an unfinished single edit, as the journal holds them, are what
 * jn_push_set_one() journals: an account, @uai's entry, an identifier set-id would accept */
static gboolean
edit_is_sendable (GPtrArray  *ops,
                  const char *uai)
{
  for (guint k = 0; k < ops->len; k++)
    {
      JnOperation *op = g_ptr_array_index (ops, k);

      if (op->state == JN_OP_DONE || op->state == JN_OP_SUPERSEDED)
        continue;
      if (op->ent_id == NULL || *op->ent_id == '\0' || !g_utf8_validate (op->ent_id, -1, NULL) ||
          strlen (op->ent_id) > 1024)
        return FALSE;
      if (op->uai == NULL || g_ascii_strcasecmp (op->uai, uai) != 0)
        return FALSE;
      if (op->pronote_id != NULL && jn_pronote_id_check (op->pronote_id) == JN_PRONOTE_ID_INVALID)
        return FALSE;
      if ((op->kind == JN_OP_CLEAR) != (op->pronote_id == NULL))
        return FALSE;
    }

  return TRUE;
}

/* An edit interrupted longer ago than this is not sent without the admin: the account may
 * have gone through other values and back to the one it was read with (cleared at the
 * start of a year, say), and its author was told then that it had failed */
#define EDIT_MAX_AGE G_TIME_SPAN_DAY

static gboolean
edit_is_too_old (JnImportRecord *edit)
{
  g_autoptr(GDateTime) started = edit->started_at != NULL
                                   ? g_date_time_new_from_iso8601 (edit->started_at, NULL)
                                   : NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  /* An unreadable date is no recent one */
  return started == NULL || g_date_time_difference (now, started) > EDIT_MAX_AGE;
}

/* Closes an edit too old to be finished: what landed before the interruption is recorded
 * done (the account is read), nothing is sent. FALSE with @error when the ENT cannot be
 * reached: it stays unfinished. */
static gboolean
close_old_edit (JnStore         *store,
                JnEnt           *ent,
                JnImportRecord  *edit,
                GPtrArray       *ops,
                GCancellable    *cancellable,
                GError         **error)
{
  g_autoptr(GDateTime) started = edit->started_at != NULL
                                   ? g_date_time_new_from_iso8601 (edit->started_at, NULL)
                                   : NULL;
  g_autoptr(GDateTime) local = started != NULL ? g_date_time_to_local (started) : NULL;
  /* TRANSLATORS: a date and time as g_date_time_format() writes it; in French
   * "%d/%m/%Y à %H:%M" */
  g_autofree char *when = local != NULL ? g_date_time_format (local, _("%d/%m/%Y at %H:%M"))
                                        : g_strdup (edit->started_at);
  g_autofree char *detail = g_strdup_printf (_("interrupted on %s, too long ago to be finished "
                                               "without you: not sent; check the account and "
                                               "make the edit again"), when);
  gboolean failed = FALSE;

  for (guint k = 0; k < ops->len; k++)
    {
      JnOperation *op = g_ptr_array_index (ops, k);
      g_autoptr(JnEntUser) user = NULL;
      g_autoptr(GError) local_error = NULL;

      if (op->state == JN_OP_DONE || op->state == JN_OP_SUPERSEDED)
        continue;

      user = jn_ent_read_user (ent, op->ent_id, cancellable, &local_error);
      if (user == NULL && is_fatal (local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (user != NULL &&
          g_strcmp0 (jn_ent_user_get_pronote_id (user, op->uai), op->pronote_id) == 0 &&
          jn_ent_user_count_pronote_ids (user, op->uai) <= 1)
        {
          set_outcome (op, JN_OP_DONE, 200, _("already in place"));
        }
      else
        {
          set_outcome (op, JN_OP_FAILED, 412, detail);
          failed = TRUE;
        }
    }

  return jn_store_save_operations (store, edit->id, ops, error) &&
         jn_store_finish_import (store, edit->id, failed ? "partial" : "done", error);
}

/* The ENT refused to finish @edit (401, 403). When it still lets this token read the
 * account, the refusal was its write's: the account does not hold the value (a write
 * that landed is never sent again), and the ENT refuses it this account, not the token
 * (which might be read-only, or expired: then every edit ends so, nothing sent). The edit
 * ends failed instead of staying unfinished for ever, blocking every later edit of the
 * establishment. FALSE when the account cannot be read either: it stays unfinished. */
static gboolean
close_refused_edit (JnStore         *store,
                    JnEnt           *ent,
                    JnImportRecord  *edit,
                    const GError    *refusal,
                    GCancellable    *cancellable)
{
  g_autoptr(GPtrArray) ops = jn_store_list_operations (store, edit->id, NULL);

  if (ops == NULL)
    return FALSE;

  for (guint k = 0; k < ops->len; k++)
    {
      JnOperation *op = g_ptr_array_index (ops, k);
      g_autoptr(JnEntUser) user = NULL;

      if (op->state == JN_OP_DONE || op->state == JN_OP_SUPERSEDED || op->state == JN_OP_FAILED)
        continue;
      user = jn_ent_read_user (ent, op->ent_id, cancellable, NULL);
      if (user == NULL ||
          g_strcmp0 (jn_ent_user_get_pronote_id (user, op->uai), op->pronote_id) == 0)
        return FALSE;
      set_outcome (op, JN_OP_FAILED, status_for_error (refusal), refusal->message);
    }

  return jn_store_save_operations (store, edit->id, ops, NULL) &&
         jn_store_finish_import (store, edit->id, "partial", NULL);
}

GPtrArray *
jn_push_finish_edits (JnStore       *store,
                      JnEnt         *ent,
                      const char    *uai,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GPtrArray) edits = NULL;
  g_autoptr(GPtrArray) outcomes = g_ptr_array_new_with_free_func ((GDestroyNotify)jn_operation_free);

  g_return_val_if_fail (JN_IS_STORE (store), NULL);
  g_return_val_if_fail (JN_IS_ENT (ent), NULL);
  g_return_val_if_fail (uai != NULL, NULL);

  edits = jn_store_list_unfinished_edits (store, jn_ent_describe (ent), uai, error);
  if (edits == NULL)
    return NULL;

  for (guint i = 0; i < edits->len; i++)
    {
      JnImportRecord *edit = g_ptr_array_index (edits, i);
      g_autoptr(GPtrArray) ops = jn_store_list_operations (store, edit->id, error);
      g_autoptr(JnDirectory) everyone = NULL;
      g_autoptr(JnPushReport) report = NULL;
      g_autoptr(GError) local_error = NULL;
      gboolean sets = FALSE;

      if (ops == NULL)
        return NULL;

      /* The journal is a file on disk: what it asks is checked as set-id and the editor
       * check what the admin types. An edit that is not one of theirs (a value that is no
       * identifier, another establishment's entry, no account) is never sent: it ends
       * failed, and is not tried again. */
      if (!edit_is_sendable (ops, uai))
        {
          for (guint k = 0; k < ops->len; k++)
            {
              JnOperation *op = g_ptr_array_index (ops, k);

              if (op->state == JN_OP_DONE || op->state == JN_OP_SUPERSEDED)
                continue;
              set_outcome (op, JN_OP_FAILED, 400,
                           _("the local journal holds an edit that is not valid: not sent"));
            }
          if (!jn_store_save_operations (store, edit->id, ops, error) ||
              !jn_store_finish_import (store, edit->id, "partial", error))
            return NULL;
          while (ops->len > 0)
            g_ptr_array_add (outcomes, g_ptr_array_steal_index (ops, 0));
          continue;
        }

      if (edit_is_too_old (edit))
        {
          if (!close_old_edit (store, ent, edit, ops, cancellable, error))
            return NULL;
          while (ops->len > 0)
            g_ptr_array_add (outcomes, g_ptr_array_steal_index (ops, 0));
          continue;
        }

      for (guint k = 0; k < ops->len; k++)
        {
          JnOperation *op = g_ptr_array_index (ops, k);

          sets |= op->pronote_id != NULL && op->state != JN_OP_DONE;
        }

      /* As jn_push_set_one: who holds the value now, read after the edits before it. Each
       * operation is resumed, so its account is read first: a write that landed before the
       * kill is not sent again, an account changed since is not overwritten. */
      if (sets)
        {
          everyone = jn_ent_read_directory (ent, uai, NULL, NULL, cancellable, error);
          if (everyone == NULL)
            return NULL;
        }
      report = execute (store, ent, edit->id, TRUE, NULL, everyone, -1, NULL, NULL, cancellable,
                        &local_error);
      if (report == NULL &&
          !(g_error_matches (local_error, JN_ERROR, JN_ERROR_ENT_AUTH) &&
            close_refused_edit (store, ent, edit, local_error, cancellable)))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_clear_error (&local_error);

      g_clear_pointer (&ops, g_ptr_array_unref);
      ops = jn_store_list_operations (store, edit->id, error);
      if (ops == NULL)
        return NULL;
      while (ops->len > 0)
        g_ptr_array_add (outcomes, g_ptr_array_steal_index (ops, 0));
    }

  return g_steal_pointer (&outcomes);
}

static char *
operation_key (const JnOperation *op)
{
  return g_strdup_printf ("%s\t%s\t%s\t%s", jn_op_kind_to_string (op->kind), op->ent_id,
                          op->pronote_id ? op->pronote_id : "", op->old_pronote_id ? op->old_pronote_id : "");
}

/* @journal_new: FALSE for a retry, which sends again what the steps journalled when they
 * were validated, nothing the plan has added since (a removal a decision of the step not
 * validated yet moves into an earlier one waits for that step's validation) */
/* Some operation of the steps up to @step, not done yet, gives an identifier */
static gboolean
step_gives_identifiers (JnStore    *store,
                        const char *import_id,
                        JnCategory  step)
{
  g_autoptr(GPtrArray) ops = jn_store_list_operations (store, import_id, NULL);

  /* Unreadable: the safe side */
  if (ops == NULL)
    return TRUE;

  for (guint i = 0; i < ops->len; i++)
    {
      JnOperation *op = g_ptr_array_index (ops, i);

      if (op->category <= step && op->pronote_id != NULL && op->state != JN_OP_DONE &&
          op->state != JN_OP_SUPERSEDED)
        return TRUE;
    }

  return FALSE;
}

static JnPushReport *
run_step (JnStore         *store,
          JnEnt           *ent,
          JnPlan          *plan,
          JnDirectory     *directory,
          gboolean         directory_fresh,
          const char      *import_id,
          JnCategory       step,
          gboolean         journal_new,
          JnPushProgress   progress,
          gpointer         progress_data,
          GCancellable    *cancellable,
          GError         **error)
{
  g_autoptr(GPtrArray) journal = NULL;
  g_autoptr(GPtrArray) planned = NULL;
  g_autoptr(GPtrArray) fresh = g_ptr_array_new ();
  g_autoptr(GHashTable) known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) wanted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(JnDirectory) holders_directory = NULL;
  GListModel *items;
  guint n_unchanged = 0;

  g_return_val_if_fail (JN_IS_STORE (store), NULL);
  g_return_val_if_fail (JN_IS_ENT (ent), NULL);
  g_return_val_if_fail (JN_IS_PLAN (plan), NULL);
  g_return_val_if_fail (import_id != NULL, NULL);
  g_return_val_if_fail (step < JN_N_CATEGORIES, NULL);

  journal = jn_store_list_operations (store, import_id, error);
  if (journal == NULL)
    return NULL;
  for (guint i = 0; i < journal->len; i++)
    if (((JnOperation *)g_ptr_array_index (journal, i))->state != JN_OP_SUPERSEDED)
      g_hash_table_add (known, operation_key (g_ptr_array_index (journal, i)));

  /* What the plan does up to this step and is not journalled yet: this step's operations,
   * and a removal a decision moved into an earlier step */
  planned = operations_from_plan (plan, directory == NULL || jn_directory_get_complete (directory));
  for (guint i = 0; i < planned->len; i++)
    {
      JnOperation *op = g_ptr_array_index (planned, i);
      g_autofree char *key = NULL;

      if (op->category > step)
        continue;
      key = operation_key (op);
      g_hash_table_add (wanted, g_strdup (key));
      if (journal_new && !g_hash_table_contains (known, key))
        g_ptr_array_add (fresh, op);
    }

  /* A write journalled by an earlier run of these steps (cancelled, killed) that the plan
   * no longer does: the admin changed the decision since. Never sent (again); a write that
   * did land is in the directory the plan was made from. */
  for (guint i = 0; i < journal->len; i++)
    {
      JnOperation *op = g_ptr_array_index (journal, i);
      g_autofree char *key = NULL;

      if (op->category > step || op->state == JN_OP_DONE || op->state == JN_OP_SUPERSEDED)
        continue;
      key = operation_key (op);
      if (!g_hash_table_contains (wanted, key) &&
          !jn_store_set_operation_state (store, import_id, op->seq, JN_OP_SUPERSEDED, op->status,
                                         _("no longer planned: the decision was changed"), error))
        return NULL;
    }

  items = jn_plan_get_items (plan, step);
  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(JnPlanItem) item = g_list_model_get_item (items, i);

      if (jn_plan_item_get_state (item) == JN_PLAN_STATE_MATCHED &&
          jn_plan_item_get_action (item) == JN_PLAN_ACTION_UNCHANGED)
        n_unchanged++;
    }

  if (journal_new && !jn_store_append_operations (store, import_id, fresh, n_unchanged, error))
    return NULL;

  /* A directory not trusted for what an account holds (read long ago, or the editor
   * changed the ENT since) is not trusted for who holds what either: an identifier given
   * meanwhile to another account would be sent to a second one. Read again when an
   * identifier is to be given (what is journalled is only planned until it is sent). */
  if (!directory_fresh && step_gives_identifiers (store, import_id, step))
    {
      holders_directory = jn_ent_read_directory (ent, jn_plan_get_uai (plan), NULL, NULL,
                                                 cancellable, error);
      if (holders_directory == NULL)
        return NULL;
    }

  /* A directory read long ago is not trusted for what an account holds: each is read again */
  return execute (store, ent, import_id, !directory_fresh, directory_fresh ? directory : NULL,
                  directory_fresh ? directory : holders_directory, (int)step, progress,
                  progress_data, cancellable, error);
}

JnPushReport *
jn_push_run_step (JnStore         *store,
                  JnEnt           *ent,
                  JnPlan          *plan,
                  JnDirectory     *directory,
                  gboolean         directory_fresh,
                  const char      *import_id,
                  JnCategory       step,
                  JnPushProgress   progress,
                  gpointer         progress_data,
                  GCancellable    *cancellable,
                  GError         **error)
{
  return run_step (store, ent, plan, directory, directory_fresh, import_id, step, TRUE, progress,
                   progress_data, cancellable, error);
}

JnPushReport *
jn_push_retry_step (JnStore         *store,
                    JnEnt           *ent,
                    JnPlan          *plan,
                    JnDirectory     *directory,
                    gboolean         directory_fresh,
                    const char      *import_id,
                    JnCategory       step,
                    JnPushProgress   progress,
                    gpointer         progress_data,
                    GCancellable    *cancellable,
                    GError         **error)
{
  return run_step (store, ent, plan, directory, directory_fresh, import_id, step, FALSE, progress,
                   progress_data, cancellable, error);
}
