/* test-envelope.c: opening Index Education envelopes
 *
 * The envelopes here are sealed by this file's own writer (GnuTLS, GZlibCompressor), an
 * implementation independent of the Python/OpenSSL fixture generator used by the CLI
 * tests, with the generator's test-only keys.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "jn-error.h"
#include "jn-export.h"
#include "jn-person.h"

typedef enum
{
  SEAL_COMPRESS = 1 << 0,
  SEAL_NO_COMPRESS_ATTRIBUTE = 1 << 1,
  SEAL_TAMPER_VERIFICATION = 1 << 2,
  SEAL_TAMPER_CONTENT = 1 << 3,
  SEAL_SHORTEN_CONTENT = 1 << 4,
  SEAL_LIE_COMPRESSED = 1 << 5,
  SEAL_BOM = 1 << 6,
} SealFlags;

static const char cleartext[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<ExportIdentifiants UAI=\"0312609T\" DateExport=\"2026-09-01\">"
  "<Eleves><Eleve Ident=\"1\" Nom=\"ELAPHE\" Prenom=\"Aïssa\" DateNaissance=\"2012-01-10\" IDPN=\"HUP2NFZQRYAD7EXS\">"
  "<Responsable Ident=\"7\" Nom=\"ELAPHE\" Prenom=\"Karim\" IDPN=\"DK4BZJEQWCHP98RS\"/></Eleve></Eleves>"
  "<Personnels><Personnel Nom=\"VIDAL\" Prenom=\"Rose\" IDPN=\"PE2345789ABCDEFG\"/></Personnels>"
  "</ExportIdentifiants>\n";

static char *
key_path (const char *name)
{
  return g_build_filename (g_getenv ("JN_FIXTURES_DIR"), "keys", name, NULL);
}

static gnutls_pubkey_t
load_public_key (const char *name)
{
  g_autofree char *path = key_path (name);
  g_autofree char *pem = NULL;
  gnutls_x509_privkey_t x509;
  gnutls_privkey_t key;
  gnutls_pubkey_t pub;
  gnutls_datum_t datum;
  gsize len;

  g_assert_true (g_file_get_contents (path, &pem, &len, NULL));
  datum.data = (unsigned char *)pem;
  datum.size = (unsigned int)len;
  g_assert_cmpint (gnutls_x509_privkey_init (&x509), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_import_pkcs8 (x509, &datum, GNUTLS_X509_FMT_PEM, NULL,
                                                     GNUTLS_PKCS_PLAIN), ==, 0);
  g_assert_cmpint (gnutls_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_privkey_import_x509 (key, x509, GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE), ==, 0);
  g_assert_cmpint (gnutls_pubkey_init (&pub), ==, 0);
  g_assert_cmpint (gnutls_pubkey_import_privkey (pub, key, 0, 0), ==, 0);
  gnutls_privkey_deinit (key);

  return pub;
}

static void
append_base64 (GString      *xml,
               const guchar *data,
               gsize         len)
{
  g_autofree char *b64 = g_base64_encode (data, len);
  gsize n = strlen (b64);

  /* Wrapped at 76 columns, as Index Education writes it */
  for (gsize i = 0; i < n; i += 76)
    {
      g_string_append_len (xml, b64 + i, MIN (76, n - i));
      if (i + 76 < n)
        g_string_append (xml, "\n        ");
    }
}

static GBytes *
zlib_compress (const guchar *data,
               gsize         len)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB, 9);
  g_autoptr(GInputStream) base = g_memory_input_stream_new_from_data (data, len, NULL);
  g_autoptr(GInputStream) stream = g_converter_input_stream_new (base, G_CONVERTER (compressor));
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

  g_assert_cmpint (g_output_stream_splice (out, stream, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                                           G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, NULL), >, 0);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

