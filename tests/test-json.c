/* test-json.c: every JSON reader within bounds: the pre-scan (depth, size, structure,
 * duplicate keys), snapshots (read user by user, duplicate ids, whole or not) and
 * decisions files (duplicate keys, depth)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "jn-directory.h"
#include "jn-error.h"
#include "jn-file-ent.h"
#include "jn-json.h"
#include "jn-matcher.h"
#include "jn-text.h"

#define EXT JN_DEFAULT_EXTENSION_URN
#define BOMB_DEPTH 100000

static char *
repeat (const char *unit,
        guint       n,
        const char *tail)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append (out, unit);
  g_string_append (out, tail);

  return g_string_free (out, FALSE);
}

static char *
nested (guint depth)
{
  g_autofree char *open = repeat ("[", depth, "");
  g_autofree char *close = repeat ("]", depth, "");

  return g_strconcat (open, close, NULL);
}

/* ---- the pre-scan ---- */

static void
test_check (void)
{
  g_autofree char *deep_ok = nested (JN_JSON_MAX_DEPTH);
  g_autofree char *deep_bad = nested (JN_JSON_MAX_DEPTH + 1);
  g_autofree char *bomb = repeat ("[", BOMB_DEPTH, "");
  g_autofree char *object_bomb = repeat ("{\"a\":", BOMB_DEPTH, "1");
  g_autofree char *closed_bomb = nested (BOMB_DEPTH);
  static const char big_prefix[] = "{\"a\":\"";
  const struct
  {
    const char *name;
    const char *text;
    JnJsonFlags flags;
    int         code;       /* -1: accepted */
  } cases[] = {
    { "object", "{\"a\": [1, -2.5e3, true, false, null, \"x\\u00e9\\n\"], \"b\": {}}", 0, -1 },
    { "scalar", " 42 ", 0, -1 },
    { "string", "\"\\ud83d\\ude00\"", 0, -1 },
    { "bom", "\xEF\xBB\xBF{\"a\":1}", 0, -1 },
    { "max-depth", deep_ok, 0, -1 },
    { "too-deep", deep_bad, 0, JN_ERROR_INVALID_FILE },
    { "array-bomb", bomb, 0, JN_ERROR_INVALID_FILE },
    { "object-bomb", object_bomb, 0, JN_ERROR_INVALID_FILE },
    { "closed-bomb", closed_bomb, 0, JN_ERROR_INVALID_FILE },
    { "empty", "", 0, JN_ERROR_INVALID_FILE },
    { "blank", " \n\t ", 0, JN_ERROR_INVALID_FILE },
    { "unterminated-string", "{\"a\":\"abc", 0, JN_ERROR_INVALID_FILE },
    { "unterminated-object", "{\"a\":1", 0, JN_ERROR_INVALID_FILE },
    { "unbalanced", "[1}", 0, JN_ERROR_INVALID_FILE },
    { "extra-close", "[1]]", 0, JN_ERROR_INVALID_FILE },
    { "trailing", "{} {}", 0, JN_ERROR_INVALID_FILE },
    { "trailing-comma", "[1,]", 0, JN_ERROR_INVALID_FILE },
    { "missing-colon", "{\"a\" 1}", 0, JN_ERROR_INVALID_FILE },
    { "key-not-string", "{a:1}", 0, JN_ERROR_INVALID_FILE },
    { "control-in-string", "[\"a\nb\"]", 0, JN_ERROR_INVALID_FILE },
    { "bad-escape", "[\"\\x41\"]", 0, JN_ERROR_INVALID_FILE },
    { "bad-unicode-escape", "[\"\\u12G4\"]", 0, JN_ERROR_INVALID_FILE },
    /* A NUL cuts a C string: "ID\u0000x" would pass as "ID" (a key given twice, a value
     * that looks valid) */
    { "nul-escape-in-value", "[\"KVX8NTH4DPQ3SYU7\\u0000x\"]", 0, JN_ERROR_INVALID_FILE },
    { "nul-escape-in-key", "{\"KVX8NTH4DPQ3SYU7\\u0000x\":null,\"KVX8NTH4DPQ3SYU7\":null}",
      JN_JSON_REFUSE_DUPLICATE_KEYS, JN_ERROR_INVALID_FILE },
    { "nul-escape-alone", "[\"\\u0000\"]", 0, JN_ERROR_INVALID_FILE },
    { "almost-nul-escape", "[\"\\u0001\\u0100\"]", 0, -1 },
    { "bad-literal", "[tru]", 0, JN_ERROR_INVALID_FILE },
    { "leading-zero", "[01]", 0, JN_ERROR_INVALID_FILE },
    { "bare-minus", "[-]", 0, JN_ERROR_INVALID_FILE },
    { "nan", "[NaN]", 0, JN_ERROR_INVALID_FILE },
    { "nul-byte", "[1]\0", 0, -1 },   /* strlen: the NUL is not part of it */
    /* Duplicate keys: refused only when asked, and only within one object */
    { "dup-allowed", "{\"a\":1,\"a\":2}", 0, -1 },
    { "dup", "{\"a\":1,\"a\":2}", JN_JSON_REFUSE_DUPLICATE_KEYS, JN_ERROR_INVALID_FILE },
    { "dup-escaped", "{\"a\":1,\"\\u0061\":2}", JN_JSON_REFUSE_DUPLICATE_KEYS, JN_ERROR_INVALID_FILE },
    { "dup-nested", "{\"x\":{\"b\":1,\"b\":null}}", JN_JSON_REFUSE_DUPLICATE_KEYS, JN_ERROR_INVALID_FILE },
    { "dup-in-array", "[{\"a\":1,\"c\":2,\"a\":3}]", JN_JSON_REFUSE_DUPLICATE_KEYS, JN_ERROR_INVALID_FILE },
    { "same-key-two-objects", "[{\"a\":1},{\"a\":1},{\"x\":{\"a\":2}, \"a\":3}]", JN_JSON_REFUSE_DUPLICATE_KEYS, -1 },
    { "case-differs", "{\"a\":1,\"A\":2}", JN_JSON_REFUSE_DUPLICATE_KEYS, -1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) root = NULL;
      gsize length = strlen (cases[i].text);
      gboolean ok = jn_json_check (cases[i].text, length, 1024 * 1024, cases[i].flags, "doc.json", &error);

      if (ok != (cases[i].code < 0))
        g_error ("%s: %s", cases[i].name, ok ? "accepted" : error->message);
      if (!ok)
        {
          g_assert_error (error, JN_ERROR, cases[i].code);
          g_assert_true (g_str_has_prefix (error->message, "doc.json: "));
          g_assert_nonnull (strstr (error->message, "line "));
          g_assert_cmpuint (strlen (error->message), <, 300);
        }
      g_clear_error (&error);

      /* jn_json_parse agrees, and json-glib reads what the scan accepts */
      root = jn_json_parse (cases[i].text, length, 1024 * 1024, cases[i].flags, "doc.json", &error);
      if ((root != NULL) != (cases[i].code < 0))
        g_error ("%s: parse %s", cases[i].name, root ? "accepted" : error->message);
    }

  /* The size limit comes first, and says so */
  {
    g_autofree char *big = g_malloc0 (4096);
    g_autoptr(GError) error = NULL;

    memset (big, ' ', 4095);
    memcpy (big, big_prefix, strlen (big_prefix));
    big[4094] = '"';
    g_assert_false (jn_json_check (big, 4095, 4000, 0, "big.json", &error));
    g_assert_error (error, JN_ERROR, JN_ERROR_TOO_LARGE);
    g_clear_error (&error);
    g_assert_false (jn_json_check (big, 4095, 4096, 0, "big.json", &error));   /* "a": "…   " unterminated object */
    g_assert_error (error, JN_ERROR, JN_ERROR_INVALID_FILE);
  }

  /* Errors name the line */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (jn_json_check ("{\n\"a\": 1,\n\"b\": tru\n}", 19, 1024, 0, "x.json", &error));
    g_assert_nonnull (strstr (error->message, "line 3"));
  }
}

