/* jn-envelope.c: Index Education's encrypted export container
 *
 * The container (ConteneurExportChiffre.xsd) carries an AES-128-CBC encrypted, usually
 * zlib-compressed export; the AES key and IV are encrypted with each partner's RSA public
 * key (PKCS#1 v1.5) next to an MD5 of themselves, and VERIFICATION holds a SHA-256 of the
 * decrypted content.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-envelope"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "jn-envelope.h"
#include "jn-error.h"

#define AES_KEY_SIZE 16
#define AES_BLOCK_SIZE 16
#define SEALED_KEY_SIZE (AES_KEY_SIZE + AES_BLOCK_SIZE + 16)
#define SHA256_SIZE 32
/* A sealed key is one RSA block: 512 bytes for a 4096-bit key, far less than this in base64 */
#define MAX_SEALED_KEY_LENGTH (16 * 1024)
/* Version, dates, UAI, names, verification: short texts */
#define MAX_FIELD_LENGTH 1024

typedef struct
{
  char *name;
  char *sealed_key;       /* base64 */
} Partner;

struct _JnEnvelope
{
  char      *display_name;
  char      *version;
  char      *software;
  char      *date_time;
  char      *uai;
  char      *establishment;
  char      *postal_city;
  char      *content;      /* base64 */
  char      *verification; /* base64 */
  gboolean   compressed;
  GPtrArray *partners;     /* Partner */
};

static void
partner_free (gpointer data)
{
  Partner *partner = data;

  g_free (partner->name);
  g_free (partner->sealed_key);
  g_free (partner);
}

void
jn_envelope_free (JnEnvelope *self)
{
  if (self == NULL)
    return;

  g_free (self->display_name);
  g_free (self->version);
  g_free (self->software);
  g_free (self->date_time);
  g_free (self->uai);
  g_free (self->establishment);
  g_free (self->postal_city);
  g_free (self->content);
  g_free (self->verification);
  g_clear_pointer (&self->partners, g_ptr_array_unref);
  g_free (self);
}

static char *
strip_or_null (char *text)
{
  if (text == NULL)
    return NULL;

  g_strstrip (text);
  if (text[0] == '\0')
    g_clear_pointer (&text, g_free);

  return text;
}

static void
read_partner_name_cb (const char *name,
                      const char *value,
                      gpointer    user_data)
{
  char **partner_name = user_data;

  if (g_ascii_strcasecmp (name, "NOM") == 0 && *partner_name == NULL)
    *partner_name = g_strstrip (g_strdup (value));
}

static void
read_compressed_cb (const char *name,
                    const char *value,
                    gpointer    user_data)
{
  gboolean *compressed = user_data;

  if (g_ascii_strcasecmp (name, "CompresseAvantChiffrement") == 0)
    *compressed = !(g_ascii_strcasecmp (value, "false") == 0 || g_str_equal (value, "0"));
}

