/* jn-window.h: the main window: one PRONOTE export and its pages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jn-export.h"

G_BEGIN_DECLS

#define JN_TYPE_WINDOW (jn_window_get_type ())
G_DECLARE_FINAL_TYPE (JnWindow, jn_window, JN, WINDOW, AdwApplicationWindow)

/* @application may be NULL (widget tests) */
JnWindow   *jn_window_new        (AdwApplication *application);
/* Reads @file off the main loop, with the partner key of the preferences */
void        jn_window_open       (JnWindow       *self,
                                  GFile          *file);
JnExport   *jn_window_get_export (JnWindow       *self);
/* TRUE while a file is being read */
gboolean    jn_window_get_busy   (JnWindow       *self);

G_END_DECLS
