/* jn-json.c: JSON read within bounds (size, depth, duplicate keys) before json-glib sees it
 *
 * json-glib 1.6 descends recursively and keeps the last of two equal keys: a hostile or
 * broken document (a server's answer, a file) could crash us or be read differently
 * from what it says. One pass over the bytes, without recursion and without building
 * anything, checks the structure first; json-glib then parses what is known to be
 * shallow. The same pass can hand out the elements of one big array one by one, so that
 * a snapshot of 100,000 users never becomes one tree.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-json"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "jn-error.h"
#include "jn-json.h"

typedef enum
{
  WANT_VALUE,
  WANT_VALUE_OR_END,   /* after '[' */
  WANT_KEY,            /* after ',' in an object */
  WANT_KEY_OR_END,     /* after '{' */
  WANT_COLON,
  WANT_COMMA_OR_END,
  WANT_NOTHING,        /* after the root value */
} Want;

typedef struct
{
  const char        *data;
  gsize              length;
  JnJsonFlags        flags;
  const char        *display_name;

  guint              depth;                           /* open containers */
  gboolean           is_object[JN_JSON_MAX_DEPTH];
  GHashTable        *keys[JN_JSON_MAX_DEPTH];         /* keys of the open objects */
  Want               want;

  /* Splitting (depth 1: the root's members; depth 2: the elements of one of them) */
  gboolean           split;
  const char        *array_member;
  JnJsonElementFunc  func;
  gpointer           user_data;
  JsonObject        *others;
  gboolean           has_array;
  gboolean           in_array;
  char              *member;                          /* the root's member being read */
  gsize              member_start;
  gsize              element_start;
  guint              n_elements;
} Scanner;

static void
scanner_clear (Scanner *scanner)
{
  for (guint i = 0; i < G_N_ELEMENTS (scanner->keys); i++)
    g_clear_pointer (&scanner->keys[i], g_hash_table_unref);
  g_clear_pointer (&scanner->member, g_free);
  g_clear_pointer (&scanner->others, json_object_unref);
}

static guint
line_of (Scanner *scanner,
         gsize    pos)
{
  guint line = 1;

  for (gsize i = 0; i < pos && i < scanner->length; i++)
    if (scanner->data[i] == '\n')
      line++;

  return line;
}

static gboolean
fail (Scanner  *scanner,
      gsize     pos,
      GError  **error,
      const char *reason)
{
  g_set_error (error, JN_ERROR, JN_ERROR_INVALID_FILE, _("%s: invalid JSON at line %u: %s"),
               scanner->display_name, line_of (scanner, pos), reason);
  return FALSE;
}

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* The string starting at @pos (on its opening quote): its end (past the closing quote) */
static gboolean
scan_string (Scanner  *scanner,
             gsize     pos,
             gsize    *end,
             gboolean *escaped,
             GError  **error)
{
  const char *data = scanner->data;

  *escaped = FALSE;
  for (gsize i = pos + 1; i < scanner->length; i++)
    {
      guchar c = (guchar)data[i];

      if (c == '"')
        {
          *end = i + 1;
          return TRUE;
        }
      if (c < 0x20)
        return fail (scanner, i, error, _("a control character in a string"));
      if (c != '\\')
        continue;

      *escaped = TRUE;
      if (++i >= scanner->length)
        break;
      switch (data[i])
        {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
          break;
        case 'u':
          for (guint k = 1; k <= 4; k++)
            if (i + k >= scanner->length || hex_value (data[i + k]) < 0)
              return fail (scanner, i, error, _("an invalid \\u escape"));
          /* A C string ends there: "ID\u0000x" would be read as "ID", past every check */
          if (memcmp (data + i + 1, "0000", 4) == 0)
            return fail (scanner, i, error, _("a NUL character (\\u0000) in a string"));
          i += 4;
          break;
        default:
          return fail (scanner, i, error, _("an invalid escape in a string"));
        }
    }

  return fail (scanner, pos, error, _("a string is not terminated"));
}

