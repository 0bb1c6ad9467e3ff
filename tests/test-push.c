/* test-push.c: the journalled push, on the embedded file ENT
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "jn-error.h"
#include "jn-file-ent.h"
#include "jn-matcher.h"
#include "jn-push.h"

#define UAI "0312609T"
#define EXT "urn:ietf:params:scim:schemas:extension:ent:2.0:User"

/* A well-formed PRONOTE identifier for record @i: @prefix and 15 characters of PRONOTE's
 * alphabet (the digits 0, 1 and 6 it never writes become Z, Y and W) */
static char *
pn_id (char  prefix,
       guint i)
{
  char *id = g_strdup_printf ("%c%015u", prefix, i);

  g_strdelimit (id + 1, "0", 'Z');
  g_strdelimit (id + 1, "1", 'Y');
  g_strdelimit (id + 1, "6", 'W');
  return id;
}

typedef struct
{
  char        *dir;
  GFile       *ent_file;
  JnExport    *export;
  JnStore     *store;
} Fixture;

/* A small establishment: 3 teachers, 40 students, 1 stale identifier */
static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GString) xml = g_string_new ("<ExportIdentifiants UAI=\"" UAI "\"><Professeurs>");
  g_autoptr(GString) json = g_string_new ("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:ListResponse\"],\"Resources\":[");
  g_autofree char *xml_path = NULL;
  g_autofree char *json_path = NULL;
  g_autoptr(GFile) xml_file = NULL;
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("jn-push-XXXXXX", NULL);

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *pn = pn_id ('T', i);

      g_string_append_printf (xml, "<Professeur Nom=\"PROF%c\" Prenom=\"Ada\" IDPN=\"%s\"/>", 'A' + i, pn);
      g_string_append_printf (json, "{\"id\":\"t%u\",\"userType\":\"Enseignant\",\"name\":{\"familyName\":\"Prof%c\",\"givenName\":\"Ada\"},"
                              "\"meta\":{\"version\":\"W/\\\"1\\\"\"},\"" EXT "\":{\"structures\":[\"" UAI "\"]}},", i, 'A' + i);
    }
  g_string_append (xml, "</Professeurs><Eleves>");
  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *pn = pn_id ('S', i);

      g_string_append_printf (xml, "<Eleve Nom=\"ELEVE%c%c\" Prenom=\"Zoé\" DateNaissance=\"2012-01-%02u\" IDPN=\"%s\"/>",
                              'A' + i / 26, 'A' + i % 26, 1 + i % 28, pn);
      g_string_append_printf (json, "{\"id\":\"s%u\",\"userType\":\"Eleve\",\"name\":{\"familyName\":\"Eleve%c%c\",\"givenName\":\"Zoe\"},"
                              "\"meta\":{\"version\":\"W/\\\"1\\\"\"},\"" EXT "\":{\"birthDate\":\"2012-01-%02u\",\"structures\":[\"" UAI "\"]%s}},",
                              i, 'A' + i / 26, 'A' + i % 26, 1 + i % 28,
                              i == 0 ? ",\"pronoteIds\":[{\"uai\":\"" UAI "\",\"value\":\"OLD0000000000000\"},{\"uai\":\"0999999X\",\"value\":\"KEEPOTHERUAI0000\",\"display\":\"lycée B\"}]" : "");
    }
  /* Indistinguishable for the matcher: only a decision settles it */
  g_string_append (xml, "<Eleve Nom=\"JUMEAU\" Prenom=\"Tom\" DateNaissance=\"2011-05-06\" IDPN=\"AMB2GU2USZZZZZZZ\"/>");
  for (guint i = 1; i <= 2; i++)
    g_string_append_printf (json, "{\"id\":\"j%u\",\"userType\":\"Eleve\",\"name\":{\"familyName\":\"Jumeau\",\"givenName\":\"Tom\"},"
                            "\"meta\":{\"version\":\"W/\\\"1\\\"\"},\"" EXT "\":{\"birthDate\":\"2011-05-06\",\"structures\":[\"" UAI "\"]}},", i);
  g_string_append (xml, "</Eleves></ExportIdentifiants>");
  g_string_append (json, "{\"id\":\"gone\",\"userType\":\"Eleve\",\"name\":{\"familyName\":\"Parti\",\"givenName\":\"Paul\"},"
                         "\"meta\":{\"version\":\"W/\\\"1\\\"\"},\"" EXT "\":{\"structures\":[\"" UAI "\"],"
                         "\"pronoteIds\":[{\"uai\":\"" UAI "\",\"value\":\"STALE00000000000\"}]}}]}");

  xml_path = g_build_filename (fixture->dir, "export.xml", NULL);
  json_path = g_build_filename (fixture->dir, "ent.json", NULL);
  g_assert_true (g_file_set_contents (xml_path, xml->str, -1, NULL));
  g_assert_true (g_file_set_contents (json_path, json->str, -1, NULL));

  xml_file = g_file_new_for_path (xml_path);
  fixture->ent_file = g_file_new_for_path (json_path);
  fixture->export = jn_export_new ();
  g_assert_true (jn_export_load (fixture->export, xml_file, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  fixture->store = jn_store_open (fixture->dir, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;

  g_clear_object (&fixture->store);
  g_clear_object (&fixture->export);
  g_clear_object (&fixture->ent_file);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);

      g_remove (path);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
}

static JnPlan *
make_plan_with (Fixture       *fixture,
                JnEnt         *ent,
                GHashTable    *decisions,
                JnDirectory  **out_directory)
{
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(JnMatcher) matcher = NULL;
  g_autoptr(GError) error = NULL;
  JnPlan *plan;

  directory = jn_ent_read_directory (ent, UAI, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  matcher = jn_matcher_new (directory, UAI);
  plan = jn_matcher_match (matcher, fixture->export, JN_IMPORT_MODE_COMPLETE, decisions, &error);
  g_assert_no_error (error);
  *out_directory = g_steal_pointer (&directory);

  return plan;
}

static JnPlan *
make_plan (Fixture       *fixture,
           JnEnt         *ent,
           JnDirectory  **out_directory)
{
  return make_plan_with (fixture, ent, NULL, out_directory);
}

/* Users PREFIX0..n-1 hold IDPREFIX000…i and were written exactly once (version 2) */
static void
assert_written_once (JnDirectory *directory,
                     char         prefix,
                     char         id_prefix,
                     guint        n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("%c%u", prefix, i);
      g_autofree char *expected = pn_id (id_prefix, i);
      JnEntUser *user = jn_directory_lookup (directory, id);

      g_assert_cmpstr (jn_ent_user_get_pronote_id (user, UAI), ==, expected);
      g_assert_cmpstr (jn_ent_user_get_version (user), ==, "W/\"2\"");
    }
}

/* Reads the ENT file afresh and checks every identifier, and each user's version: a user
 * written once is at version 2 (so no operation was applied twice) */
static void
assert_final_state (Fixture *fixture)
{
  g_autoptr(JnDirectory) directory = jn_directory_new (NULL);
  g_autoptr(GError) error = NULL;
  JnEntUser *user;

  g_assert_true (jn_directory_load_file (directory, fixture->ent_file, NULL, &error));
  g_assert_no_error (error);

  assert_written_once (directory, 't', 'T', 3);
  assert_written_once (directory, 's', 'S', 40);
  /* Replaced, the other establishment's identifier kept */
  g_assert_cmpstr (jn_ent_user_get_pronote_id (jn_directory_lookup (directory, "s0"), "0999999X"), ==,
                   "KEEPOTHERUAI0000");
  /* Cleared in complete mode */
  user = jn_directory_lookup (directory, "gone");
  g_assert_null (jn_ent_user_get_pronote_id (user, UAI));
  g_assert_cmpstr (jn_ent_user_get_version (user), ==, "W/\"2\"");
}

static void
test_complete_push (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JnFileEnt) ent = jn_file_ent_new (fixture->ent_file, NULL, &error);
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(JnPlan) plan = make_plan (fixture, JN_ENT (ent), &directory);
  g_autoptr(JnPushReport) report = NULL;
  g_autoptr(GPtrArray) imports = NULL;
  g_autofree char *path = g_file_get_path (fixture->ent_file);
  struct stat st;

  report = jn_push_run (fixture->store, JN_ENT (ent), plan, directory,
                        jn_export_get_file_hash (fixture->export), NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->n_set, ==, 42);
  g_assert_cmpuint (report->n_replaced, ==, 1);
  g_assert_cmpuint (report->n_cleared, ==, 1);
  g_assert_cmpuint (report->failed->len, ==, 0);
  g_assert_false (report->resumed);
  assert_final_state (fixture);

  /* What Jonction does not use is written back untouched */
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonArray *users;

    g_assert_true (json_parser_load_from_file (parser, path, NULL));
    users = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "Resources");
    for (guint i = 0; i < json_array_get_length (users); i++)
      {
        JsonObject *user = json_array_get_object_element (users, i);
        JsonArray *ids;

        if (!g_str_equal (json_object_get_string_member (user, "id"), "s0"))
          continue;
        ids = json_object_get_array_member (json_object_get_object_member (user, EXT), "pronoteIds");
        g_assert_cmpuint (json_array_get_length (ids), ==, 2);
        g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (ids, 1), "uai"), ==, "0999999X");
        g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (ids, 1), "display"), ==, "lycée B");
      }
  }

  /* The directory file and the store stay private */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (jn_store_get_path (fixture->store), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  imports = jn_store_list_imports (fixture->store, 0, &error);
  g_assert_cmpuint (imports->len, ==, 1);
  g_assert_cmpstr (((JnImportRecord *)g_ptr_array_index (imports, 0))->state, ==, "done");
  g_assert_cmpstr (((JnImportRecord *)g_ptr_array_index (imports, 0))->mode, ==, "complete");
  g_assert_null (jn_store_find_resumable (fixture->store, UAI, "complete", jn_ent_describe (JN_ENT (ent)),
                                         jn_export_get_file_hash (fixture->export), NULL));
}

