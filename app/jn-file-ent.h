/* jn-file-ent.h: the embedded default ENT: a snapshot file updated in place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "jn-ent.h"

G_BEGIN_DECLS

#define JN_TYPE_FILE_ENT (jn_file_ent_get_type ())
G_DECLARE_FINAL_TYPE (JnFileEnt, jn_file_ent, JN, FILE_ENT, GObject)

/* Loads @file (a SCIM ListResponse snapshot); writes go back to it atomically */
JnFileEnt *jn_file_ent_new (GFile       *file,
                            const char  *extension_urn,
                            GError     **error);

G_END_DECLS
