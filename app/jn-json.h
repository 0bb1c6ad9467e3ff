/* jn-json.h: JSON read within bounds (size, depth, duplicate keys) before json-glib sees it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* json-glib 1.6 parses recursively: a document nested some 70,000 deep overflows the
 * stack. No document Jonction reads needs more than a few levels. */
#define JN_JSON_MAX_DEPTH 64

typedef enum
{
  JN_JSON_FLAGS_NONE = 0,
  /* A key repeated in one object is an error (json-glib keeps the last one silently) */
  JN_JSON_REFUSE_DUPLICATE_KEYS = 1 << 0,
} JnJsonFlags;

/* Called for each element of the root object's array member being split, with its bytes
 * (one complete JSON value). @index is 0-based. Return FALSE (with @error) to stop. */
typedef gboolean (*JnJsonElementFunc) (const char  *data,
                                       gsize        length,
                                       guint        index,
                                       gpointer     user_data,
                                       GError     **error);

/* One pass over @data: refuses more than @max_size bytes, nesting deeper than
 * JN_JSON_MAX_DEPTH, broken structure (unterminated strings, unbalanced brackets, stray
 * bytes) and, with JN_JSON_REFUSE_DUPLICATE_KEYS, repeated keys. Errors are
 * JN_ERROR_TOO_LARGE or JN_ERROR_INVALID_FILE, naming @display_name and the line. */
gboolean  jn_json_check          (const char         *data,
                                  gsize               length,
                                  gsize               max_size,
                                  JnJsonFlags         flags,
                                  const char         *display_name,
                                  GError            **error);

/* jn_json_check(), then json-glib: the root node, or NULL with @error */
JsonNode *jn_json_parse          (const char         *data,
                                  gsize               length,
                                  gsize               max_size,
                                  JnJsonFlags         flags,
                                  const char         *display_name,
                                  GError            **error);

/* For documents too large to hold as one tree (a snapshot): checks @data as
 * jn_json_check() does, requires an object at the root, and calls @func for each element
 * of its member @array_member, never building the whole tree. The other members of the
 * root are parsed one by one and returned in @others (may be NULL); *@has_array tells
 * whether the member was there (an array: anything else is an error). */
gboolean  jn_json_split_array    (const char         *data,
                                  gsize               length,
                                  gsize               max_size,
                                  JnJsonFlags         flags,
                                  const char         *display_name,
                                  const char         *array_member,
                                  JnJsonElementFunc   func,
                                  gpointer            user_data,
                                  JsonObject        **others,
                                  gboolean           *has_array,
                                  GError            **error);

G_END_DECLS
