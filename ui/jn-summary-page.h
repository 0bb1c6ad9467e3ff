/* jn-summary-page.h: what a loaded PRONOTE export holds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jn-directory.h"
#include "jn-export.h"

G_BEGIN_DECLS

#define JN_TYPE_SUMMARY_PAGE (jn_summary_page_get_type ())
G_DECLARE_FINAL_TYPE (JnSummaryPage, jn_summary_page, JN, SUMMARY_PAGE, AdwBin)

GtkWidget *jn_summary_page_new        (void);
JnExport  *jn_summary_page_get_export (JnSummaryPage *self);
void       jn_summary_page_set_export (JnSummaryPage *self,
                                       JnExport      *export);
/* The core's warnings about the export (translated strings), shown instead of the page's
 * own checks; NULL goes back to them */
void       jn_summary_page_set_warnings   (JnSummaryPage *self,
                                           GPtrArray     *warnings);
guint      jn_summary_page_get_n_warnings (JnSummaryPage *self);
/* "1 608 ENT accounts for 0312609T" once the directory is read (NULL: not read) */
void        jn_summary_page_set_directory      (JnSummaryPage *self,
                                                JnDirectory   *directory,
                                                const char    *uai);
const char *jn_summary_page_get_directory_text (JnSummaryPage *self);

G_END_DECLS
