/* test-window.c: the main window's pages, in-process, under Xvfb
 *
 * Each test writes its own small exports, opens them in a JnWindow without a GApplication,
 * spins the main loop until the load ends (never sleeping blindly) and checks what a user
 * sees: the visible page and the labels on it. With JN_SCREENSHOT_DIR set, each state is
 * also saved as a PNG.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "jn-error-page.h"
#include "jn-error.h"
#include "jn-preferences-window.h"
#include "jn-ui-utils.h"
#include "jn-window.h"

#define WAIT_TIMEOUT_SECONDS 30

#define GUI_TEST_OWN_SCREENSHOTS
#define GUI_TEST_OWN_WINDOW_HELPERS
#include "gui-test-utils.h"

static const char cleartext_export[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<ExportIdentifiants xmlns=\"http://www.index-education.com/exportidentifiants\""
  " UAI=\"0312609T\" NomEtablissement=\"Collège Sciences &amp; Lettres\""
  " DateExport=\"2026-09-01\" Logiciel=\"PRONOTE 2026\">\n"
  "  <Professeurs>\n"
  "    <Professeur Ident=\"2\" Nom=\"MARTIN\" Prenom=\"Claire\" DateNaissance=\"1980-04-02\""
  " IDPN=\"KVX8NTH4DPQ3SYU7\"/>\n"
  "    <Professeur Ident=\"3\" Nom=\"NGUYEN\" Prenom=\"Paul\" DateNaissance=\"1975-11-30\""
  " IDPN=\"3HZ7QWERT5ABCD9K\" IDCAS=\"paul.nguyen\"/>\n"
  "  </Professeurs>\n"
  "  <Eleves>\n"
  "    <Eleve Ident=\"1\" Nom=\"ELAPHE\" Prenom=\"Aïssa\" DateNaissance=\"2012-01-10\""
  " IDPN=\"HUP2NFZQRYAD7EXS\" IDCAS=\"\">\n"
  "      <Responsable Ident=\"14001\" RespLegal=\"1\" Nom=\"ELAPHE\" Prenom=\"Karim\""
  " Civilite=\"M.\" IDPN=\"DK4BZJEQWCHP98RS\"/>\n"
  "    </Eleve>\n"
  "    <Eleve Ident=\"4\" Nom=\"ELAPHE\" Prenom=\"Nour\" DateNaissance=\"2014-06-21\""
  " IDPN=\"M7RTX2KQ9HBWEZ3A\">\n"
  "      <Responsable Ident=\"14001\" RespLegal=\"1\" Nom=\"ELAPHE\" Prenom=\"Karim\""
  " Civilite=\"M.\" IDPN=\"DK4BZJEQWCHP98RS\"/>\n"
  "      <Responsable Ident=\"14002\" RespLegal=\"2\" Nom=\"BENALI\" Prenom=\"Sofia\""
  " Civilite=\"Mme\" IDPN=\"P8W3ZKX5TNQ7RDYH\"/>\n"
  "    </Eleve>\n"
  "    <Eleve Ident=\"5\" Nom=\"DURAND\" Prenom=\"Léa\" DateNaissance=\"2011-02-03\""
  " IDPN=\"Z9KXW4P7QRT2HMNE\"/>\n"
  "  </Eleves>\n"
  "  <MaitresDeStage>\n"
  "    <MaitreDeStage Ident=\"7\" Nom=\"ROUX\" Prenom=\"Bernard\" IDPN=\"R4TNW8XK2ZHQ5MJE\"/>\n"
  "  </MaitresDeStage>\n"
  "  <InspecteursPedagogiques>\n"
  "    <InspecteurPedagogique Ident=\"8\" Nom=\"FAURE\" Prenom=\"Hélène\""
  " IDPN=\"W7KZ3QXN9RTH2PDA\"/>\n"
  "  </InspecteursPedagogiques>\n"
  "  <Personnels>\n"
  "    <Personnel Ident=\"9\" Nom=\"GARCIA LOPEZ\" Prenom=\"Inès\" IDPN=\"H5XW2KQ8ZNRT3MJE\"/>\n"
  "    <Personnel Ident=\"10\" Nom=\"D'ALMEIDA\" Prenom=\"Jean-Emmanuel\""
  " IDPN=\"T3NQ8ZKX7WRH5PJE\"/>\n"
  "  </Personnels>\n"
  "</ExportIdentifiants>\n";

/* Teachers, students, relatives (Karim once for two children), internship masters,
 * inspectors, staff */
