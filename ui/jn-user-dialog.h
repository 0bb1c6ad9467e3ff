/* jn-user-dialog.h: "Edit a User…": find an ENT account, change its PRONOTE identifier
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jn-ent.h"
#include "jn-store.h"
#include "jn-user-edit.h"

G_BEGIN_DECLS

#define JN_TYPE_USER_DIALOG (jn_user_dialog_get_type ())
G_DECLARE_FINAL_TYPE (JnUserDialog, jn_user_dialog, JN, USER_DIALOG, AdwWindow)

/* Reads @uai's directory from @ent (in a worker thread), then searches it. @query: an ENT
 * account id (its page opens), or words to search for (NULL: an empty search).
 * Signal "saved" (JnEntUser *user) after an identifier was saved. */
JnUserDialog *jn_user_dialog_new          (GtkWindow    *parent,
                                           JnStore      *store,
                                           JnEnt        *ent,
                                           const char   *uai,
                                           const char   *query);

/* For tests and the keyboard */
gboolean      jn_user_dialog_get_loading  (JnUserDialog *self);
JnUserIndex  *jn_user_dialog_get_index    (JnUserDialog *self);
void          jn_user_dialog_search       (JnUserDialog *self,
                                           const char   *query);
/* JnEntUser shown in the results, best first */
GListModel   *jn_user_dialog_get_results  (JnUserDialog *self);
/* Opens the page of @user (one of the index's) */
void          jn_user_dialog_show_user    (JnUserDialog *self,
                                           JnEntUser    *user);
JnEntUser    *jn_user_dialog_get_user     (JnUserDialog *self);
/* "Change Value" of @uai's row: the entry appears, filled with the current value */
void          jn_user_dialog_edit_value   (JnUserDialog *self,
                                           const char   *uai);
gboolean      jn_user_dialog_get_saving   (JnUserDialog *self);

G_END_DECLS
