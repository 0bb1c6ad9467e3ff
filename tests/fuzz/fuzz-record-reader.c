/* fuzz-record-reader.c: the cleartext export reader (jn_record_reader_read), as the
 * envelope hands it the decrypted bytes, and the metadata and records it produces.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "fuzz-common.h"

#include "jn-person.h"
#include "jn-record-reader.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(JnExportData) export = jn_export_data_new ();
  g_autoptr(GError) error = NULL;

  if (!jn_record_reader_read (bytes, "fuzz.xml", export, NULL, &error))
    {
      g_assert (error != NULL && error->message != NULL);
      return 0;
    }
  g_assert (error == NULL);

  /* Everything a caller reads from the records */
  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    for (guint i = 0; export->records[c] != NULL && i < export->records[c]->len; i++)
      {
        JnPerson *person = g_ptr_array_index (export->records[c], i);
        g_autofree char *display = jn_person_dup_display_name (person);
        GPtrArray *children = jn_person_get_children (person);

        g_assert (display != NULL);
        (void)jn_person_get_pronote_id (person);
        (void)jn_person_get_birth_date (person);
        for (guint j = 0; children != NULL && j < children->len; j++)
          g_assert (JN_IS_PERSON (g_ptr_array_index (children, j)));
      }

  return 0;
}
