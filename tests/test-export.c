/* test-export.c: JnExport, its async load and its models
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "jn-error.h"
#include "jn-export.h"
#include "jn-person.h"

static const char canonical[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<ExportIdentifiants UAI=\"0312609T\" DateExport=\"2026-09-01\">\n"
  " <Professeurs><Professeur Ident=\"2\" Nom=\"MARTIN\" Prenom=\"Claire\" IDPN=\"KVX8NTH4DPQ3SYU7\"/></Professeurs>\n"
  " <Eleves><Eleve Ident=\"1\" Nom=\"ELAPHE\" Prenom=\"Aïssa\" IDPN=\"HUP2NFZQRYAD7EXS\">\n"
  "   <Responsable Ident=\"14001\" Nom=\"ELAPHE\" Prenom=\"Karim\" IDPN=\"DK4BZJEQWCHP98RS\"/></Eleve></Eleves>\n"
  "</ExportIdentifiants>\n";

static GFile *
write_temp (const char *name,
            const char *contents,
            gssize      len)
{
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), name, NULL);

  g_assert_true (g_file_set_contents (path, contents, len, NULL));
  return g_file_new_for_path (path);
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GError **error = user_data;
  gboolean ok = jn_export_load_finish (JN_EXPORT (object), result, error);

  g_assert_true (ok == (*error == NULL));
  if (*error == NULL)
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "done");
}

/* Runs the async load to its end; returns the error, or NULL on success */
static GError *
load_async (JnExport     *export,
            GFile        *file,
            GCancellable *cancellable)
{
  GError *error = NULL;

  jn_export_load_async (export, file, NULL, NULL, cancellable, load_cb, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    g_clear_error (&error);

  return error;
}

static void
count_items_changed_cb (GListModel *model,
                        guint       position,
                        guint       removed,
                        guint       added,
                        guint      *count)
{
  (*count)++;
}

static void
test_async_load (void)
{
  g_autoptr(JnExport) export = jn_export_new ();
  g_autoptr(GFile) file = write_temp ("canonical.xml", canonical, -1);
  GListModel *students = jn_export_get_category_model (export, JN_CATEGORY_STUDENT);
  g_autoptr(JnPerson) student = NULL;
  g_autoptr(GError) error = NULL;
  guint changes = 0;

  g_signal_connect (students, "items-changed", G_CALLBACK (count_items_changed_cb), &changes);
  g_assert_false (jn_export_get_loaded (export));
  g_assert_false (jn_export_has_metadata (export));

  error = load_async (export, file, NULL);
  g_assert_no_error (error);
  g_assert_true (jn_export_get_loaded (export));
  g_assert_false (jn_export_get_encrypted (export));
  g_assert_cmpstr (jn_export_get_uai (export), ==, "0312609T");
  g_assert_cmpuint (jn_export_get_n_records (export), ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (students), ==, 1);
  g_assert_cmpuint (changes, ==, 1);
  g_assert_true (g_list_model_get_item_type (students) == JN_TYPE_PERSON);

  student = g_list_model_get_item (students, 0);
  g_assert_cmpstr (jn_person_get_given_name (student), ==, "Aïssa");

  g_signal_handlers_disconnect_by_func (students, count_items_changed_cb, &changes);
  g_file_delete (file, NULL, NULL);
}

static void
test_failed_load_empties (void)
{
  g_autoptr(JnExport) export = jn_export_new ();
  g_autoptr(GFile) good = write_temp ("good.xml", canonical, -1);
  g_autoptr(GFile) bad = write_temp ("bad.xml", canonical, 200);
  g_autoptr(GError) error = NULL;

  g_assert_true (jn_export_load (export, good, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (jn_export_get_n_records (export), ==, 3);

  /* Never half an import: the models are empty after a failed load. */
  g_assert_false (jn_export_load (export, bad, NULL, NULL, NULL, &error));
  g_assert_error (error, JN_ERROR, JN_ERROR_INVALID_FILE);
  g_assert_nonnull (strstr (error->message, "bad.xml"));
  g_assert_false (jn_export_get_loaded (export));
  g_assert_cmpuint (jn_export_get_n_records (export), ==, 0);
  g_assert_false (jn_export_has_metadata (export));

  g_file_delete (good, NULL, NULL);
  g_file_delete (bad, NULL, NULL);
}

static void
test_cancelled_load_keeps_previous (void)
{
  g_autoptr(JnExport) export = jn_export_new ();
  g_autoptr(GFile) file = write_temp ("canonical.xml", canonical, -1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (jn_export_load (export, file, NULL, NULL, NULL, NULL));

  g_cancellable_cancel (cancellable);
  error = load_async (export, file, cancellable);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (jn_export_get_loaded (export));
  g_assert_cmpuint (jn_export_get_n_records (export), ==, 3);

  g_file_delete (file, NULL, NULL);
}

static void
test_missing_and_oversized (void)
{
  g_autoptr(JnExport) export = jn_export_new ();
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "huge.xml", NULL);
  g_autoptr(GFile) missing = g_file_new_for_path ("/nonexistent/IdPN_To_KOSMOS.xml");
  g_autoptr(GFile) huge = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  FILE *stream;

  g_assert_false (jn_export_load (export, missing, NULL, NULL, NULL, &error));
  g_assert_error (error, JN_ERROR, JN_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "IdPN_To_KOSMOS.xml"));
  g_clear_error (&error);

  /* A sparse file: refused from its size, never read. */
  stream = g_fopen (path, "w");
  g_assert_nonnull (stream);
  g_assert_cmpint (fseek (stream, 200 * 1024 * 1024, SEEK_SET), ==, 0);
  fputc ('x', stream);
  fclose (stream);

  g_assert_false (jn_export_load (export, huge, NULL, NULL, NULL, &error));
  g_assert_error (error, JN_ERROR, JN_ERROR_TOO_LARGE);
  g_remove (path);
}

static void
test_reference_envelope (void)
{
  g_autoptr(JnExport) export = jn_export_new ();
  g_autoptr(GFile) file = g_file_new_for_path (g_getenv ("JN_REFERENCE_EXPORT"));
  g_autoptr(GError) error = NULL;
  const char * const *partners;

  /* The real encrypted sample: its metadata is readable, its content needs the key. */
  g_assert_false (jn_export_load (export, file, NULL, NULL, NULL, &error));
  g_assert_error (error, JN_ERROR, JN_ERROR_KEY_REQUIRED);
  g_assert_true (jn_export_has_metadata (export));
  g_assert_true (jn_export_get_encrypted (export));
  g_assert_false (jn_export_get_loaded (export));
  g_assert_cmpstr (jn_export_get_uai (export), ==, "0134567A");
  g_assert_cmpstr (jn_export_get_establishment (export), ==, "COLLEGE INDEX EDUCATION");
  g_assert_cmpstr (jn_export_get_exported_at (export), ==, "2014-05-20T10:19:08.486+02:00");
  partners = jn_export_get_partners (export);
  g_assert_cmpuint (g_strv_length ((char **)partners), ==, 2);
  g_assert_cmpstr (partners[0], ==, "INDEXEDUCATION");
  g_assert_cmpstr (partners[1], ==, "LaclasseCom");
  g_assert_nonnull (strstr (error->message, "LaclasseCom"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/export/async-load", test_async_load);
  g_test_add_func ("/export/failed-load-empties", test_failed_load_empties);
  g_test_add_func ("/export/cancelled-load-keeps-previous", test_cancelled_load_keeps_previous);
  g_test_add_func ("/export/missing-and-oversized", test_missing_and_oversized);
  g_test_add_func ("/export/reference-envelope", test_reference_envelope);

  return g_test_run ();
}