typedef struct
{
  GCancellable *cancellable;
  JnCategory    stop_in;
  guint         stop_after;
  guint         teachers_done;
} Interrupt;

static void
interrupt_progress_cb (JnCategory category,
                       guint      done,
                       guint      total,
                       gpointer   user_data)
{
  Interrupt *interrupt = user_data;

  if (category == JN_CATEGORY_TEACHER)
    interrupt->teachers_done = done;
  if (category == interrupt->stop_in && done >= interrupt->stop_after)
    g_cancellable_cancel (interrupt->cancellable);
}

static void
test_interrupt_and_resume (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JnFileEnt) ent = jn_file_ent_new (fixture->ent_file, NULL, &error);
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(JnPlan) plan = make_plan (fixture, JN_ENT (ent), &directory);
  g_autoptr(JnPushReport) report = NULL;
  g_autoptr(JnImportRecord) interrupted = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(JnFileEnt) ent_again = NULL;
  g_autoptr(JnDirectory) directory_again = NULL;
  g_autoptr(JnPlan) plan_again = NULL;
  g_autoptr(GPtrArray) ops = NULL;
  Interrupt interrupt = { cancellable, JN_CATEGORY_STUDENT, 1, 0 };
  guint done = 0;

  /* Interrupted during the students' step: the teachers' step stays imported */
  report = jn_push_run (fixture->store, JN_ENT (ent), plan, directory,
                        jn_export_get_file_hash (fixture->export), NULL,
                        interrupt_progress_cb, &interrupt, cancellable, &error);
  g_assert_null (report);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (interrupt.teachers_done, ==, 3);

  interrupted = jn_store_find_resumable (fixture->store, UAI, "complete", jn_ent_describe (JN_ENT (ent)),
                                         jn_export_get_file_hash (fixture->export), NULL);
  g_assert_nonnull (interrupted);
  g_assert_cmpstr (interrupted->state, ==, "interrupted");
  ops = jn_store_list_operations (fixture->store, interrupted->id, &error);
  for (guint i = 0; i < ops->len; i++)
    {
      JnOperation *op = g_ptr_array_index (ops, i);

      if (op->category == JN_CATEGORY_TEACHER)
        g_assert_cmpint (op->state, ==, JN_OP_DONE);
      done += op->state == JN_OP_DONE;
    }
  g_assert_cmpuint (done, >=, 3);
  g_assert_cmpuint (done, <, ops->len);

  /* A new process: the ENT file and the store read afresh; the same file resumes */
  ent_again = jn_file_ent_new (fixture->ent_file, NULL, &error);
  g_assert_no_error (error);
  plan_again = make_plan (fixture, JN_ENT (ent_again), &directory_again);
  g_clear_pointer (&report, jn_push_report_free);
  report = jn_push_run (fixture->store, JN_ENT (ent_again), plan_again, directory_again,
                        jn_export_get_file_hash (fixture->export), NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (report->resumed);
  g_assert_cmpstr (report->import_id, ==, interrupted->id);
  g_assert_cmpuint (report->n_set + report->n_replaced + report->n_cleared, ==, 44);
  g_assert_cmpuint (report->failed->len, ==, 0);
  assert_final_state (fixture);
}

