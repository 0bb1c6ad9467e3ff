/* jn-xml.c: a libxml2 stream reader configured for hostile input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-xml"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "jn-error.h"
#include "jn-xml.h"

struct _JnXmlReader
{
  xmlTextReaderPtr  reader;
  GBytes           *bytes;
  char             *display_name;
  char             *first_error;
  int               first_error_line;
};

/* Index Education's exports never reference anything outside themselves: whatever
 * asks libxml2 for an external resource is refused, whichever code path asks. */
static xmlParserInputPtr
refuse_external_entity (const char       *url,
                        const char       *id,
                        xmlParserCtxtPtr  ctxt)
{
  return NULL;
}

static void
jn_xml_init_once (void)
{
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      xmlInitParser ();
      xmlSetExternalEntityLoader (refuse_external_entity);
      g_once_init_leave (&initialized, 1);
    }
}

static void
structured_error_cb (void        *user_data,
                     xmlErrorPtr  error)
{
  JnXmlReader *self = user_data;

  if (self->first_error != NULL || error == NULL || error->level < XML_ERR_ERROR)
    return;

  self->first_error = g_strstrip (g_strdup (error->message ? error->message : ""));
  self->first_error_line = error->line;
}

typedef enum
{
  BOM_NONE,
  BOM_UTF8,
  BOM_UTF16LE,
  BOM_UTF16BE,
  BOM_UTF32,
} Bom;

