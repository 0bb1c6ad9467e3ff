/* fuzz-envelope.c: Index Education's encrypted container: jn_envelope_parse() on any XML,
 * then jn_envelope_open() with a fixed test-only key (tests/fuzz/envelope-key.pem, the key
 * the seed envelopes are sealed for), so that mutations past the RSA block reach the AES,
 * SHA-256 and zlib steps.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "fuzz-common.h"

#include "jn-envelope.h"
#include "jn-xml.h"

static GBytes *key_data;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  const char *path = g_getenv ("JN_FUZZ_ENVELOPE_KEY");
  g_autofree char *contents = NULL;
  gsize length;

  fuzz_init ();
  if (path == NULL)
    path = JN_FUZZ_ENVELOPE_KEY;
  if (!g_file_get_contents (path, &contents, &length, NULL))
    {
      g_printerr ("fuzz-envelope: cannot read the test key %s\n", path);
      abort ();
    }
  key_data = g_bytes_new_take (g_steal_pointer (&contents), length);

  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(JnXmlReader) reader = NULL;
  g_autoptr(JnEnvelope) envelope = NULL;
  g_autoptr(GBytes) cleartext = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) partners = NULL;
  g_autofree char *opened = NULL;
  const char *root = NULL;

  reader = jn_xml_reader_new (bytes, "fuzz.xml", &error);
  if (reader == NULL)
    return 0;

  /* As jn_export_load() does: to the root element */
  while (root == NULL)
    {
      if (!jn_xml_reader_next (reader, &error))
        return 0;
      root = jn_xml_reader_get_local_name (reader);
    }
  if (g_ascii_strcasecmp (root, JN_ENVELOPE_ROOT) != 0)
    return 0;

  envelope = jn_envelope_parse (reader, "fuzz.xml", &error);
  if (envelope == NULL)
    {
      g_assert (error != NULL);
      return 0;
    }

  partners = jn_envelope_dup_partners (envelope);
  g_assert (partners != NULL);
  (void)jn_envelope_get_uai (envelope);
  (void)jn_envelope_get_establishment (envelope);
  (void)jn_envelope_get_date_time (envelope);
  (void)jn_envelope_get_software (envelope);

  cleartext = jn_envelope_open (envelope, key_data, "envelope-key.pem", NULL, &opened,
                                NULL, &error);
  g_assert ((cleartext == NULL) == (error != NULL));
  if (cleartext != NULL)
    g_assert (opened != NULL);

  return 0;
}
