/* test-history.c: the start page's last import and the History page, under Xvfb
 *
 * A real import of the generated establishment through the window (a file ENT on a copy of
 * its directory snapshot, partial mode, the six steps validated through their dialogs), then
 * a single edit through jn_push_set_one() on the same store and ENT; the History page then
 * lists both with their counts, and expanding them shows who was changed, by name. Other
 * cases: the empty history, a purged import, names not available, the last-import line of
 * the start page (local time, single edits and other establishments left out), a store with
 * many imports read without holding the main loop.
 *
 * With JN_TEST_LOCALEDIR set (history-fr), the strings are the environment's (French): only
 * the cases that check French words run, and the screenshot is history-fr.png.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "jn-file-ent.h"
#include "jn-history-page.h"
#include "jn-import-session.h"
#include "jn-mode-page.h"
#include "jn-push.h"
#include "jn-user-dialog.h"
#include "jn-welcome-page.h"
#include "jn-window.h"

#define WAIT_TIMEOUT_SECONDS 120
#define UAI "0312609T"
#define EXT_URN "urn:ietf:params:scim:schemas:extension:ent:2.0:User"

#include "gui-test-utils.h"

static gboolean french;

/* ---- the store and the window (waiting and looking: gui-test-utils.h) ---- */

/* A new, empty store of its own */
static JnStore *
open_store (void)
{
  static guint n;
  g_autofree char *name = g_strdup_printf ("history-store-%u", ++n);
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), name, NULL);
  g_autoptr(GError) error = NULL;
  JnStore *store = jn_store_open (dir, &error);

  g_assert_no_error (error);
  return store;
}

static void
destroy_window (JnWindow *window)
{
  g_assert_false (jn_window_get_busy (window));
  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  flush_main_context ();
  g_assert_finalize_object (window);
}

static GtkWindow *
find_history_window (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (g_object_get_data (l->data, "jn-history-page") != NULL && gtk_widget_get_visible (l->data))
      return l->data;

  return NULL;
}

static GtkWidget *
history_button (JnWelcomePage *welcome)
{
  GObject *button = gtk_widget_get_template_child (GTK_WIDGET (welcome), JN_TYPE_WELCOME_PAGE,
                                                   "history_button");

  g_assert_nonnull (button);
  return GTK_WIDGET (button);
}

/* ---- the history page ---- */

static gboolean
history_loaded (gpointer data)
{
  return !jn_history_page_get_loading (data);
}

static gboolean
details_ready (gpointer data)
{
  JnHistoryPage *page = g_object_get_data (data, "page");

  return jn_history_page_get_details_ready (page, GPOINTER_TO_UINT (g_object_get_data (data, "index")));
}

/* Expands row @index and waits for its changes: "title\nsubtitle" each */
static char **
expand (JnHistoryPage *page,
        guint          index)
{
  g_autoptr(GObject) data = g_object_new (G_TYPE_OBJECT, NULL);

  g_object_set_data (data, "page", page);
  g_object_set_data (data, "index", GUINT_TO_POINTER (index));
  jn_history_page_expand (page, index);
  wait_until (details_ready, data);

  return jn_history_page_dup_details (page, index);
}

/* The history window the window's action opens, loaded */
static GtkWindow *
open_history (JnWindow *window)
{
  GtkWindow *history;

  activate (window, "win.history");
  history = find_history_window ();
  g_assert_nonnull (history);
  g_assert_true (gtk_window_get_transient_for (history) == GTK_WINDOW (window));
  wait_until (history_loaded, jn_history_window_get_page (history));

  return history;
}

static gboolean
strv_has_line (char       **lines,
               const char  *text)
{
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], text) != NULL)
      return TRUE;

  return FALSE;
}

/* ---- a store's imports made by hand ---- */

static JnOperation *
operation_new (JnCategory  category,
               JnOpKind    kind,
               const char *ent_id,
               const char *pronote_id,
               const char *old_pronote_id)
{
  JnOperation *op = g_new0 (JnOperation, 1);

  op->category = category;
  op->kind = kind;
  op->ent_id = g_strdup (ent_id);
  op->uai = g_strdup (UAI);
  op->pronote_id = g_strdup (pronote_id);
  op->old_pronote_id = g_strdup (old_pronote_id);
  op->record_id = g_strdup (pronote_id);

  return op;
}

