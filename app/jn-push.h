/* jn-push.h: executes a plan through the journal, step by step, resumably
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "jn-ent.h"
#include "jn-plan.h"
#include "jn-store.h"

G_BEGIN_DECLS

typedef struct
{
  char      *import_id;
  gboolean   resumed;
  guint      n_set;
  guint      n_replaced;
  guint      n_cleared;
  guint      n_unchanged;
  GPtrArray *failed;     /* JnOperation, with status and detail */
  GPtrArray *all;        /* jn_push_run_step(): the other operations of the steps run */
} JnPushReport;

void          jn_push_report_free      (JnPushReport  *report);

/* Called from the pushing thread after each operation */
typedef void (*JnPushProgress)         (JnCategory     category,
                                        guint          done,
                                        guint          total,
                                        gpointer       user_data);

/* Journals then applies @plan: categories in the six-step order, each operation recorded
 * planned → sent → done/failed before the next. An unfinished import of the same file,
 * mode, UAI and ENT is resumed instead: done operations are not repeated, the others are
 * decided again from what the ENT holds now. @directory is the ENT state @plan was made
 * from, read just before (also when resuming): no identifier is sent to an account while
 * another account of the UAI holds it there, or another operation of the import gives it
 * (a 409-like failure instead). Returns NULL with @error only when the push could not go on (ENT unreachable,
 * credentials refused, cancelled): the import then stays resumable. */
JnPushReport *jn_push_run              (JnStore        *store,
                                        JnEnt          *ent,
                                        JnPlan         *plan,
                                        JnDirectory    *directory,
                                        const char     *file_hash,
                                        GHashTable     *decisions,
                                        JnPushProgress  progress,
                                        gpointer        progress_data,
                                        GCancellable   *cancellable,
                                        GError        **error);

/* Resumes the unfinished import @import_id alone (no plan needed). Without a directory,
 * only the import's own writes are known to the one-holder check: prefer jn_push_run()
 * with a directory read just before. */
JnPushReport *jn_push_resume           (JnStore        *store,
                                        JnEnt          *ent,
                                        const char     *import_id,
                                        JnPushProgress  progress,
                                        gpointer        progress_data,
                                        GCancellable   *cancellable,
                                        GError        **error);

/* The wizard's step of an import begun with jn_store_begin_session(): journals what @plan
 * does up to @step and is not journalled yet, then runs every operation of the steps up to
 * @step that is not done (failed ones again, each user read first). The import stays
 * "running". @directory_fresh: @directory was read just before, its state is trusted for
 * the new operations (otherwise each user is read again before its write). Returns NULL
 * with @error when the push could not go on (cancelled, ENT unreachable): the step can be
 * run again. */
JnPushReport *jn_push_run_step         (JnStore        *store,
                                        JnEnt          *ent,
                                        JnPlan         *plan,
                                        JnDirectory    *directory,
                                        gboolean        directory_fresh,
                                        const char     *import_id,
                                        JnCategory      step,
                                        JnPushProgress  progress,
                                        gpointer        progress_data,
                                        GCancellable   *cancellable,
                                        GError        **error);

/* "Retry": the operations of the steps up to @step that were journalled when they were
 * validated and are not done, sent again (a write the plan no longer makes is dropped);
 * nothing new is journalled */
JnPushReport *jn_push_retry_step       (JnStore        *store,
                                        JnEnt          *ent,
                                        JnPlan         *plan,
                                        JnDirectory    *directory,
                                        gboolean        directory_fresh,
                                        const char     *import_id,
                                        JnCategory      step,
                                        JnPushProgress  progress,
                                        gpointer        progress_data,
                                        GCancellable   *cancellable,
                                        GError        **error);

/* The single-user edit: one journalled operation of its own import ("single" mode). To
 * set an identifier, the establishment's directory is read first: an identifier another
 * account holds is not sent (a 409-like failure naming that account). */
JnPushReport *jn_push_set_one          (JnStore        *store,
                                        JnEnt          *ent,
                                        JnEntUser      *user,
                                        const char     *uai,
                                        const char     *pronote_id,
                                        GCancellable   *cancellable,
                                        GError        **error);

/* Finishes the single edits of this ENT and establishment a crash, a kill or a lost
 * connection left unfinished (jn_store_list_unfinished_edits()), oldest first, as a resumed
 * push does: each account is read first, so nothing lands twice and an account changed
 * since is not overwritten; an identifier another account holds now is not sent. Call it
 * holding the store's lock for @uai. Returns their operations as they ended (empty when
 * there was none), or NULL with @error when the ENT could not be reached: the edits stay
 * unfinished. */
GPtrArray    *jn_push_finish_edits     (JnStore        *store,
                                        JnEnt          *ent,
                                        const char     *uai,
                                        GCancellable   *cancellable,
                                        GError        **error);

/* Operations of a batch sent in parallel to a network ENT (default 4, 1 = sequential) */
void          jn_push_set_concurrency  (guint          n);

/* The HTTP-like status of a failed write, for reports ("409", "404", "network"…) */
const char   *jn_push_status_for_error (const GError  *error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JnPushReport, jn_push_report_free)

G_END_DECLS