typedef struct
{
  GPtrArray *elements;
} Split;

static gboolean
split_cb (const char  *data,
          gsize        length,
          guint        index,
          gpointer     user_data,
          GError     **error)
{
  Split *split = user_data;

  g_assert_cmpuint (index, ==, split->elements->len);
  g_ptr_array_add (split->elements, g_strndup (data, length));
  return TRUE;
}

static void
test_split (void)
{
  static const char text[] = "\xEF\xBB\xBF{ \"totalResults\" : 3, \"Resources\" : [ {\"id\":\"a\", \"x\":[1,{\"y\":2}]} ,\n"
                             "\"s\", 12 ], \"schemas\": [\"u\"], \"tail\": {\"Resources\": 1} }";
  Split split = { g_ptr_array_new_with_free_func (g_free) };
  g_autoptr(JsonObject) others = NULL;
  g_autoptr(GError) error = NULL;
  gboolean has_array = FALSE;

  g_assert_true (jn_json_split_array (text, strlen (text), 1024, 0, "s.json", "Resources", split_cb, &split,
                                      &others, &has_array, &error));
  g_assert_no_error (error);
  g_assert_true (has_array);
  g_assert_cmpuint (split.elements->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (split.elements, 0), ==, "{\"id\":\"a\", \"x\":[1,{\"y\":2}]}");
  g_assert_cmpstr (g_ptr_array_index (split.elements, 1), ==, "\"s\"");
  g_assert_cmpstr (g_ptr_array_index (split.elements, 2), ==, "12");
  g_assert_cmpint (json_object_get_int_member (others, "totalResults"), ==, 3);
  g_assert_true (json_object_has_member (others, "schemas"));
  g_assert_true (json_object_has_member (others, "tail"));
  g_assert_false (json_object_has_member (others, "Resources"));
  g_ptr_array_unref (split.elements);

  /* Two "Resources", a root that is not an object, "Resources" not an array */
  {
    static const char *bad[] = {
      "{\"Resources\":[],\"Resources\":[{\"id\":\"x\"}]}",
      "[{\"Resources\":[]}]",
      "{\"Resources\":{\"id\":\"x\"}}",
      "{\"Resources\":[1,2}",
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        Split again = { g_ptr_array_new_with_free_func (g_free) };
        g_autoptr(GError) local_error = NULL;

        g_assert_false (jn_json_split_array (bad[i], strlen (bad[i]), 1024, 0, "s.json", "Resources", split_cb,
                                             &again, NULL, NULL, &local_error));
        g_assert_error (local_error, JN_ERROR, JN_ERROR_INVALID_FILE);
        g_ptr_array_unref (again.elements);
      }
  }
}

