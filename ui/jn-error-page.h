/* jn-error-page.h: why an export could not be opened, and what to do next
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jn-export.h"

G_BEGIN_DECLS

#define JN_TYPE_ERROR_PAGE (jn_error_page_get_type ())
G_DECLARE_FINAL_TYPE (JnErrorPage, jn_error_page, JN, ERROR_PAGE, AdwBin)

GtkWidget    *jn_error_page_new        (void);
const GError *jn_error_page_get_error  (JnErrorPage  *self);
void          jn_error_page_set_error  (JnErrorPage  *self,
                                        const GError *error);
JnExport     *jn_error_page_get_export (JnErrorPage  *self);
/* The export whose envelope metadata (establishment, UAI, partners) is shown, if known */
void          jn_error_page_set_export (JnErrorPage  *self,
                                        JnExport     *export);

/* The page's title: what failed ("Could Not Open This File" when NULL) */
void          jn_error_page_set_title  (JnErrorPage  *self,
                                        const char   *title);
const char   *jn_error_page_get_title  (JnErrorPage  *self);

/* A "Try Again" button activating @action_name (NULL: none), for what can fail and then
 * work: the ENT's directory, a match, a resume */
void          jn_error_page_set_retry_action (JnErrorPage *self,
                                              const char  *action_name);

/* TRUE when choosing another partner key may open the file */
gboolean      jn_error_needs_key       (const GError *error);

G_END_DECLS