static const guint cleartext_counts[] = { 2, 3, 2, 1, 1, 2 };

static const char empty_export[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<ExportIdentifiants UAI=\"0312609T\" NomEtablissement=\"Collège Vide\""
  " DateExport=\"2026-09-01\">\n"
  "  <Professeurs/>\n"
  "  <Eleves/>\n"
  "</ExportIdentifiants>\n";

/* Helpers */

static void
wait_until_idle (JnWindow *window)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add_seconds (WAIT_TIMEOUT_SECONDS, timeout_cb, &timed_out);

  while (jn_window_get_busy (window) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  g_assert_false (timed_out);
  g_source_remove (timeout_id);
}

static void
wait_until_mapped (GtkWidget *widget)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add_seconds (WAIT_TIMEOUT_SECONDS, timeout_cb, &timed_out);

  while (!gtk_widget_get_mapped (widget) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  g_assert_false (timed_out);
  g_source_remove (timeout_id);
}

/* The widget's last painted frame: a widget paintable reuses the render node of the last
 * paint, and a window that was just mapped or resized may not have one yet. */
static GskRenderNode *
snapshot_widget (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);

  for (guint attempt = 0; attempt < 10; attempt++)
    {
      g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
      GskRenderNode *node;

      wait_for_paint (widget);
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot),
                              gtk_widget_get_width (widget), gtk_widget_get_height (widget));
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
      if (node != NULL)
        return node;
    }

  return NULL;
}

static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  const char *dir = g_getenv ("JN_SCREENSHOT_DIR");
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;

  if (dir == NULL || *dir == '\0')
    return;

  node = snapshot_widget (widget);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0,
                                                              gtk_widget_get_width (widget),
                                                              gtk_widget_get_height (widget)));

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static GFile *
write_export (const char *name,
              const char *contents,
              gssize      length)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "exports", NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);

  return g_file_new_for_path (path);
}

/* A loaded export, or none */
static gboolean
export_loaded (JnWindow *window)
{
  JnExport *export = jn_window_get_export (window);

  return export != NULL && jn_export_get_loaded (export);
}

static JnWindow *
create_window (void)
{
  JnWindow *window = jn_window_new (NULL);

  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  gtk_window_present (GTK_WINDOW (window));
  wait_until_mapped (GTK_WIDGET (window));

  return window;
}

/* Ends a test: the window and its export are finalized (nothing leaks a reference), and the
 * settings the test used go back to their defaults. */
static void
destroy_window (JnWindow *window)
{
  JnExport *export = jn_window_get_export (window);

  g_assert_false (jn_window_get_busy (window));
  if (export != NULL)
    g_object_add_weak_pointer (G_OBJECT (export), (gpointer *) &export);
  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  flush_main_context ();
  g_assert_finalize_object (window);
  g_assert_null (export);

  reset_settings ();
}

static void
open_and_wait (JnWindow *window,
               GFile    *file)
{
  jn_window_open (window, file);
  g_assert_true (jn_window_get_busy (window));
  wait_until_idle (window);
}

static const char *
visible_page (JnWindow *window)
{
  return gtk_stack_get_visible_child_name (template_child (window, "stack"));
}

