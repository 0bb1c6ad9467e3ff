/* jn-report.h: the follow-up report, what to fix in PRONOTE or the ENT after an import
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "jn-import-session.h"
#include "jn-plan.h"
#include "jn-session-row.h"

G_BEGIN_DECLS

/* cli.md's header line */
#define JN_REPORT_HEADER "category;last_name;first_name;birth_date;class;pronote_id;status;cause;advice"

/* What the push did with @item's operation (JN_ROW_PUSH_NONE when nothing was pushed);
 * *@failure is then the server's reason, or left NULL */
typedef JnRowPushState (*JnReportOutcomeFunc) (JnPlanItem  *item,
                                               const char **failure,
                                               gpointer     user_data);

/* The report as cli.md describes it: UTF-8 with a byte-order mark, ';' separators, RFC 4180
 * quoting (CRLF line ends), every cell neutralised for spreadsheets
 * (jn_text_escape_csv_cell()). One line per record ambiguous, unmatched or not imported,
 * per operation that failed (@outcome, may be NULL) and per identifier removed (complete
 * mode), categories in cli.md's order. "status" is one of ambiguous, unmatched,
 * not-imported, failed, clear (to remove) or cleared (removed); "cause" is cli.md's code;
 * "advice" says what to do, in words (translated). */
GBytes   *jn_report_build               (JnPlan               *plan,
                                         JnReportOutcomeFunc   outcome,
                                         gpointer              user_data);
/* jn_report_build() of the session's plan with its rows' push outcome */
GBytes   *jn_report_build_for_session   (JnImportSession      *session);

/* Writes @report to @path atomically (a temporary file beside it, then renamed), mode
 * 0600: the report holds minors' names and birth dates. A symbolic link (or anything but
 * a regular file) at @path is refused, never followed. Errors are JN_ERROR_IO naming the
 * file. Blocking: see jn_report_write_async(). */
gboolean  jn_report_write               (GBytes               *report,
                                         const char           *path,
                                         GError              **error);
/* jn_report_write() in a thread */
void      jn_report_write_async         (GBytes               *report,
                                         GFile                *file,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
gboolean  jn_report_write_finish        (GAsyncResult         *result,
                                         GError              **error);

G_END_DECLS