/* The text of a key (between its quotes), escapes resolved */
static char *
decode_key (const char *data,
            gsize       length,
            gboolean    escaped)
{
  GString *out;

  if (!escaped)
    return g_strndup (data, length);

  out = g_string_sized_new (length);
  for (gsize i = 0; i < length; i++)
    {
      gunichar u;

      if (data[i] != '\\')
        {
          g_string_append_c (out, data[i]);
          continue;
        }
      switch (data[++i])
        {
        case 'b': g_string_append_c (out, '\b'); break;
        case 'f': g_string_append_c (out, '\f'); break;
        case 'n': g_string_append_c (out, '\n'); break;
        case 'r': g_string_append_c (out, '\r'); break;
        case 't': g_string_append_c (out, '\t'); break;
        case 'u':
          u = (hex_value (data[i + 1]) << 12) | (hex_value (data[i + 2]) << 8) |
              (hex_value (data[i + 3]) << 4) | hex_value (data[i + 4]);
          i += 4;
          if (u >= 0xD800 && u < 0xDC00 && i + 6 < length && data[i + 1] == '\\' && data[i + 2] == 'u')
            {
              gunichar low = (hex_value (data[i + 3]) << 12) | (hex_value (data[i + 4]) << 8) |
                             (hex_value (data[i + 5]) << 4) | hex_value (data[i + 6]);

              if (low >= 0xDC00 && low < 0xE000)
                {
                  u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
                  i += 6;
                }
            }
          if (u == 0 || (u >= 0xD800 && u < 0xE000))
            u = 0xFFFD;
          g_string_append_unichar (out, u);
          break;
        default:
          g_string_append_c (out, data[i]);
          break;
        }
    }

  return g_string_free (out, FALSE);
}

static gboolean
is_number (const char *p,
           gsize       n)
{
  gsize i = 0;

  if (i < n && p[i] == '-')
    i++;
  if (i >= n || !g_ascii_isdigit (p[i]))
    return FALSE;
  if (p[i] == '0')
    i++;
  else
    while (i < n && g_ascii_isdigit (p[i]))
      i++;
  if (i < n && p[i] == '.')
    {
      if (++i >= n || !g_ascii_isdigit (p[i]))
        return FALSE;
      while (i < n && g_ascii_isdigit (p[i]))
        i++;
    }
  if (i < n && (p[i] == 'e' || p[i] == 'E'))
    {
      i++;
      if (i < n && (p[i] == '+' || p[i] == '-'))
        i++;
      if (i >= n || !g_ascii_isdigit (p[i]))
        return FALSE;
      while (i < n && g_ascii_isdigit (p[i]))
        i++;
    }

  return i == n;
}

static JsonNode *
parse_span (Scanner  *scanner,
            gsize     start,
            gsize     end,
            GError  **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;

  if (!json_parser_load_from_data (parser, scanner->data + start, (gssize)(end - start), &local_error))
    {
      fail (scanner, start, error, local_error->message);
      return NULL;
    }

  return json_node_ref (json_parser_get_root (parser));
}

/* A value begins at @pos, at the current depth */
static gboolean
value_begins (Scanner  *scanner,
              gsize     pos,
              GError  **error)
{
  if (!scanner->split)
    return TRUE;

  if (scanner->depth == 0 && scanner->data[pos] != '{')
    return fail (scanner, pos, error, _("the document is not a JSON object"));

  if (scanner->depth == 1)
    {
      scanner->member_start = pos;
      if (g_strcmp0 (scanner->member, scanner->array_member) == 0)
        {
          if (scanner->data[pos] != '[')
            {
              g_autofree char *reason = g_strdup_printf (_("“%s” is not an array"), scanner->array_member);

              return fail (scanner, pos, error, reason);
            }
          scanner->in_array = TRUE;
          scanner->has_array = TRUE;
        }
    }
  else if (scanner->depth == 2 && scanner->in_array)
    {
      scanner->element_start = pos;
    }

  return TRUE;
}

/* A value ended just before @end, at the current depth (its container, if any, is open) */
static gboolean
value_ends (Scanner  *scanner,
            gsize     end,
            GError  **error)
{
  if (scanner->depth == 0)
    {
      scanner->want = WANT_NOTHING;
      return TRUE;
    }
  scanner->want = WANT_COMMA_OR_END;

  if (!scanner->split)
    return TRUE;

  if (scanner->depth == 2 && scanner->in_array)
    {
      return scanner->func (scanner->data + scanner->element_start, end - scanner->element_start,
                            scanner->n_elements++, scanner->user_data, error);
    }
  if (scanner->depth == 1)
    {
      if (scanner->in_array)
        scanner->in_array = FALSE;
      else if (scanner->others != NULL)
        {
          JsonNode *node = parse_span (scanner, scanner->member_start, end, error);

          if (node == NULL)
            return FALSE;
          json_object_set_member (scanner->others, scanner->member, node);
        }
    }

  return TRUE;
}

