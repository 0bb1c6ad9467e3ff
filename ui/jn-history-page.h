/* jn-history-page.h: the imports and single edits of the local store, newest first
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jn-directory.h"
#include "jn-ent.h"
#include "jn-store.h"

G_BEGIN_DECLS

#define JN_TYPE_HISTORY_PAGE (jn_history_page_get_type ())
G_DECLARE_FINAL_TYPE (JnHistoryPage, jn_history_page, JN, HISTORY_PAGE, AdwBin)

/* "27/06/2026 at 15:01" in the local time zone, for a date-time the store wrote (UTC);
 * NULL for NULL or a text that is not one */
char       *jn_format_store_time              (const char     *iso8601);

/* The page loads the store's imports in a worker thread (jn_history_page_reload()). Names
 * of the users changed come from @directory (the window's, if it has one), else from @ent,
 * read when a row is expanded; either may be NULL (then the ENT ids are shown). */
GtkWidget  *jn_history_page_new               (JnStore        *store,
                                               JnDirectory    *directory,
                                               JnEnt          *ent);
void        jn_history_page_reload            (JnHistoryPage  *self);
gboolean    jn_history_page_get_loading       (JnHistoryPage  *self);
/* "loading", "empty", "error" or "list" */
const char *jn_history_page_get_state         (JnHistoryPage  *self);

/* The page in a window of its own over @parent ("History"), Escape closes it */
GtkWindow  *jn_history_window_new             (GtkWindow      *parent,
                                               JnStore        *store,
                                               JnDirectory    *directory,
                                               JnEnt          *ent);
JnHistoryPage *jn_history_window_get_page     (GtkWindow      *window);

/* For tests: the rows shown, newest first */
guint       jn_history_page_get_n_imports     (JnHistoryPage  *self);
/* "title\nsubtitle" of row @index (owned by the row) */
char       *jn_history_page_dup_import_text   (JnHistoryPage  *self,
                                               guint           index);
/* Expands row @index: its changes load in a worker thread */
void        jn_history_page_expand            (JnHistoryPage  *self,
                                               guint           index);
/* Whether row @index's changes are shown (FALSE while they load, and for a purged one) */
gboolean    jn_history_page_get_details_ready (JnHistoryPage  *self,
                                               guint           index);
/* The lines under row @index, "title\nsubtitle" each (free with g_strfreev) */
char      **jn_history_page_dup_details       (JnHistoryPage  *self,
                                               guint           index);

G_END_DECLS
