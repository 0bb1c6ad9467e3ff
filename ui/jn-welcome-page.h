/* jn-welcome-page.h: the first page, to open a PRONOTE export or resume an import
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jn-store.h"

G_BEGIN_DECLS

#define JN_TYPE_WELCOME_PAGE (jn_welcome_page_get_type ())
G_DECLARE_FINAL_TYPE (JnWelcomePage, jn_welcome_page, JN, WELCOME_PAGE, AdwBin)

GtkWidget *jn_welcome_page_new             (void);
/* Offers to resume (win.resume) or discard (win.discard) @record; NULL hides the offer */
void       jn_welcome_page_set_interrupted (JnWelcomePage        *self,
                                            const JnImportRecord *record);
/* "Last import on 27/06/2026 at 15:01 in Partial mode — 1,575 identifiers imported" (local
 * time), from the newest finished import of a file (NULL: none yet) */
void        jn_welcome_page_set_last_import      (JnWelcomePage        *self,
                                                  const JnImportRecord *record);
const char *jn_welcome_page_get_last_import_text (JnWelcomePage        *self);
/* Shows the "History" button (win.history) when the store has imports or single edits */
void        jn_welcome_page_set_has_history      (JnWelcomePage        *self,
                                                  gboolean              has_history);
/* The offer's text, or NULL when none is shown (for tests) */
const char *jn_welcome_page_get_interrupted_text (JnWelcomePage *self);

G_END_DECLS