static void
collect_labels (GtkWidget *widget,
                GPtrArray *texts)
{
  if (!gtk_widget_get_mapped (widget))
    return;

  if (GTK_IS_LABEL (widget))
    g_ptr_array_add (texts, g_strdup (gtk_label_get_text (GTK_LABEL (widget))));

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_labels (child, texts);
}

/* TRUE when a label that the user can see reads @text */
static gboolean
shows_label (GtkWidget  *root,
             const char *text)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);

  collect_labels (root, texts);
  return g_ptr_array_find_with_equal_func (texts, text, g_str_equal, NULL);
}

/* TRUE when a visible label contains @text */
static gboolean
shows_text (GtkWidget  *root,
            const char *text)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);

  collect_labels (root, texts);
  for (guint i = 0; i < texts->len; i++)
    if (strstr (g_ptr_array_index (texts, i), text) != NULL)
      return TRUE;

  return FALSE;
}

static AdwActionRow *
find_row (GtkWidget  *widget,
          const char *title)
{
  if (!gtk_widget_get_mapped (widget))
    return NULL;

  if (ADW_IS_ACTION_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return ADW_ACTION_ROW (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      AdwActionRow *row = find_row (child, title);

      if (row != NULL)
        return row;
    }

  return NULL;
}

/* The text of the visible value label of the row titled @title */
static char *
row_value (GtkWidget  *root,
           const char *title)
{
  AdwActionRow *row = find_row (root, title);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);

  g_assert_nonnull (row);
  collect_labels (GTK_WIDGET (row), texts);
  for (guint i = 0; i < texts->len; i++)
    {
      const char *text = g_ptr_array_index (texts, i);

      if (*text != '\0' && g_strcmp0 (text, title) != 0 &&
          g_strcmp0 (text, adw_action_row_get_subtitle (row)) != 0)
        return g_strdup (text);
    }

  return NULL;
}

static void
assert_row_value (GtkWidget  *root,
                  const char *title,
                  const char *expected)
{
  g_autofree char *value = row_value (root, title);

  g_assert_cmpstr (value, ==, expected);
}

/* Tests */

static void
test_format_export_date (void)
{
  g_autofree char *date_time = jn_format_export_date ("2014-05-20T10:19:08.486+02:00");
  g_autofree char *date = jn_format_export_date ("2026-09-01");
  g_autofree char *french = jn_format_export_date ("01/09/2026");
  g_autofree char *garbage = jn_format_export_date ("2026-13-45");
  g_autofree char *none = jn_format_export_date ("");

  /* Untranslated (no setlocale): the English format */
  g_assert_cmpstr (date_time, ==, "20/05/2014 at 10:19");
  g_assert_cmpstr (date, ==, "01/09/2026");
  g_assert_cmpstr (french, ==, "01/09/2026");
  g_assert_cmpstr (garbage, ==, "2026-13-45");
  g_assert_null (none);
}

static void
test_welcome (void)
{
  JnWindow *window = create_window ();

  g_assert_cmpstr (visible_page (window), ==, "welcome");
  g_assert_false (jn_window_get_busy (window));
  g_assert_true (shows_label (GTK_WIDGET (window), "Match ENT and PRONOTE accounts"));
  g_assert_true (shows_label (GTK_WIDGET (window), "Import a PRONOTE File…"));
  /* The header button would repeat the page's own */
  g_assert_false (gtk_widget_get_visible (template_child (window, "open_button")));

  save_screenshot (GTK_WIDGET (window), "window-welcome.png");
  destroy_window (window);
}

