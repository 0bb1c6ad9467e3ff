/* jn-record-reader.h: the tolerant reader of PRONOTE cleartext exports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "jn-types.h"
#include "jn-xml.h"

G_BEGIN_DECLS

/* Everything a load produces, built off the main loop and handed over in one piece. */
typedef struct
{
  gboolean   has_metadata;
  gboolean   encrypted;
  GStrv      partners;
  char      *partner;
  char      *uai;
  char      *establishment;
  char      *exported_at;
  char      *software;
  char      *file_hash;                  /* SHA-256 of the file as read, hex */
  GPtrArray *records[JN_N_CATEGORIES];   /* JnPerson, file order, deduplicated */
} JnExportData;

JnExportData *jn_export_data_new            (void);
void          jn_export_data_free           (JnExportData  *data);

/* Reads a cleartext export (any root, any namespace) into @data. Fills the metadata the root
 * carries (UAI, DateExport, NomEtablissement, Logiciel) where @data has none yet, and
 * the records. On error the records of @data are left empty. */
gboolean      jn_record_reader_read         (GBytes        *cleartext,
                                             const char    *display_name,
                                             JnExportData  *data,
                                             GCancellable  *cancellable,
                                             GError       **error);

/* Reads the records from @reader positioned on the root element of a cleartext export. */
gboolean      jn_record_reader_read_from    (JnXmlReader   *reader,
                                             const char    *display_name,
                                             JnExportData  *data,
                                             GCancellable  *cancellable,
                                             GError       **error);

/* "YYYY-MM-DD" or "DD/MM/YYYY" (or an ISO date-time) to "YYYY-MM-DD"; NULL if invalid */
char         *jn_record_reader_parse_date   (const char    *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JnExportData, jn_export_data_free)

G_END_DECLS
