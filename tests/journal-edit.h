/* journal-edit.h: a single edit left unfinished in the local journal, as a kill leaves it
 *
 * Shared by the core, fault and GUI tests of the interrupted single edits (header-only,
 * like session-fixture.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "jn-store.h"

/* Journals the edit of @user_id's identifier for @uai as jn_push_set_one() does, then
 * stops there, as a kill would; @sent: after its operation was marked sent (a write whose
 * answer never came). Returns the import's id. */
static G_GNUC_UNUSED char *
journal_single_edit (JnStore     *store,
                     const char  *ent,
                     const char  *uai,
                     const char  *user_id,
                     JnOpKind     kind,
                     const char  *value,
                     const char  *old,
                     gboolean     sent)
{
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)jn_operation_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = g_uuid_string_random ();
  JnOperation *op = g_new0 (JnOperation, 1);
  char *id;

  op->category = JN_CATEGORY_STUDENT;
  op->kind = kind;
  op->ent_id = g_strdup (user_id);
  op->uai = g_strdup (uai);
  op->pronote_id = g_strdup (value);
  op->old_pronote_id = g_strdup (old);
  op->record_id = g_strdup (value);
  g_ptr_array_add (ops, op);

  g_assert_true (jn_store_lock_target (store, ent, uai, &error));
  id = jn_store_begin_import (store, "single", uai, ent, hash, NULL, ops, 0, &error);
  g_assert_no_error (error);
  if (sent)
    {
      jn_store_set_operation_state (store, id, 1, JN_OP_SENT, 0, NULL, &error);
      g_assert_no_error (error);
    }
  jn_store_unlock (store);
  return id;
}