static Bom
detect_bom (const guchar *data,
            gsize         size,
            gsize        *bom_size)
{
  *bom_size = 0;
  if (size >= 4 && ((data[0] == 0xFF && data[1] == 0xFE && data[2] == 0 && data[3] == 0) ||
                    (data[0] == 0 && data[1] == 0 && data[2] == 0xFE && data[3] == 0xFF)))
    return (*bom_size = 4, BOM_UTF32);
  if (size >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
    return (*bom_size = 3, BOM_UTF8);
  if (size >= 2 && data[0] == 0xFF && data[1] == 0xFE)
    return (*bom_size = 2, BOM_UTF16LE);
  if (size >= 2 && data[0] == 0xFE && data[1] == 0xFF)
    return (*bom_size = 2, BOM_UTF16BE);

  return BOM_NONE;
}

/* The document as a sequence of code units: bytes, or 16-bit units after a UTF-16 BOM.
 * Everything the prescan looks for is ASCII. */
typedef struct
{
  const guchar *data;
  gsize         size;    /* in units */
  int           width;   /* 1, or 2 for UTF-16 */
  gboolean      big_endian;
} Units;

static inline guint
unit_at (const Units *units,
         gsize        i)
{
  if (units->width == 1)
    return units->data[i];
  if (units->big_endian)
    return ((guint)units->data[2 * i] << 8) | units->data[2 * i + 1];
  return ((guint)units->data[2 * i + 1] << 8) | units->data[2 * i];
}

static gboolean
units_match (const Units *units,
             gsize        i,
             const char  *ascii)
{
  for (gsize k = 0; ascii[k] != '\0'; k++)
    if (i + k >= units->size || unit_at (units, i + k) != (guchar)ascii[k])
      return FALSE;

  return TRUE;
}

/* The encoding named by the XML declaration, or NULL */
static char *
declared_encoding (const Units *units)
{
  g_autoptr(GString) head = g_string_new (NULL);
  const char *p, *end;
  char quote;

  for (gsize i = 0; i < units->size && head->len < 256; i++)
    {
      guint c = unit_at (units, i);

      if (c == 0 || c >= 0x80)
        break;
      g_string_append_c (head, (char)c);
      if (c == '>')
        break;
    }

  if (!g_str_has_prefix (head->str, "<?xml") || (end = strstr (head->str, "?>")) == NULL)
    return NULL;
  p = strstr (head->str, "encoding");
  if (p == NULL || p > end)
    return NULL;
  p += strlen ("encoding");
  while (g_ascii_isspace (*p))
    p++;
  if (*p++ != '=')
    return NULL;
  while (g_ascii_isspace (*p))
    p++;
  quote = *p++;
  if ((quote != '"' && quote != '\'') || strchr (p, quote) == NULL || strchr (p, quote) > end)
    return NULL;

  return g_strndup (p, strchr (p, quote) - p);
}

static gboolean
bom_agrees (Bom         bom,
            const char *declared)
{
  if (declared == NULL)
    return TRUE;

  switch (bom)
    {
    case BOM_UTF8:
      return g_ascii_strcasecmp (declared, "UTF-8") == 0 || g_ascii_strcasecmp (declared, "UTF8") == 0;
    case BOM_UTF16LE:
      return g_ascii_strcasecmp (declared, "UTF-16") == 0 || g_ascii_strcasecmp (declared, "UTF-16LE") == 0;
    case BOM_UTF16BE:
      return g_ascii_strcasecmp (declared, "UTF-16") == 0 || g_ascii_strcasecmp (declared, "UTF-16BE") == 0;
    case BOM_NONE:
    case BOM_UTF32:
    default:
      return TRUE;
    }
}

static gboolean
check_bom (const guchar  *data,
           gsize          size,
           const char    *display_name,
           Units         *units,
           GError       **error)
{
  static const char * const bom_names[] = { NULL, "UTF-8", "UTF-16LE", "UTF-16BE", "UTF-32" };
  g_autofree char *declared = NULL;
  gsize bom_size;
  Bom bom = detect_bom (data, size, &bom_size);

  if (bom == BOM_UTF32)
    {
      g_set_error (error, JN_ERROR, JN_ERROR_INVALID_FILE,
                   _("%s: line 1: the file is in UTF-32, which PRONOTE never writes"),
                   display_name);
      return FALSE;
    }

  units->width = (bom == BOM_UTF16LE || bom == BOM_UTF16BE) ? 2 : 1;
  units->big_endian = bom == BOM_UTF16BE;
  units->data = data + bom_size;
  units->size = (size - bom_size) / units->width;

  declared = declared_encoding (units);
  if (bom != BOM_NONE && !bom_agrees (bom, declared))
    {
      g_autofree char *shown = jn_xml_dup_escaped (declared, 40);

      g_set_error (error, JN_ERROR, JN_ERROR_INVALID_FILE,
                   _("%s: line 1: the byte-order mark says %s but the XML declaration says "
                     "encoding=“%s”: the file would be misread, so it is refused"),
                   display_name, bom_names[bom], shown);
      return FALSE;
    }

  return TRUE;
}

static gboolean
forbid_doctype (const char  *display_name,
                int          line,
                GError     **error)
{
  g_set_error (error, JN_ERROR, JN_ERROR_FORBIDDEN_CONTENT,
               _("%s: line %d: the file declares a DOCTYPE; PRONOTE exports never do, "
                 "so it is refused (it could hide external or expanding entities)"),
               display_name, line);
  return FALSE;
}

/* One linear pass before libxml2 sees the document, for what libxml2 would only report
 * too late, too slowly or not at all: a DOCTYPE (an entity error inside it can surface
 * before the DOCTYPE node itself), the nesting depth and the attributes per element. */
static gboolean
prescan (const guchar  *data,
         gsize          size,
         const char    *display_name,
         GError       **error)
{
  Units units;
  gboolean in_prolog = TRUE;
  int line = 1;
  int depth = 0;
  gsize i = 0;

  if (!check_bom (data, size, display_name, &units, error))
    return FALSE;

  while (i < units.size)
    {
      const char *closing = NULL;
      guint c = unit_at (&units, i);
      int tag_line = line;
      guint n_attributes = 0;
      guint quote = 0;
      gboolean end_tag, empty_tag = FALSE;

      if (c == '\n')
        line++;
      if (c != '<')
        {
          i++;
          continue;
        }

      if (units_match (&units, i, "<!--"))
        closing = "-->";
      else if (units_match (&units, i, "<![CDATA["))
        closing = "]]>";
      else if (units_match (&units, i, "<?"))
        closing = "?>";
      else if (units_match (&units, i, "<!"))
        {
          if (in_prolog)
            return forbid_doctype (display_name, line, error);
          i++;   /* libxml2 refuses it */
          continue;
        }

      if (closing != NULL)
        {
          for (i += 2; i < units.size && !units_match (&units, i, closing); i++)
            if (unit_at (&units, i) == '\n')
              line++;
          i += strlen (closing);
          continue;
        }

      /* A start or end tag: count its attributes (an '=' outside quotes) */
      in_prolog = FALSE;
      end_tag = i + 1 < units.size && unit_at (&units, i + 1) == '/';
      for (i++; i < units.size; i++)
        {
          c = unit_at (&units, i);
          if (c == '\n')
            line++;
          if (quote != 0)
            {
              if (c == quote)
                quote = 0;
            }
          else if (c == '"' || c == '\'')
            quote = c;
          else if (c == '=')
            n_attributes++;
          else if (c == '>')
            {
              empty_tag = unit_at (&units, i - 1) == '/';
              i++;
              break;
            }
        }

      if (n_attributes > JN_XML_MAX_ATTRIBUTES)
        {
          g_set_error (error, JN_ERROR, JN_ERROR_TOO_LARGE,
                       _("%s: line %d: an element has more than %u attributes"),
                       display_name, tag_line, JN_XML_MAX_ATTRIBUTES);
          return FALSE;
        }
      if (end_tag)
        depth = MAX (depth - 1, 0);
      else if (!empty_tag && ++depth > JN_XML_MAX_DEPTH)
        {
          g_set_error (error, JN_ERROR, JN_ERROR_TOO_LARGE,
                       _("%s: line %d: elements are nested more than %u deep"),
                       display_name, tag_line, JN_XML_MAX_DEPTH);
          return FALSE;
        }
    }

  return TRUE;
}

char *
jn_xml_dup_escaped (const char *value,
                    gsize       max_chars)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *p = value;
  const char *end;
  gsize n_chars = 0;

  if (value == NULL)
    return g_strdup ("");

  end = value + strlen (value);
  while (p < end)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (n_chars++ >= max_chars)
        {
          g_string_append (out, "…");
          break;
        }

      if (c == (gunichar)-1 || c == (gunichar)-2)
        {
          g_string_append_printf (out, "\\x%02X", (guchar)*p);
          p++;
          continue;
        }

      if (c == '\\')
        g_string_append (out, "\\\\");
      else if (c >= 0x20 && c < 0x7F)
        g_string_append_c (out, (char)c);
      else if (c < 0x80)
        g_string_append_printf (out, "\\x%02X", c);
      else
        g_string_append_printf (out, "\\u%04X", c);
      p = g_utf8_next_char (p);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

JnXmlReader *
jn_xml_reader_new (GBytes      *bytes,
                   const char  *display_name,
                   GError     **error)
{
  g_autoptr(JnXmlReader) self = NULL;
  gsize size;
  const char *data;

  g_return_val_if_fail (bytes != NULL, NULL);

  jn_xml_init_once ();

  data = g_bytes_get_data (bytes, &size);
  if (size == 0)
    {
      g_set_error (error, JN_ERROR, JN_ERROR_INVALID_FILE,
                   _("%s: the file is empty"), display_name);
      return NULL;
    }
  if (size > JN_XML_MAX_SIZE || size > G_MAXINT)
    {
      g_set_error (error, JN_ERROR, JN_ERROR_TOO_LARGE,
                   _("%s: the file is too large (more than %u MiB)"),
                   display_name, (guint)(JN_XML_MAX_SIZE / (1024 * 1024)));
      return NULL;
    }

  if (!prescan ((const guchar *)data, size, display_name, error))
    return NULL;

  self = g_new0 (JnXmlReader, 1);
  self->bytes = g_bytes_ref (bytes);
  self->display_name = g_strdup (display_name);
  /* Deliberately absent: XML_PARSE_NOENT (substitution), XML_PARSE_DTDLOAD,
   * XML_PARSE_DTDATTR, XML_PARSE_DTDVALID and XML_PARSE_HUGE. */
  self->reader = xmlReaderForMemory (data, (int)size, NULL, NULL,
                                     XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                     XML_PARSE_NOCDATA | XML_PARSE_COMPACT);
  if (self->reader == NULL)
    {
      g_set_error (error, JN_ERROR, JN_ERROR_INVALID_FILE,
                   _("%s: the file cannot be read as XML"), display_name);
      return NULL;
    }

  xmlTextReaderSetStructuredErrorHandler (self->reader, structured_error_cb, self);

  return g_steal_pointer (&self);
}

void
jn_xml_reader_free (JnXmlReader *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->reader, xmlFreeTextReader);
  g_clear_pointer (&self->bytes, g_bytes_unref);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->first_error, g_free);
  g_free (self);
}