static void
test_conflict_reported (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JnFileEnt) ent = jn_file_ent_new (fixture->ent_file, NULL, &error);
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(JnPlan) plan = make_plan (fixture, JN_ENT (ent), &directory);
  g_autoptr(JnPushReport) report = NULL;
  g_autoptr(JnEntUser) t0 = NULL;
  g_autoptr(JnEntUser) written = NULL;
  g_autofree char *t1_id = pn_id ('T', 1);
  JnOperation *failed;

  /* Someone gives t1's future identifier to t0 behind our back */
  t0 = jn_ent_read_user (JN_ENT (ent), "t0", NULL, &error);
  written = jn_ent_write_pronote_id (JN_ENT (ent), t0, UAI, t1_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (jn_ent_flush (JN_ENT (ent), NULL, &error));

  report = jn_push_run (fixture->store, JN_ENT (ent), plan, directory,
                        jn_export_get_file_hash (fixture->export), NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  /* t0 changed meanwhile (412-like), t1's identifier is held by t0 (409): both reported,
   * nothing forced */
  g_assert_cmpuint (report->failed->len, ==, 2);
  failed = g_ptr_array_index (report->failed, 0);
  g_assert_cmpstr (failed->ent_id, ==, "t0");
  g_assert_cmpint (failed->status, ==, 412);
  failed = g_ptr_array_index (report->failed, 1);
  g_assert_cmpstr (failed->ent_id, ==, "t1");
  g_assert_cmpint (failed->status, ==, 409);
  g_assert_nonnull (strstr (failed->detail, "“t0”"));
  g_assert_cmpuint (report->n_set, ==, 40);
}

static void
cancel_at_once_cb (JnCategory category,
                   guint      done,
                   guint      total,
                   gpointer   user_data)
{
  g_cancellable_cancel (user_data);
}

/* Interrupted with one decision, pushed again with another: the old plan is not resumed */
static void
test_changed_decisions (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) first = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) second = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(JnFileEnt) ent = jn_file_ent_new (fixture->ent_file, NULL, &error);
  g_autoptr(JnFileEnt) ent_again = NULL;
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(JnDirectory) directory_again = NULL;
  g_autoptr(JnDirectory) final = jn_directory_new (NULL);
  g_autoptr(JnPlan) plan = NULL;
  g_autoptr(JnPlan) plan_again = NULL;
  g_autoptr(JnPushReport) report = NULL;
  g_autoptr(GPtrArray) imports = NULL;

  g_hash_table_insert (first, "AMB2GU2USZZZZZZZ", "j1");
  g_hash_table_insert (second, "AMB2GU2USZZZZZZZ", "j2");

  plan = make_plan_with (fixture, JN_ENT (ent), first, &directory);
  report = jn_push_run (fixture->store, JN_ENT (ent), plan, directory,
                        jn_export_get_file_hash (fixture->export), first,
                        cancel_at_once_cb, cancellable, cancellable, &error);
  g_assert_null (report);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* The admin corrects the decision: a new plan, the interrupted one is superseded */
  ent_again = jn_file_ent_new (fixture->ent_file, NULL, &error);
  plan_again = make_plan_with (fixture, JN_ENT (ent_again), second, &directory_again);
  report = jn_push_run (fixture->store, JN_ENT (ent_again), plan_again, directory_again,
                        jn_export_get_file_hash (fixture->export), second, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (report->resumed);
  g_assert_cmpuint (report->failed->len, ==, 0);

  g_assert_true (jn_directory_load_file (final, fixture->ent_file, NULL, &error));
  g_assert_cmpstr (jn_ent_user_get_pronote_id (jn_directory_lookup (final, "j2"), UAI), ==, "AMB2GU2USZZZZZZZ");
  g_assert_null (jn_ent_user_get_pronote_id (jn_directory_lookup (final, "j1"), UAI));

  imports = jn_store_list_imports (fixture->store, 0, &error);
  g_assert_cmpuint (imports->len, ==, 2);
  g_assert_cmpstr (((JnImportRecord *)g_ptr_array_index (imports, 0))->state, ==, "done");
  g_assert_cmpstr (((JnImportRecord *)g_ptr_array_index (imports, 1))->state, ==, "superseded");
}

/* An identifier moving from one account to another: freed first, then given (a server
 * enforcing uniqueness would refuse the other order) */
static void
test_moved_identifier (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) decisions = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(JnFileEnt) ent = jn_file_ent_new (fixture->ent_file, NULL, &error);
  g_autoptr(JnEntUser) t0 = NULL;
  g_autoptr(JnEntUser) written = NULL;
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(JnDirectory) final = jn_directory_new (NULL);
  g_autoptr(JnPlan) plan = NULL;
  g_autoptr(JnPushReport) report = NULL;
  g_autofree char *t0_id = pn_id ('T', 0);
  g_autofree char *t1_id = pn_id ('T', 1);

  t0 = jn_ent_read_user (JN_ENT (ent), "t0", NULL, &error);
  written = jn_ent_write_pronote_id (JN_ENT (ent), t0, UAI, t0_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (jn_ent_flush (JN_ENT (ent), NULL, &error));

  /* The admin decides the identifier belongs to t1's account */
  g_hash_table_insert (decisions, t0_id, "t1");
  g_hash_table_insert (decisions, t1_id, NULL);
  plan = make_plan_with (fixture, JN_ENT (ent), decisions, &directory);
  report = jn_push_run (fixture->store, JN_ENT (ent), plan, directory,
                        jn_export_get_file_hash (fixture->export), decisions, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->failed->len, ==, 0);

  g_assert_true (jn_directory_load_file (final, fixture->ent_file, NULL, &error));
  g_assert_cmpstr (jn_ent_user_get_pronote_id (jn_directory_lookup (final, "t1"), UAI), ==, t0_id);
  g_assert_null (jn_ent_user_get_pronote_id (jn_directory_lookup (final, "t0"), UAI));
}

/* ---- One identifier, one account: whatever the plan and the server say ---- */

/* An ENT in memory that believes every write (lax: no uniqueness, as a server appending
 * values would), or refuses an identifier another user holds exactly (strict) */
#define TEST_TYPE_MEMORY_ENT (test_memory_ent_get_type ())
G_DECLARE_FINAL_TYPE (TestMemoryEnt, test_memory_ent, TEST, MEMORY_ENT, GObject)

struct _TestMemoryEnt
{
  GObject      parent_instance;
  JnDirectory *directory;
  gboolean     strict;
  GMutex       mutex;
};

static void test_memory_ent_iface_init (JnEntInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestMemoryEnt, test_memory_ent, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (JN_TYPE_ENT, test_memory_ent_iface_init))

static void
test_memory_ent_finalize (GObject *object)
{
  TestMemoryEnt *self = TEST_MEMORY_ENT (object);

  g_clear_object (&self->directory);
  g_mutex_clear (&self->mutex);
  G_OBJECT_CLASS (test_memory_ent_parent_class)->finalize (object);
}

