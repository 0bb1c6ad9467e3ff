/* jn-export.h: a loaded PRONOTE export: metadata and six category models
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "jn-types.h"

G_BEGIN_DECLS

#define JN_TYPE_EXPORT (jn_export_get_type ())
G_DECLARE_FINAL_TYPE (JnExport, jn_export, JN, EXPORT, GObject)

/**
 * JnExport:
 *
 * Properties (all read-only, notified on change, set on the main thread when a load ends):
 *   "file"           GFile        the loaded file
 *   "loaded"         gboolean     TRUE once the records are in the models
 *   "encrypted"      gboolean     the file is an Index Education encrypted envelope
 *   "partners"       GStrv        partner names of the envelope (empty when not encrypted)
 *   "partner"        char*        the partner whose key opened it, or NULL
 *   "uai"            char*        the establishment's UAI, or NULL
 *   "establishment"  char*        the establishment's name, or NULL
 *   "exported-at"    char*        export date/time as written in the file, or NULL
 *   "software"       char*        the exporting software, or NULL
 *   "n-records"      guint        number of person records, all categories
 *
 * The metadata is also filled when a load fails after the envelope was read (for example
 * an encrypted file without its key), so that it can be shown with the error. The models
 * are only ever filled with a complete, valid file: a failed load leaves them empty.
 */

JnExport     *jn_export_new                 (void);

/* Loads @file synchronously (call from a worker thread or the CLI).
 * @key_file: the partner's private key (PEM or DER PKCS#8), or NULL
 * @partner: the partner name to use, or NULL to take the one the key opens */
gboolean      jn_export_load                (JnExport             *self,
                                             GFile                *file,
                                             GFile                *key_file,
                                             const char           *partner,
                                             GCancellable         *cancellable,
                                             GError              **error);
/* The same off the main loop; the object is updated when the callback runs */
void          jn_export_load_async          (JnExport             *self,
                                             GFile                *file,
                                             GFile                *key_file,
                                             const char           *partner,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean      jn_export_load_finish         (JnExport             *self,
                                             GAsyncResult         *result,
                                             GError              **error);

GFile        *jn_export_get_file            (JnExport             *self);
gboolean      jn_export_get_loaded          (JnExport             *self);
gboolean      jn_export_get_encrypted       (JnExport             *self);
const char * const *jn_export_get_partners  (JnExport             *self);
const char   *jn_export_get_partner         (JnExport             *self);
const char   *jn_export_get_uai             (JnExport             *self);
const char   *jn_export_get_establishment   (JnExport             *self);
const char   *jn_export_get_exported_at     (JnExport             *self);
const char   *jn_export_get_software        (JnExport             *self);
guint         jn_export_get_n_records       (JnExport             *self);
/* SHA-256 (hex) of the file as read: identifies an import to resume */
const char   *jn_export_get_file_hash       (JnExport             *self);
/* What the export holds that the user should know, one line each, "file:line: reason"
 * (identifiers that are malformed or shared by two records…); never NULL, empty until
 * loaded. The strings belong to the export. */
GPtrArray    *jn_export_get_warnings        (JnExport             *self);
/* TRUE when the metadata (at least the encrypted flag, UAI or partners) is known */
gboolean      jn_export_has_metadata        (JnExport             *self);

/* A GListModel of JnPerson, in file order; never NULL (empty until loaded) */
GListModel   *jn_export_get_category_model  (JnExport             *self,
                                             JnCategory            category);
guint         jn_export_get_count           (JnExport             *self,
                                             JnCategory            category);

G_END_DECLS
