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

/* Limits of a snapshot file: 100,000 users weigh about 70 MB */
#define JN_DIRECTORY_MAX_FILE_SIZE ((gsize)256 * 1024 * 1024)
/* At most this many users in one directory, read from a file or a server */
#define JN_DIRECTORY_MAX_USERS 400000

/* A snapshot: one ListResponse document with every page's Resources. Read element by
 * element (never one tree of the whole file); two users with one "id" are refused. It
 * counts as whole unless its totalResults says otherwise. */
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

/* Whether the directory is known to hold every user of the establishment. TRUE for a new
 * directory; an ENT reader sets FALSE with a reason when it has doubts (a server whose
 * count lies, a filter that matched nobody…). Names-unique matching and complete-mode
 * clears must not run on a directory that is not known whole. */
gboolean      jn_directory_get_complete       (JnDirectory   *self);
/* NULL when complete; else why not, for the admin */
const char   *jn_directory_get_incomplete_reason (JnDirectory *self);
void          jn_directory_set_complete       (JnDirectory   *self,
                                               gboolean       complete,
                                               const char    *reason);

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
/* One user as a snapshot holds it: compact JSON (free it) */
char         *jn_directory_user_to_text       (JnDirectory   *self,
                                               JnEntUser     *user);
/* The text of @user in a snapshot, as jn_directory_user_to_text() gives it; owned by the
 * caller of jn_directory_write_snapshot() (a cache of unchanged users' texts) */
typedef const char *(*JnDirectoryUserText)    (JnEntUser     *user,
                                               gpointer       user_data);
/* The snapshot jn_directory_save_file() writes, to @fd as it is (no sync, no rename) */
gboolean      jn_directory_write_snapshot     (JnDirectory          *self,
                                               int                   fd,
                                               JnDirectoryUserText   user_text,
                                               gpointer              user_data,
                                               GError              **error);

G_END_DECLS