static void
test_memory_ent_class_init (TestMemoryEntClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_memory_ent_finalize;
}

static void
test_memory_ent_init (TestMemoryEnt *self)
{
  g_mutex_init (&self->mutex);
}

static JnEntUser *
copy_user (JnEntUser *user)
{
  g_autoptr(JsonNode) node = jn_ent_user_to_json (user, EXT);

  return jn_ent_user_new_from_json (json_node_get_object (node), EXT, NULL);
}

static const char *
memory_describe (JnEnt *ent)
{
  return "memory:test";
}

static JnDirectory *
memory_read_directory (JnEnt *ent, const char *uai, JnEntProgress progress, gpointer data,
                       GCancellable *cancellable, GError **error)
{
  TestMemoryEnt *self = TEST_MEMORY_ENT (ent);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
  JnDirectory *copy = jn_directory_new (EXT);
  GListModel *users = jn_directory_get_users (self->directory);

  for (guint i = 0; i < g_list_model_get_n_items (users); i++)
    {
      g_autoptr(JnEntUser) user = g_list_model_get_item (users, i);
      g_autoptr(JnEntUser) user_copy = copy_user (user);

      if (jn_ent_user_belongs_to (user, uai))
        jn_directory_add_user (copy, user_copy);
    }

  return copy;
}

static JnEntUser *
memory_read_user (JnEnt *ent, const char *id, GCancellable *cancellable, GError **error)
{
  TestMemoryEnt *self = TEST_MEMORY_ENT (ent);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
  JnEntUser *user = jn_directory_lookup (self->directory, id);

  if (user == NULL)
    {
      g_set_error (error, JN_ERROR, JN_ERROR_ENT_NOT_FOUND, "no user %s", id);
      return NULL;
    }

  return copy_user (user);
}

static JnEntUser *
memory_write (JnEnt *ent, JnEntUser *expected, const char *uai, const char *pronote_id,
              GCancellable *cancellable, GError **error)
{
  TestMemoryEnt *self = TEST_MEMORY_ENT (ent);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
  JnEntUser *user = jn_directory_lookup (self->directory, jn_ent_user_get_id (expected));
  GListModel *users = jn_directory_get_users (self->directory);
  g_autofree char *version = NULL;

  if (user == NULL)
    {
      g_set_error (error, JN_ERROR, JN_ERROR_ENT_NOT_FOUND, "no user");
      return NULL;
    }
  if (g_strcmp0 (jn_ent_user_get_version (user), jn_ent_user_get_version (expected)) != 0)
    {
      g_set_error (error, JN_ERROR, JN_ERROR_ENT_STALE, "changed meanwhile");
      return NULL;
    }
  for (guint i = 0; self->strict && pronote_id != NULL && i < g_list_model_get_n_items (users); i++)
    {
      g_autoptr(JnEntUser) other = g_list_model_get_item (users, i);

      if (other != user && g_strcmp0 (jn_ent_user_get_pronote_id (other, uai), pronote_id) == 0)
        {
          g_set_error (error, JN_ERROR, JN_ERROR_ENT_CONFLICT, "held by “%s”", jn_ent_user_get_id (other));
          return NULL;
        }
    }

  version = g_strdup_printf ("W/\"%d\"", atoi (jn_ent_user_get_version (user) + 3) + 1);
  jn_ent_user_set_pronote_id (user, uai, pronote_id);
  jn_ent_user_set_version (user, version);

  return copy_user (user);
}

static void
test_memory_ent_iface_init (JnEntInterface *iface)
{
  iface->describe = memory_describe;
  iface->read_directory = memory_read_directory;
  iface->read_user = memory_read_user;
  iface->write_pronote_id = memory_write;
}