static void
test_dup_bounded (void)
{
  static const struct { const char *in; gsize max; const char *out; } cases[] = {
    { "short", 10, "short" },
    { "exactly10!", 10, "exactly10!" },
    { "longer than ten", 10, "longer tha…" },
    { "éééééé", 3, "ééé…" },
    { "a\xff" "b", 10, "a\xef\xbf\xbd" "b" },
    { "", 5, "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = jn_text_dup_bounded (cases[i].in, cases[i].max);

      g_assert_cmpstr (out, ==, cases[i].out);
    }
  g_assert_null (jn_text_dup_bounded (NULL, 3));
}

/* ---- snapshots ---- */

static char *tmp_dir;

static GFile *
write_file (const char *name,
            const char *text,
            gssize      length)
{
  g_autofree char *path = g_build_filename (tmp_dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, length, NULL));
  return g_file_new_for_path (path);
}

#define USER(id, extra) "{\"id\":\"" id "\",\"userName\":\"" id "\",\"userType\":\"Eleve\"," \
                        "\"name\":{\"familyName\":\"F" id "\",\"givenName\":\"G\"}," \
                        "\"" EXT "\":{\"structures\":[\"0312609T\"]" extra "}}"

static void
test_snapshot (void)
{
  g_autofree char *bomb = repeat ("[", BOMB_DEPTH, "");
  g_autofree char *user_bomb = g_strconcat ("{\"Resources\":[{\"id\":\"a\",\"x\":", bomb, "}]}", NULL);
  g_autofree char *total_bomb = g_strconcat ("{\"totalResults\":", bomb, ",\"Resources\":[]}", NULL);
  const struct
  {
    const char *name;
    const char *text;
    int         code;        /* -1: loaded */
    guint       n_users;
    gboolean    complete;
    const char *in_message;
  } cases[] = {
    { "two", "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:ListResponse\"],\"totalResults\":2,"
             "\"Resources\":[" USER ("a", "") "," USER ("b", "") "]}", -1, 2, TRUE, NULL },
    { "bom", "\xEF\xBB\xBF{\"Resources\":[" USER ("a", "") "]}", -1, 1, TRUE, NULL },
    { "no-total", "{\"Resources\":[" USER ("a", "") "]}", -1, 1, TRUE, NULL },
    { "empty", "{\"totalResults\":0}", -1, 0, TRUE, NULL },
    /* A snapshot of part of a directory says so: not known whole */
    { "partial", "{\"totalResults\":5,\"Resources\":[" USER ("a", "") "," USER ("b", "") "]}", -1, 2, FALSE, NULL },
    { "total-not-int", "{\"totalResults\":\"2\",\"Resources\":[" USER ("a", "") "," USER ("b", "") "]}", -1, 2, FALSE, NULL },
    /* Two users with one id: which is right cannot be known */
    { "duplicate-id", "{\"Resources\":[" USER ("a", "") "," USER ("b", "") "," USER ("a", ",\"birthDate\":\"2010-01-01\"") "]}",
      JN_ERROR_INVALID_FILE, 0, FALSE, "“a”" },
    { "duplicate-id-same", "{\"Resources\":[" USER ("a", "") "," USER ("a", "") "]}", JN_ERROR_INVALID_FILE, 0, FALSE, "“a”" },
    { "duplicate-resources", "{\"Resources\":[" USER ("a", "") "],\"Resources\":[" USER ("b", "") "]}",
      JN_ERROR_INVALID_FILE, 0, FALSE, "Resources" },
    { "duplicate-key-in-user", "{\"Resources\":[{\"id\":\"a\",\"id\":\"b\"}]}", JN_ERROR_INVALID_FILE, 0, FALSE, "“id”" },
    { "duplicate-key-in-extension", "{\"Resources\":[" USER ("a", ",\"pronoteIds\":[],\"pronoteIds\":[]") "]}",
      JN_ERROR_INVALID_FILE, 0, FALSE, "pronoteIds" },
    { "bomb", bomb, JN_ERROR_INVALID_FILE, 0, FALSE, NULL },
    { "bomb-in-user", user_bomb, JN_ERROR_INVALID_FILE, 0, FALSE, "deeper" },
    { "bomb-in-total", total_bomb, JN_ERROR_INVALID_FILE, 0, FALSE, "deeper" },
    { "root-array", "[" USER ("a", "") "]", JN_ERROR_INVALID_FILE, 0, FALSE, NULL },
    { "resources-object", "{\"Resources\":" USER ("a", "") "}", JN_ERROR_INVALID_FILE, 0, FALSE, NULL },
    { "neither", "{\"schemas\":[]}", JN_ERROR_INVALID_FILE, 0, FALSE, NULL },
    { "element-not-object", "{\"Resources\":[" USER ("a", "") ",\"b\"]}", JN_ERROR_INVALID_FILE, 0, FALSE, NULL },
    { "user-without-id", "{\"Resources\":[" USER ("a", "") ",{\"userName\":\"x\"}]}", JN_ERROR_INVALID_FILE, 0, FALSE, "resource 2" },
    { "cut-short", "{\"Resources\":[" USER ("a", ""), JN_ERROR_INVALID_FILE, 0, FALSE, NULL },
    { "garbage-after", "{\"Resources\":[]} x", JN_ERROR_INVALID_FILE, 0, FALSE, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GFile) file = write_file ("snapshot.json", cases[i].text, -1);
      g_autoptr(JnDirectory) directory = jn_directory_new (NULL);
      g_autoptr(GError) error = NULL;
      gboolean ok = jn_directory_load_file (directory, file, NULL, &error);

      g_test_message ("case %s", cases[i].name);
      if (ok != (cases[i].code < 0))
        g_error ("%s: %s", cases[i].name, ok ? "accepted" : error->message);
      if (!ok)
        {
          g_assert_error (error, JN_ERROR, cases[i].code);
          g_assert_true (g_str_has_prefix (error->message, "snapshot.json: "));
          if (cases[i].in_message != NULL && strstr (error->message, cases[i].in_message) == NULL)
            g_error ("%s: “%s” not in “%s”", cases[i].name, cases[i].in_message, error->message);
          /* All or nothing */
          g_assert_cmpuint (jn_directory_get_n_users (directory), ==, 0);
          continue;
        }
      g_assert_cmpuint (jn_directory_get_n_users (directory), ==, cases[i].n_users);
      g_assert_cmpint (jn_directory_get_complete (directory), ==, cases[i].complete);
      g_assert_true ((jn_directory_get_incomplete_reason (directory) == NULL) == cases[i].complete);
    }
}