JnEnvelope *
jn_envelope_parse (JnXmlReader  *reader,
                   const char   *display_name,
                   GError      **error)
{
  g_autoptr(JnEnvelope) self = g_new0 (JnEnvelope, 1);
  static const struct
  {
    const char *element;
    gsize       offset;
  } fields[] = {
    { "VERSION", G_STRUCT_OFFSET (JnEnvelope, version) },
    { "LOGICIEL", G_STRUCT_OFFSET (JnEnvelope, software) },
    { "DATEHEURE", G_STRUCT_OFFSET (JnEnvelope, date_time) },
    { "UAI", G_STRUCT_OFFSET (JnEnvelope, uai) },
    { "NOMETABLISSEMENT", G_STRUCT_OFFSET (JnEnvelope, establishment) },
    { "CODEPOSTALVILLE", G_STRUCT_OFFSET (JnEnvelope, postal_city) },
    { "CONTENU", G_STRUCT_OFFSET (JnEnvelope, content) },
    { "VERIFICATION", G_STRUCT_OFFSET (JnEnvelope, verification) },
  };

  self->display_name = g_strdup (display_name);
  self->partners = g_ptr_array_new_with_free_func (partner_free);
  self->compressed = TRUE;

  while (jn_xml_reader_next (reader, error))
    {
      const char *name = jn_xml_reader_get_local_name (reader);
      gsize max = MAX_FIELD_LENGTH;

      if (name == NULL)
        continue;

      if (g_ascii_strcasecmp (name, "PARTENAIRE") == 0)
        {
          Partner *partner = g_new0 (Partner, 1);
          int line = jn_xml_reader_get_node_line (reader);

          g_ptr_array_add (self->partners, partner);
          /* Each partner may cost an RSA operation when opening */
          if (self->partners->len > JN_ENVELOPE_MAX_PARTNERS)
            {
              g_set_error (error, JN_ERROR, JN_ERROR_TOO_LARGE,
                           _("%s: line %d: the envelope lists more than %u partners"),
                           display_name, line, JN_ENVELOPE_MAX_PARTNERS);
              return NULL;
            }
          jn_xml_reader_foreach_attribute (reader, read_partner_name_cb, &partner->name);
          if (partner->name != NULL && strlen (partner->name) > MAX_FIELD_LENGTH)
            {
              g_set_error (error, JN_ERROR, JN_ERROR_TOO_LARGE,
                           _("%s: line %d: a partner name is too long (more than %u bytes)"),
                           display_name, line, MAX_FIELD_LENGTH);
              return NULL;
            }
          partner->sealed_key = jn_xml_reader_read_text (reader, MAX_SEALED_KEY_LENGTH, error);
          if (partner->sealed_key == NULL)
            return NULL;
          if (partner->name == NULL)
            partner->name = g_strdup ("");
          continue;
        }

      if (g_ascii_strcasecmp (name, "CONTENU") == 0)
        {
          jn_xml_reader_foreach_attribute (reader, read_compressed_cb, &self->compressed);
          max = JN_XML_MAX_SIZE;
        }

      for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
        {
          char **field = G_STRUCT_MEMBER_P (self, fields[i].offset);

          if (g_ascii_strcasecmp (name, fields[i].element) != 0)
            continue;

          g_free (*field);
          *field = strip_or_null (jn_xml_reader_read_text (reader, max, error));
          if (error != NULL && *error != NULL)
            return NULL;
          break;
        }
    }

  if (error != NULL && *error != NULL)
    return NULL;

  if (self->partners->len == 0 || self->content == NULL || self->verification == NULL)
    {
      g_set_error (error, JN_ERROR, JN_ERROR_INVALID_FILE,
                   _("%s: this encrypted export is incomplete (%s is missing)"),
                   display_name,
                   self->partners->len == 0 ? "CLES/PARTENAIRE" :
                   self->content == NULL ? "CONTENU" : "VERIFICATION");
      return NULL;
    }

  return g_steal_pointer (&self);
}

GStrv
jn_envelope_dup_partners (JnEnvelope *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < self->partners->len; i++)
    g_strv_builder_add (builder, ((Partner *)g_ptr_array_index (self->partners, i))->name);

  return g_strv_builder_end (builder);
}

const char *
jn_envelope_get_uai (JnEnvelope *self)
{
  return self->uai;
}

const char *
jn_envelope_get_establishment (JnEnvelope *self)
{
  return self->establishment;
}

const char *
jn_envelope_get_date_time (JnEnvelope *self)
{
  return self->date_time;
}

const char *
jn_envelope_get_software (JnEnvelope *self)
{
  return self->software;
}

/* Base64 as Index Education writes it: wrapped and indented. Anything but the alphabet
 * and white space means the file was damaged. */