/* "id:Type:Family:Given:birth date:value held for UAI:value held for 0999999X:child" */
static TestMemoryEnt *
memory_ent_new (const char * const *users,
                gboolean            strict)
{
  TestMemoryEnt *self = g_object_new (TEST_TYPE_MEMORY_ENT, NULL);

  self->directory = jn_directory_new (EXT);
  self->strict = strict;
  for (guint i = 0; users[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (users[i], ":", -1);
      g_autoptr(GString) json = g_string_new (NULL);
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(JnEntUser) user = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_cmpuint (g_strv_length (f), ==, 8);
      g_string_append_printf (json, "{\"id\":\"%s\",\"userType\":\"%s\",\"name\":{\"familyName\":\"%s\",\"givenName\":\"%s\"},"
                              "\"meta\":{\"version\":\"W/\\\"1\\\"\"},\"" EXT "\":{\"structures\":[\"" UAI "\"]",
                              f[0], f[1], f[2], f[3]);
      if (*f[4])
        g_string_append_printf (json, ",\"birthDate\":\"%s\"", f[4]);
      if (*f[7])
        g_string_append_printf (json, ",\"children\":[{\"value\":\"%s\"}]", f[7]);
      if (*f[5] || *f[6])
        {
          g_string_append (json, ",\"pronoteIds\":[");
          for (guint k = 5; k <= 6; k++)
            {
              g_auto(GStrv) values = g_strsplit (f[k], "|", -1);

              for (guint v = 0; *f[k] && values[v] != NULL; v++)
                g_string_append_printf (json, "%s{\"uai\":\"%s\",\"value\":\"%s\"}",
                                        json->str[json->len - 1] == '[' ? "" : ",",
                                        k == 5 ? UAI : "0999999X", values[v]);
            }
          g_string_append (json, "]");
        }
      g_string_append (json, "}}");
      node = json_from_string (json->str, &error);
      g_assert_no_error (error);
      user = jn_ent_user_new_from_json (json_node_get_object (node), EXT, &error);
      g_assert_no_error (error);
      jn_directory_add_user (self->directory, user);
    }

  return self;
}

typedef struct
{
  JnCategory  category;
  const char *pronote_id;
  const char *ent_id;
} Write;

typedef struct
{
  const char   *ent_id;
  const char   *value;      /* held for UAI at the end, NULL for none */
} Holding;

typedef struct
{
  const char   *name;
  const char   *users[6];
  gboolean      strict;
  const char   *records;    /* an export, matched; or */
  Write         writes[3];  /* a plan written by hand, whatever the matcher would say */
  JnImportMode  mode;
  gboolean      single;     /* jn_push_set_one() of writes[0] instead */
  gboolean      resume;     /* interrupted at once, then "behind" happens, then resumed */
  Write         behind;     /* someone else's write before the push (or the resume) */
  Holding       expect[4];
  guint         n_failed;
  const char   *detail;     /* in each failure's detail */
  Write         clear;      /* a removal in the hand-written plan */
  gboolean      incomplete; /* the directory looked truncated */
} PushCase;

#define X "KVX8NTH4DPQ3SYU7"
#define X_LOWER "kvx8nth4dpq3syu7"

static const PushCase push_cases[] = {
  { "two writes of one identifier in the plan",
    { "u1:Eleve:Roy:Ana:2012-01-01:::", "u2:Parent:Roy:Marc::::", NULL }, FALSE, NULL,
    { { JN_CATEGORY_STUDENT, X, "u1" }, { JN_CATEGORY_RELATIVE, X, "u2" } },
    JN_IMPORT_MODE_PARTIAL, FALSE, FALSE, { 0 },
    { { "u1", NULL }, { "u2", NULL } }, 2, "several accounts" },
  { "held by another account, partial mode",
    { "u1:Eleve:Roy:Ana:2012-01-01:::", "u2:Eleve:Blanc:Tom::" X "::", NULL }, FALSE, NULL,
    { { JN_CATEGORY_STUDENT, X, "u1" } }, JN_IMPORT_MODE_PARTIAL, FALSE, FALSE, { 0 },
    { { "u1", NULL }, { "u2", X } }, 1, "“u2”" },
  { "held in another case",
    { "u1:Eleve:Roy:Ana:2012-01-01:::", "u2:Eleve:Blanc:Tom::" X_LOWER "::", NULL }, FALSE, NULL,
    { { JN_CATEGORY_STUDENT, X, "u1" } }, JN_IMPORT_MODE_PARTIAL, FALSE, FALSE, { 0 },
    { { "u1", NULL }, { "u2", X_LOWER } }, 1, "“u2”" },
  { "held by two accounts already: not made worse",
    { "u1:Eleve:Roy:Ana:2012-01-01:::", "u2:Eleve:Blanc:Tom::" X "::", "u3:Eleve:Noir:Zoé::" X "::", NULL },
    FALSE, NULL, { { JN_CATEGORY_STUDENT, X, "u1" } }, JN_IMPORT_MODE_PARTIAL, FALSE, FALSE, { 0 },
    { { "u1", NULL }, { "u2", X }, { "u3", X } }, 1, "already held" },
  { "another establishment's identifier is independent",
    { "u1:Eleve:Roy:Ana:2012-01-01:::", "u2:Eleve:Blanc:Tom:::" X ":", NULL }, FALSE, NULL,
    { { JN_CATEGORY_STUDENT, X, "u1" } }, JN_IMPORT_MODE_PARTIAL, FALSE, FALSE, { 0 },
    { { "u1", X }, { "u2", NULL } }, 0, NULL },
  { "resumed after another account got the identifier",
    { "u1:Eleve:Roy:Ana:2012-01-01:::", "u2:Eleve:Blanc:Tom::::", NULL }, FALSE, NULL,
    { { JN_CATEGORY_STUDENT, X, "u1" } }, JN_IMPORT_MODE_PARTIAL, FALSE, TRUE,
    { JN_CATEGORY_STUDENT, X, "u2" },
    { { "u1", NULL }, { "u2", X } }, 1, "“u2”" },
  { "set-id of an identifier another account holds",
    { "u1:Eleve:Roy:Ana:2012-01-01:::", "u2:Eleve:Blanc:Tom::" X "::", NULL }, FALSE, NULL,
    { { JN_CATEGORY_STUDENT, X, "u1" } }, JN_IMPORT_MODE_PARTIAL, TRUE, FALSE, { 0 },
    { { "u1", NULL }, { "u2", X } }, 1, "“u2”" },
  { "a parent's stale holding is cleared before the child gets it (strict server)",
    { "s1:Eleve:Roy:Ana:2012-01-01:::", "p1:Parent:Blanc:Marc::" X "::", NULL }, TRUE,
    "<Eleves><Eleve Nom=\"ROY\" Prenom=\"Ana\" DateNaissance=\"2012-01-01\" IDPN=\"" X "\"/></Eleves>",
    { { 0 } }, JN_IMPORT_MODE_COMPLETE, FALSE, FALSE, { 0 },
    { { "s1", X }, { "p1", NULL } }, 0, NULL },
  { "a student and her parent share an identifier in the export",
    { "s1:Eleve:Roy:Ana:2012-01-01:::", "r1:Parent:Roy:Marc::::s1", NULL }, FALSE,
    "<Eleves><Eleve Nom=\"ROY\" Prenom=\"Ana\" DateNaissance=\"2012-01-01\" IDPN=\"" X "\">"
    "<Responsable Ident=\"1\" Nom=\"ROY\" Prenom=\"Marc\" Civilite=\"M.\" IDPN=\"" X "\"/></Eleve></Eleves>",
    { { 0 } }, JN_IMPORT_MODE_COMPLETE, FALSE, FALSE, { 0 },
    { { "s1", NULL }, { "r1", NULL } }, 0, NULL },
  { "no removal from a directory that looked truncated, whatever the plan says",
    { "u1:Eleve:Roy:Ana:2012-01-01:" X "::", NULL }, FALSE, NULL, { { 0 } },
    JN_IMPORT_MODE_COMPLETE, FALSE, FALSE, { 0 },
    { { "u1", X } }, 0, NULL, { JN_CATEGORY_STUDENT, X, "u1" }, TRUE },
};

static JnPlan *
plan_for_case (const PushCase *tc,
               JnDirectory    *directory,
               JnExport      **out_export)
{
  g_autoptr(GError) error = NULL;
  JnPlan *plan;

  if (tc->records != NULL)
    {
      g_autofree char *xml = g_strdup_printf ("<ExportIdentifiants UAI=\"" UAI "\">%s</ExportIdentifiants>", tc->records);
      g_autoptr(GBytes) bytes = g_bytes_new (xml, strlen (xml));
      g_autofree char *dir = g_dir_make_tmp ("jn-push-case-XXXXXX", NULL);
      g_autofree char *path = g_build_filename (dir, "export.xml", NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(JnMatcher) matcher = jn_matcher_new (directory, UAI);

      g_assert_true (g_file_set_contents (path, xml, -1, NULL));
      *out_export = jn_export_new ();
      g_assert_true (jn_export_load (*out_export, file, NULL, NULL, NULL, &error));
      g_assert_no_error (error);
      g_remove (path);
      g_rmdir (dir);
      plan = jn_matcher_match (matcher, *out_export, tc->mode, NULL, &error);
      g_assert_no_error (error);
      return plan;
    }

  plan = jn_plan_new (UAI, tc->mode);
  for (guint i = 0; i < G_N_ELEMENTS (tc->writes) && tc->writes[i].ent_id != NULL; i++)
    {
      g_autoptr(JnPerson) person = jn_person_new (tc->writes[i].category);
      g_autoptr(JnPlanItem) item = NULL;

      jn_person_set_pronote_id (person, tc->writes[i].pronote_id);
      item = jn_plan_item_new (person, tc->writes[i].category);
      jn_plan_item_set_matched (item, jn_directory_lookup (directory, tc->writes[i].ent_id), "test", UAI);
      jn_plan_add_item (plan, item);
    }
  if (tc->clear.ent_id != NULL)
    {
      g_autoptr(JnPlanItem) clear = jn_plan_item_new_clear (jn_directory_lookup (directory, tc->clear.ent_id),
                                                            tc->clear.category, tc->clear.pronote_id);

      jn_plan_add_item (plan, clear);
    }
  *out_export = NULL;

  return plan;
}

static void
write_behind (TestMemoryEnt *ent,
              const Write   *write)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JnEntUser) user = NULL;
  g_autoptr(JnEntUser) written = NULL;

  if (write->ent_id == NULL)
    return;
  user = jn_ent_read_user (JN_ENT (ent), write->ent_id, NULL, &error);
  g_assert_no_error (error);
  written = jn_ent_write_pronote_id (JN_ENT (ent), user, UAI, write->pronote_id, NULL, &error);
  g_assert_no_error (error);
}