/* partners: NULL-terminated pairs of (partner name, key file name) */
static GFile *
seal (const char * const *partners,
      SealFlags           flags)
{
  g_autoptr(GString) xml = g_string_new (NULL);
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  g_autoptr(GChecksum) sha = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guchar *content = NULL;
  g_autofree char *path = NULL;
  g_autofree char *plain = NULL;
  gnutls_cipher_hd_t cipher;
  guchar sealed_key[48];
  guchar digest[32];
  gsize digest_len, plain_len, padded_len;
  guint padding;
  gnutls_datum_t aes_key = { sealed_key, 16 };
  gnutls_datum_t aes_iv = { sealed_key + 16, 16 };
  static guint counter;

  plain = g_strconcat ((flags & SEAL_BOM) ? "\xEF\xBB\xBF" : "", cleartext, NULL);
  plain_len = strlen (plain);
  if (flags & SEAL_COMPRESS)
    payload = zlib_compress ((guchar *)plain, plain_len);
  else
    payload = g_bytes_new (plain, plain_len);

  g_assert_cmpint (gnutls_rnd (GNUTLS_RND_NONCE, sealed_key, 32), ==, 0);
  g_checksum_update (md5, sealed_key, 32);
  digest_len = 16;
  g_checksum_get_digest (md5, sealed_key + 32, &digest_len);

  g_string_append (xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                        "<EXPORT_INDEX_EDUCATION xmlns=\"http://www.index-education.com/conteneurexportchiffre\">"
                        "<VERSION>1.0</VERSION><LOGICIEL>PRONOTE 2026 - 0.1</LOGICIEL><CLES>");
  for (guint i = 0; partners[i] != NULL; i += 2)
    {
      gnutls_pubkey_t pub = load_public_key (partners[i + 1]);
      gnutls_datum_t in = { sealed_key, 48 };
      gnutls_datum_t out;

      g_assert_cmpint (gnutls_pubkey_encrypt_data (pub, 0, &in, &out), ==, 0);
      g_string_append_printf (xml, "<PARTENAIRE NOM=\"%s\">", partners[i]);
      append_base64 (xml, out.data, out.size);
      g_string_append (xml, "</PARTENAIRE>");
      gnutls_free (out.data);
      gnutls_pubkey_deinit (pub);
    }
  g_string_append (xml, "</CLES>");

  /* AES-128-CBC with PKCS#7 padding */
  padding = 16 - g_bytes_get_size (payload) % 16;
  padded_len = g_bytes_get_size (payload) + padding;
  content = g_malloc (padded_len);
  memcpy (content, g_bytes_get_data (payload, NULL), g_bytes_get_size (payload));
  memset (content + g_bytes_get_size (payload), padding, padding);
  g_assert_cmpint (gnutls_cipher_init (&cipher, GNUTLS_CIPHER_AES_128_CBC, &aes_key, &aes_iv), ==, 0);
  g_assert_cmpint (gnutls_cipher_encrypt (cipher, content, padded_len), ==, 0);
  gnutls_cipher_deinit (cipher);

  if (flags & SEAL_TAMPER_CONTENT)
    content[padded_len / 2 - 8] ^= 0x5a;
  if (flags & SEAL_SHORTEN_CONTENT)
    padded_len -= 3;

  if (flags & SEAL_NO_COMPRESS_ATTRIBUTE)
    g_string_append (xml, "<CONTENU>");
  else
    g_string_append_printf (xml, "<CONTENU CompresseAvantChiffrement=\"%s\">",
                            (flags & (SEAL_COMPRESS | SEAL_LIE_COMPRESSED)) ? "true" : "false");
  append_base64 (xml, content, padded_len);

  g_checksum_update (sha, g_bytes_get_data (payload, NULL), g_bytes_get_size (payload));
  digest_len = 32;
  g_checksum_get_digest (sha, digest, &digest_len);
  if (flags & SEAL_TAMPER_VERIFICATION)
    digest[0] ^= 1;
  g_string_append (xml, "</CONTENU><VERIFICATION>");
  append_base64 (xml, digest, 32);
  g_string_append (xml, "</VERIFICATION><DATEHEURE>2026-09-01T08:30:00+02:00</DATEHEURE>"
                        "<UAI>0312609T</UAI><NOMETABLISSEMENT>COLLEGE DES ESSAIS</NOMETABLISSEMENT>"
                        "<CODEPOSTALVILLE>31000 TOULOUSE</CODEPOSTALVILLE></EXPORT_INDEX_EDUCATION>\n");

  path = g_strdup_printf ("%s/envelope-%u.xml", g_get_tmp_dir (), ++counter);
  g_assert_true (g_file_set_contents (path, xml->str, xml->len, NULL));

  return g_file_new_for_path (path);
}

static JnExport *
open_envelope (GFile       *file,
               const char  *key,
               const char  *partner,
               GError     **error)
{
  g_autoptr(JnExport) export = jn_export_new ();
  g_autofree char *path = key ? key_path (key) : NULL;
  g_autoptr(GFile) key_file = path ? g_file_new_for_path (path) : NULL;

  if (!jn_export_load (export, file, key_file, partner, NULL, error))
    {
      g_assert_cmpuint (jn_export_get_n_records (export), ==, 0);
      return NULL;
    }

  return g_steal_pointer (&export);
}

static void
assert_opens (GFile      *file,
              const char *key,
              const char *partner,
              const char *expected_partner)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JnExport) export = open_envelope (file, key, partner, &error);
  g_autoptr(JnPerson) student = NULL;

  g_assert_no_error (error);
  g_assert_true (jn_export_get_encrypted (export));
  g_assert_cmpstr (jn_export_get_partner (export), ==, expected_partner);
  g_assert_cmpstr (jn_export_get_uai (export), ==, "0312609T");
  g_assert_cmpstr (jn_export_get_establishment (export), ==, "COLLEGE DES ESSAIS");
  g_assert_cmpstr (jn_export_get_software (export), ==, "PRONOTE 2026 - 0.1");
  g_assert_cmpuint (jn_export_get_count (export, JN_CATEGORY_STUDENT), ==, 1);
  g_assert_cmpuint (jn_export_get_count (export, JN_CATEGORY_RELATIVE), ==, 1);
  g_assert_cmpuint (jn_export_get_count (export, JN_CATEGORY_STAFF), ==, 1);
  student = g_list_model_get_item (jn_export_get_category_model (export, JN_CATEGORY_STUDENT), 0);
  g_assert_cmpstr (jn_person_get_given_name (student), ==, "Aïssa");
}

