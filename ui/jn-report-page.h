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
/* "Export Report…" without the file chooser: writes the report to @file in a thread, then
 * the toast "Report saved" (or the error in words) */
void             jn_report_page_export_to_file (JnReportPage *self,
                                                GFile        *file);
/* The last toast's text, or NULL (for tests) */
const char      *jn_report_page_get_toast_text (JnReportPage *self);

G_END_DECLS
