/* test-push.c: the journalled push, on the embedded file ENT
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

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

  return g_test_run ();
}
