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
#include <sys/stat.h>

#include <glib/gstdio.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "jn-envelope.h"
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
  SEAL_BOM_LATIN1 = 1 << 7,   /* a UTF-8 BOM, then a declaration of ISO-8859-1 */
} SealFlags;

static const char cleartext[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<ExportIdentifiants UAI=\"0312609T\" DateExport=\"2026-09-01\">"
  "<Eleves><Eleve Ident=\"1\" Nom=\"ELAPHE\" Prenom=\"Aïssa\" DateNaissance=\"2012-01-10\" IDPN=\"HUP2NFZQRYAD7EXS\">"
  "<Responsable Ident=\"7\" Nom=\"ELAPHE\" Prenom=\"Karim\" IDPN=\"DK4BZJEQWCHP98RS\"/></Eleve></Eleves>"
  "<Personnels><Personnel Nom=\"VIDAL\" Prenom=\"Rose\" IDPN=\"PE2345789ABCDEFG\"/></Personnels>"
  "</ExportIdentifiants>\n";

/* What seal() encrypts: cleartext unless a test says otherwise */
static const char *sealed_text = cleartext;

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

  plain = g_strconcat ((flags & (SEAL_BOM | SEAL_BOM_LATIN1)) ? "\xEF\xBB\xBF" : "", sealed_text, NULL);
  if (flags & SEAL_BOM_LATIN1)
    {
      g_autoptr(GString) latin1 = g_string_new (plain);

      g_free (plain);
      g_string_replace (latin1, "encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"", 1);
      plain = g_string_free (g_steal_pointer (&latin1), FALSE);
    }
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


/* Class 3 and 4 of the hardening: bounded envelopes, keys read safely, no BOM dropped */

/* Rewrites the first match of @pattern in @file */
static void
edit (GFile      *file,
      const char *pattern,
      const char *replacement)
{
  g_autofree char *contents = NULL;
  g_autofree char *edited = NULL;
  g_autoptr(GRegex) regex = g_regex_new (pattern, G_REGEX_DOTALL, 0, NULL);
  gsize len;

  g_assert_nonnull (regex);
  g_assert_true (g_file_load_contents (file, NULL, &contents, &len, NULL, NULL));
  g_assert_true (g_regex_match (regex, contents, 0, NULL));
  edited = g_regex_replace_literal (regex, contents, -1, 0, replacement, G_REGEX_MATCH_DEFAULT, NULL);
  g_assert_true (g_file_replace_contents (file, edited, strlen (edited), NULL, FALSE,
                                          G_FILE_CREATE_NONE, NULL, NULL, NULL));
}

static void
test_envelope_bounds (void)
{
  g_autoptr(GPtrArray) many = g_ptr_array_new ();
  g_autoptr(GPtrArray) most = g_ptr_array_new ();
  g_autofree char *long_text = g_strnfill (2000, 'A');
  g_autofree char *long_version = g_strdup_printf ("<VERSION>%s</VERSION>", long_text);
  g_autofree char *long_name = g_strdup_printf ("<PARTENAIRE NOM=\"%s\">", long_text);
  g_autofree char *huge_key_text = g_strnfill (20000, 'A');
  g_autofree char *huge_key = g_strdup_printf ("<PARTENAIRE NOM=\"KOSMOS\">%s</PARTENAIRE>", huge_key_text);
  g_autoptr(GFile) too_many = NULL;
  g_autoptr(GFile) just_enough = NULL;
  g_autoptr(GFile) version = seal (one_partner, SEAL_COMPRESS);
  g_autoptr(GFile) name = seal (one_partner, SEAL_COMPRESS);
  g_autoptr(GFile) sealed_key = seal (one_partner, SEAL_COMPRESS);
  g_autoptr(GFile) garbage_key = seal (one_partner, SEAL_COMPRESS);
  g_autoptr(GFile) garbage_content = seal (one_partner, SEAL_COMPRESS);
  g_autoptr(GFile) garbage_verification = seal (one_partner, SEAL_COMPRESS);
  gint64 start;

  /* 33 partners: refused before any RSA operation; 32 are tried */
  for (guint i = 0; i < JN_ENVELOPE_MAX_PARTNERS + 1; i++)
    {
      g_ptr_array_add (many, g_strdup_printf ("P%02u", i));
      g_ptr_array_add (many, (gpointer)"other.pem");
    }
  g_ptr_array_add (many, NULL);
  for (guint i = 0; i < JN_ENVELOPE_MAX_PARTNERS - 1; i++)
    {
      g_ptr_array_add (most, g_ptr_array_index (many, 2 * i));
      g_ptr_array_add (most, (gpointer)"other.pem");
    }
  g_ptr_array_add (most, (gpointer)"KOSMOS");
  g_ptr_array_add (most, (gpointer)"partner.pem");
  g_ptr_array_add (most, NULL);
  too_many = seal ((const char * const *)many->pdata, SEAL_COMPRESS);
  just_enough = seal ((const char * const *)most->pdata, SEAL_COMPRESS);

  start = g_get_monotonic_time ();
  assert_refused (too_many, "partner.pem", NULL, JN_ERROR_TOO_LARGE, "more than 32 partners");
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  assert_opens (just_enough, "partner.pem", NULL, "KOSMOS");
  for (guint i = 0; i < JN_ENVELOPE_MAX_PARTNERS + 1; i++)
    g_free (g_ptr_array_index (many, 2 * i));

  edit (version, "<VERSION>[^<]*</VERSION>", long_version);
  edit (name, "<PARTENAIRE NOM=\"KOSMOS\">", long_name);
  edit (sealed_key, "<PARTENAIRE NOM=\"KOSMOS\">[^<]*</PARTENAIRE>", huge_key);
  edit (garbage_key, "<PARTENAIRE NOM=\"KOSMOS\">[^<]*</PARTENAIRE>", "<PARTENAIRE NOM=\"KOSMOS\">!!not base64!!</PARTENAIRE>");
  edit (garbage_content, "(?<=>)[^<]*</CONTENU>", "QUJD\xC3\xA9RA==</CONTENU>");
  edit (garbage_verification, "<VERIFICATION>[^<]*</VERIFICATION>", "<VERIFICATION>AAAA</VERIFICATION>");

  {
    const struct
    {
      GFile      *file;
      int         code;
      const char *fragment;
    } cases[] = {
      { version, JN_ERROR_TOO_LARGE, "the content of VERSION is too long" },
      { name, JN_ERROR_TOO_LARGE, "a partner name is too long" },
      { sealed_key, JN_ERROR_TOO_LARGE, "the content of PARTENAIRE is too long" },
      { garbage_key, JN_ERROR_WRONG_KEY, "does not open" },
      { garbage_content, JN_ERROR_CORRUPTED, "corrupted" },
      { garbage_verification, JN_ERROR_TAMPERED, "unreadable" },
    };

    for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
      {
        g_test_message ("case: %s", cases[c].fragment);
        assert_refused (cases[c].file, "partner.pem", NULL, cases[c].code, cases[c].fragment);
      }
  }
}

static void
test_bom_kept (void)
{
  g_autoptr(GFile) latin1 = seal (one_partner, SEAL_COMPRESS | SEAL_BOM_LATIN1);
  g_autoptr(GFile) plain_latin1 = seal (one_partner, SEAL_BOM_LATIN1);

  /* Dropping the BOM let "Aïssa" be read as ISO-8859-1: "AÃ¯ssa" */
  assert_refused (latin1, "partner.pem", NULL, JN_ERROR_INVALID_FILE, "line 1: the byte-order mark says UTF-8");
  assert_refused (plain_latin1, "partner.pem", NULL, JN_ERROR_INVALID_FILE, "encoding=“ISO-8859-1”");
}

static void
test_special_keys (void)
{
  g_autoptr(GFile) file = seal (one_partner, SEAL_COMPRESS);
  g_autofree char *dir = g_dir_make_tmp ("jn-keys-XXXXXX", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo.pem", NULL);
  g_autofree char *huge = g_build_filename (dir, "huge.pem", NULL);
  FILE *stream;
  const struct
  {
    const char *path;
    int         code;
    const char *fragment;
  } cases[] = {
    { dir, JN_ERROR_IO, "folder" },
    { fifo, JN_ERROR_IO, "fifo.pem: this is a named pipe (FIFO), not a file" },
    { "/dev/zero", JN_ERROR_IO, "zero: this is a device" },
    { huge, JN_ERROR_TOO_LARGE, "huge.pem: the file is too large" },
  };

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  stream = fopen (huge, "w");
  g_assert_nonnull (stream);
  g_assert_cmpint (fseek (stream, 4 * 1024 * 1024, SEEK_SET), ==, 0);
  fputc ('x', stream);
  fclose (stream);

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(JnExport) export = jn_export_new ();
      g_autoptr(GFile) key = g_file_new_for_path (cases[c].path);
      g_autoptr(GError) error = NULL;
      gint64 start = g_get_monotonic_time ();

      g_test_message ("case: %s", cases[c].path);
      g_assert_false (jn_export_load (export, file, key, NULL, NULL, &error));
      g_assert_error (error, JN_ERROR, cases[c].code);
      if (strstr (error->message, cases[c].fragment) == NULL)
        g_error ("“%s” not in “%s”", cases[c].fragment, error->message);
      g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
      /* The envelope's metadata is still known */
      g_assert_cmpstr (jn_export_get_uai (export), ==, "0312609T");
    }

  g_remove (fifo);
  g_remove (huge);
  g_rmdir (dir);
}

/* The envelope says 0312609T: an export inside that says otherwise is not silently
 * taken for it. The inner UAI is kept, a warning gives both. */
static void
test_uai_conflict (void)
{
  static const struct
  {
    const char *root;       /* the inner root's attributes */
    const char *uai;        /* the export's UAI afterwards */
    const char *warning;    /* NULL: no warning about the UAI */
  } cases[] = {
    { "UAI=\"0312609T\"", "0312609T", NULL },
    { "UAI=\"0312609t\"", "0312609t", NULL },
    { "", "0312609T", NULL },
    { "UAI=\"  \"", "0312609T", NULL },
    { "UAI=\"0999999Z\"", "0999999Z",
      "envelope gives the UAI “0312609T” but the export inside gives “0999999Z”" },
    { "UAI=\" 0999999Z \"", "0999999Z", "export inside gives “0999999Z”" },
    { "UAI=\"0999999Z&#x202E;\"", "0999999Z\u202E", "export inside gives “0999999Z\\u202E”" },
    { "UAI=\"&lt;b&gt;\"", "<b>", "export inside gives “<b>”" },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *text = g_strdup_printf ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                               "<ExportIdentifiants %s><Eleves><Eleve Nom=\"A\" "
                                               "Prenom=\"B\" IDPN=\"HUP2NFZQRYAD7EXS\"/></Eleves>"
                                               "</ExportIdentifiants>\n", cases[c].root);
      g_autoptr(GFile) file = NULL;
      g_autoptr(JnExport) export = NULL;
      g_autoptr(GError) error = NULL;
      GPtrArray *warnings;
      gboolean found = FALSE;

      g_test_message ("case %u: %s", c, cases[c].root);
      sealed_text = text;
      file = seal (one_partner, SEAL_COMPRESS);
      sealed_text = cleartext;
      export = open_envelope (file, "partner.pem", NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (jn_export_get_uai (export), ==, cases[c].uai);
      g_assert_cmpuint (jn_export_get_count (export, JN_CATEGORY_STUDENT), ==, 1);

      warnings = jn_export_get_warnings (export);
      for (guint i = 0; i < warnings->len; i++)
        {
          const char *warning = g_ptr_array_index (warnings, i);

          if (strstr (warning, "envelope gives the UAI") == NULL)
            continue;
          g_assert_nonnull (cases[c].warning);
          if (strstr (warning, cases[c].warning) == NULL)
            g_error ("“%s” not in “%s”", cases[c].warning, warning);
          g_assert_null (strstr (warning, "\u202E"));
          found = TRUE;
        }
      g_assert_true (found == (cases[c].warning != NULL));
      g_file_delete (file, NULL, NULL);
    }
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
  g_test_add_func ("/envelope/class3/bounds", test_envelope_bounds);
  g_test_add_func ("/envelope/class4/bom-kept", test_bom_kept);
  g_test_add_func ("/envelope/class4/special-keys", test_special_keys);
  g_test_add_func ("/envelope/uai-conflict", test_uai_conflict);

  return g_test_run ();
}
