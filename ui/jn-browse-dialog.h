/* jn-browse-dialog.h: "Browse Directory…", every ENT account of a profile, ranked as you type
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jn-import-session.h"

G_BEGIN_DECLS

#define JN_TYPE_BROWSE_DIALOG (jn_browse_dialog_get_type ())
G_DECLARE_FINAL_TYPE (JnBrowseDialog, jn_browse_dialog, JN, BROWSE_DIALOG, AdwWindow)

/* At most this many accounts are listed at once */
#define JN_BROWSE_MAX_RESULTS 50

/* A modal window over @parent searching the accounts of @row's category, starting from the
 * record's last name. Signal "chosen" (JnEntUser *user) when the admin picks an account
 * (the dialog then closes); accounts already chosen for another record are shown,
 * insensitive. */
GtkWidget  *jn_browse_dialog_new         (GtkWindow       *parent,
                                          JnImportSession *session,
                                          JnSessionRow    *row);
/* The accounts listed now (JnSessionSuggestion), best first */
GPtrArray  *jn_browse_dialog_get_results (JnBrowseDialog  *self);
/* Searches @query at once (as typing it would, without the entry's delay) */
void        jn_browse_dialog_search      (JnBrowseDialog  *self,
                                          const char      *query);

G_END_DECLS