/* Written and read back: the same users, unknown attributes kept, order kept */
static void
test_snapshot_round_trip (void)
{
  static const char text[] = "{\"Resources\":[" USER ("b", ",\"pronoteIds\":[{\"uai\":\"0312609T\",\"value\":\"8P4BHZJQ79SUNFX3\",\"x\":1}]")
                             "," USER ("a", ",\"custom\":{\"deep\":[1,2,{\"k\":\"v\"}]}") "]}";
  g_autoptr(GFile) file = write_file ("round.json", text, -1);
  g_autofree char *out_path = g_build_filename (tmp_dir, "round-out.json", NULL);
  g_autoptr(GFile) out = g_file_new_for_path (out_path);
  g_autoptr(JnDirectory) directory = jn_directory_new (NULL);
  g_autoptr(JnDirectory) again = jn_directory_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JnEntUser) first = NULL;
  g_autoptr(JsonNode) node = NULL;
  GStatBuf st;

  g_assert_true (jn_directory_load_file (directory, file, NULL, &error));
  g_assert_no_error (error);
  jn_ent_user_set_pronote_id (jn_directory_lookup (directory, "a"), "0312609T", "KVX8NTH4DPQ3SYU7");
  g_assert_true (jn_directory_save_file (directory, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (out_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  g_assert_true (jn_directory_load_file (again, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (jn_directory_get_complete (again));
  g_assert_cmpuint (jn_directory_get_n_users (again), ==, 2);
  first = g_list_model_get_item (jn_directory_get_users (again), 0);
  g_assert_cmpstr (jn_ent_user_get_id (first), ==, "b");
  g_assert_cmpstr (jn_ent_user_get_pronote_id (first, "0312609T"), ==, "8P4BHZJQ79SUNFX3");
  g_assert_cmpstr (jn_ent_user_get_pronote_id (jn_directory_lookup (again, "a"), "0312609T"), ==, "KVX8NTH4DPQ3SYU7");
  node = jn_ent_user_to_json (jn_directory_lookup (again, "a"), NULL);
  g_assert_true (json_object_has_member (json_object_get_object_member (json_node_get_object (node), EXT), "custom"));

  /* Not known whole: written so, read so */
  {
    g_autoptr(JnDirectory) third = jn_directory_new (NULL);

    jn_directory_set_complete (again, FALSE, "the ENT's count \"lied\"");
    g_assert_true (jn_directory_save_file (again, out, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (jn_directory_load_file (third, out, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (jn_directory_get_n_users (third), ==, 2);
    g_assert_false (jn_directory_get_complete (third));
    g_assert_nonnull (strstr (jn_directory_get_incomplete_reason (third), "the ENT's count \"lied\""));
  }

  /* An empty directory too */
  {
    g_autoptr(JnDirectory) empty = jn_directory_new (NULL);
    g_autoptr(JnDirectory) empty_again = jn_directory_new (NULL);

    g_assert_true (jn_directory_save_file (empty, out, NULL, &error));
    g_assert_true (jn_directory_load_file (empty_again, out, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (jn_directory_get_n_users (empty_again), ==, 0);
  }
}

/* The file ENT passes on what its snapshot says */
static void
test_file_ent_complete (void)
{
  static const struct { const char *text; gboolean complete; } cases[] = {
    { "{\"totalResults\":1,\"Resources\":[" USER ("a", "") "]}", TRUE },
    { "{\"totalResults\":3,\"Resources\":[" USER ("a", "") "]}", FALSE },
    { "{\"jonctionIncomplete\":\"read from a lying server\",\"Resources\":[" USER ("a", "") "]}", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GFile) file = write_file ("snapshot.json", cases[i].text, -1);
      g_autoptr(GError) error = NULL;
      g_autoptr(JnFileEnt) ent = jn_file_ent_new (file, NULL, &error);
      g_autoptr(JnDirectory) directory = NULL;

      g_assert_no_error (error);
      directory = jn_ent_read_directory (JN_ENT (ent), "0312609T", NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (jn_directory_get_n_users (directory), ==, 1);
      g_assert_cmpint (jn_directory_get_complete (directory), ==, cases[i].complete);
    }
}

static void
test_directory_complete (void)
{
  g_autoptr(JnDirectory) directory = jn_directory_new (NULL);

  g_assert_true (jn_directory_get_complete (directory));
  g_assert_null (jn_directory_get_incomplete_reason (directory));
  jn_directory_set_complete (directory, FALSE, "the count lies");
  g_assert_false (jn_directory_get_complete (directory));
  g_assert_cmpstr (jn_directory_get_incomplete_reason (directory), ==, "the count lies");
  jn_directory_set_complete (directory, FALSE, NULL);
  g_assert_nonnull (jn_directory_get_incomplete_reason (directory));
  jn_directory_set_complete (directory, TRUE, "ignored");
  g_assert_null (jn_directory_get_incomplete_reason (directory));
}

/* ---- decisions files ---- */

static void
test_decisions (void)
{
  g_autofree char *bomb = repeat ("[", BOMB_DEPTH, "");
  g_autofree char *value_bomb = g_strconcat ("{\"8P4BHZJQ79SUNFX3\":", bomb, "}", NULL);
  const struct
  {
    const char *name;
    const char *text;
    int         code;
    guint       n;
    const char *in_message;
  } cases[] = {
    { "valid", "{\"8P4BHZJQ79SUNFX3\":\"u1\",\"KVX8NTH4DPQ3SYU7\":null}", -1, 2, NULL },
    { "empty", "{}", -1, 0, NULL },
    { "bom", "\xEF\xBB\xBF{\"8P4BHZJQ79SUNFX3\":\"u1\"}", -1, 1, NULL },
    /* A repeated key: which decision was meant cannot be known */
    { "duplicate", "{\"8P4BHZJQ79SUNFX3\":\"u1\",\"KVX8NTH4DPQ3SYU7\":null,\"8P4BHZJQ79SUNFX3\":\"u2\"}",
      JN_ERROR_INVALID_FILE, 0, "8P4BHZJQ79SUNFX3" },
    { "duplicate-null", "{\"8P4BHZJQ79SUNFX3\":null,\n\"8P4BHZJQ79SUNFX3\":null}", JN_ERROR_INVALID_FILE, 0, "line 2" },
    { "duplicate-escaped", "{\"8P4BHZJQ79SUNFX3\":\"u1\",\"8P4BHZJQ79SUNFX\\u0033\":\"u2\"}", JN_ERROR_INVALID_FILE, 0, NULL },
    { "bomb", bomb, JN_ERROR_INVALID_FILE, 0, "deeper" },
    { "value-bomb", value_bomb, JN_ERROR_INVALID_FILE, 0, "deeper" },
    { "not-object", "[]", JN_ERROR_INVALID_FILE, 0, NULL },
    { "value-number", "{\"8P4BHZJQ79SUNFX3\":1}", JN_ERROR_INVALID_FILE, 0, NULL },
    { "truncated", "{\"8P4BHZJQ79SUNFX3\":\"u1\"", JN_ERROR_INVALID_FILE, 0, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GFile) file = write_file ("decisions.json", cases[i].text, -1);
      g_autoptr(GError) error = NULL;
      g_autoptr(GHashTable) decisions = jn_decisions_load (file, &error);

      g_test_message ("case %s", cases[i].name);
      if ((decisions != NULL) != (cases[i].code < 0))
        g_error ("%s: %s", cases[i].name, decisions ? "accepted" : error->message);
      if (decisions == NULL)
        {
          g_assert_error (error, JN_ERROR, cases[i].code);
          g_assert_true (g_str_has_prefix (error->message, "decisions.json: "));
          if (cases[i].in_message != NULL && strstr (error->message, cases[i].in_message) == NULL)
            g_error ("%s: “%s” not in “%s”", cases[i].name, cases[i].in_message, error->message);
        }
      else
        g_assert_cmpuint (g_hash_table_size (decisions), ==, cases[i].n);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tmp_dir = g_dir_make_tmp ("jn-test-json-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/json/check", test_check);
  g_test_add_func ("/json/split", test_split);
  g_test_add_func ("/json/dup-bounded", test_dup_bounded);
  g_test_add_func ("/json/snapshot", test_snapshot);
  g_test_add_func ("/json/snapshot/round-trip", test_snapshot_round_trip);
  g_test_add_func ("/json/directory-complete", test_directory_complete);
  g_test_add_func ("/json/file-ent-complete", test_file_ent_complete);
  g_test_add_func ("/json/decisions", test_decisions);

  status = g_test_run ();

  {
    const char *names[] = { "snapshot.json", "round.json", "round-out.json", "decisions.json" };

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_autofree char *path = g_build_filename (tmp_dir, names[i], NULL);

        g_remove (path);
      }
    g_rmdir (tmp_dir);
    g_free (tmp_dir);
  }

  return status;
}