static guchar *
decode_base64 (const char *text,
               gsize      *out_len)
{
  g_autofree char *compact = g_malloc (strlen (text) + 1);
  char *out = compact;

  for (const char *p = text; *p; p++)
    {
      if (g_ascii_isspace (*p))
        continue;
      if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=')
        return NULL;
      *out++ = *p;
    }
  *out = '\0';

  if ((out - compact) % 4 != 0 || out == compact)
    return NULL;

  return g_base64_decode_inplace (g_steal_pointer (&compact), out_len);
}

static char *
join_partner_names (JnEnvelope *self)
{
  g_auto(GStrv) names = jn_envelope_dup_partners (self);

  return g_strjoinv (", ", names);
}

static gnutls_privkey_t
import_private_key (GBytes      *key_data,
                    const char  *key_name,
                    GError     **error)
{
  gnutls_x509_privkey_t x509 = NULL;
  gnutls_privkey_t key = NULL;
  gnutls_datum_t datum;
  gsize size;
  int ret;

  datum.data = (unsigned char *)g_bytes_get_data (key_data, &size);
  datum.size = (unsigned int)size;

  if (gnutls_x509_privkey_init (&x509) < 0)
    goto fail;

  ret = gnutls_x509_privkey_import_pkcs8 (x509, &datum, GNUTLS_X509_FMT_PEM, NULL,
                                          GNUTLS_PKCS_PLAIN);
  if (ret < 0)
    ret = gnutls_x509_privkey_import_pkcs8 (x509, &datum, GNUTLS_X509_FMT_DER, NULL,
                                            GNUTLS_PKCS_PLAIN);
  /* Tolerate the older PKCS#1 "RSA PRIVATE KEY" form too. */
  if (ret < 0)
    ret = gnutls_x509_privkey_import (x509, &datum, GNUTLS_X509_FMT_PEM);
  if (ret < 0)
    ret = gnutls_x509_privkey_import (x509, &datum, GNUTLS_X509_FMT_DER);
  if (ret < 0)
    goto fail;

  if (gnutls_x509_privkey_get_pk_algorithm (x509) != GNUTLS_PK_RSA)
    goto fail;

  if (gnutls_privkey_init (&key) < 0)
    goto fail;
  if (gnutls_privkey_import_x509 (key, x509, GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE) < 0)
    goto fail;

  return key;

fail:
  if (key != NULL)
    gnutls_privkey_deinit (key);
  else if (x509 != NULL)
    gnutls_x509_privkey_deinit (x509);

  g_set_error (error, JN_ERROR, JN_ERROR_INVALID_KEY,
               _("%s is not a private key that can open exports (an RSA key, PKCS#8, "
                 "PEM or DER, without password is expected)"),
               key_name);
  return NULL;
}

/* RSA-decrypts a partner's sealed key into AES key ‖ IV, checking their MD5. */
static gboolean
unseal_key (gnutls_privkey_t  key,
            Partner          *partner,
            guchar            key_iv[AES_KEY_SIZE + AES_BLOCK_SIZE])
{
  g_autofree guchar *sealed = NULL;
  g_autoptr(GChecksum) md5 = NULL;
  gnutls_datum_t ciphertext;
  gnutls_datum_t plaintext = { NULL, 0 };
  guint8 digest[16];
  gsize digest_len = sizeof digest;
  gsize sealed_len = 0;
  gboolean ok = FALSE;

  sealed = decode_base64 (partner->sealed_key, &sealed_len);
  if (sealed == NULL)
    return FALSE;

  ciphertext.data = sealed;
  ciphertext.size = (unsigned int)sealed_len;
  if (gnutls_privkey_decrypt_data (key, 0, &ciphertext, &plaintext) < 0)
    return FALSE;

  if (plaintext.size == SEALED_KEY_SIZE)
    {
      md5 = g_checksum_new (G_CHECKSUM_MD5);
      g_checksum_update (md5, plaintext.data, AES_KEY_SIZE + AES_BLOCK_SIZE);
      g_checksum_get_digest (md5, digest, &digest_len);
      if (memcmp (digest, plaintext.data + AES_KEY_SIZE + AES_BLOCK_SIZE, 16) == 0)
        {
          memcpy (key_iv, plaintext.data, AES_KEY_SIZE + AES_BLOCK_SIZE);
          ok = TRUE;
        }
    }

  gnutls_memset (plaintext.data, 0, plaintext.size);
  gnutls_free (plaintext.data);

  return ok;
}