static void
test_summary (void)
{
  JnWindow *window = create_window ();
  g_autoptr(GFile) file = write_export ("identifiants.xml", cleartext_export, -1);
  GtkWidget *page;
  guint total = 0;
  g_autofree char *total_text = NULL;
  g_autofree char *total_title = NULL;

  open_and_wait (window, file);

  g_assert_cmpstr (visible_page (window), ==, "summary");
  page = template_child (window, "summary_page");
  g_assert_true (jn_export_get_loaded (jn_window_get_export (window)));

  assert_row_value (page, "Establishment", "Collège Sciences & Lettres");
  assert_row_value (page, "UAI", "0312609T");
  assert_row_value (page, "Export Date", "01/09/2026");
  assert_row_value (page, "Software", "PRONOTE 2026");
  assert_row_value (page, "Encrypted", "No");
  g_assert_null (find_row (page, "Partners"));

  for (guint i = 0; i < JN_N_CATEGORIES; i++)
    {
      g_autofree char *expected = g_strdup_printf ("%u", cleartext_counts[i]);

      assert_row_value (page, jn_category_get_label (i), expected);
      total += cleartext_counts[i];
    }
  total_text = g_strdup_printf ("%u", total);
  assert_row_value (page, "Total", total_text);
  total_title = g_strdup_printf ("%u users", total);
  g_assert_true (shows_label (page, total_title));
  g_assert_true (shows_label (page, "identifiants.xml"));

  /* The session's warnings: eleven records cannot be a whole establishment */
  g_assert_false (shows_text (page, "no users"));
  g_assert_true (shows_text (page, "This file has only 11 records: it is probably a partial "
                                   "export"));

  g_assert_cmpstr (adw_window_title_get_subtitle (template_child (window, "window_title")), ==,
                   "Collège Sciences & Lettres · 0312609T");
  g_assert_true (gtk_widget_get_visible (template_child (window, "open_button")));

  save_screenshot (GTK_WIDGET (window), "file-cleartext.png");

  /* The whole page, for the eyes: the export group is below the fold at 800×600 */
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 1000);
  save_screenshot (GTK_WIDGET (window), "file-cleartext-full.png");

  destroy_window (window);
}

static void
test_summary_empty (void)
{
  JnWindow *window = create_window ();
  g_autoptr(GFile) file = write_export ("vide.xml", empty_export, -1);
  GtkWidget *page;

  open_and_wait (window, file);

  g_assert_cmpstr (visible_page (window), ==, "summary");
  page = template_child (window, "summary_page");
  g_assert_true (shows_label (page, "This file contains no users: there is nothing to import."));
  g_assert_true (shows_label (page, "0 users"));
  assert_row_value (page, "Total", "0");
  assert_row_value (page, "Software", "Unknown");

  save_screenshot (GTK_WIDGET (window), "file-empty.png");
  destroy_window (window);
}

static void
test_uai_mismatch (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  JnWindow *window;
  g_autoptr(GFile) file = write_export ("identifiants.xml", cleartext_export, -1);
  GtkWidget *page;

  g_settings_set_string (settings, "uai", "0999999Z");
  window = create_window ();
  open_and_wait (window, file);
  page = template_child (window, "summary_page");

  g_assert_true (shows_text (page, "This file is for establishment 0312609T, but Jonction is "
                                   "set up for 0999999Z"));
  g_assert_true (jn_import_session_get_uai_mismatch (jn_window_get_session (window)));

  /* With the right UAI set up, the same file opens without the warning */
  g_settings_set_string (settings, "uai", "0312609T");
  open_and_wait (window, file);
  g_assert_false (shows_text (page, "but Jonction is set up for"));

  destroy_window (window);
}

static void
test_truncated (void)
{
  JnWindow *window = create_window ();
  gsize half = strlen (cleartext_export) / 2;
  g_autoptr(GFile) file = write_export ("tronque.xml", cleartext_export, half);
  JnErrorPage *page;
  const GError *error;

  open_and_wait (window, file);

  g_assert_cmpstr (visible_page (window), ==, "error");
  page = template_child (window, "error_page");
  error = jn_error_page_get_error (page);
  g_assert_nonnull (error);
  g_assert_true (jn_error_is_input_error (error));
  g_assert_false (jn_error_needs_key (error));
  g_assert_true (shows_label (GTK_WIDGET (page), "Could Not Open This File"));
  g_assert_true (shows_label (GTK_WIDGET (page), error->message));
  g_assert_true (shows_text (GTK_WIDGET (page), "tronque.xml"));
  g_assert_true (shows_label (GTK_WIDGET (page), "Choose Another File…"));
  g_assert_false (shows_label (GTK_WIDGET (page), "Choose the Partner Key…"));
  /* A failed load never half-imports */
  g_assert_false (export_loaded (window));

  save_screenshot (GTK_WIDGET (window), "error-truncated.png");
  destroy_window (window);
}