/* An import of @n_set identifiers set on "ent-N" accounts (the last @n_failed failed),
 * finished; its id */
static char *
add_import (JnStore    *store,
            const char *mode,
            const char *uai,
            guint       n_set,
            guint       n_failed)
{
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)jn_operation_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = g_strdup_printf ("hash-%s-%u-%d", mode, n_set, g_random_int ());
  char *id;

  for (guint i = 0; i < n_set; i++)
    {
      g_autofree char *ent_id = g_strdup_printf ("ent-%u", i);
      g_autofree char *pronote_id = g_strdup_printf ("ABCDEFGH%08u", i);

      g_ptr_array_add (ops, operation_new (JN_CATEGORY_STUDENT, JN_OP_SET, ent_id,
                                           pronote_id, NULL));
    }
  id = jn_store_begin_import (store, mode, uai, "test-ent", hash, NULL, ops, 0, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < ops->len; i++)
    {
      JnOperation *op = g_ptr_array_index (ops, i);

      op->state = i >= n_set - n_failed ? JN_OP_FAILED : JN_OP_DONE;
      op->status = op->state == JN_OP_FAILED ? 409 : 200;
      op->detail = op->state == JN_OP_FAILED ? g_strdup ("identifier already held") : NULL;
    }
  jn_store_save_operations (store, id, ops, &error);
  g_assert_no_error (error);
  jn_store_finish_import (store, id, n_failed > 0 ? "partial" : "done", &error);
  g_assert_no_error (error);

  return id;
}

/* ---- the cases ---- */

static void
test_empty (void)
{
  g_autoptr(JnStore) store = open_store ();
  JnWindow *window = create_window (store, NULL);
  JnWelcomePage *welcome = template_child (window, "welcome_page");
  GtkWindow *history;

  g_assert_null (jn_welcome_page_get_last_import_text (welcome));
  g_assert_false (gtk_widget_get_visible (history_button (welcome)));

  history = open_history (window);
  g_assert_cmpstr (jn_history_page_get_state (jn_history_window_get_page (history)), ==, "empty");
  g_assert_cmpuint (jn_history_page_get_n_imports (jn_history_window_get_page (history)), ==, 0);
  gtk_window_destroy (history);

  destroy_window (window);
  reset_settings ();
}

/* The newest finished import of a file for the establishment set up: not a single edit, not
 * another establishment's, not an interrupted one; in local time, with its count */
