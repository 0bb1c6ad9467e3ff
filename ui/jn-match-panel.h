/* jn-match-panel.h: the side panel of a step: one record, why it matches or not, what to do
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jn-import-session.h"

G_BEGIN_DECLS

#define JN_TYPE_MATCH_PANEL (jn_match_panel_get_type ())
G_DECLARE_FINAL_TYPE (JnMatchPanel, jn_match_panel, JN, MATCH_PANEL, AdwBin)

/* Properties: "session" (construct-only), "row" (the JnSessionRow shown, or NULL),
 * "show-back" (a "Back to List" button, for a folded step page).
 * Signals: "decided" (JnSessionRow *row) after a decision the admin made in the panel
 * succeeded (choose, browse, don't import, undo); "back" when "Back to List" is clicked. */
GtkWidget       *jn_match_panel_new                     (JnImportSession *session);
JnImportSession *jn_match_panel_get_session             (JnMatchPanel    *self);
JnSessionRow    *jn_match_panel_get_row                 (JnMatchPanel    *self);
void             jn_match_panel_set_row                 (JnMatchPanel    *self,
                                                         JnSessionRow    *row);
gboolean         jn_match_panel_get_show_back           (JnMatchPanel    *self);
void             jn_match_panel_set_show_back           (JnMatchPanel    *self,
                                                         gboolean         show_back);
/* Enter in the list: chooses the first suggestion of a record to check or not recognised.
 * FALSE (and nothing done) when there is none or the decision was refused (the panel then
 * shows why). */
gboolean         jn_match_panel_accept_first_suggestion (JnMatchPanel    *self);
/* The suggestions shown (JnSessionSuggestion), best first */
GPtrArray       *jn_match_panel_get_suggestions         (JnMatchPanel    *self);

G_END_DECLS
