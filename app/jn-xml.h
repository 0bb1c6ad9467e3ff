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
int               jn_xml_reader_get_line         (JnXmlReader  *self);
/* The local name of the current element, or NULL */
const char       *jn_xml_reader_get_local_name   (JnXmlReader  *self);
/* Reads the text content of the current element (moves past it) */
char             *jn_xml_reader_read_text        (JnXmlReader  *self,
                                                  GError      **error);
/* Calls @func for each attribute of the current element with its local name and value */
typedef void    (*JnXmlAttributeFunc)            (const char   *name,
                                                  const char   *value,
                                                  gpointer      user_data);
void              jn_xml_reader_foreach_attribute (JnXmlReader       *self,
                                                   JnXmlAttributeFunc func,
                                                   gpointer           user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JnXmlReader, jn_xml_reader_free)

G_END_DECLS
