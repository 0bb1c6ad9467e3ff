/* test-export.c: JnExport, its async load and its models
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>

#include "jn-error.h"
#include "jn-export.h"
#include "jn-io.h"
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


/* Class 1: what the export holds is told with its file and line */

static void
test_warnings (void)
{
  g_autoptr(JnExport) export = jn_export_new ();
  g_autoptr(GFile) file = write_temp ("IdPN_To_KOSMOS.xml",
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ExportIdentifiants UAI=\"0312609T\">\n"
    " <Eleve Nom=\"A\" Prenom=\"B\" IDPN=\"HUP2NFZQRYAD7EXS\">\n"
    "  <Responsable Nom=\"A\" Prenom=\"C\" IDPN=\"HUP2NFZQRYAD7EXS\"/></Eleve>\n"
    " <Personnel Nom=\"D\" Prenom=\"E\" IDPN=\"AB&#x85;\"/>\n"
    "</ExportIdentifiants>\n", -1);
  g_autoptr(GFile) clean = write_temp ("clean.xml", canonical, -1);
  g_autoptr(GError) error = NULL;
  GPtrArray *warnings;
  g_autoptr(JnPerson) student = NULL;
  g_autoptr(JnPerson) relative = NULL;
  g_autoptr(JnPerson) staff = NULL;

  g_assert_cmpuint (jn_export_get_warnings (export)->len, ==, 0);
  g_assert_true (jn_export_load (export, file, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  warnings = jn_export_get_warnings (export);
  g_assert_cmpuint (warnings->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (warnings, 0), ==,
                   "IdPN_To_KOSMOS.xml:4: the PRONOTE identifier “HUP2NFZQRYAD7EXS” is also "
                   "given to another record (line 3): none of them will be matched automatically");
  g_assert_true (g_str_has_prefix (g_ptr_array_index (warnings, 1),
                                   "IdPN_To_KOSMOS.xml:5: invalid PRONOTE identifier “AB\\u0085”"));

  student = g_list_model_get_item (jn_export_get_category_model (export, JN_CATEGORY_STUDENT), 0);
  relative = g_list_model_get_item (jn_export_get_category_model (export, JN_CATEGORY_RELATIVE), 0);
  staff = g_list_model_get_item (jn_export_get_category_model (export, JN_CATEGORY_STAFF), 0);
  g_assert_true (jn_person_get_duplicate_id (student));
  g_assert_true (jn_person_get_duplicate_id (relative));
  g_assert_false (jn_person_get_id_invalid (student));
  g_assert_true (jn_person_get_id_invalid (staff));
  g_assert_false (jn_person_get_duplicate_id (staff));
  g_assert_cmpuint (jn_person_get_line (student), ==, 3);
  g_assert_cmpuint (jn_person_get_line (relative), ==, 4);
  g_assert_cmpuint (jn_person_get_line (staff), ==, 5);

  /* The next load replaces them */
  g_assert_true (jn_export_load (export, clean, NULL, NULL, NULL, &error));
  g_assert_cmpuint (jn_export_get_warnings (export)->len, ==, 0);

  g_file_delete (file, NULL, NULL);
  g_file_delete (clean, NULL, NULL);
}

static void
test_uai_warning (void)
{
  static const struct
  {
    const char *uai;
    const char *warning;   /* NULL: none */
  } cases[] = {
    { "0312609T", NULL },
    /* C0 controls cannot enter XML 1.0 at all; C1 ones can */
    { "0312609&#x85;T", "uai.xml: the establishment’s UAI “0312609\\u0085T” is not a UAI" },
    { "0312609T&#x202E;", "“0312609T\\u202E”" },
    { "031260", "“031260”" },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(JnExport) export = jn_export_new ();
      g_autofree char *xml = g_strdup_printf ("<E UAI=\"%s\"><Eleve Nom=\"A\" Prenom=\"B\" IDPN=\"HUP2NFZQRYAD7EXS\"/></E>",
                                              cases[c].uai);
      g_autoptr(GFile) file = write_temp ("uai.xml", xml, -1);
      GPtrArray *warnings;

      g_test_message ("case: %s", cases[c].uai);
      g_assert_true (jn_export_load (export, file, NULL, NULL, NULL, NULL));
      warnings = jn_export_get_warnings (export);
      if (cases[c].warning == NULL)
        {
          g_assert_cmpuint (warnings->len, ==, 0);
          continue;
        }
      g_assert_cmpuint (warnings->len, ==, 1);
      if (strstr (g_ptr_array_index (warnings, 0), cases[c].warning) == NULL)
        g_error ("“%s” not in “%s”", cases[c].warning, (char *)g_ptr_array_index (warnings, 0));
      g_file_delete (file, NULL, NULL);
    }
}

/* Class 4: special files are refused before reading, anonymous pipes are read */

typedef struct
{
  int    fd;
  gsize  size;
} Writer;

static gpointer
write_thread (gpointer user_data)
{
  Writer *writer = user_data;
  g_autofree char *chunk = g_strnfill (4096, ' ');
  gsize written = 0;

  g_assert_cmpint (write (writer->fd, canonical, strlen (canonical)), ==, (gssize)strlen (canonical));
  while (written < writer->size)
    {
      gssize n = write (writer->fd, chunk, MIN (4096, writer->size - written));

      if (n <= 0)
        break;   /* the reader gave up */
      written += n;
    }
  close (writer->fd);

  return NULL;
}

/* Loads the read end of a pipe fed by a thread, as bash's <(…) hands it over */
static GBytes *
load_pipe (gsize     extra,
           gsize     max_size,
           GError  **error)
{
  int fds[2];
  Writer writer;
  GThread *thread;
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  GBytes *bytes;

  g_assert_cmpint (pipe (fds), ==, 0);
  writer.fd = fds[1];
  writer.size = extra;
  path = g_strdup_printf ("/dev/fd/%d", fds[0]);
  file = g_file_new_for_path (path);
  thread = g_thread_new ("writer", write_thread, &writer);
  bytes = jn_io_load_bounded (file, "pipe", max_size, NULL, error);
  close (fds[0]);
  g_thread_join (thread);

  return bytes;
}

static void
test_special_files (void)
{
  g_autofree char *dir = g_dir_make_tmp ("jn-special-XXXXXX", NULL);
  g_autofree char *fifo = g_build_filename (dir, "export.xml", NULL);
  g_autofree char *socket_path = g_build_filename (dir, "socket.xml", NULL);
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const struct
  {
    const char *path;
    int         code;
    const char *fragment;
  } cases[] = {
    { fifo, JN_ERROR_IO, "export.xml: this is a named pipe (FIFO), not a file" },
    { "/dev/null", JN_ERROR_IO, "null: this is a device, not a file" },
    { "/dev/zero", JN_ERROR_IO, "zero: this is a device, not a file" },
    { socket_path, JN_ERROR_IO, "socket.xml: this is a socket, not a file" },
    { dir, JN_ERROR_IO, "this is a folder, not a file" },
  };

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, &error);
  g_assert_no_error (error);
  address = g_unix_socket_address_new (socket_path);
  g_assert_true (g_socket_bind (socket, address, FALSE, &error));

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(JnExport) export = jn_export_new ();
      g_autoptr(GFile) file = g_file_new_for_path (cases[c].path);
      gint64 start = g_get_monotonic_time ();

      g_test_message ("case: %s", cases[c].path);
      g_assert_false (jn_export_load (export, file, NULL, NULL, NULL, &error));
      g_assert_error (error, JN_ERROR, cases[c].code);
      if (strstr (error->message, cases[c].fragment) == NULL)
        g_error ("“%s” not in “%s”", cases[c].fragment, error->message);
      /* A FIFO without writer used to block here forever */
      g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
      g_clear_error (&error);
    }

  /* An anonymous pipe is read whole, and counted against the limit as it comes */
  bytes = load_pipe (200 * 1024, 1024 * 1024, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, strlen (canonical) + 200 * 1024);
  g_clear_pointer (&bytes, g_bytes_unref);

  bytes = load_pipe (2 * 1024 * 1024, 1024 * 1024, &error);
  g_assert_null (bytes);
  g_assert_error (error, JN_ERROR, JN_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "pipe: the file is too large (more than 1 MiB)"));

  g_socket_close (socket, NULL);
  g_remove (socket_path);
  g_remove (fifo);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* A pipe's writer must see EPIPE when the reader gives up, not die */
  signal (SIGPIPE, SIG_IGN);

  g_test_add_func ("/export/async-load", test_async_load);
  g_test_add_func ("/export/failed-load-empties", test_failed_load_empties);
  g_test_add_func ("/export/cancelled-load-keeps-previous", test_cancelled_load_keeps_previous);
  g_test_add_func ("/export/missing-and-oversized", test_missing_and_oversized);
  g_test_add_func ("/export/reference-envelope", test_reference_envelope);
  g_test_add_func ("/export/class1/warnings", test_warnings);
  g_test_add_func ("/export/class4/uai-warning", test_uai_warning);
  g_test_add_func ("/export/class4/special-files", test_special_files);

  return g_test_run ();
}