static GBytes *
decrypt_content (JnEnvelope    *self,
                 const guchar   key_iv[AES_KEY_SIZE + AES_BLOCK_SIZE],
                 GError       **error)
{
  g_autofree guchar *data = NULL;
  gnutls_cipher_hd_t cipher = NULL;
  gnutls_datum_t aes_key = { (unsigned char *)key_iv, AES_KEY_SIZE };
  gnutls_datum_t aes_iv = { (unsigned char *)key_iv + AES_KEY_SIZE, AES_BLOCK_SIZE };
  gsize len = 0;
  guint padding;

  data = decode_base64 (self->content, &len);
  if (data == NULL || len == 0 || len % AES_BLOCK_SIZE != 0)
    goto corrupted;

  if (gnutls_cipher_init (&cipher, GNUTLS_CIPHER_AES_128_CBC, &aes_key, &aes_iv) < 0)
    goto corrupted;
  if (gnutls_cipher_decrypt2 (cipher, data, len, data, len) < 0)
    {
      gnutls_cipher_deinit (cipher);
      goto corrupted;
    }
  gnutls_cipher_deinit (cipher);

  /* PKCS#7 */
  padding = data[len - 1];
  if (padding == 0 || padding > AES_BLOCK_SIZE)
    goto corrupted;
  for (guint i = 1; i <= padding; i++)
    if (data[len - i] != padding)
      goto corrupted;
  len -= padding;

  return g_bytes_new_take (g_steal_pointer (&data), len);

corrupted:
  g_set_error (error, JN_ERROR, JN_ERROR_CORRUPTED,
               _("%s: the encrypted content is corrupted (it does not decrypt)"),
               self->display_name);
  return NULL;
}

static gboolean
matches_sha256 (GBytes       *bytes,
                const guchar *expected)
{
  g_autoptr(GChecksum) sha = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[SHA256_SIZE];
  gsize digest_len = sizeof digest;
  gsize size;
  const guchar *data = g_bytes_get_data (bytes, &size);

  g_checksum_update (sha, data, size);
  g_checksum_get_digest (sha, digest, &digest_len);

  return memcmp (digest, expected, SHA256_SIZE) == 0;
}

