/* jn-report-page.h: the summary of an import: identifiers imported, failures, Retry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jn-import-session.h"

G_BEGIN_DECLS

#define JN_TYPE_REPORT_PAGE (jn_report_page_get_type ())
G_DECLARE_FINAL_TYPE (JnReportPage, jn_report_page, JN, REPORT_PAGE, AdwBin)

GtkWidget       *jn_report_page_new         (void);
JnImportSession *jn_report_page_get_session (JnReportPage    *self);
/* Follows @session's counts and failures (NULL: empty) */
void             jn_report_page_set_session (JnReportPage    *self,
                                             JnImportSession *session);
/* The headline, e.g. "1 030 PRONOTE identifiers imported · 4 failures" (for tests) */
const char      *jn_report_page_get_headline (JnReportPage   *self);

G_END_DECLS
