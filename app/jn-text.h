/* jn-text.h: text from files and servers made safe to print
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE for the characters a terminal (or a text view) obeys or hides rather than shows:
 * C0 controls, DEL, C1 controls, bidirectional controls, line and paragraph separators,
 * invisible format characters and Unicode tags. */
gboolean  jn_text_is_unsafe_char        (gunichar     c);

/* @text with every unsafe character written \u{XXXX} (\xNN for C0 and DEL) and every byte
 * that is not UTF-8 written \xNN: a name can no longer forge a line, move the cursor, colour
 * the terminal or reverse the text around it. NULL gives NULL. */
char     *jn_text_escape_for_terminal   (const char  *text);

/* @json (one document, as json-glib writes it) with the unsafe characters json-glib leaves
 * raw (DEL, C1, bidirectional controls…) written \uXXXX, and the bytes that are not UTF-8
 * replaced by \uFFFD. The JSON value is the same for a parser; only its spelling changes. */
char     *jn_text_escape_json           (const char  *json);

/* One CSV cell: a cell a spreadsheet would take for a formula (starting with =, +, -, @, a
 * tab, CR or LF) is prefixed with an apostrophe, then the cell is quoted (RFC 4180) when it
 * holds @separator, a double quote, CR or LF. NULL gives "". */
char     *jn_text_escape_csv_cell       (const char  *cell,
                                         char         separator);

/* @text cut to @max_chars characters (with "…" when cut), valid UTF-8: for details
 * quoted from a server or a file */
char     *jn_text_dup_bounded           (const char  *text,
                                         gsize        max_chars);

G_END_DECLS
