/* jn-preferences-window.h: the connection page (ENT, PRONOTE file, advanced settings)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jn-connection-page.h"

G_BEGIN_DECLS

#define JN_TYPE_PREFERENCES_WINDOW (jn_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (JnPreferencesWindow, jn_preferences_window, JN, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

GtkWindow        *jn_preferences_window_new                 (GtkWindow           *transient_for);
JnConnectionPage *jn_preferences_window_get_connection_page (JnPreferencesWindow *self);

G_END_DECLS