static GBytes *
inflate_content (JnEnvelope    *self,
                 GBytes        *compressed,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GZlibDecompressor) decompressor = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) local_error = NULL;
  gsize in_size;
  const guchar *in = g_bytes_get_data (compressed, &in_size);
  guchar buffer[64 * 1024];

  for (;;)
    {
      GConverterResult result;
      gsize read = 0, written = 0;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;

      result = g_converter_convert (G_CONVERTER (decompressor),
                                    in, in_size, buffer, sizeof buffer,
                                    G_CONVERTER_INPUT_AT_END, &read, &written, &local_error);
      if (result == G_CONVERTER_ERROR)
        {
          g_set_error (error, JN_ERROR, JN_ERROR_CORRUPTED,
                       _("%s: the decrypted content is corrupted (it does not inflate)"),
                       self->display_name);
          return NULL;
        }

      in += read;
      in_size -= read;
      g_byte_array_append (out, buffer, (guint)written);

      if (out->len > JN_XML_MAX_SIZE)
        {
          g_set_error (error, JN_ERROR, JN_ERROR_TOO_LARGE,
                       _("%s: the content is too large once inflated (more than %u MiB)"),
                       self->display_name, (guint)(JN_XML_MAX_SIZE / (1024 * 1024)));
          return NULL;
        }

      if (result == G_CONVERTER_FINISHED)
        break;
      if (read == 0 && written == 0)
        {
          g_set_error (error, JN_ERROR, JN_ERROR_CORRUPTED,
                       _("%s: the decrypted content is corrupted (it does not inflate)"),
                       self->display_name);
          return NULL;
        }
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

GBytes *
jn_envelope_open (JnEnvelope    *self,
                  GBytes        *key_data,
                  const char    *key_name,
                  const char    *partner,
                  char         **out_partner,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GBytes) decrypted = NULL;
  g_autoptr(GBytes) inflated = NULL;
  g_autofree guchar *verification = NULL;
  gnutls_privkey_t key;
  guchar key_iv[AES_KEY_SIZE + AES_BLOCK_SIZE];
  Partner *opened = NULL;
  gsize verification_len = 0;
  gboolean partner_found = FALSE;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key_data != NULL, NULL);

  key = import_private_key (key_data, key_name, error);
  if (key == NULL)
    return NULL;

  for (guint i = 0; i < self->partners->len && opened == NULL; i++)
    {
      Partner *candidate = g_ptr_array_index (self->partners, i);

      if (partner != NULL && g_ascii_strcasecmp (partner, candidate->name) != 0)
        continue;

      partner_found = TRUE;
      if (unseal_key (key, candidate, key_iv))
        opened = candidate;
    }
  gnutls_privkey_deinit (key);

  if (opened == NULL)
    {
      g_autofree char *names = join_partner_names (self);

      if (!partner_found)
        g_set_error (error, JN_ERROR, JN_ERROR_UNKNOWN_PARTNER,
                     _("%s: there is no partner named “%s” in this export; its partners are: %s"),
                     self->display_name, partner, names);
      else if (partner != NULL)
        g_set_error (error, JN_ERROR, JN_ERROR_WRONG_KEY,
                     _("%s: the key %s does not open this export (MD5 check failed): "
                       "it is not the private key of partner %s"),
                     self->display_name, key_name, partner);
      else
        g_set_error (error, JN_ERROR, JN_ERROR_WRONG_KEY,
                     _("%s: the key %s does not open this export (MD5 check failed): "
                       "it is not the private key of any of its partners (%s)"),
                     self->display_name, key_name, names);
      return NULL;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto out;

  decrypted = decrypt_content (self, key_iv, error);
  if (decrypted == NULL)
    goto out;
  /* One copy of the document at a time */
  g_clear_pointer (&self->content, g_free);

  verification = decode_base64 (self->verification, &verification_len);
  if (verification == NULL || verification_len != SHA256_SIZE)
    {
      g_set_error (error, JN_ERROR, JN_ERROR_TAMPERED,
                   _("%s: the SHA-256 verification of this export is unreadable: "
                     "the file is corrupted or was modified"),
                   self->display_name);
      goto out;
    }

  if (matches_sha256 (decrypted, verification))
    {
      if (self->compressed)
        inflated = inflate_content (self, decrypted, cancellable, error);
      else
        inflated = g_bytes_ref (decrypted);
    }
  else
    {
      /* The XSD says the hash is of the "unencrypted content", which could also be read
       * as the inflated XML: accept that reading too, it is as strong a check. */
      if (self->compressed)
        inflated = inflate_content (self, decrypted, cancellable, NULL);
      if (inflated == NULL || !matches_sha256 (inflated, verification))
        {
          g_clear_pointer (&inflated, g_bytes_unref);
          g_set_error (error, JN_ERROR, JN_ERROR_TAMPERED,
                       _("%s: the content does not match its SHA-256 verification: "
                         "the file is corrupted or was modified"),
                       self->display_name);
        }
    }

  if (inflated != NULL && out_partner != NULL)
    *out_partner = g_strdup (opened->name);

out:
  gnutls_memset (key_iv, 0, sizeof key_iv);

  /* A byte-order mark stays: the XML reader checks it against the declared encoding */
  return g_steal_pointer (&inflated);
}