/* libxml2's reader reports a file cut short as "Extra content at the end of the
 * document": say what happened when nothing but the end of the input is left. */
static gboolean
ends_early (JnXmlReader *self)
{
  gsize size;
  const char *data = g_bytes_get_data (self->bytes, &size);
  long consumed = xmlTextReaderByteConsumed (self->reader);

  if (consumed < 0 || (gsize)consumed > size)
    return FALSE;

  for (gsize i = (gsize)consumed; i < size; i++)
    if (!g_ascii_isspace (data[i]))
      return FALSE;

  return xmlTextReaderDepth (self->reader) > 0 ||
         g_strcmp0 (self->first_error, "Extra content at the end of the document") == 0;
}

static void
set_parse_error (JnXmlReader  *self,
                 GError      **error)
{
  int line = self->first_error_line > 0 ? self->first_error_line
                                         : xmlTextReaderGetParserLineNumber (self->reader);

  if (ends_early (self))
    {
      g_set_error (error, JN_ERROR, JN_ERROR_INVALID_FILE,
                   _("%s: line %d: invalid XML: the file ends too early (it was cut short or "
                     "is still being written)"),
                   self->display_name, line);
      return;
    }

  g_set_error (error, JN_ERROR, JN_ERROR_INVALID_FILE,
               /* Translators: file name, line number, libxml2's reason (in English) */
               _("%s: line %d: invalid XML: %s"),
               self->display_name, line,
               self->first_error ? self->first_error : _("unexpected end of file"));
}