static void
test_encrypted_without_key (void)
{
  JnWindow *window = create_window ();
  g_autofree char *contents = NULL;
  gsize length;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GFile) file = NULL;
  JnErrorPage *page;
  const GError *error;

  g_file_get_contents (JN_REFERENCE_EXPORT, &contents, &length, &local_error);
  g_assert_no_error (local_error);
  file = write_export ("Edt_To_LaclasseCom_0134567A.xml", contents, length);

  open_and_wait (window, file);

  g_assert_cmpstr (visible_page (window), ==, "error");
  page = template_child (window, "error_page");
  error = jn_error_page_get_error (page);
  g_assert_error (error, JN_ERROR, JN_ERROR_KEY_REQUIRED);
  g_assert_true (shows_label (GTK_WIDGET (page), error->message));
  g_assert_true (shows_label (GTK_WIDGET (page), "Choose the Partner Key…"));
  g_assert_true (shows_label (GTK_WIDGET (page), "Choose Another File…"));

  /* The envelope tells who the file is for, even without the key */
  g_assert_nonnull (jn_window_get_export (window));
  assert_row_value (GTK_WIDGET (page), "UAI", "0134567A");
  assert_row_value (GTK_WIDGET (page), "Establishment", "COLLEGE INDEX EDUCATION");
  assert_row_value (GTK_WIDGET (page), "Export Date", "20/05/2014 at 10:19");
  assert_row_value (GTK_WIDGET (page), "Encrypted for", "INDEXEDUCATION, LaclasseCom");
  g_assert_cmpstr (adw_window_title_get_subtitle (template_child (window, "window_title")), ==,
                   "COLLEGE INDEX EDUCATION · 0134567A");

  save_screenshot (GTK_WIDGET (window), "error-key-required.png");
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 1000);
  save_screenshot (GTK_WIDGET (window), "error-key-required-full.png");

  destroy_window (window);
}

static char *
fixture_path (const char *name)
{
  const char *dir = g_getenv ("JN_FIXTURES_DIR");
  g_autofree char *path = NULL;

  if (dir == NULL)
    return NULL;

  path = g_build_filename (dir, name, NULL);
  return g_file_test (path, G_FILE_TEST_IS_REGULAR) ? g_steal_pointer (&path) : NULL;
}

/* With the partner key in the preferences, an encrypted export opens; with another key
 * the error page offers to choose the key again. */
static void
test_encrypted_with_key (void)
{
  g_autofree char *export_path = fixture_path ("env-kosmos.xml");
  g_autofree char *key_path = fixture_path ("keys/partner.pem");
  g_autofree char *other_key_path = fixture_path ("keys/other.pem");
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GFile) file = NULL;
  JnWindow *window;
  JnErrorPage *error_page;

  if (export_path == NULL || key_path == NULL || other_key_path == NULL)
    {
      g_test_skip ("JN_FIXTURES_DIR has no env-kosmos.xml and keys");
      return;
    }

  file = g_file_new_for_path (export_path);
  window = create_window ();

  g_settings_set_string (settings, "key-file", other_key_path);
  open_and_wait (window, file);
  g_assert_cmpstr (visible_page (window), ==, "error");
  error_page = template_child (window, "error_page");
  g_assert_error (jn_error_page_get_error (error_page), JN_ERROR, JN_ERROR_WRONG_KEY);
  g_assert_true (shows_label (GTK_WIDGET (error_page), "Choose the Partner Key…"));

  g_settings_set_string (settings, "key-file", key_path);
  open_and_wait (window, file);
  g_assert_cmpstr (visible_page (window), ==, "summary");
  assert_row_value (template_child (window, "summary_page"), "Encrypted",
                    "Yes, opened with the key of KOSMOS");

  save_screenshot (GTK_WIDGET (window), "file-encrypted.png");
  destroy_window (window);
}