static void
test_one_identifier (void)
{
  for (guint c = 0; c < G_N_ELEMENTS (push_cases); c++)
    {
      const PushCase *tc = &push_cases[c];
      g_autofree char *dir = g_dir_make_tmp ("jn-push-one-XXXXXX", NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(JnStore) store = jn_store_open (dir, &error);
      g_autoptr(TestMemoryEnt) ent = memory_ent_new (tc->users, tc->strict);
      g_autoptr(JnDirectory) directory = NULL;
      g_autoptr(JnExport) export = NULL;
      g_autoptr(JnPlan) plan = NULL;
      g_autoptr(JnPushReport) report = NULL;
      g_autoptr(JnDirectory) final = NULL;

      /* JN_PUSH_CASE=n runs one case alone (to see each fail on other code) */
      if (g_getenv ("JN_PUSH_CASE") != NULL && (guint)atoi (g_getenv ("JN_PUSH_CASE")) != c)
        continue;
      g_test_message ("case %u: %s", c, tc->name);
      g_assert_no_error (error);
      if (!tc->resume)
        write_behind (ent, &tc->behind);
      directory = jn_ent_read_directory (JN_ENT (ent), UAI, NULL, NULL, NULL, &error);
      if (tc->incomplete)
        jn_directory_set_complete (directory, FALSE, "a test says so");
      plan = plan_for_case (tc, directory, &export);

      if (tc->single)
        {
          g_autoptr(JnEntUser) user = jn_ent_read_user (JN_ENT (ent), tc->writes[0].ent_id, NULL, &error);

          report = jn_push_set_one (store, JN_ENT (ent), user, UAI, tc->writes[0].pronote_id, NULL, &error);
        }
      else
        {
          if (tc->resume)
            {
              g_autoptr(GCancellable) cancelled = g_cancellable_new ();
              g_autoptr(JnDirectory) now = NULL;
              g_autoptr(JnPlan) again = NULL;
              g_autoptr(JnExport) export_again = NULL;

              g_cancellable_cancel (cancelled);
              report = jn_push_run (store, JN_ENT (ent), plan, directory, "hash", NULL, NULL, NULL,
                                    cancelled, &error);
              g_assert_null (report);
              g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
              g_clear_error (&error);
              write_behind (ent, &tc->behind);

              /* As the CLI does: the directory read again, the import resumed */
              now = jn_ent_read_directory (JN_ENT (ent), UAI, NULL, NULL, NULL, &error);
              again = plan_for_case (tc, now, &export_again);
              report = jn_push_run (store, JN_ENT (ent), again, now, "hash", NULL, NULL, NULL, NULL, &error);
              g_assert_no_error (error);
              g_assert_true (report->resumed);
            }
          else
            {
              report = jn_push_run (store, JN_ENT (ent), plan, directory, "hash", NULL, NULL, NULL,
                                    NULL, &error);
            }
        }
      g_assert_no_error (error);

      if (report->failed->len != tc->n_failed)
        g_error ("%s: %u failed, expected %u", tc->name, report->failed->len, tc->n_failed);
      for (guint i = 0; i < report->failed->len; i++)
        {
          JnOperation *op = g_ptr_array_index (report->failed, i);

          g_assert_cmpint (op->status, ==, 409);
          if (strstr (op->detail, tc->detail) == NULL)
            g_error ("%s: “%s” does not say %s", tc->name, op->detail, tc->detail);
        }

      final = jn_ent_read_directory (JN_ENT (ent), UAI, NULL, NULL, NULL, &error);
      for (guint i = 0; i < G_N_ELEMENTS (tc->expect) && tc->expect[i].ent_id != NULL; i++)
        {
          const char *held = jn_ent_user_get_pronote_id (jn_directory_lookup (final, tc->expect[i].ent_id), UAI);

          if (g_strcmp0 (held, tc->expect[i].value) != 0)
            g_error ("%s: %s holds %s, expected %s", tc->name, tc->expect[i].ent_id, held, tc->expect[i].value);
        }

      g_clear_object (&store);
      {
        g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
        const char *name;

        while ((name = g_dir_read_name (d)) != NULL)
          {
            g_autofree char *path = g_build_filename (dir, name, NULL);

            g_remove (path);
          }
        g_rmdir (dir);
      }
    }
}

/* Complete mode: a stale holder of a later step is cleared in the step of the write */
static void
test_clear_moved_first (void)
{
  const PushCase *tc = &push_cases[7];
  g_autoptr(TestMemoryEnt) ent = memory_ent_new (tc->users, TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(JnDirectory) directory = jn_ent_read_directory (JN_ENT (ent), UAI, NULL, NULL, NULL, &error);
  g_autoptr(JnExport) export = NULL;
  g_autoptr(JnPlan) plan = plan_for_case (tc, directory, &export);

  g_assert_true (tc->strict);
  g_assert_cmpuint (g_list_model_get_n_items (jn_plan_get_clears (plan, JN_CATEGORY_RELATIVE)), ==, 1);
  g_assert_cmpint (jn_plan_item_get_action (jn_plan_lookup (plan, X)), ==, JN_PLAN_ACTION_SET);
}

/* ---- the file ENT's change log ---- */

static char *
log_path_of (Fixture *fixture)
{
  g_autofree char *path = g_file_get_path (fixture->ent_file);

  return g_strconcat (path, ".log", NULL);
}

/* Reads the snapshot alone, as another program would */
static JnEntUser *
on_disk (Fixture    *fixture,
         const char *id)
{
  g_autoptr(JnDirectory) directory = jn_directory_new (NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (jn_directory_load_file (directory, fixture->ent_file, NULL, &error));
  g_assert_no_error (error);
  return g_object_ref (jn_directory_lookup (directory, id));
}

static void
write_one (JnFileEnt  *ent,
           const char *id,
           const char *pronote_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JnEntUser) user = jn_ent_read_user (JN_ENT (ent), id, NULL, &error);
  g_autoptr(JnEntUser) written = NULL;

  g_assert_no_error (error);
  written = jn_ent_write_pronote_id (JN_ENT (ent), user, UAI, pronote_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (jn_ent_user_get_pronote_id (written, UAI), ==, pronote_id);
}

/* A flush appends to the log (the snapshot is not rewritten); a checkpoint folds it in */
static void
test_file_ent_log (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JnFileEnt) ent = jn_file_ent_new (fixture->ent_file, NULL, &error);
  g_autofree char *log_path = log_path_of (fixture);
  g_autofree char *t0_id = pn_id ('T', 0);
  g_autoptr(JnEntUser) before = NULL;
  g_autoptr(JnEntUser) after = NULL;
  struct stat st;

  g_assert_no_error (error);
  write_one (ent, "t0", t0_id);
  g_assert_true (jn_ent_flush (JN_ENT (ent), NULL, &error));
  g_assert_no_error (error);

  /* Durable in the log, private; the snapshot untouched so far */
  g_assert_cmpint (g_lstat (log_path, &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  before = on_disk (fixture, "t0");
  g_assert_null (jn_ent_user_get_pronote_id (before, UAI));

  g_assert_true (jn_ent_checkpoint (JN_ENT (ent), NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (log_path, G_FILE_TEST_EXISTS));
  after = on_disk (fixture, "t0");
  g_assert_cmpstr (jn_ent_user_get_pronote_id (after, UAI), ==, t0_id);
  g_assert_cmpstr (jn_ent_user_get_version (after), ==, "W/\"2\"");
}

/* What a killed process left: the log is replayed on opening, once, and folded. Replaying
 * a log already folded changes nothing; a torn last line is dropped; a log that does not
 * fit the snapshot, or is a link, refuses the file. */
static void
test_file_ent_replay (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JnFileEnt) ent = jn_file_ent_new (fixture->ent_file, NULL, &error);
  g_autoptr(JnFileEnt) again = NULL;
  g_autoptr(JnFileEnt) refused = NULL;
  g_autofree char *log_path = log_path_of (fixture);
  g_autofree char *elsewhere = g_build_filename (fixture->dir, "elsewhere", NULL);
  g_autofree char *t0_id = pn_id ('T', 0);
  g_autofree char *t1_id = pn_id ('T', 1);
  g_autofree char *s5_id = pn_id ('S', 5);
  g_autofree char *t2_id = pn_id ('T', 2);
  g_autofree char *log = NULL;
  g_autofree char *torn = NULL;
  g_autofree char *foreign = NULL;
  g_autoptr(JnEntUser) t0 = NULL;
  g_autoptr(JnEntUser) t1 = NULL;
  g_autoptr(JnEntUser) s5 = NULL;
  gsize length;

  g_assert_no_error (error);
  write_one (ent, "t0", t0_id);
  write_one (ent, "t0", t1_id);   /* twice: versions 2 then 3 */
  g_assert_true (jn_ent_flush (JN_ENT (ent), NULL, &error));
  g_assert_true (g_file_get_contents (log_path, &log, &length, NULL));
  write_one (ent, "s5", s5_id);   /* never flushed: lost with the process */

  /* "Killed": another process opens the file, replays and folds the log */
  again = jn_file_ent_new (fixture->ent_file, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (log_path, G_FILE_TEST_EXISTS));
  t0 = on_disk (fixture, "t0");
  g_assert_cmpstr (jn_ent_user_get_pronote_id (t0, UAI), ==, t1_id);
  g_assert_cmpstr (jn_ent_user_get_version (t0), ==, "W/\"3\"");
  s5 = on_disk (fixture, "s5");
  g_assert_null (jn_ent_user_get_pronote_id (s5, UAI));

  /* The first instance no longer owns the file: it neither writes nor folds its old state */
  write_one (ent, "t1", t0_id);
  g_assert_false (jn_ent_flush (JN_ENT (ent), NULL, &error));
  g_assert_error (error, JN_ERROR, JN_ERROR_IO);
  g_clear_error (&error);
  g_clear_object (&ent);
  g_clear_object (&again);
  t1 = on_disk (fixture, "t1");
  g_assert_null (jn_ent_user_get_pronote_id (t1, UAI));

  /* The same log again (a kill between the fold's rename and the log's removal), with a
   * torn line after it: nothing changes */
  torn = g_strconcat (log, "{\"id\":\"t1\",\"uai\":\"" UAI "\",\"val", NULL);
  g_assert_true (g_file_set_contents (log_path, torn, -1, NULL));
  again = jn_file_ent_new (fixture->ent_file, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&again);
  g_clear_object (&t0);
  t0 = on_disk (fixture, "t0");
  g_assert_cmpstr (jn_ent_user_get_pronote_id (t0, UAI), ==, t1_id);
  g_assert_cmpstr (jn_ent_user_get_version (t0), ==, "W/\"3\"");
  g_assert_false (g_file_test (log_path, G_FILE_TEST_EXISTS));

  /* A log written against another state of the file */
  foreign = g_strdup_printf ("{\"id\":\"t2\",\"uai\":\"" UAI "\",\"value\":\"%s\",\"from\":\"W/\\\"7\\\"\",\"version\":\"W/\\\"8\\\"\"}\n", t0_id);
  g_assert_true (g_file_set_contents (log_path, foreign, -1, NULL));
  refused = jn_file_ent_new (fixture->ent_file, NULL, &error);
  g_assert_null (refused);
  g_assert_error (error, JN_ERROR, JN_ERROR_INVALID_FILE);
  g_clear_error (&error);
  /* …or naming a user the file does not have */
  g_assert_true (g_file_set_contents (log_path, "{\"id\":\"nobody\",\"uai\":\"" UAI "\",\"value\":null,\"from\":null,\"version\":\"W/\\\"2\\\"\"}\n", -1, NULL));
  refused = jn_file_ent_new (fixture->ent_file, NULL, &error);
  g_assert_null (refused);
  g_assert_error (error, JN_ERROR, JN_ERROR_INVALID_FILE);
  g_clear_error (&error);

  /* A link where the log goes is not followed, neither read nor written through */
  g_remove (log_path);
  g_assert_true (g_file_set_contents (elsewhere, "untouched", -1, NULL));
  g_assert_cmpint (symlink (elsewhere, log_path), ==, 0);
  refused = jn_file_ent_new (fixture->ent_file, NULL, &error);
  g_assert_null (refused);
  g_assert_error (error, JN_ERROR, JN_ERROR_INVALID_FILE);
  g_clear_error (&error);
  g_remove (log_path);

  ent = jn_file_ent_new (fixture->ent_file, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (symlink (elsewhere, log_path), ==, 0);
  write_one (ent, "t2", t2_id);
  g_assert_false (jn_ent_flush (JN_ENT (ent), NULL, &error));
  g_assert_error (error, JN_ERROR, JN_ERROR_IO);
  g_clear_error (&error);
  g_clear_object (&ent);
  g_clear_pointer (&log, g_free);
  g_assert_true (g_file_get_contents (elsewhere, &log, NULL, NULL));
  g_assert_cmpstr (log, ==, "untouched");
}

/* One identifier, one user: the index follows every write, removals included */
static void
test_file_ent_uniqueness (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JnFileEnt) ent = jn_file_ent_new (fixture->ent_file, NULL, &error);
  g_autoptr(JnEntUser) s1 = NULL;
  g_autoptr(JnEntUser) refused = NULL;
  g_autofree char *id = pn_id ('S', 1);
  g_autofree char *s2_id = pn_id ('S', 2);

  g_assert_no_error (error);
  /* Held in the file from the start ("gone" holds STALE…), then by a write */
  s1 = jn_ent_read_user (JN_ENT (ent), "s1", NULL, &error);
  refused = jn_ent_write_pronote_id (JN_ENT (ent), s1, UAI, "STALE00000000000", NULL, &error);
  g_assert_null (refused);
  g_assert_error (error, JN_ERROR, JN_ERROR_ENT_CONFLICT);
  g_assert_nonnull (strstr (error->message, "“gone”"));
  g_clear_error (&error);

  write_one (ent, "s2", id);
  refused = jn_ent_write_pronote_id (JN_ENT (ent), s1, UAI, id, NULL, &error);
  g_assert_null (refused);
  g_assert_error (error, JN_ERROR, JN_ERROR_ENT_CONFLICT);
  g_assert_nonnull (strstr (error->message, "“s2”"));
  g_clear_error (&error);

  /* Freed (moved to another value, then removed): given */
  write_one (ent, "s2", s2_id);
  write_one (ent, "gone", NULL);
  write_one (ent, "s1", id);
  write_one (ent, "s3", "STALE00000000000");
  /* Its own identifier again: no conflict with itself */
  write_one (ent, "s1", id);
  g_assert_true (jn_ent_checkpoint (JN_ENT (ent), NULL, &error));
  g_assert_no_error (error);
}

/* The file ENT hands out copies without the JSON round trip it used to make: each one
 * writes back exactly as the round trip did, for every account of the demo (identifiers
 * set, replaced and removed included), and changing a copy leaves the original as it was */
static void
test_user_copy (void)
{
  g_autoptr(JnDirectory) directory = jn_directory_new (NULL);
  g_autoptr(GFile) file = g_file_new_for_path (DEMO_DIRECTORY_SOURCE);
  g_autoptr(GError) error = NULL;
  GListModel *users;
  guint n;

  g_assert_true (jn_directory_load_file (directory, file, NULL, &error));
  g_assert_no_error (error);
  users = jn_directory_get_users (directory);
  n = g_list_model_get_n_items (users);
  g_assert_cmpuint (n, >, 1000);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JnEntUser) user = g_list_model_get_item (users, i);
      g_autoptr(JsonNode) before = NULL, round_node = NULL, copy_node = NULL, after = NULL;
      g_autoptr(JnEntUser) round = NULL;
      g_autoptr(JnEntUser) copy = NULL;
      g_autofree char *original = NULL;

      /* Some accounts changed first, as pushes leave them */
      if (i % 3 == 1)
        jn_ent_user_set_pronote_id (user, "0312609T", "HUP2NFZQRYAD7EXS");
      else if (i % 3 == 2)
        jn_ent_user_set_pronote_id (user, "0312609T", NULL);

      before = jn_ent_user_to_json (user, NULL);
      original = json_to_string (before, FALSE);
      round = jn_ent_user_new_from_json (json_node_get_object (before), NULL, &error);
      g_assert_no_error (error);
      copy = jn_ent_user_copy (user);
      round_node = jn_ent_user_to_json (round, NULL);
      copy_node = jn_ent_user_to_json (copy, NULL);
      g_assert_true (json_node_equal (round_node, copy_node));
      g_assert_cmpstr (jn_ent_user_get_id (copy), ==, jn_ent_user_get_id (round));
      g_assert_cmpstr (jn_ent_user_get_birth_date (copy), ==, jn_ent_user_get_birth_date (round));
      g_assert_cmpstr (jn_ent_user_get_pronote_id (copy, "0312609T"), ==,
                       jn_ent_user_get_pronote_id (round, "0312609T"));
      {
        JnCategory a = JN_CATEGORY_TEACHER, b = JN_CATEGORY_TEACHER;

        g_assert_cmpint (jn_ent_user_get_category (copy, &a), ==, jn_ent_user_get_category (round, &b));
        g_assert_cmpint (a, ==, b);
      }

      jn_ent_user_set_pronote_id (copy, "0312609T", "KVX8NTH4DPQ3SYU7");
      jn_ent_user_set_pronote_id (copy, "0999999Z", "KVX8NTH4DPQ3SYU7");
      after = jn_ent_user_to_json (user, NULL);
      {
        g_autofree char *now = json_to_string (after, FALSE);

        g_assert_cmpstr (now, ==, original);
      }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/push/complete", Fixture, NULL, fixture_setup, test_complete_push, fixture_teardown);
  g_test_add ("/push/interrupt-and-resume", Fixture, NULL, fixture_setup, test_interrupt_and_resume, fixture_teardown);
  g_test_add ("/push/changed-decisions", Fixture, NULL, fixture_setup, test_changed_decisions, fixture_teardown);
  g_test_add ("/push/moved-identifier", Fixture, NULL, fixture_setup, test_moved_identifier, fixture_teardown);
  g_test_add ("/push/conflict-reported", Fixture, NULL, fixture_setup, test_conflict_reported, fixture_teardown);
  g_test_add_func ("/push/one-identifier-one-account", test_one_identifier);
  g_test_add_func ("/push/clear-planned", test_clear_moved_first);
  g_test_add_func ("/push/file-ent/user-copy", test_user_copy);
  g_test_add ("/push/file-ent/log", Fixture, NULL, fixture_setup, test_file_ent_log, fixture_teardown);
  g_test_add ("/push/file-ent/replay", Fixture, NULL, fixture_setup, test_file_ent_replay, fixture_teardown);
  g_test_add ("/push/file-ent/uniqueness", Fixture, NULL, fixture_setup, test_file_ent_uniqueness, fixture_teardown);

  return g_test_run ();
}
