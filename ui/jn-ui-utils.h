/* jn-ui-utils.h: formatting and file choosers shared by the pages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* "20/05/2014 at 10:19" for an ISO 8601 date-time, "01/09/2026" for an ISO date, else
 * @text verbatim; NULL for NULL or empty */
char                 *jn_format_export_date    (const char  *text);
/* A count with the locale's digit grouping: "1 575" in French */
char                 *jn_format_count          (guint        count);
/* "COLLEGE INDEX EDUCATION · 0134567A", either part alone, or NULL */
char                 *jn_format_establishment  (const char  *establishment,
                                                const char  *uai);

/* "A, B", or NULL when there is no partner */
char                 *jn_format_partners       (const char * const *partners);

/* GBinding transforms from a string property to a label: the text or "Unknown", and
 * jn_format_export_date() or "Unknown" */
gboolean              jn_transform_or_unknown  (GBinding     *binding,
                                                const GValue *from,
                                                GValue       *to,
                                                gpointer      user_data);
gboolean              jn_transform_export_date (GBinding     *binding,
                                                const GValue *from,
                                                GValue       *to,
                                                gpointer      user_data);

/* Modal choosers for a PRONOTE export (.xml) and for a partner's private key */
GtkFileChooserNative *jn_export_chooser_new    (GtkWindow   *parent);
GtkFileChooserNative *jn_key_chooser_new       (GtkWindow   *parent);

G_END_DECLS
