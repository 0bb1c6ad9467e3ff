/* jn-text.c: text from files and servers made safe to print
 *
 * Names, establishment and partner names come from files anyone can write, and error details
 * from servers: printed raw, an escape sequence in them would drive the admin's terminal and
 * a newline or a right-to-left override would forge a line of the report.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-text"

#include "config.h"

#include <string.h>

#include "jn-text.h"

gboolean
jn_text_is_unsafe_char (gunichar c)
{
  return c < 0x20 ||                       /* C0, tab and newline included */
         (c >= 0x7f && c <= 0x9f) ||       /* DEL, C1 (NEL, CSI…) */
         c == 0x061c ||                    /* Arabic letter mark */
         c == 0x180e ||                    /* Mongolian vowel separator */
         c == 0x200b ||                    /* zero width space */
         c == 0x200e || c == 0x200f ||     /* LRM, RLM */
         (c >= 0x2028 && c <= 0x202e) ||   /* line/paragraph separators, LRE…RLO */
         (c >= 0x2060 && c <= 0x206f) ||   /* word joiner, invisible operators, LRI…PDI */
         c == 0xfeff ||                    /* zero width no-break space (BOM) */
         (c >= 0xfff9 && c <= 0xfffb) ||   /* interlinear annotations */
         (c >= 0xe0000 && c <= 0xe007f);   /* tags: invisible ASCII */
}

char *
jn_text_escape_for_terminal (const char *text)
{
  GString *out;
  const char *p, *end;

  if (text == NULL)
    return NULL;

  end = text + strlen (text);
  out = g_string_sized_new (end - text);
  for (p = text; p < end;)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar)-1 || c == (gunichar)-2)
        {
          g_string_append_printf (out, "\\x%02X", (guint)(guchar)*p);
          p++;
          continue;
        }

      if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\x%02X", (guint)c);
      else if (jn_text_is_unsafe_char (c))
        g_string_append_printf (out, "\\u{%04X}", (guint)c);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }

  return g_string_free (out, FALSE);
}

char *
jn_text_escape_json (const char *json)
{
  GString *out;
  const char *p, *end;

  if (json == NULL)
    return NULL;

  end = json + strlen (json);
  out = g_string_sized_new (end - json);
  for (p = json; p < end;)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar)-1 || c == (gunichar)-2)
        {
          g_string_append (out, "\\ufffd");
          p++;
          continue;
        }

      if (!jn_text_is_unsafe_char (c))
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      else if (c < 0x10000)
        g_string_append_printf (out, "\\u%04x", (guint)c);
      else
        g_string_append_printf (out, "\\u%04x\\u%04x",
                                (guint)(0xd800 + ((c - 0x10000) >> 10)),
                                (guint)(0xdc00 + ((c - 0x10000) & 0x3ff)));
      p = g_utf8_next_char (p);
    }

  return g_string_free (out, FALSE);
}

char *
jn_text_escape_csv_cell (const char *cell,
                         char        separator)
{
  g_autoptr(GString) out = g_string_new (NULL);

  if (cell == NULL)
    return g_strdup ("");

  /* What a spreadsheet would evaluate (=1+1, +cmd|…, -2+3, @SUM(…)) is shown as text */
  if (strchr ("=+-@\t\r\n", cell[0]) != NULL && cell[0] != '\0')
    g_string_append_c (out, '\'');
  g_string_append (out, cell);

  if ((separator != '\0' && strchr (out->str, separator) != NULL) || strpbrk (out->str, "\"\r\n") != NULL)
    {
      g_autoptr(GString) quoted = g_string_new ("\"");

      for (const char *p = out->str; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (quoted, '"');
          g_string_append_c (quoted, *p);
        }
      g_string_append_c (quoted, '"');
      return g_string_free (g_steal_pointer (&quoted), FALSE);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
jn_text_dup_bounded (const char *text,
                     gsize       max_chars)
{
  g_autofree char *valid = NULL;
  gsize bytes;

  if (text == NULL)
    return NULL;

  /* At most 4 bytes a character: no need to look further */
  bytes = strnlen (text, max_chars * 4 + 1);
  valid = g_utf8_make_valid (text, (gssize)bytes);
  if (g_utf8_strlen (valid, -1) <= (glong)max_chars && bytes <= max_chars * 4)
    return g_steal_pointer (&valid);

  {
    glong n = MIN ((glong)max_chars, g_utf8_strlen (valid, -1));
    const char *end = g_utf8_offset_to_pointer (valid, n);
    g_autofree char *cut = g_strndup (valid, end - valid);

    return g_strconcat (cut, "…", NULL);
  }
}
