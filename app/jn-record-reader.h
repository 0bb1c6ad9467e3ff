/* jn-record-reader.h: the tolerant reader of PRONOTE cleartext exports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "jn-types.h"
#include "jn-xml.h"

G_BEGIN_DECLS

/* An establishment has up to a few thousand people; 100,000 stays fast. More is refused. */
#define JN_RECORD_READER_MAX_RECORDS 200000
/* Longest value of an attribute the reader keeps (names, identifiers, dates, UAI…) */
#define JN_RECORD_READER_MAX_VALUE 1024
/* Warnings kept in full; the rest are counted in a last one */
#define JN_RECORD_READER_MAX_WARNINGS 100

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
  guint      max_records;                /* JN_RECORD_READER_MAX_RECORDS (tests lower it) */
  GPtrArray *warnings;                   /* char*: "file:line: reason" */
  guint      n_warnings;                 /* including those not kept */
} JnExportData;

JnExportData *jn_export_data_new            (void);
void          jn_export_data_free           (JnExportData  *data);

/* Reads a cleartext export (any root, any namespace) into @data.
 * One record per person: a record repeated with the same identifier and the same identity
 * (category, names, birth date and Ident, where both occurrences give them) is one person
 * (a parent under each of her children). Records sharing an identifier but not an identity,
 * in one category or across categories, are all kept and marked
 * (jn_person_get_duplicate_id()); a malformed identifier is kept and marked
 * (jn_person_get_id_invalid()); both are reported in @data's warnings. Fills the metadata the root
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