gboolean
jn_xml_reader_next (JnXmlReader  *self,
                    GError      **error)
{
  int ret;

  ret = xmlTextReaderRead (self->reader);
  if (ret < 0 || (ret == 1 && self->first_error != NULL))
    {
      set_parse_error (self, error);
      return FALSE;
    }
  if (ret == 0)
    {
      if (self->first_error != NULL)
        {
          set_parse_error (self, error);
          return FALSE;
        }
      return FALSE;
    }

  switch (xmlTextReaderNodeType (self->reader))
    {
    case XML_READER_TYPE_DOCUMENT_TYPE:
      g_set_error (error, JN_ERROR, JN_ERROR_FORBIDDEN_CONTENT,
                   _("%s: line %d: the file declares a DOCTYPE; PRONOTE exports never do, "
                     "so it is refused (it could hide external or expanding entities)"),
                   self->display_name, xmlTextReaderGetParserLineNumber (self->reader));
      return FALSE;

    case XML_READER_TYPE_ENTITY_REFERENCE:
    case XML_READER_TYPE_ENTITY:
      g_set_error (error, JN_ERROR, JN_ERROR_FORBIDDEN_CONTENT,
                   _("%s: line %d: entity references are not allowed"),
                   self->display_name, xmlTextReaderGetParserLineNumber (self->reader));
      return FALSE;

    default:
      return TRUE;
    }
}