static void
test_last_import (void)
{
  g_autoptr(JnStore) store = open_store ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = add_import (store, "partial", UAI, 1575, 0);
  g_autofree char *other = NULL;
  g_autofree char *single = NULL;
  g_autofree char *local = NULL;
  g_autofree char *utc = NULL;
  g_autoptr(JnImportRecord) record = jn_store_get_import (store, id, &error);
  g_autoptr(GDateTime) finished = NULL;
  g_autoptr(GTimeZone) zone = g_time_zone_new_utc ();
  JnWindow *window;
  const char *text;

  g_assert_no_error (error);
  g_settings_set_string (settings, "uai", UAI);
  other = add_import (store, "complete", "0750001A", 3, 0);
  single = add_import (store, "single", UAI, 1, 0);
  {
    /* An interrupted import is offered to resume, not counted as the last */
    g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)jn_operation_free);
    g_autofree char *interrupted = NULL;

    g_ptr_array_add (ops, operation_new (JN_CATEGORY_TEACHER, JN_OP_SET, "t-1",
                                         "KVX8NTH4DPQ3SYU7", NULL));
    interrupted = jn_store_begin_import (store, "complete", UAI, "test-ent", "h", NULL, ops, 0,
                                         &error);
    g_assert_no_error (error);
    jn_store_finish_import (store, interrupted, "interrupted", &error);
    g_assert_no_error (error);
  }

  window = create_window (store, NULL);
  text = jn_welcome_page_get_last_import_text (template_child (window, "welcome_page"));
  g_assert_nonnull (text);
  g_test_message ("%s", text);

  /* Local time (the tests run in Europe/Paris: never the UTC the store keeps) */
  local = jn_format_store_time (record->finished_at);
  finished = g_date_time_new_from_iso8601 (record->finished_at, zone);
  utc = g_date_time_format (finished, "%H:%M");
  g_assert_nonnull (strstr (text, local));
  g_assert_null (strstr (text, utc));

  if (french)
    {
      /* "1 575" with the French grouping (a narrow no-break space) */
      g_assert_nonnull (strstr (text, "1\u202f575") != NULL ? strstr (text, "1\u202f575")
                                                            : strstr (text, "1\u00a0575"));
      g_assert_nonnull (strstr (text, " à "));
      if (g_str_has_prefix (text, "Last import"))
        g_test_message ("the catalogue has no French for the line yet "
                        "(po/fragments/history.po not merged into po/fr.po)");
      else
        {
          g_assert_true (g_str_has_prefix (text, "Dernier import fait le "));
          g_assert_nonnull (strstr (text, " en mode Partiel — 1"));
          g_assert_true (g_str_has_suffix (text, "575 identifiants importés"));
        }
    }
  else
    {
      g_assert_true (g_str_has_prefix (text, "Last import on "));
      g_assert_nonnull (strstr (text, " at "));
      g_assert_true (g_str_has_suffix (text, " in Partial mode — 1575 identifiers imported"));
    }

  save_screenshot (GTK_WIDGET (window), french ? "welcome-last-import-fr" : "welcome-last-import");

  /* Another establishment set up: its own last import */
  g_settings_set_string (settings, "uai", "0750001A");
  jn_window_refresh_start (window);
  text = jn_welcome_page_get_last_import_text (template_child (window, "welcome_page"));
  g_assert_nonnull (text);
  if (!french)
    g_assert_true (g_str_has_suffix (text, " in Complete mode — 3 identifiers imported"));

  /* One without any: no line, the history button stays */
  g_settings_set_string (settings, "uai", "0999999Z");
  jn_window_refresh_start (window);
  g_assert_null (jn_welcome_page_get_last_import_text (template_child (window, "welcome_page")));
  g_assert_true (gtk_widget_get_visible (history_button (template_child (window, "welcome_page"))));

  destroy_window (window);
  reset_settings ();
}

/* A purged import keeps only its line; an import whose accounts nobody can name shows the
 * ENT ids and says so */