static gboolean
add_key (Scanner  *scanner,
         gsize     pos,
         gsize     end,
         gboolean  escaped,
         GError  **error)
{
  gboolean check = (scanner->flags & JN_JSON_REFUSE_DUPLICATE_KEYS) ||
                   (scanner->split && scanner->depth == 1);
  gboolean keep = scanner->split && scanner->depth == 1;
  char *key;
  GHashTable *keys;

  if (!check && !keep)
    return TRUE;

  key = decode_key (scanner->data + pos + 1, end - pos - 2, escaped);
  if (keep)
    {
      g_free (scanner->member);
      scanner->member = g_strdup (key);
    }
  if (!check)
    {
      g_free (key);
      return TRUE;
    }

  keys = scanner->keys[scanner->depth - 1];
  if (!g_hash_table_add (keys, key))
    {
      g_autofree char *again = decode_key (scanner->data + pos + 1, MIN (end - pos - 2, 64), escaped);
      g_autofree char *valid = g_utf8_make_valid (again, -1);
      g_autofree char *reason = g_strdup_printf (_("the key “%s” appears twice in one object"), valid);

      return fail (scanner, pos, error, reason);
    }

  return TRUE;
}

static gboolean
scanner_run (Scanner  *scanner,
             gsize     max_size,
             GError  **error)
{
  const char *data = scanner->data;
  gsize pos = 0;

  if (scanner->length > max_size)
    {
      g_autofree char *size = g_format_size_full (max_size, G_FORMAT_SIZE_IEC_UNITS);

      g_set_error (error, JN_ERROR, JN_ERROR_TOO_LARGE,
                   _("%s: the JSON document is larger than the limit of %s"),
                   scanner->display_name, size);
      return FALSE;
    }

  scanner->want = WANT_VALUE;
  while (pos < scanner->length)
    {
      char c = data[pos];

      if (is_space (c))
        {
          pos++;
          continue;
        }

      if (scanner->want == WANT_NOTHING)
        return fail (scanner, pos, error, _("unexpected text after the end of the document"));

      switch (c)
        {
        case '{':
        case '[':
          if (scanner->want != WANT_VALUE && scanner->want != WANT_VALUE_OR_END)
            return fail (scanner, pos, error, _("a value where none is expected"));
          if (scanner->depth >= JN_JSON_MAX_DEPTH)
            {
              g_autofree char *reason = g_strdup_printf (_("nested deeper than %u levels"), JN_JSON_MAX_DEPTH);

              return fail (scanner, pos, error, reason);
            }
          if (!value_begins (scanner, pos, error))
            return FALSE;
          scanner->is_object[scanner->depth] = (c == '{');
          if (c == '{' && ((scanner->flags & JN_JSON_REFUSE_DUPLICATE_KEYS) ||
                           (scanner->split && scanner->depth == 0)))
            {
              if (scanner->keys[scanner->depth] == NULL)
                scanner->keys[scanner->depth] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
              else
                g_hash_table_remove_all (scanner->keys[scanner->depth]);
            }
          scanner->depth++;
          scanner->want = c == '{' ? WANT_KEY_OR_END : WANT_VALUE_OR_END;
          pos++;
          break;

        case '}':
        case ']':
          if (scanner->depth == 0 || scanner->is_object[scanner->depth - 1] != (c == '}') ||
              (scanner->want != WANT_COMMA_OR_END &&
               scanner->want != (c == '}' ? WANT_KEY_OR_END : WANT_VALUE_OR_END)))
            return fail (scanner, pos, error, c == '}' ? _("a misplaced “}”") : _("a misplaced “]”"));
          scanner->depth--;
          pos++;
          if (!value_ends (scanner, pos, error))
            return FALSE;
          break;

        case ',':
          if (scanner->want != WANT_COMMA_OR_END)
            return fail (scanner, pos, error, _("a misplaced comma"));
          scanner->want = scanner->is_object[scanner->depth - 1] ? WANT_KEY : WANT_VALUE;
          pos++;
          break;

        case ':':
          if (scanner->want != WANT_COLON)
            return fail (scanner, pos, error, _("a misplaced colon"));
          scanner->want = WANT_VALUE;
          pos++;
          break;

        case '"':
          {
            gsize end = pos;
            gboolean escaped = FALSE;

            if (!scan_string (scanner, pos, &end, &escaped, error))
              return FALSE;
            if (scanner->want == WANT_KEY || scanner->want == WANT_KEY_OR_END)
              {
                if (!add_key (scanner, pos, end, escaped, error))
                  return FALSE;
                scanner->want = WANT_COLON;
              }
            else if (scanner->want == WANT_VALUE || scanner->want == WANT_VALUE_OR_END)
              {
                if (!value_begins (scanner, pos, error) || !value_ends (scanner, end, error))
                  return FALSE;
              }
            else
              return fail (scanner, pos, error, _("a string where none is expected"));
            pos = end;
          }
          break;

        default:
          {
            gsize end = pos;

            while (end < scanner->length && !is_space (data[end]) && data[end] != ',' &&
                   data[end] != ']' && data[end] != '}' && data[end] != ':' && data[end] != '"' &&
                   data[end] != '[' && data[end] != '{')
              end++;
            if (!((end - pos == 4 && memcmp (data + pos, "true", 4) == 0) ||
                  (end - pos == 5 && memcmp (data + pos, "false", 5) == 0) ||
                  (end - pos == 4 && memcmp (data + pos, "null", 4) == 0) ||
                  is_number (data + pos, end - pos)))
              return fail (scanner, pos, error, _("an invalid value"));
            if (scanner->want != WANT_VALUE && scanner->want != WANT_VALUE_OR_END)
              return fail (scanner, pos, error, _("a value where none is expected"));
            if (!value_begins (scanner, pos, error) || !value_ends (scanner, end, error))
              return FALSE;
            pos = end;
          }
          break;
        }
    }

  if (scanner->want != WANT_NOTHING)
    return fail (scanner, scanner->length, error,
                 scanner->depth > 0 || scanner->want != WANT_VALUE ? _("the document is cut short")
                                                                  : _("the document is empty"));

  return TRUE;
}