xmlTextReaderPtr
jn_xml_reader_get_reader (JnXmlReader *self)
{
  return self->reader;
}

int
jn_xml_reader_get_line (JnXmlReader *self)
{
  return xmlTextReaderGetParserLineNumber (self->reader);
}

int
jn_xml_reader_get_node_line (JnXmlReader *self)
{
  xmlNodePtr node = xmlTextReaderCurrentNode (self->reader);
  long line = node != NULL ? xmlGetLineNo (node) : -1;

  /* libxml2 keeps a node's line in 16 bits: past 65535, the parser's line is near */
  if (line <= 0 || line >= 65535)
    return jn_xml_reader_get_line (self);

  return (int)line;
}

const char *
jn_xml_reader_get_local_name (JnXmlReader *self)
{
  if (xmlTextReaderNodeType (self->reader) != XML_READER_TYPE_ELEMENT)
    return NULL;

  return (const char *)xmlTextReaderConstLocalName (self->reader);
}

char *
jn_xml_reader_read_text (JnXmlReader  *self,
                         gsize         max_length,
                         GError      **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *element = g_strdup (jn_xml_reader_get_local_name (self));
  int line = jn_xml_reader_get_node_line (self);
  int depth;

  if (xmlTextReaderIsEmptyElement (self->reader))
    return g_string_free (g_steal_pointer (&text), FALSE);

  depth = xmlTextReaderDepth (self->reader);
  while (jn_xml_reader_next (self, error))
    {
      int type = xmlTextReaderNodeType (self->reader);

      if (type == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth (self->reader) == depth)
        return g_string_free (g_steal_pointer (&text), FALSE);

      if (type == XML_READER_TYPE_TEXT ||
          type == XML_READER_TYPE_CDATA ||
          type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE ||
          type == XML_READER_TYPE_WHITESPACE)
        {
          const char *value = (const char *)xmlTextReaderConstValue (self->reader);

          if (value != NULL && strlen (value) > max_length - MIN (max_length, text->len))
            {
              g_set_error (error, JN_ERROR, JN_ERROR_TOO_LARGE,
                           _("%s: line %d: the content of %s is too long (more than %u bytes)"),
                           self->display_name, line, element ? element : "?",
                           (guint)MIN (max_length, G_MAXUINT));
              return NULL;
            }
          if (value != NULL)
            g_string_append (text, value);
        }
    }

  if (error != NULL && *error == NULL)
    set_parse_error (self, error);

  return NULL;
}

void
jn_xml_reader_foreach_attribute (JnXmlReader        *self,
                                 JnXmlAttributeFunc  func,
                                 gpointer            user_data)
{
  g_autofree char *element_ns = NULL;

  element_ns = g_strdup ((const char *)xmlTextReaderConstNamespaceUri (self->reader));

  if (xmlTextReaderMoveToFirstAttribute (self->reader) != 1)
    return;

  do
    {
      const char *name = (const char *)xmlTextReaderConstLocalName (self->reader);
      const char *value = (const char *)xmlTextReaderConstValue (self->reader);
      const char *ns = (const char *)xmlTextReaderConstNamespaceUri (self->reader);

      /* An unprefixed attribute has no namespace; a prefixed one is ours only when its
       * namespace is its element's (ie:IDPN on ie:Eleve). */
      if (name != NULL && !xmlTextReaderIsNamespaceDecl (self->reader) &&
          (ns == NULL || g_strcmp0 (ns, element_ns) == 0))
        func (name, value ? value : "", user_data);
    }
  while (xmlTextReaderMoveToNextAttribute (self->reader) == 1);

  xmlTextReaderMoveToElement (self->reader);
}