static void
test_purged_and_unnamed (void)
{
  g_autoptr(JnStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autofree char *old = add_import (store, "complete", UAI, 12, 2);
  g_autofree char *text = NULL;
  g_auto(GStrv) details = NULL;
  GtkWindow *history;
  JnHistoryPage *page;
  guint n_purged = 0;
  JnWindow *window;

  g_assert_true (jn_store_purge_expired (store, 0, &n_purged, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_purged, ==, 1);
  g_free (add_import (store, "partial", UAI, 3, 1));

  window = create_window (store, NULL);
  history = open_history (window);
  page = jn_history_window_get_page (history);
  g_assert_cmpstr (jn_history_page_get_state (page), ==, "list");
  g_assert_cmpuint (jn_history_page_get_n_imports (page), ==, 2);

  /* Newest first: the partial import, then the purged one */
  text = jn_history_page_dup_import_text (page, 0);
  g_assert_nonnull (strstr (text, "Partial Import"));
  g_assert_nonnull (strstr (text, UAI " · 2 identifiers imported · 1 failure"));
  g_free (text);
  text = jn_history_page_dup_import_text (page, 1);
  g_assert_nonnull (strstr (text, "Complete Import"));
  g_assert_nonnull (strstr (text, "10 identifiers imported · 2 failures"));
  g_assert_nonnull (strstr (text, "Details forgotten after 30 days"));
  jn_history_page_expand (page, 1);
  flush_main_context ();
  g_assert_false (jn_history_page_get_details_ready (page, 1));

  /* No directory, no ENT: the ENT ids, the failure first, and the note */
  details = expand (page, 0);
  g_assert_cmpuint (g_strv_length (details), ==, 4);
  g_assert_true (g_str_has_prefix (details[0], "Some names are not available"));
  g_assert_true (g_str_has_prefix (details[1], "ENT account ent-2\n"));
  g_assert_nonnull (strstr (details[1], "failed: identifier already held"));
  g_assert_true (g_str_has_prefix (details[2], "ENT account ent-0\nStudents · identifier "
                                               "ABCDEFGH00000000 set"));
  save_screenshot (GTK_WIDGET (history), "history-purged");

  gtk_window_destroy (history);
  destroy_window (window);
  reset_settings ();
}

/* A name from the ENT is text: "&" and "<" shown as they are, never parsed as markup (a
 * parse failure would also print the name in a warning) */
static void
test_hostile_names (void)
{
  g_autoptr(JnStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("jn-history-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "snapshot.json", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(JnEnt) ent = NULL;
  g_auto(GStrv) details = NULL;
  GtkWindow *history;
  JnHistoryPage *page;
  JnWindow *window;
  const char *snapshot =
    "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:ListResponse\"],\"totalResults\":1,"
    "\"Resources\":[{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\",\"" EXT_URN "\"],"
    "\"id\":\"ent-0\",\"userName\":\"ent-0\",\"name\":{\"familyName\":\"Qx & <b>Wyq</b>\","
    "\"givenName\":\"<i>Bob</i>\"},\"userType\":\"Eleve\",\"active\":true,"
    "\"" EXT_URN "\":{\"structures\":[\"" UAI "\"]}}]}";

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, snapshot, -1, NULL));
  ent = JN_ENT (jn_file_ent_new (file, EXT_URN, &error));
  g_assert_no_error (error);
  /* a store edited by hand: its text is not markup either */
  g_free (add_import (store, "complete", "R&D <1>", 1, 0));
  g_free (add_import (store, "partial", UAI, 1, 0));

  window = create_window (store, ent);
  history = open_history (window);
  page = jn_history_window_get_page (history);
  details = expand (page, 0);
  g_assert_true (strv_has_line (details, "QX & <B>WYQ</B> <i>Bob</i>"));
  g_assert_true (shows_label (GTK_WIDGET (history), "QX & <B>WYQ</B> <i>Bob</i>"));
  {
    g_autofree char *text = jn_history_page_dup_import_text (page, 1);

    g_assert_nonnull (strstr (text, "R&D <1> · 1 identifier imported"));
  }

  gtk_window_destroy (history);
  destroy_window (window);
  reset_settings ();
  g_unlink (path);
  g_rmdir (dir);
}

/* ---- a real import, then a single edit ---- */

static gboolean
validation_started (gpointer data)
{
  return find_dialog () != NULL || jn_window_get_busy (data);
}

/* Validates the current step through its dialog (confirming replacements), as the admin */
static void
validate_step (JnWindow *window)
{
  JnImportSession *session = jn_window_get_session (window);
  guint step = jn_import_session_get_current_step (session);
  AdwMessageDialog *dialog;

  activate (window, "win.validate-step");
  wait_until (validation_started, window);
  dialog = find_dialog ();
  if (dialog != NULL)
    {
      GtkWidget *check = find_named (GTK_WIDGET (dialog), "confirm-check");

      if (check != NULL)
        gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
      g_assert_true (adw_message_dialog_get_response_enabled (dialog, "validate"));
      adw_message_dialog_response (dialog, "validate");
      gtk_window_destroy (GTK_WINDOW (dialog));
    }
  wait_until (is_idle, window);
  g_assert_true (jn_import_session_get_step_validated (session, step));
}

static JnDirectory *
load_directory (GFile *file)
{
  g_autoptr(GError) error = NULL;
  JnDirectory *directory = jn_directory_new (EXT_URN);

  jn_directory_load_file (directory, file, NULL, &error);
  g_assert_no_error (error);
  return directory;
}

/* The names of the accounts an import changed, as the directory has them */
static GPtrArray *
changed_names (JnStore     *store,
               const char  *import_id,
               JnDirectory *directory)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ops = jn_store_list_operations (store, import_id, &error);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  g_assert_no_error (error);
  for (guint i = 0; i < ops->len; i++)
    {
      JnOperation *op = g_ptr_array_index (ops, i);
      JnEntUser *user = jn_directory_lookup (directory, op->ent_id);

      g_assert_nonnull (user);
      g_ptr_array_add (names, jn_ent_user_dup_display_name (user));
    }

  return names;
}

static void
test_import_and_edit (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "history-ent", NULL);
  g_autofree char *snapshot_path = g_build_filename (dir, "directory.json", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GFile) snapshot = NULL;
  g_autoptr(GFile) export = g_file_new_for_path (JN_ESTABLISHMENT_DIR "/export.xml");
  g_autoptr(JnFileEnt) ent = NULL;
  g_autoptr(JnStore) store = open_store ();
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(GPtrArray) imports = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(JnEntUser) user = NULL;
  g_autoptr(JnPushReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *edited_name = NULL;
  g_auto(GStrv) details = NULL;
  g_auto(GStrv) edit_details = NULL;
  JnImportSession *session;
  JnImportRecord *import;
  JnWelcomePage *welcome;
  GtkWindow *history;
  JnHistoryPage *page;
  JnWindow *window;
  guint n_imported = 0;
  const char *line;

  /* The ENT: a copy of the establishment's snapshot, written in place */
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_get_contents (JN_ESTABLISHMENT_DIR "/directory.json", &contents, NULL, &error);
  g_assert_no_error (error);
  g_file_set_contents (snapshot_path, contents, -1, &error);
  g_assert_no_error (error);
  snapshot = g_file_new_for_path (snapshot_path);
  ent = jn_file_ent_new (snapshot, EXT_URN, &error);
  g_assert_no_error (error);

  window = create_window (store, JN_ENT (ent));
  welcome = template_child (window, "welcome_page");
  g_assert_null (jn_welcome_page_get_last_import_text (welcome));

  /* The file, its directory, partial mode, the six steps */
  jn_window_open (window, export);
  wait_until (is_idle, window);
  g_assert_cmpstr (jn_window_get_page (window), ==, "summary");
  activate (window, "win.continue");
  g_assert_cmpstr (jn_window_get_page (window), ==, "mode");
  jn_mode_page_set_mode (template_child (window, "mode_page"), JN_IMPORT_MODE_PARTIAL);
  activate (window, "win.match");
  wait_until (is_idle, window);
  g_assert_cmpstr (jn_window_get_page (window), ==, "steps");
  session = jn_window_get_session (window);
  for (guint step = 0; step < JN_N_STEPS; step++)
    {
      JnStepCounts counts = { 0 };

      jn_import_session_get_counts (session, jn_import_session_step_category (step), &counts);
      n_imported += counts.n_set + counts.n_replace;
      validate_step (window);
    }
  g_assert_cmpstr (jn_window_get_page (window), ==, "report");
  g_assert_cmpuint (n_imported, >, 100);

  /* From the report, the history names the accounts from the directory the window read */
  {
    GtkWindow *from_report = jn_history_window_new (GTK_WINDOW (window), store,
                                                    jn_import_session_get_directory (session),
                                                    NULL);
    JnHistoryPage *report_page = jn_history_window_get_page (from_report);
    g_auto(GStrv) lines = NULL;

    gtk_window_present (from_report);
    wait_until (history_loaded, report_page);
    g_assert_cmpuint (jn_history_page_get_n_imports (report_page), ==, 1);
    lines = expand (report_page, 0);
    g_assert_false (strv_has_line (lines, "Some names are not available"));
    g_assert_false (strv_has_line (lines, "ENT account "));
    gtk_window_destroy (from_report);
  }

  /* Back at the start: the line of the import just finished */
  activate (window, "win.back-to-start");
  line = jn_welcome_page_get_last_import_text (welcome);
  g_assert_nonnull (line);
  expected = g_strdup_printf (" in Partial mode — %u identifiers imported", n_imported);
  if (!french)
    g_assert_true (g_str_has_suffix (line, expected));
  g_assert_true (gtk_widget_get_visible (history_button (welcome)));

  /* A single edit on the same store and ENT: an account the import left alone */
  directory = load_directory (snapshot);
  {
    GListModel *users = jn_directory_get_users (directory);

    for (guint i = 0; i < g_list_model_get_n_items (users) && user == NULL; i++)
      {
        g_autoptr(JnEntUser) candidate = g_list_model_get_item (users, i);

        if (jn_ent_user_get_pronote_id (candidate, UAI) == NULL &&
            g_strcmp0 (jn_ent_user_get_user_type (candidate), "Eleve") == 0)
          user = g_steal_pointer (&candidate);
      }
  }
  g_assert_nonnull (user);
  edited_name = jn_ent_user_dup_display_name (user);
  report = jn_push_set_one (store, JN_ENT (ent), user, UAI, "QZ7W3KX9TR2MHPNB", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);

  /* The single edit does not change the last import */
  jn_window_refresh_start (window);
  g_assert_cmpstr (jn_welcome_page_get_last_import_text (welcome), ==, line);

  /* The history: the edit, then the import, with their counts */
  history = open_history (window);
  page = jn_history_window_get_page (history);
  g_assert_cmpuint (jn_history_page_get_n_imports (page), ==, 2);
  imports = jn_store_list_imports (store, 0, &error);
  g_assert_no_error (error);
  import = g_ptr_array_index (imports, 1);

  text = jn_history_page_dup_import_text (page, 0);
  g_test_message ("%s", text);
  if (!french)
    {
      g_assert_nonnull (strstr (text, "Single Edit"));
      g_assert_nonnull (strstr (text, UAI " · 1 identifier imported"));
    }
  g_free (text);
  text = jn_history_page_dup_import_text (page, 1);
  g_test_message ("%s", text);
  g_free (expected);
  expected = g_strdup_printf (UAI " · %u identifiers imported", n_imported);
  if (!french)
    {
      g_assert_nonnull (strstr (text, "Partial Import"));
      g_assert_nonnull (strstr (text, expected));
    }

  /* Who was changed, by name: the window's ENT is read (the directory is gone with the
   * session) */
  edit_details = expand (page, 0);
  g_assert_cmpuint (g_strv_length (edit_details), ==, 1);
  g_assert_true (g_str_has_prefix (edit_details[0], edited_name));
  g_assert_nonnull (strstr (edit_details[0], "QZ7W3KX9TR2MHPNB"));

  details = expand (page, 1);
  names = changed_names (store, import->id, directory);
  g_assert_cmpuint (names->len, ==, n_imported);
  for (guint i = 0; i < MIN (names->len, 300); i++)
    {
      g_autofree char *prefix = g_strconcat (g_ptr_array_index (names, i), "\n", NULL);
      gboolean found = FALSE;

      for (guint j = 0; details[j] != NULL && !found; j++)
        found = g_str_has_prefix (details[j], prefix);
      if (!found)
        g_error ("%s is not among the changes shown", (char *)g_ptr_array_index (names, i));
    }
  g_assert_false (strv_has_line (details, "Some names are not available"));

  /* The edit's row open, the import's too: the screenshot */
  gtk_window_set_default_size (history, 800, 700);
  save_screenshot (GTK_WIDGET (history), french ? "history-fr" : "history");

  gtk_window_destroy (history);

  /* Without the window's ENT nor its directory: the ENT of the connection settings */
  {
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);
    GtkWindow *alone;
    g_auto(GStrv) lines = NULL;

    g_settings_set_string (settings, "connection-kind", "offline");
    g_settings_set_string (settings, "offline-snapshot", snapshot_path);
    alone = jn_history_window_new (GTK_WINDOW (window), store, NULL, NULL);
    gtk_window_present (alone);
    wait_until (history_loaded, jn_history_window_get_page (alone));
    lines = expand (jn_history_window_get_page (alone), 0);
    g_assert_cmpuint (g_strv_length (lines), ==, 1);
    g_assert_true (g_str_has_prefix (lines[0], edited_name));
    gtk_window_destroy (alone);
  }

  destroy_window (window);
  g_unlink (snapshot_path);
  reset_settings ();
}

