/* jn-ent.h: what Jonction needs from an ENT, behind one small interface
 *
 * Two implementations: JnScimClient (SCIM 2.0 over HTTPS) and JnFileEnt (a snapshot file
 * updated in place). The calls are synchronous: the push engine and the CLI run them off
 * the main loop, in a worker thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "jn-directory.h"

G_BEGIN_DECLS

#define JN_TYPE_ENT (jn_ent_get_type ())
G_DECLARE_INTERFACE (JnEnt, jn_ent, JN, ENT, GObject)

/* One write of jn_ent_write_many() */
typedef struct
{
  JnEntUser  *user;         /* as last read: its version guards the write */
  const char *uai;
  const char *pronote_id;   /* NULL to remove */
  JnEntUser  *result;       /* out: the user as the ENT now holds it, write confirmed */
  GError     *error;        /* out: why this write was not done */
} JnEntWrite;

void jn_ent_write_clear (JnEntWrite *write);

typedef void (*JnEntProgress) (guint     done,
                               guint     total,
                               gpointer  user_data);

struct _JnEntInterface
{
  GTypeInterface parent_iface;

  /* A label for journals and messages: the base URL or the file path */
  const char  *(*describe)          (JnEnt          *self);
  JnDirectory *(*read_directory)    (JnEnt          *self,
                                     const char     *uai,
                                     JnEntProgress   progress,
                                     gpointer        progress_data,
                                     GCancellable   *cancellable,
                                     GError        **error);
  JnEntUser   *(*read_user)         (JnEnt          *self,
                                     const char     *id,
                                     GCancellable   *cancellable,
                                     GError        **error);
  /* Writes (or with NULL removes) @user's identifier for @uai. @user is the state last
   * read (its version guards the write where the ENT supports it). Returns the user as
   * the ENT now holds it: the caller confirms the write from it. */
  JnEntUser   *(*write_pronote_id)  (JnEnt          *self,
                                     JnEntUser      *user,
                                     const char     *uai,
                                     const char     *pronote_id,
                                     GCancellable   *cancellable,
                                     GError        **error);
  /* Optional: an ENT that buffers writes makes them durable here. A write is confirmed
   * (journalled as done) only after the flush that follows it. */
  gboolean     (*flush)             (JnEnt          *self,
                                     GCancellable   *cancellable,
                                     GError        **error);
  /* Optional: how many writes go in one round trip (0 or 1: one at a time) */
  guint        (*get_batch_size)    (JnEnt          *self);
  /* Optional: several writes in one round trip (SCIM Bulk). Each write gets its result or
   * its error. FALSE when no answer came: the outcomes are unknown. */
  gboolean     (*write_many)        (JnEnt          *self,
                                     JnEntWrite     *writes,
                                     guint           n_writes,
                                     GCancellable   *cancellable,
                                     GError        **error);
  /* Optional: an ENT that keeps its flushed writes in a log beside its state folds them
   * into it here (the push engine calls it at the end of each step). Durability is the
   * flush's: this keeps the state file whole for other readers. */
  gboolean     (*checkpoint)        (JnEnt          *self,
                                     GCancellable   *cancellable,
                                     GError        **error);
};

const char  *jn_ent_describe          (JnEnt          *self);
JnDirectory *jn_ent_read_directory    (JnEnt          *self,
                                       const char     *uai,
                                       JnEntProgress   progress,
                                       gpointer        progress_data,
                                       GCancellable   *cancellable,
                                       GError        **error);
JnEntUser   *jn_ent_read_user         (JnEnt          *self,
                                       const char     *id,
                                       GCancellable   *cancellable,
                                       GError        **error);
JnEntUser   *jn_ent_write_pronote_id  (JnEnt          *self,
                                       JnEntUser      *user,
                                       const char     *uai,
                                       const char     *pronote_id,
                                       GCancellable   *cancellable,
                                       GError        **error);
gboolean     jn_ent_get_buffered      (JnEnt          *self);
guint        jn_ent_get_batch_size    (JnEnt          *self);
gboolean     jn_ent_write_many        (JnEnt          *self,
                                       JnEntWrite     *writes,
                                       guint           n_writes,
                                       GCancellable   *cancellable,
                                       GError        **error);
gboolean     jn_ent_flush             (JnEnt          *self,
                                       GCancellable   *cancellable,
                                       GError        **error);
gboolean     jn_ent_checkpoint        (JnEnt          *self,
                                       GCancellable   *cancellable,
                                       GError        **error);

G_END_DECLS
