/* jn-loading-page.h: shown while an export is read off the main loop
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define JN_TYPE_LOADING_PAGE (jn_loading_page_get_type ())
G_DECLARE_FINAL_TYPE (JnLoadingPage, jn_loading_page, JN, LOADING_PAGE, AdwBin)

GtkWidget *jn_loading_page_new      (void);
GFile     *jn_loading_page_get_file (JnLoadingPage *self);
void       jn_loading_page_set_file (JnLoadingPage *self,
                                     GFile         *file);

G_END_DECLS