/* Many imports: the page shows at once (reading), the list comes from a worker, its rows a
 * few at a time */
#define N_MANY 1000

static void
test_many_imports (void)
{
  g_autoptr(JnStore) store = open_store ();
  g_autoptr(GTimer) timer = NULL;
  GtkWindow *history;
  JnHistoryPage *page;
  JnWindow *window;
  guint n_iterations = 0;
  double longest = 0;
  double first_shown = 0;
  GtkWidget *more;

  for (guint i = 0; i < N_MANY; i++)
    g_free (add_import (store, i % 3 == 0 ? "single" : "partial", UAI, i % 3 == 0 ? 1 : 20, 0));

  window = create_window (store, NULL);

  /* The start page's three indexed queries run on the main loop: measured, not hidden */
  {
    g_autoptr(GTimer) refresh = g_timer_new ();
    double worst = 0;

    for (guint i = 0; i < 20; i++)
      {
        g_timer_start (refresh);
        jn_window_refresh_start (window);
        worst = MAX (worst, g_timer_elapsed (refresh, NULL));
      }
    g_test_message ("start page refreshed from %u imports: at worst %.2f ms", N_MANY, worst * 1000);
    g_assert_nonnull (jn_welcome_page_get_last_import_text (template_child (window, "welcome_page")));
  }
  timer = g_timer_new ();
  /* The window shows before a single import is read */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.history", NULL));
  history = find_history_window ();
  page = jn_history_window_get_page (history);
  g_assert_nonnull (page);
  g_assert_true (jn_history_page_get_loading (page));
  g_assert_cmpstr (jn_history_page_get_state (page), ==, "loading");
  while (jn_history_page_get_loading (page))
    {
      g_autoptr(GTimer) iteration = g_timer_new ();

      g_main_context_iteration (NULL, TRUE);
      longest = MAX (longest, g_timer_elapsed (iteration, NULL));
      n_iterations++;
      if (first_shown == 0 && g_strcmp0 (jn_history_page_get_state (page), "list") == 0)
        first_shown = g_timer_elapsed (timer, NULL);
    }
  g_test_message ("%u imports: the first shown after %.0f ms, all after %.0f ms; %u main loop "
                  "iterations meanwhile, the longest %.0f ms", N_MANY, first_shown * 1000,
                  g_timer_elapsed (timer, NULL) * 1000, n_iterations, longest * 1000);
  /* The newest hundred, made in several rounds of the main loop, not one */
  g_assert_cmpuint (jn_history_page_get_n_imports (page), ==, 100);
  g_assert_cmpuint (n_iterations, >, 4);
  more = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), JN_TYPE_HISTORY_PAGE,
                                                    "more_button"));
  g_assert_true (gtk_widget_get_visible (more));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (more)), ==, "Show 900 Older Imports");

  /* The older ones on demand, a hundred at a time, then the button goes */
  for (guint shown = 200; shown <= N_MANY; shown += 100)
    {
      g_signal_emit_by_name (more, "clicked");
      wait_until (history_loaded, page);
      g_assert_cmpuint (jn_history_page_get_n_imports (page), ==, shown);
    }
  g_assert_false (gtk_widget_get_visible (more));
  {
    g_autofree char *oldest = jn_history_page_dup_import_text (page, N_MANY - 1);

    /* The first one made: a single edit */
    g_assert_nonnull (strstr (oldest, "Single Edit"));
  }

  gtk_window_destroy (history);
  destroy_window (window);
  reset_settings ();
}

