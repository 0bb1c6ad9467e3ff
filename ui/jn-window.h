/* jn-window.h: the main window: one import session and the wizard's pages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jn-ent.h"
#include "jn-export.h"
#include "jn-import-session.h"
#include "jn-store.h"

G_BEGIN_DECLS

#define JN_TYPE_WINDOW (jn_window_get_type ())
G_DECLARE_FINAL_TYPE (JnWindow, jn_window, JN, WINDOW, AdwApplicationWindow)

/* @application may be NULL (widget tests); the window opens the default store */
JnWindow        *jn_window_new          (AdwApplication *application);
/* With the journal @store ("store" property, construct-only; NULL: the default store) */
JnWindow        *jn_window_new_with_store (AdwApplication *application,
                                           JnStore        *store);
JnStore         *jn_window_get_store    (JnWindow       *self);
/* The ENT the next import reads and writes; NULL: the one of the preferences */
void             jn_window_set_ent      (JnWindow       *self,
                                         JnEnt          *ent);
JnEnt           *jn_window_get_ent      (JnWindow       *self);
/* Reads @file off the main loop (with the partner key of the preferences), then the ENT's
 * directory, and shows the file's summary */
void             jn_window_open         (JnWindow       *self,
                                         GFile          *file);
/* The export of the current session, or NULL */
JnExport        *jn_window_get_export   (JnWindow       *self);
/* The import under way, or NULL on the start page */
JnImportSession *jn_window_get_session  (JnWindow       *self);
/* TRUE while the session works (read, match, push, retry, resume) */
gboolean         jn_window_get_busy     (JnWindow       *self);
/* The page shown: "welcome", "loading", "summary", "error", "offline", "mode", "steps",
 * "report" */
const char      *jn_window_get_page     (JnWindow       *self);
/* The connection settings in the window (the first run, "Set Up the Connection…"); when
 * done, back to the page shown before (or to the file waiting for its directory) */
void             jn_window_show_connection (JnWindow    *self);
/* The demonstration: its file, with its directory (a copy of the bundled snapshot) */
void             jn_window_open_demo       (JnWindow    *self);
/* TRUE on the first run: no ENT, snapshot or demo chosen yet */
gboolean         jn_window_needs_connection (JnWindow   *self);
/* The start page looks for an interrupted import again (after another window's changes) */
void             jn_window_refresh_start (JnWindow      *self);

G_END_DECLS
