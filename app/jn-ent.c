/* jn-ent.c: what Jonction needs from an ENT, behind one small interface
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "jn-ent.h"

G_DEFINE_INTERFACE (JnEnt, jn_ent, G_TYPE_OBJECT)

static void
jn_ent_default_init (JnEntInterface *iface)
{
}

const char *
jn_ent_describe (JnEnt *self)
{
  g_return_val_if_fail (JN_IS_ENT (self), NULL);

  return JN_ENT_GET_IFACE (self)->describe (self);
}

JnDirectory *
jn_ent_read_directory (JnEnt          *self,
                       const char     *uai,
                       JnEntProgress   progress,
                       gpointer        progress_data,
                       GCancellable   *cancellable,
                       GError        **error)
{
  g_return_val_if_fail (JN_IS_ENT (self), NULL);
  g_return_val_if_fail (uai != NULL, NULL);

  return JN_ENT_GET_IFACE (self)->read_directory (self, uai, progress, progress_data,
                                                  cancellable, error);
}

JnEntUser *
jn_ent_read_user (JnEnt         *self,
                  const char    *id,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_return_val_if_fail (JN_IS_ENT (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return JN_ENT_GET_IFACE (self)->read_user (self, id, cancellable, error);
}

JnEntUser *
jn_ent_write_pronote_id (JnEnt         *self,
                         JnEntUser     *user,
                         const char    *uai,
                         const char    *pronote_id,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_return_val_if_fail (JN_IS_ENT (self), NULL);
  g_return_val_if_fail (JN_IS_ENT_USER (user), NULL);
  g_return_val_if_fail (uai != NULL, NULL);

  return JN_ENT_GET_IFACE (self)->write_pronote_id (self, user, uai, pronote_id,
                                                    cancellable, error);
}

gboolean
jn_ent_get_buffered (JnEnt *self)
{
  g_return_val_if_fail (JN_IS_ENT (self), FALSE);

  return JN_ENT_GET_IFACE (self)->flush != NULL;
}

gboolean
jn_ent_flush (JnEnt         *self,
              GCancellable  *cancellable,
              GError       **error)
{
  g_return_val_if_fail (JN_IS_ENT (self), FALSE);

  if (JN_ENT_GET_IFACE (self)->flush == NULL)
    return TRUE;

  return JN_ENT_GET_IFACE (self)->flush (self, cancellable, error);
}

gboolean
jn_ent_checkpoint (JnEnt         *self,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_return_val_if_fail (JN_IS_ENT (self), FALSE);

  if (JN_ENT_GET_IFACE (self)->checkpoint == NULL)
    return TRUE;

  return JN_ENT_GET_IFACE (self)->checkpoint (self, cancellable, error);
}

void
jn_ent_write_clear (JnEntWrite *write)
{
  g_clear_object (&write->result);
  g_clear_error (&write->error);
}

guint
jn_ent_get_batch_size (JnEnt *self)
{
  g_return_val_if_fail (JN_IS_ENT (self), 1);

  if (JN_ENT_GET_IFACE (self)->get_batch_size == NULL || JN_ENT_GET_IFACE (self)->write_many == NULL)
    return 1;

  return MAX (JN_ENT_GET_IFACE (self)->get_batch_size (self), 1);
}

gboolean
jn_ent_write_many (JnEnt         *self,
                   JnEntWrite    *writes,
                   guint          n_writes,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_return_val_if_fail (JN_IS_ENT (self), FALSE);
  g_return_val_if_fail (JN_ENT_GET_IFACE (self)->write_many != NULL, FALSE);

  return JN_ENT_GET_IFACE (self)->write_many (self, writes, n_writes, cancellable, error);
}