/* Two windows on one store (a second export opened beside an import under way): an
 * identifier saved from the editor of one window changes the ENT under the other's import
 * too. That import's next push must not trust the directory it read minutes ago: the
 * value the editor gave to one account was sent to the plan's account as well (a file ENT
 * has no uniqueness check: two holders) */
static JnUserDialog *
find_user_dialog (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (JN_IS_USER_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static gboolean
has_user_dialog (gpointer data)
{
  return find_user_dialog () != NULL;
}

static gboolean
user_dialog_loaded (gpointer data)
{
  return !jn_user_dialog_get_loading (data);
}

static void
test_editor_in_other_window (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "history-ent-two", NULL);
  g_autofree char *snapshot_path = g_build_filename (dir, "directory.json", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *value = NULL;
  g_autoptr(GFile) snapshot = NULL;
  g_autoptr(GFile) export = g_file_new_for_path (JN_ESTABLISHMENT_DIR "/export.xml");
  g_autoptr(JnFileEnt) ent = NULL;
  g_autoptr(JnStore) store = open_store ();
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(JnDirectory) after = NULL;
  g_autoptr(JnEntUser) other = NULL;
  g_autoptr(JnPushReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  JnImportSession *session;
  JnUserDialog *dialog;
  GListModel *rows;
  JnWindow *importing, *editing;
  const char *planned_id = NULL;
  JnSessionRow *planned = NULL;
  guint n_holders = 0;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_get_contents (JN_ESTABLISHMENT_DIR "/directory.json", &contents, NULL, &error);
  g_assert_no_error (error);
  g_file_set_contents (snapshot_path, contents, -1, &error);
  g_assert_no_error (error);
  snapshot = g_file_new_for_path (snapshot_path);
  ent = jn_file_ent_new (snapshot, EXT_URN, &error);
  g_assert_no_error (error);
  g_settings_set_string (settings, "uai", UAI);

  /* The import: its directory read, its first step reviewed */
  importing = create_window (store, JN_ENT (ent));
  jn_window_open (importing, export);
  wait_until (is_idle, importing);
  activate (importing, "win.continue");
  jn_mode_page_set_mode (template_child (importing, "mode_page"), JN_IMPORT_MODE_PARTIAL);
  activate (importing, "win.match");
  wait_until (is_idle, importing);
  g_assert_cmpstr (jn_window_get_page (importing), ==, "steps");
  session = jn_window_get_session (importing);
  rows = jn_import_session_get_rows (session, jn_import_session_step_category (0));
  for (guint i = 0; i < g_list_model_get_n_items (rows) && planned_id == NULL; i++)
    {
      g_autoptr(JnSessionRow) row = g_list_model_get_item (rows, i);

      if (jn_session_row_get_status (row) == JN_ROW_STATUS_MATCHED &&
          jn_plan_item_get_action (jn_session_row_get_item (row)) == JN_PLAN_ACTION_SET)
        {
          planned_id = jn_ent_user_get_id (jn_plan_item_get_user (jn_session_row_get_item (row)));
          value = g_strdup (jn_session_row_get_pronote_id (row));
          planned = row;  /* the session's model keeps it */
        }
    }
  g_assert_nonnull (planned_id);

  /* Meanwhile, from the other window's editor, the admin gives that identifier to another
   * account (fixing a match by hand) */
  directory = load_directory (snapshot);
  {
    GListModel *users = jn_directory_get_users (directory);

    for (guint i = 0; i < g_list_model_get_n_items (users) && other == NULL; i++)
      {
        g_autoptr(JnEntUser) candidate = g_list_model_get_item (users, i);

        if (jn_ent_user_get_pronote_id (candidate, UAI) == NULL &&
            g_strcmp0 (jn_ent_user_get_id (candidate), planned_id) != 0)
          other = g_steal_pointer (&candidate);
      }
  }
  g_assert_nonnull (other);
  editing = create_window (store, JN_ENT (ent));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editing), "win.edit-user", "s", ""));
  wait_until (has_user_dialog, NULL);
  dialog = find_user_dialog ();
  wait_until (user_dialog_loaded, dialog);
  /* as the dialog's save does: journalled, written, then announced */
  report = jn_push_set_one (store, JN_ENT (ent), other, UAI, value, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->failed->len, ==, 0);
  g_signal_emit_by_name (dialog, "saved", other);
  gtk_window_destroy (GTK_WINDOW (dialog));
  flush_main_context ();

  /* The import's step: the identifier is not given a second time */
  validate_step (importing);
  after = load_directory (snapshot);
  {
    GListModel *users = jn_directory_get_users (after);

    for (guint i = 0; i < g_list_model_get_n_items (users); i++)
      {
        g_autoptr(JnEntUser) user = g_list_model_get_item (users, i);

        n_holders += g_strcmp0 (jn_ent_user_get_pronote_id (user, UAI), value) == 0;
      }
  }
  g_assert_cmpuint (n_holders, ==, 1);
  /* refused by the push's own one-holder check, before anything is sent: not by the ENT's
   * refusal of a write sent (an ENT without a uniqueness check would take it) */
  g_assert_cmpint (jn_session_row_get_push_state (planned), ==, JN_ROW_PUSH_FAILED);
  g_assert_nonnull (strstr (jn_session_row_get_failure (planned), "not given to a second account"));

  gtk_window_destroy (GTK_WINDOW (editing));
  gtk_window_destroy (GTK_WINDOW (importing));
  flush_main_context ();
  reset_settings ();
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("JN_TEST_LOCALEDIR");

  /* Local time differs from UTC all year round */
  g_setenv ("TZ", "Europe/Paris", TRUE);
  french = localedir != NULL && *localedir != '\0';
  gui_test_init (&argc, &argv, localedir);

  g_test_add_func ("/history/last-import", test_last_import);
  g_test_add_func ("/history/import-and-edit", test_import_and_edit);
  if (!french)
    {
      /* its checks read the English words of a failure */
      g_test_add_func ("/history/editor-in-other-window", test_editor_in_other_window);
      g_test_add_func ("/history/empty", test_empty);
      g_test_add_func ("/history/purged-and-unnamed", test_purged_and_unnamed);
      g_test_add_func ("/history/hostile-names", test_hostile_names);
      g_test_add_func ("/history/many-imports", test_many_imports);
    }

  return g_test_run ();
}