static void
test_cancel (void)
{
  JnWindow *window = create_window ();
  g_autoptr(GFile) file = write_export ("identifiants.xml", cleartext_export, -1);

  jn_window_open (window, file);
  g_assert_cmpstr (visible_page (window), ==, "loading");

  /* Cancelled before the main loop runs: whatever the worker did is dropped */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel-load", NULL));
  wait_until_idle (window);

  /* Back where the admin was, with nothing loaded */
  g_assert_cmpstr (visible_page (window), ==, "welcome");
  g_assert_false (export_loaded (window));

  destroy_window (window);
}

/* A pipe whose writer says nothing keeps the worker reading (named pipes are refused at
 * once, but an anonymous one, as `<(…)` gives, is read): the window must stay responsive
 * (it paints), show the loading page, and come back when cancelled. */
static void
test_cancel_slow_file (void)
{
  JnWindow *window = create_window ();
  g_autoptr(GFile) done = write_export ("identifiants.xml", cleartext_export, -1);
  g_autoptr(GFile) slow = NULL;
  g_autofree char *slow_path = NULL;
  g_autofree char *slow_name = NULL;
  int fds[2];

  open_and_wait (window, done);
  g_assert_cmpstr (visible_page (window), ==, "summary");

  if (pipe (fds) != 0)
    g_error ("pipe: %s", g_strerror (errno));
  slow_name = g_strdup_printf ("%d", fds[0]);
  slow_path = g_strdup_printf ("/dev/fd/%d", fds[0]);
  slow = g_file_new_for_path (slow_path);
  jn_window_open (window, slow);
  wait_for_paint (GTK_WIDGET (window));
  wait_for_paint (GTK_WIDGET (window));
  g_assert_true (jn_window_get_busy (window));
  g_assert_cmpstr (visible_page (window), ==, "loading");
  g_assert_true (shows_label (GTK_WIDGET (window), "Reading the File…"));
  g_assert_true (shows_label (GTK_WIDGET (window), slow_name));
  save_screenshot (GTK_WIDGET (window), "loading.png");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel-load", NULL));
  /* Unblock the worker: the writer goes, the reader sees the end */
  close (fds[1]);
  wait_until_idle (window);
  close (fds[0]);

  /* The previous export is still there, untouched */
  g_assert_cmpstr (visible_page (window), ==, "summary");
  assert_row_value (template_child (window, "summary_page"), "UAI", "0312609T");

  destroy_window (window);
}

static void
test_newer_file_wins (void)
{
  JnWindow *window = create_window ();
  g_autoptr(GFile) truncated = write_export ("tronque.xml", cleartext_export, 100);
  g_autoptr(GFile) file = write_export ("identifiants.xml", cleartext_export, -1);

  jn_window_open (window, truncated);
  jn_window_open (window, file);
  wait_until_idle (window);

  g_assert_cmpstr (visible_page (window), ==, "summary");
  assert_row_value (template_child (window, "summary_page"), "UAI", "0312609T");

  destroy_window (window);
}

