/* jn-xml.h: a libxml2 stream reader configured for hostile input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <libxml/xmlreader.h>

G_BEGIN_DECLS

/* Exports of a 10,000-person establishment weigh a few MiB; 100,000 people stay far below. */
#define JN_XML_MAX_SIZE ((gsize)128 * 1024 * 1024)
/* Elements nest a few levels deep in every known export */
#define JN_XML_MAX_DEPTH 64
/* Attributes of one element: PRONOTE writes about twenty (libxml2 checks them in
 * quadratic time, so tens of thousands would take minutes) */
#define JN_XML_MAX_ATTRIBUTES 256

typedef struct _JnXmlReader JnXmlReader;

/* No network, no DTD loading, no entity substitution, any DOCTYPE refused. */
JnXmlReader      *jn_xml_reader_new              (GBytes       *bytes,
                                                  const char   *display_name,
                                                  GError      **error);
void              jn_xml_reader_free             (JnXmlReader  *self);
/* Advances to the next node; returns FALSE at the end (error unset) or on error (error set). */
gboolean          jn_xml_reader_next             (JnXmlReader  *self,
                                                  GError      **error);
xmlTextReaderPtr  jn_xml_reader_get_reader       (JnXmlReader  *self);
/* The parser's line: at or a little after the current node */
int               jn_xml_reader_get_line         (JnXmlReader  *self);
/* The line of the current node's start tag where known, else jn_xml_reader_get_line() */
int               jn_xml_reader_get_node_line    (JnXmlReader  *self);
/* The local name of the current element, or NULL */
const char       *jn_xml_reader_get_local_name   (JnXmlReader  *self);
/* Reads the text content of the current element (moves past it); more than @max_length
 * bytes is a JN_ERROR_TOO_LARGE error naming the element and its line. */
char             *jn_xml_reader_read_text        (JnXmlReader  *self,
                                                  gsize         max_length,
                                                  GError      **error);
/* Calls @func for each attribute of the current element with its local name and value.
 * Only attributes without a namespace, or in the element's own namespace, are ours: an
 * attribute of a foreign namespace (x:IDPN with xmlns:x="urn:other") is skipped. */
typedef void    (*JnXmlAttributeFunc)            (const char   *name,
                                                  const char   *value,
                                                  gpointer      user_data);
void              jn_xml_reader_foreach_attribute (JnXmlReader       *self,
                                                   JnXmlAttributeFunc func,
                                                   gpointer           user_data);

/* @value for a message: printable ASCII as is, anything else escaped (\x01, \u202E, \xC3
 * for a byte that is not UTF-8), cut after @max_chars characters with "…" */
char             *jn_xml_dup_escaped             (const char   *value,
                                                  gsize         max_chars);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JnXmlReader, jn_xml_reader_free)

G_END_DECLS