static void
assert_refused (GFile      *file,
                const char *key,
                const char *partner,
                int         code,
                const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JnExport) export = open_envelope (file, key, partner, &error);

  g_assert_null (export);
  g_assert_error (error, JN_ERROR, code);
  g_assert_true (jn_error_is_input_error (error));
  if (strstr (error->message, fragment) == NULL)
    g_error ("“%s” not found in “%s”", fragment, error->message);
}

static const char * const one_partner[] = { "KOSMOS", "partner.pem", NULL };
static const char * const two_partners[] = { "KOSMOS", "partner.pem", "ENTNAME", "second.pem", NULL };

static void
test_open (void)
{
  g_autoptr(GFile) compressed = seal (one_partner, SEAL_COMPRESS);
  g_autoptr(GFile) plain = seal (one_partner, 0);
  g_autoptr(GFile) implicit = seal (one_partner, SEAL_COMPRESS | SEAL_NO_COMPRESS_ATTRIBUTE);
  g_autoptr(GFile) bom = seal (one_partner, SEAL_COMPRESS | SEAL_BOM);

  assert_opens (compressed, "partner.pem", NULL, "KOSMOS");
  assert_opens (compressed, "partner.der", NULL, "KOSMOS");
  assert_opens (compressed, "partner.pem", "kosmos", "KOSMOS");
  assert_opens (plain, "partner.pem", NULL, "KOSMOS");
  assert_opens (implicit, "partner.pem", NULL, "KOSMOS");
  assert_opens (bom, "partner.pem", "KOSMOS", "KOSMOS");
}

static void
test_two_partners (void)
{
  g_autoptr(GFile) file = seal (two_partners, SEAL_COMPRESS);

  /* Without a partner name, the one the key opens is taken. */
  assert_opens (file, "partner.pem", NULL, "KOSMOS");
  assert_opens (file, "second.pem", NULL, "ENTNAME");
  assert_opens (file, "second.pem", "ENTNAME", "ENTNAME");
  assert_refused (file, "second.pem", "KOSMOS", JN_ERROR_WRONG_KEY, "partner KOSMOS");
}

static void
test_key_errors (void)
{
  g_autoptr(GFile) file = seal (two_partners, SEAL_COMPRESS);

  assert_refused (file, NULL, NULL, JN_ERROR_KEY_REQUIRED, "encrypted for KOSMOS, ENTNAME (UAI 0312609T)");
  assert_refused (file, "other.pem", NULL, JN_ERROR_WRONG_KEY, "does not open");
  assert_refused (file, "partner.pem", "NOPE", JN_ERROR_UNKNOWN_PARTNER, "no partner named “NOPE”");
  assert_refused (file, "garbage.pem", NULL, JN_ERROR_INVALID_KEY, "not a private key");
  assert_refused (file, "missing.pem", NULL, JN_ERROR_IO, "missing.pem");
}

static void
test_tampered (void)
{
  g_autoptr(GFile) verification = seal (one_partner, SEAL_COMPRESS | SEAL_TAMPER_VERIFICATION);
  g_autoptr(GFile) content = seal (one_partner, SEAL_COMPRESS | SEAL_TAMPER_CONTENT);
  g_autoptr(GFile) shortened = seal (one_partner, SEAL_COMPRESS | SEAL_SHORTEN_CONTENT);
  g_autoptr(GFile) lie = seal (one_partner, SEAL_LIE_COMPRESSED);

  assert_refused (verification, "partner.pem", NULL, JN_ERROR_TAMPERED, "SHA-256");
  assert_refused (content, "partner.pem", NULL, JN_ERROR_TAMPERED, "SHA-256");
  assert_refused (shortened, "partner.pem", NULL, JN_ERROR_CORRUPTED, "corrupted");
  assert_refused (lie, "partner.pem", NULL, JN_ERROR_CORRUPTED, "corrupted");
}

static void
test_truncated (void)
{
  g_autoptr(GFile) file = seal (one_partner, SEAL_COMPRESS);
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_true (g_file_load_contents (file, NULL, &contents, &len, NULL, NULL));
  g_assert_true (g_file_replace_contents (file, contents, len * 2 / 3, NULL, FALSE,
                                          G_FILE_CREATE_NONE, NULL, NULL, NULL));
  assert_refused (file, "partner.pem", NULL, JN_ERROR_INVALID_FILE, "line ");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/envelope/open", test_open);
  g_test_add_func ("/envelope/two-partners", test_two_partners);
  g_test_add_func ("/envelope/key-errors", test_key_errors);
  g_test_add_func ("/envelope/tampered", test_tampered);
  g_test_add_func ("/envelope/truncated", test_truncated);

  return g_test_run ();
}