/* A UTF-8 byte-order mark is tolerated (and skipped) at the start */
static gsize
bom_length (const char *data,
            gsize       length)
{
  return length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

gboolean
jn_json_check (const char   *data,
               gsize         length,
               gsize         max_size,
               JnJsonFlags   flags,
               const char   *display_name,
               GError      **error)
{
  Scanner scanner = { 0 };
  gboolean ok;
  gsize skip;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  skip = bom_length (data, length);
  scanner.data = data + skip;
  scanner.length = length - skip;
  scanner.flags = flags;
  scanner.display_name = display_name;
  ok = scanner_run (&scanner, max_size, error);
  scanner_clear (&scanner);

  return ok;
}

JsonNode *
jn_json_parse (const char   *data,
               gsize         length,
               gsize         max_size,
               JnJsonFlags   flags,
               const char   *display_name,
               GError      **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize skip;

  if (!jn_json_check (data, length, max_size, flags, display_name, error))
    return NULL;

  skip = bom_length (data, length);
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data + skip, (gssize)(length - skip), &local_error))
    {
      g_set_error (error, JN_ERROR, JN_ERROR_INVALID_FILE, _("%s: invalid JSON: %s"),
                   display_name, local_error->message);
      return NULL;
    }

  return json_node_ref (json_parser_get_root (parser));
}

gboolean
jn_json_split_array (const char         *data,
                     gsize               length,
                     gsize               max_size,
                     JnJsonFlags         flags,
                     const char         *display_name,
                     const char         *array_member,
                     JnJsonElementFunc   func,
                     gpointer            user_data,
                     JsonObject        **others,
                     gboolean           *has_array,
                     GError            **error)
{
  Scanner scanner = { 0 };
  gboolean ok;
  gsize skip;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (array_member != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  skip = bom_length (data, length);
  scanner.data = data + skip;
  scanner.length = length - skip;
  scanner.flags = flags;
  scanner.display_name = display_name;
  scanner.split = TRUE;
  scanner.array_member = array_member;
  scanner.func = func;
  scanner.user_data = user_data;
  scanner.others = others ? json_object_new () : NULL;

  ok = scanner_run (&scanner, max_size, error);
  if (ok && others != NULL)
    *others = g_steal_pointer (&scanner.others);
  if (ok && has_array != NULL)
    *has_array = scanner.has_array;
  scanner_clear (&scanner);

  return ok;
}