static void
test_preferences (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  JnWindow *window = create_window ();
  GtkWindow *preferences;
  GObject *partner_row;
  g_autofree char *key_file = NULL;
  g_autofree char *partner = NULL;

  g_settings_set_string (settings, "partner", "KOSMOS");
  g_settings_set_string (settings, "key-file", "/home/admin/Documents/kosmos.pem");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.preferences", NULL));
  preferences = NULL;
  for (GList *l = gtk_window_list_toplevels (); l != NULL; l = g_list_delete_link (l, l))
    if (JN_IS_PREFERENCES_WINDOW (l->data))
      preferences = l->data;
  g_assert_nonnull (preferences);
  wait_until_mapped (GTK_WIDGET (preferences));

  g_assert_true (shows_label (GTK_WIDGET (preferences), "/home/admin/Documents/kosmos.pem"));
  partner_row = gtk_widget_get_template_child (
    GTK_WIDGET (jn_preferences_window_get_connection_page (JN_PREFERENCES_WINDOW (preferences))),
    JN_TYPE_CONNECTION_PAGE, "partner_row");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (partner_row)), ==, "KOSMOS");
  save_screenshot (GTK_WIDGET (preferences), "preferences.png");

  /* Forgetting the key goes through GSettings and back to the row */
  g_assert_true (gtk_widget_activate_action (
    GTK_WIDGET (jn_preferences_window_get_connection_page (JN_PREFERENCES_WINDOW (preferences))),
    "connection.forget-key", NULL));
  flush_main_context ();
  key_file = g_settings_get_string (settings, "key-file");
  g_assert_cmpstr (key_file, ==, "");
  g_assert_true (shows_label (GTK_WIDGET (preferences), "None"));

  /* Typing a partner name stores it */
  gtk_editable_set_text (GTK_EDITABLE (partner_row), "LaclasseCom");
  flush_main_context ();
  partner = g_settings_get_string (settings, "partner");
  g_assert_cmpstr (partner, ==, "LaclasseCom");

  gtk_window_destroy (preferences);
  destroy_window (window);
}

static void
test_help_overlay (void)
{
  g_autoptr(GtkBuilder) builder =
    gtk_builder_new_from_resource ("/fr/jonction/Jonction/gtk/help-overlay.ui");
  GObject *overlay = gtk_builder_get_object (builder, "help_overlay");

  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (overlay));
  gtk_window_destroy (GTK_WINDOW (overlay));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *svg_type = NULL;
  GtkIconTheme *icon_theme;

  /* The isolated directories have no shared MIME database and no icon themes: read both
   * now, before g_test_init() points XDG_DATA_DIRS elsewhere. No setlocale(): the strings
   * stay untranslated. (Not gtk_test_init(): it ignores G_TEST_OPTION_ISOLATE_DIRS.) */
  svg_type = g_content_type_guess ("icon.svg", NULL, 0, NULL);
  gtk_disable_setlocale ();
  gtk_init ();
  adw_init ();
  icon_theme = gtk_icon_theme_get_for_display (gdk_display_get_default ());
  gtk_icon_theme_add_resource_path (icon_theme, "/fr/jonction/Jonction/icons");
  g_object_set (gtk_settings_get_default (),
                "gtk-font-name", "Cantarell 11",
                "gtk-enable-animations", FALSE,
                NULL);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/format/export-date", test_format_export_date);
  g_test_add_func ("/window/welcome", test_welcome);
  g_test_add_func ("/window/summary", test_summary);
  g_test_add_func ("/window/summary-empty", test_summary_empty);
  g_test_add_func ("/window/uai-mismatch", test_uai_mismatch);
  g_test_add_func ("/window/truncated", test_truncated);
  g_test_add_func ("/window/encrypted-without-key", test_encrypted_without_key);
  g_test_add_func ("/window/encrypted-with-key", test_encrypted_with_key);
  g_test_add_func ("/window/cancel", test_cancel);
  g_test_add_func ("/window/cancel-slow-file", test_cancel_slow_file);
  g_test_add_func ("/window/newer-file-wins", test_newer_file_wins);
  g_test_add_func ("/window/preferences", test_preferences);
  g_test_add_func ("/window/help-overlay", test_help_overlay);

  return g_test_run ();
}
