/* jn-loading-page.h: shown while the session works off the main loop (read, match, resume)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jn-import-session.h"

G_BEGIN_DECLS

#define JN_TYPE_LOADING_PAGE (jn_loading_page_get_type ())
G_DECLARE_FINAL_TYPE (JnLoadingPage, jn_loading_page, JN, LOADING_PAGE, AdwBin)

GtkWidget *jn_loading_page_new      (void);
GFile     *jn_loading_page_get_file (JnLoadingPage *self);
void       jn_loading_page_set_file (JnLoadingPage *self,
                                     GFile         *file);
/* "Reading the File…", "Matching…" */
void        jn_loading_page_set_title   (JnLoadingPage   *self,
                                         const char      *title);
const char *jn_loading_page_get_title   (JnLoadingPage   *self);
/* Shows @session's "progress" and "progress-text" (NULL: none) */
void        jn_loading_page_set_session (JnLoadingPage   *self,
                                         JnImportSession *session);

G_END_DECLS
