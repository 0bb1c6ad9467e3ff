/* jn-step-page.h: one of the six steps: the records of a category, their matches, the panel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jn-import-session.h"

G_BEGIN_DECLS

#define JN_TYPE_STEP_PAGE (jn_step_page_get_type ())
G_DECLARE_FINAL_TYPE (JnStepPage, jn_step_page, JN, STEP_PAGE, AdwBin)

/* Which rows the list shows */
typedef enum
{
  JN_STEP_FILTER_ALL,
  JN_STEP_FILTER_RECOGNISED,
  JN_STEP_FILTER_UNRECOGNISED,
  JN_STEP_FILTER_TO_CHECK,
} JnStepFilter;

/* The page of step @step (0…5) of @session: category jn_import_session_step_category (step).
 * It reads the session's rows when the session has matched (and follows them after). The
 * window owns the header bar and "Validate Step"; the page owns the list and the panel.
 * Properties: "session", "step" (construct-only), "category", "filter" (JnStepFilter),
 * "search-text", "selected-row" (JnSessionRow or NULL), "title" ("Step 2/6: Students",
 * for the header bar), "summary" (the counts line, as the page shows it). */
GtkWidget       *jn_step_page_new              (JnImportSession *session,
                                                guint            step);
/* The same, made ahead of being shown: it reads its rows in a later main-loop turn of low
 * priority (or when shown, or asked for its rows, first) */
GtkWidget       *jn_step_page_new_ahead        (JnImportSession *session,
                                                guint            step);
JnImportSession *jn_step_page_get_session      (JnStepPage      *self);
guint            jn_step_page_get_step         (JnStepPage      *self);
JnCategory       jn_step_page_get_category     (JnStepPage      *self);
const char      *jn_step_page_get_title        (JnStepPage      *self);
const char      *jn_step_page_get_summary      (JnStepPage      *self);
JnStepFilter     jn_step_page_get_filter       (JnStepPage      *self);
void             jn_step_page_set_filter       (JnStepPage      *self,
                                                JnStepFilter     filter);
const char      *jn_step_page_get_search_text  (JnStepPage      *self);
void             jn_step_page_set_search_text  (JnStepPage      *self,
                                                const char      *text);
/* Ctrl+F (the page also handles it itself while the focus is inside) */
void             jn_step_page_focus_search     (JnStepPage      *self);
/* The rows listed, filtered and sorted (status, then name) */
GListModel      *jn_step_page_get_visible_rows (JnStepPage      *self);
JnSessionRow    *jn_step_page_get_selected_row (JnStepPage      *self);
/* Selects @row when it is listed (FALSE otherwise) and shows it in the panel */
gboolean         jn_step_page_select_row       (JnStepPage      *self,
                                                JnSessionRow    *row);
GtkWidget       *jn_step_page_get_match_panel  (JnStepPage      *self);

G_END_DECLS
