/* jn-directory.h: the ENT users of an establishment, from a SCIM ListResponse
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "jn-ent-user.h"

G_BEGIN_DECLS

#define JN_TYPE_DIRECTORY (jn_directory_get_type ())
G_DECLARE_FINAL_TYPE (JnDirectory, jn_directory, JN, DIRECTORY, GObject)

JnDirectory  *jn_directory_new                (const char    *extension_urn);
const char   *jn_directory_get_extension_urn  (JnDirectory   *self);

/* A snapshot: one ListResponse document with every page's Resources */
gboolean      jn_directory_load_file          (JnDirectory   *self,
                                               GFile         *file,
                                               GCancellable  *cancellable,
                                               GError       **error);
/* Adds the Resources of one ListResponse page; returns how many users it held */
gboolean      jn_directory_add_list_response  (JnDirectory   *self,
                                               JsonNode      *list_response,
                                               const char    *display_name,
                                               guint         *n_added,
                                               GError       **error);
void          jn_directory_add_user           (JnDirectory   *self,
                                               JnEntUser     *user);

/* FALSE when the listing looked truncated (a count that lied, a page missing): then
 * nothing may rely on the directory being whole (names-unique, complete-mode clears).
 * TRUE by default. */
gboolean      jn_directory_get_complete       (JnDirectory   *self);
void          jn_directory_set_complete       (JnDirectory   *self,
                                               gboolean       complete);

/* GListModel of JnEntUser, in directory order */
GListModel   *jn_directory_get_users          (JnDirectory   *self);
guint         jn_directory_get_n_users        (JnDirectory   *self);
JnEntUser    *jn_directory_lookup             (JnDirectory   *self,
                                               const char    *id);
/* The ListResponse document of all users (a snapshot) */
JsonNode     *jn_directory_to_json            (JnDirectory   *self);
/* Writes the snapshot atomically, mode 0600 (it holds minors' names and birth dates) */
gboolean      jn_directory_save_file          (JnDirectory   *self,
                                               GFile         *file,
                                               GCancellable  *cancellable,
                                               GError       **error);

G_END_DECLS
