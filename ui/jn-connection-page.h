/* jn-connection-page.h: where the directory comes from: the ENT, a snapshot, or the demo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jn-connection.h"

G_BEGIN_DECLS

#define JN_TYPE_CONNECTION_PAGE (jn_connection_page_get_type ())
G_DECLARE_FINAL_TYPE (JnConnectionPage, jn_connection_page, JN, CONNECTION_PAGE, AdwPreferencesPage)

GtkWidget  *jn_connection_page_new                   (void);

/* TRUE while a test, a snapshot check or the demo's preparation runs */
gboolean    jn_connection_page_get_busy              (JnConnectionPage *self);
/* The access token for the ENT: JONCTION_TOKEN when set, else the one typed or stored;
 * NULL when there is none */
const char *jn_connection_page_get_token             (JnConnectionPage *self);
/* TRUE when the token comes from JONCTION_TOKEN (then it is never stored) */
gboolean    jn_connection_page_get_token_from_environment (JnConnectionPage *self);
/* The snapshot chosen with "Work Offline…", or the demo's copy, once "done" was emitted */
GFile      *jn_connection_page_get_snapshot          (JnConnectionPage *self);

/* What the buttons do (the file chooser gives @snapshot to the second) */
void        jn_connection_page_test                  (JnConnectionPage *self);
void        jn_connection_page_work_offline          (JnConnectionPage *self,
                                                      GFile            *snapshot);
void        jn_connection_page_open_demo             (JnConnectionPage *self);

G_END_DECLS
