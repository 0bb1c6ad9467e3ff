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

/* libxml2's reader parses ahead: an entity error inside a DOCTYPE can surface before the
 * DOCTYPE node itself. Look at the prolog first (exports are in ASCII-compatible
 * encodings; for others the node check in jn_xml_reader_next() still applies). */
static gboolean
find_doctype (const char *data,
              gsize       size,
              int        *line)
{
  const char *end = data + size;
  const char *p = data;

  *line = 1;
  while (p < end)
    {
      if (*p == '\n')
        (*line)++;
      else if (*p == '<' && p + 1 < end)
        {
          if (g_ascii_isalpha (p[1]) || p[1] == '_')
            return FALSE;   /* the root element: the prolog is over */
          if ((gsize)(end - p) >= 9 && memcmp (p, "<!DOCTYPE", 9) == 0)
            return TRUE;
        }
      p++;
    }

  return FALSE;
}

JnXmlReader *
jn_xml_reader_new (GBytes      *bytes,
                   const char  *display_name,
                   GError     **error)
{
  g_autoptr(JnXmlReader) self = NULL;
  gsize size;
  const char *data;
  int line;

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

  if (find_doctype (data, size, &line))
    {
      g_set_error (error, JN_ERROR, JN_ERROR_FORBIDDEN_CONTENT,
                   _("%s: line %d: the file declares a DOCTYPE; PRONOTE exports never do, "
                     "so it is refused (it could hide external or expanding entities)"),
                   display_name, line);
      return NULL;
    }

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

const char *
jn_xml_reader_get_local_name (JnXmlReader *self)
{
  if (xmlTextReaderNodeType (self->reader) != XML_READER_TYPE_ELEMENT)
    return NULL;

  return (const char *)xmlTextReaderConstLocalName (self->reader);
}

char *
jn_xml_reader_read_text (JnXmlReader  *self,
                         GError      **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
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
  if (xmlTextReaderMoveToFirstAttribute (self->reader) != 1)
    return;

  do
    {
      const char *name = (const char *)xmlTextReaderConstLocalName (self->reader);
      const char *value = (const char *)xmlTextReaderConstValue (self->reader);

      if (name != NULL && !xmlTextReaderIsNamespaceDecl (self->reader))
        func (name, value ? value : "", user_data);
    }
  while (xmlTextReaderMoveToNextAttribute (self->reader) == 1);

  xmlTextReaderMoveToElement (self->reader);
}
