/* test-text.c: output that cannot lie (jn-text.c), case by case
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "jn-ent-user.h"
#include "jn-text.h"

static void
test_terminal (void)
{
  static const struct { const char *in, *out; } cases[] = {
    { "Élaphe Zoé", "Élaphe Zoé" },
    { "D'ALMEIDA – Œuvrard", "D'ALMEIDA – Œuvrard" },
    { "محمد", "محمد" },
    { "Zoé\nTotal                      0", "Zoé\\x0ATotal                      0" },
    { "a\rb", "a\\x0Db" },
    { "tab\there", "tab\\x09here" },
    { "\x1b[2J\x1b]0;owned\x07", "\\x1B[2J\\x1B]0;owned\\x07" },
    { "del\x7f", "del\\x7F" },
    { "nel\xc2\x85line", "nel\\u{0085}line" },
    { "csi\xc2\x9b" "31m", "csi\\u{009B}31m" },
    { "evil\xe2\x80\xae" "txt.exe", "evil\\u{202E}txt.exe" },
    { "\xe2\x81\xa6" "isolate" "\xe2\x81\xa9", "\\u{2066}isolate\\u{2069}" },
    { "lrm\xe2\x80\x8e rlm\xe2\x80\x8f alm\xd8\x9c", "lrm\\u{200E} rlm\\u{200F} alm\\u{061C}" },
    { "ls\xe2\x80\xa8ps\xe2\x80\xa9", "ls\\u{2028}ps\\u{2029}" },
    { "zw\xe2\x80\x8bsp\xef\xbb\xbf", "zw\\u{200B}sp\\u{FEFF}" },
    { "tag\xf3\xa0\x81\x81", "tag\\u{E0041}" },
    { "bad\xff\xfe utf8", "bad\\xFF\\xFE utf8" },
    { "cut\xc3", "cut\\xC3" },
    { "overlong\xc0\xaf", "overlong\\xC0\\xAF" },
    { "surrogate\xed\xa0\x80", "surrogate\\xED\\xA0\\x80" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = jn_text_escape_for_terminal (cases[i].in);

      g_assert_cmpstr (out, ==, cases[i].out);
      g_assert_true (g_utf8_validate (out, -1, NULL));
      g_assert_null (strchr (out, '\n'));
    }

  g_assert_null (jn_text_escape_for_terminal (NULL));
}

static void
test_json (void)
{
  static const char * const names[] = {
    "Élaphe Zoé",
    "evil\xe2\x80\xae" "txt",
    "nel\xc2\x85line",
    "Zoé\nforged",
    "esc\x1b[31m",
    "del\x7f",
    "tag\xf3\xa0\x81\x81",
    "\xe2\x81\xa6" "isolate" "\xe2\x81\xa9",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *raw = NULL;
      g_autofree char *escaped = NULL;
      JsonObject *object;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, names[i]);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      json_generator_set_root (generator, root);
      raw = json_generator_to_data (generator, NULL);
      escaped = jn_text_escape_json (raw);

      /* Nothing a terminal obeys is left raw… */
      for (const char *p = escaped; *p != '\0'; p = g_utf8_next_char (p))
        g_assert_false (jn_text_is_unsafe_char (g_utf8_get_char (p)));
      /* …and a parser reads the very same name */
      g_assert_true (json_parser_load_from_data (parser, escaped, -1, NULL));
      object = json_node_get_object (json_parser_get_root (parser));
      g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, names[i]);
    }

  {
    g_autofree char *out = jn_text_escape_json ("{\"a\":\"x\xff\"}");

    g_assert_cmpstr (out, ==, "{\"a\":\"x\\ufffd\"}");
  }
}

static void
test_csv (void)
{
  static const struct { const char *in, *out; } cases[] = {
    { "MARTIN", "MARTIN" },
    { "=1+1", "'=1+1" },
    { "=HYPERLINK(\"http://x\";\"clic\")", "\"'=HYPERLINK(\"\"http://x\"\";\"\"clic\"\")\"" },
    { "+33 6 12", "'+33 6 12" },
    { "-2+3", "'-2+3" },
    { "@SUM(A1)", "'@SUM(A1)" },
    { "\t=1", "'\t=1" },
    { "\r=1", "\"'\r=1\"" },
    { "Jean-Pierre", "Jean-Pierre" },
    { "a;b", "\"a;b\"" },
    { "say \"hi\"", "\"say \"\"hi\"\"\"" },
    { "two\nlines", "\"two\nlines\"" },
    { "", "" },
    { NULL, "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = jn_text_escape_csv_cell (cases[i].in, ';');

      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

/* A name from the ENT is shown with its controls written out: an override cannot turn a
 * refusal "… already holds this identifier" around in the window */
static void
test_display_name (void)
{
  g_autoptr(JsonNode) node = json_from_string (
    "{\"id\":\"u1\",\"name\":{\"familyName\":\"Dupont\\u202e\",\"givenName\":\"L\\u00e9a\\u0007\"}}",
    NULL);
  g_autoptr(JnEntUser) user = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  g_assert_nonnull (node);
  user = jn_ent_user_new_from_json (json_node_get_object (node), NULL, &error);
  g_assert_no_error (error);
  name = jn_ent_user_dup_display_name (user);
  g_assert_cmpstr (name, ==, "DUPONT\\u{202E} Léa\\x07");
  g_assert_null (strstr (name, "\u202e"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/text/terminal", test_terminal);
  g_test_add_func ("/text/json", test_json);
  g_test_add_func ("/text/csv", test_csv);
  g_test_add_func ("/text/display-name", test_display_name);

  return g_test_run ();
}
