/* jn-welcome-page.h: the first page, to open a PRONOTE export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define JN_TYPE_WELCOME_PAGE (jn_welcome_page_get_type ())
G_DECLARE_FINAL_TYPE (JnWelcomePage, jn_welcome_page, JN, WELCOME_PAGE, AdwBin)

GtkWidget *jn_welcome_page_new (void);

G_END_DECLS
