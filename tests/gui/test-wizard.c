/* test-wizard.c: the whole wizard in a JnWindow, against the SCIM test server, under Xvfb
 *
 * Each test starts tests/scim-server (Node) on 127.0.0.1 with its own seed, opens an export
 * in a window with a temporary journal, and walks the pages as an admin would: the window's
 * actions (the buttons' and shortcuts'), its confirmation dialogs, and the session's
 * decisions (the calls the match panel makes). At the end the server's accounts are read
 * back and compared with the plan and the decisions. With JN_SCREENSHOT_DIR set, the pages
 * are saved as PNG files.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <sys/prctl.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "jn-import-session.h"
#include "jn-browse-dialog.h"
#include "jn-match-panel.h"
#include "jn-mode-page.h"
#include "jn-step-page.h"
#include "jn-report-page.h"
#include "jn-scim-client.h"
#include "jn-summary-page.h"
#include "jn-welcome-page.h"
#include "jn-error-page.h"
#include "jn-window.h"

#define WAIT_TIMEOUT_SECONDS 60
#define UAI "0312609T"
#define TOKEN "jonction-test-token"
#define EXT_URN "urn:ietf:params:scim:schemas:extension:ent:2.0:User"

#include "gui-test-utils.h"

/* Two teachers (one replaced), four students (one ambiguous, one with no close account,
 * one to leave out, one plain), a relative whose account only a search finds, and staff */
static const char wizard_export[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<ExportIdentifiants xmlns=\"http://www.index-education.com/exportidentifiants\""
  " UAI=\"0312609T\" NomEtablissement=\"Collège Sciences &amp; Lettres\""
  " DateExport=\"2026-09-01\" Logiciel=\"PRONOTE 2026\">\n"
  "  <Professeurs>\n"
  "    <Professeur Ident=\"2\" Nom=\"MARTIN\" Prenom=\"Claire\" DateNaissance=\"1980-04-02\""
  " IDPN=\"KVX8NTH4DPQ3SYU7\"/>\n"
  "    <Professeur Ident=\"3\" Nom=\"NGUYEN\" Prenom=\"Paul\" DateNaissance=\"1975-11-30\""
  " IDPN=\"3HZ7QWERT5ABCD9K\"/>\n"
  "  </Professeurs>\n"
  "  <Eleves>\n"
  "    <Eleve Ident=\"1\" Nom=\"ELAPHE\" Prenom=\"Aïssa\" DateNaissance=\"2012-01-10\""
  " IDPN=\"HUP2NFZQRYAD7EXS\">\n"
  "      <Responsable Ident=\"14001\" RespLegal=\"1\" Nom=\"ELAPHE\" Prenom=\"Karim\""
  " Civilite=\"M.\" IDPN=\"DK4BZJEQWCHP98RS\"/>\n"
  "    </Eleve>\n"
  "    <Eleve Ident=\"4\" Nom=\"ELAPHE\" Prenom=\"Nour\" DateNaissance=\"2014-06-21\""
  " IDPN=\"M7RTX2KQ9HBWEZ3A\"/>\n"
  "    <Eleve Ident=\"5\" Nom=\"DURAND\" Prenom=\"Léa\" DateNaissance=\"2011-02-03\""
  " IDPN=\"Z9KXW4P7QRT2HMNE\"/>\n"
  "    <Eleve Ident=\"6\" Nom=\"MOREL\" Prenom=\"Tom\" DateNaissance=\"2011-05-05\""
  " IDPN=\"B7TQ2WXZ8KNR4HME\"/>\n"
  "  </Eleves>\n"
  "  <Personnels>\n"
  "    <Personnel Ident=\"9\" Nom=\"GARCIA LOPEZ\" Prenom=\"Inès\" IDPN=\"H5XW2KQ8ZNRT3MJE\"/>\n"
  "  </Personnels>\n"
  "</ExportIdentifiants>\n";

#define ID_MARTIN "KVX8NTH4DPQ3SYU7"
#define ID_NGUYEN "3HZ7QWERT5ABCD9K"
#define ID_AISSA  "HUP2NFZQRYAD7EXS"
#define ID_KARIM  "DK4BZJEQWCHP98RS"
#define ID_NOUR   "M7RTX2KQ9HBWEZ3A"
#define ID_DURAND "Z9KXW4P7QRT2HMNE"
#define ID_MOREL  "B7TQ2WXZ8KNR4HME"
#define ID_GARCIA "H5XW2KQ8ZNRT3MJE"

/* ---- the SCIM test server's seed (the server itself: gui-test-utils.h) ---- */

static void
add_user (GString    *seed,
          const char *id,
          const char *login,
          const char *family,
          const char *given,
          const char *type,
          const char *birth,
          const char *structure,
          const char *pronote_uai,
          const char *pronote_id,
          const char *child)
{
  if (seed->len > 1)
    g_string_append_c (seed, ',');
  g_string_append_printf (seed,
                          "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\",\"%s\"],"
                          "\"id\":\"%s\",\"userName\":\"%s\","
                          "\"name\":{\"familyName\":\"%s\",\"givenName\":\"%s\"},"
                          "\"userType\":\"%s\",\"active\":true,\"%s\":{\"structures\":[\"%s\"]",
                          EXT_URN, id, login, family, given, type, EXT_URN, structure);
  if (birth != NULL)
    g_string_append_printf (seed, ",\"birthDate\":\"%s\"", birth);
  if (pronote_id != NULL)
    g_string_append_printf (seed, ",\"pronoteIds\":[{\"uai\":\"%s\",\"value\":\"%s\"}]",
                            pronote_uai, pronote_id);
  if (child != NULL)
    g_string_append_printf (seed, ",\"children\":[{\"value\":\"%s\"}]", child);
  g_string_append (seed, "}}");
}

/* The establishment's accounts; @conflict adds, in another establishment, an account that
 * already holds MARTIN's identifier for this one (the server refuses to write it twice) */
static char *
make_seed (gboolean conflict)
{
  GString *seed = g_string_new ("[");

  add_user (seed, "t-martin", "claire.martin", "Martin", "Claire", "Enseignant", "1980-04-02",
            UAI, NULL, NULL, NULL);
  add_user (seed, "t-nguyen", "paul.nguyen", "Nguyen", "Paul", "Enseignant", "1975-11-30",
            UAI, UAI, "OLDPAULID2345678", NULL);
  add_user (seed, "s-aissa-1", "aissa.elaphe", "Elaphe", "Aissa", "Eleve", "2012-01-10",
            UAI, NULL, NULL, NULL);
  add_user (seed, "s-aissa-2", "aissa.elaphe2", "Elaphe", "Aïssa", "Eleve", "2012-01-10",
            UAI, NULL, NULL, NULL);
  add_user (seed, "s-kaddour", "noura.kaddour", "Kaddour", "Noura", "Eleve", "2014-07-12",
            UAI, NULL, NULL, NULL);
  add_user (seed, "s-durand", "lea.durand", "Durand", "Lea", "Eleve", "2011-02-03",
            UAI, NULL, NULL, NULL);
  add_user (seed, "s-morel", "tom.morel", "Morel", "Tom", "Eleve", "2011-05-05",
            UAI, NULL, NULL, NULL);
  add_user (seed, "s-old", "jules.ancien", "Ancien", "Jules", "Eleve", "2009-01-01",
            UAI, UAI, "ZZZZ9999YYYY8888", NULL);
  add_user (seed, "r-karim", "karim.elaphe", "Elaphe", "Karim", "Responsable", NULL,
            UAI, NULL, NULL, "s-aissa-1");
  add_user (seed, "p-garcia", "ines.garcia", "Garcia Lopez", "Ines", "Personnel", "1970-01-01",
            UAI, NULL, NULL, NULL);
  if (conflict)
    add_user (seed, "x-other", "claire.martin2", "Martin", "Claire", "Enseignant", "1980-04-02",
              "0750001A", UAI, ID_MARTIN, NULL);
  g_string_append (seed, "]");

  return g_string_free (seed, FALSE);
}

/* NULL (the test is skipped) when Node or the server's modules are missing */
static Server *
server_start (gboolean    conflict,
              guint       write_delay_ms)
{
  g_autofree char *seed = make_seed (conflict);

  return server_start_with_seed ("jn-wizard-scim-XXXXXX", seed, write_delay_ms);
}

/* Every write of the plan is on the server: the records' identifiers on their accounts, the
 * identifiers complete mode removes gone; a record not imported wrote nothing */
static void
assert_server_matches_plan (Server          *server,
                            JnImportSession *session)
{
  JnPlan *plan = jn_import_session_get_plan (session);

  g_assert_nonnull (plan);
  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    {
      GListModel *items = jn_plan_get_items (plan, c);
      GListModel *clears = jn_plan_get_clears (plan, c);

      for (guint i = 0; i < g_list_model_get_n_items (items); i++)
        {
          g_autoptr(JnPlanItem) item = g_list_model_get_item (items, i);
          JnEntUser *user = jn_plan_item_get_user (item);
          JnPlanAction action = jn_plan_item_get_action (item);

          if (jn_plan_item_get_skipped (item) || user == NULL)
            continue;
          if (action == JN_PLAN_ACTION_SET || action == JN_PLAN_ACTION_REPLACE ||
              action == JN_PLAN_ACTION_UNCHANGED)
            assert_server_holds (server, jn_ent_user_get_id (user),
                                 jn_plan_item_get_pronote_id (item));
        }

      for (guint i = 0; i < g_list_model_get_n_items (clears); i++)
        {
          g_autoptr(JnPlanItem) item = g_list_model_get_item (clears, i);

          assert_server_holds (server, jn_ent_user_get_id (jn_plan_item_get_user (item)), NULL);
        }
    }
}

/* ---- waiting and looking (the rest: gui-test-utils.h) ---- */

static void
wait_until_idle (JnWindow *window)
{
  wait_until (is_idle, window);
}

static GFile *
write_file (const char *name,
            const char *contents)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "exports", NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);

  return g_file_new_for_path (path);
}

static JnStore *
open_store (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "wizard-store", NULL);
  g_autoptr(GError) error = NULL;
  JnStore *store = jn_store_open (dir, &error);

  g_assert_no_error (error);
  return store;
}

/* The window, its pages and its session are all finalized */
static void
destroy_window (JnWindow *window)
{
  JnImportSession *session = jn_window_get_session (window);

  g_assert_false (jn_window_get_busy (window));
  if (session != NULL)
    g_object_add_weak_pointer (G_OBJECT (session), (gpointer *) &session);
  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  flush_main_context ();
  g_assert_finalize_object (window);
  g_assert_null (session);
}

static AdwMessageDialog *
wait_for_dialog (void)
{
  AdwMessageDialog *dialog;

  wait_until (has_dialog, NULL);
  dialog = find_dialog ();
  wait_until (is_mapped, dialog);
  return dialog;
}

/* Answers as a click on the response's button does */
static void
respond (AdwMessageDialog *dialog,
         const char       *response)
{
  g_assert_true (adw_message_dialog_has_response (dialog, response));
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, response));
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static JnSessionRow *
find_row (JnImportSession *session,
          JnCategory       category,
          const char      *pronote_id)
{
  GListModel *rows = jn_import_session_get_rows (session, category);

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(JnSessionRow) row = g_list_model_get_item (rows, i);

      if (g_strcmp0 (jn_session_row_get_pronote_id (row), pronote_id) == 0)
        return row;  /* the model keeps it */
    }

  g_error ("no row for %s", pronote_id);
  return NULL;
}

/* ---- the steps ---- */

static void
open_to_summary (JnWindow *window,
                 GFile    *file)
{
  jn_window_open (window, file);
  g_assert_true (jn_window_get_busy (window));
  g_assert_cmpstr (jn_window_get_page (window), ==, "loading");
  wait_until_idle (window);
  g_assert_cmpstr (jn_window_get_page (window), ==, "summary");
}

static void
summary_to_steps (JnWindow     *window,
                  JnImportMode  mode,
                  gboolean      screenshots)
{
  activate (window, "win.continue");
  g_assert_cmpstr (jn_window_get_page (window), ==, "mode");
  if (screenshots)
    save_screenshot (GTK_WIDGET (window), "mode");

  jn_mode_page_set_mode (template_child (window, "mode_page"), mode);

  activate (window, "win.match");
  wait_until_idle (window);
  g_assert_cmpstr (jn_window_get_page (window), ==, "steps");
  g_assert_cmpint (jn_import_session_get_mode (jn_window_get_session (window)), ==, mode);
}

static gboolean
push_under_way (gpointer data)
{
  JnWindow *window = data;
  JnImportSession *session = jn_window_get_session (window);

  const char *text = jn_import_session_get_progress_text (session);
  double progress = jn_import_session_get_progress (session);
  const char *label = jn_category_get_label (
    jn_import_session_step_category (jn_import_session_get_current_step (session)));

  /* Some writes of this step done, not all */
  return !jn_window_get_busy (window) ||
         (text != NULL && g_str_has_prefix (text, label) && progress > 0 && progress < 1);
}

/* Validates the current step through its dialog (confirming replacements and removals) */
static void
validate_step (JnWindow *window,
               gboolean  screenshot_confirm,
               gboolean  screenshot_push)
{
  JnImportSession *session = jn_window_get_session (window);
  guint step = jn_import_session_get_current_step (session);
  JnStepCounts counts = { 0 };
  AdwMessageDialog *dialog;
  GtkWidget *check;

  jn_import_session_get_counts (session, jn_import_session_step_category (step), &counts);

  activate (window, "win.validate-step");
  dialog = wait_for_dialog ();
  check = find_named (GTK_WIDGET (dialog), "confirm-check");
  if (counts.n_replace > 0 || counts.n_clear > 0)
    {
      /* Replacing or removing needs the explicit confirmation */
      g_assert_nonnull (check);
      g_assert_false (adw_message_dialog_get_response_enabled (dialog, "validate"));
      if (screenshot_confirm)
        {
          GtkWidget *expander = find_named (GTK_WIDGET (dialog), "changes-expander");
          GtkWidget *list;
          guint n_lines = 0;

          /* The list on demand: one line per identifier set, replaced or removed */
          g_assert_nonnull (expander);
          gtk_expander_set_expanded (GTK_EXPANDER (expander), TRUE);
          list = find_named (GTK_WIDGET (dialog), "changes-list");
          g_assert_nonnull (list);
          for (GtkWidget *line = gtk_widget_get_first_child (list); line != NULL;
               line = gtk_widget_get_next_sibling (line))
            n_lines++;
          g_assert_cmpuint (n_lines, ==, counts.n_set + counts.n_replace + counts.n_clear);
        }
      if (screenshot_confirm)
        save_screenshot_with_dialog (GTK_WIDGET (window), GTK_WIDGET (dialog),
                                     "validate-confirm");
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
    }
  else
    g_assert_null (check);

  respond (dialog, "validate");
  g_assert_true (jn_window_get_busy (window));

  if (screenshot_push)
    {
      wait_until (push_under_way, window);
      if (jn_window_get_busy (window))
        save_screenshot (GTK_WIDGET (window), "push-progress");
    }

  wait_until_idle (window);
  g_assert_true (jn_import_session_get_step_validated (session, step));
}

/* The admin's three kinds of decision, on the students' step */
static void
decide_students (JnImportSession *session)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) suggestions = NULL;
  g_autoptr(GPtrArray) found = NULL;
  JnSessionRow *aissa = find_row (session, JN_CATEGORY_STUDENT, ID_AISSA);
  JnSessionRow *nour = find_row (session, JN_CATEGORY_STUDENT, ID_NOUR);
  JnSessionRow *morel = find_row (session, JN_CATEGORY_STUDENT, ID_MOREL);
  JnSessionSuggestion *chosen = NULL;

  g_assert_cmpint (jn_session_row_get_status (aissa), ==, JN_ROW_STATUS_AMBIGUOUS);
  g_assert_cmpint (jn_session_row_get_status (nour), ==, JN_ROW_STATUS_UNMATCHED);
  g_assert_cmpint (jn_session_row_get_status (morel), ==, JN_ROW_STATUS_MATCHED);

  /* 1. From a suggestion: the second homonym, not the first */
  suggestions = jn_import_session_suggest (session, aissa, 5);
  for (guint i = 0; i < suggestions->len; i++)
    {
      JnSessionSuggestion *suggestion = g_ptr_array_index (suggestions, i);

      if (g_strcmp0 (jn_ent_user_get_id (suggestion->user), "s-aissa-2") == 0)
        chosen = suggestion;
    }
  g_assert_nonnull (chosen);
  g_assert_nonnull (chosen->reasons);
  g_assert_cmpstr (chosen->reasons, !=, "");
  jn_import_session_decide (session, aissa, chosen->user, &error);
  g_assert_no_error (error);
  g_assert_cmpint (jn_session_row_get_status (aissa), ==, JN_ROW_STATUS_MATCHED);
  g_assert_true (jn_session_row_get_manual (aissa));

  /* 2. From "Browse Directory…": nothing close, found by name */
  found = jn_import_session_search_directory (session, JN_CATEGORY_STUDENT, "kaddour", 10);
  g_assert_cmpuint (found->len, >=, 1);
  chosen = g_ptr_array_index (found, 0);
  g_assert_cmpstr (jn_ent_user_get_id (chosen->user), ==, "s-kaddour");
  jn_import_session_decide (session, nour, chosen->user, &error);
  g_assert_no_error (error);
  g_assert_cmpint (jn_session_row_get_status (nour), ==, JN_ROW_STATUS_MATCHED);

  /* 3. "Don't Import" */
  jn_import_session_skip (session, morel, &error);
  g_assert_no_error (error);
  g_assert_cmpint (jn_session_row_get_status (morel), ==, JN_ROW_STATUS_NOT_IMPORTED);
}

static JnBrowseDialog *
find_browse_dialog (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (JN_IS_BROWSE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;

  return NULL;
}

static gboolean
has_browse_dialog (gpointer data)
{
  return find_browse_dialog () != NULL;
}

static gboolean
browse_has_results (gpointer data)
{
  GPtrArray *results = jn_browse_dialog_get_results (data);

  return results != NULL && results->len > 0;
}

static gboolean
browse_is_gone (gpointer data)
{
  return find_browse_dialog () == NULL;
}

/* The same three decisions, made as the admin makes them on the students' page: Enter on
 * the first suggestion in the match panel, "Browse Directory…" and a search, "Don't
 * Import". Returns the ENT id of the suggestion taken. */
static char *
decide_students_in_window (JnWindow *window)
{
  JnImportSession *session = jn_window_get_session (window);
  GtkStack *steps = template_child (window, "steps_stack");
  JnStepPage *page = JN_STEP_PAGE (gtk_stack_get_visible_child (steps));
  JnMatchPanel *panel = JN_MATCH_PANEL (jn_step_page_get_match_panel (page));
  JnSessionRow *aissa = find_row (session, JN_CATEGORY_STUDENT, ID_AISSA);
  JnSessionRow *nour = find_row (session, JN_CATEGORY_STUDENT, ID_NOUR);
  JnSessionRow *morel = find_row (session, JN_CATEGORY_STUDENT, ID_MOREL);
  GPtrArray *suggestions;
  JnBrowseDialog *browse;
  char *chosen_id;

  g_assert_cmpint (jn_step_page_get_category (page), ==, JN_CATEGORY_STUDENT);
  g_assert_cmpint (jn_session_row_get_status (aissa), ==, JN_ROW_STATUS_AMBIGUOUS);
  g_assert_cmpint (jn_session_row_get_status (nour), ==, JN_ROW_STATUS_UNMATCHED);
  g_assert_cmpint (jn_session_row_get_status (morel), ==, JN_ROW_STATUS_MATCHED);

  /* 1. The first suggestion, with its reasons (Enter in the panel) */
  g_assert_true (jn_step_page_select_row (page, aissa));
  suggestions = jn_match_panel_get_suggestions (panel);
  g_assert_nonnull (suggestions);
  g_assert_cmpuint (suggestions->len, >=, 2);
  chosen_id = g_strdup (jn_ent_user_get_id (((JnSessionSuggestion *)
                                               g_ptr_array_index (suggestions, 0))->user));
  g_assert_true (g_str_has_prefix (chosen_id, "s-aissa-"));
  g_assert_true (jn_match_panel_accept_first_suggestion (panel));
  g_assert_cmpint (jn_session_row_get_status (aissa), ==, JN_ROW_STATUS_MATCHED);
  g_assert_true (jn_session_row_get_manual (aissa));

  /* 2. "Browse Directory…", a search, Enter on the first account found */
  g_assert_true (jn_step_page_select_row (page, nour));
  g_signal_emit_by_name (gtk_widget_get_template_child (GTK_WIDGET (panel), JN_TYPE_MATCH_PANEL,
                                                        "browse_button"), "clicked");
  wait_until (has_browse_dialog, NULL);
  browse = find_browse_dialog ();
  jn_browse_dialog_search (browse, "kaddour");
  wait_until (browse_has_results, browse);
  g_assert_cmpstr (jn_ent_user_get_id (((JnSessionSuggestion *)
                                          g_ptr_array_index (jn_browse_dialog_get_results (browse),
                                                             0))->user), ==, "s-kaddour");
  g_signal_emit_by_name (gtk_widget_get_template_child (GTK_WIDGET (browse), JN_TYPE_BROWSE_DIALOG,
                                                        "search_entry"), "activate");
  wait_until (browse_is_gone, NULL);
  g_assert_cmpint (jn_session_row_get_status (nour), ==, JN_ROW_STATUS_MATCHED);

  /* 3. "Don't Import" */
  g_assert_true (jn_step_page_select_row (page, morel));
  g_signal_emit_by_name (gtk_widget_get_template_child (GTK_WIDGET (panel), JN_TYPE_MATCH_PANEL,
                                                        "skip_button"), "clicked");
  g_assert_cmpint (jn_session_row_get_status (morel), ==, JN_ROW_STATUS_NOT_IMPORTED);

  return chosen_id;
}

static void
assert_decided_state (Server     *server,
                      const char *aissa_id)
{
  const char *other_aissa = g_str_equal (aissa_id, "s-aissa-1") ? "s-aissa-2" : "s-aissa-1";

  assert_server_holds (server, "t-martin", ID_MARTIN);
  assert_server_holds (server, "t-nguyen", ID_NGUYEN);      /* replaced */
  assert_server_holds (server, other_aissa, NULL);
  assert_server_holds (server, aissa_id, ID_AISSA);         /* from a suggestion */
  assert_server_holds (server, "s-kaddour", ID_NOUR);       /* from the directory */
  assert_server_holds (server, "s-durand", ID_DURAND);
  assert_server_holds (server, "s-morel", NULL);            /* not imported */
  assert_server_holds (server, "s-old", NULL);              /* removed: complete mode */
  assert_server_holds (server, "p-garcia", ID_GARCIA);
}

/* ---- tests ---- */

static void
test_welcome (void)
{
  g_autoptr(JnStore) store = open_store ();
  JnWindow *window = create_window (store, NULL);

  g_assert_cmpstr (jn_window_get_page (window), ==, "welcome");
  g_assert_null (jn_welcome_page_get_interrupted_text (template_child (window, "welcome_page")));
  save_screenshot (GTK_WIDGET (window), "welcome");

  destroy_window (window);
  reset_settings ();
}

static void
test_offline (void)
{
  g_autoptr(JnStore) store = open_store ();
  g_autoptr(GFile) file = write_file ("offline.xml", wizard_export);
  JnWindow *window = create_window (store, NULL);

  /* No ENT in the preferences: the file still shows, then the offline state */
  open_to_summary (window, file);
  activate (window, "win.continue");
  g_assert_cmpstr (jn_window_get_page (window), ==, "offline");

  destroy_window (window);
  reset_settings ();
}

/* A directory snapshot: the seed's accounts as one SCIM ListResponse */
static char *
snapshot_listing (const char *resources,
                  guint       n)
{
  return g_strdup_printf ("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:ListResponse\"],"
                          "\"totalResults\":%u,\"Resources\":%s}", n, resources);
}

/* Working offline from the settings: the snapshot is opened beside the file's reading (the
 * ENT opened ahead), read once; a second file given while the first is read supersedes it;
 * a snapshot changed in the settings is the one the next file reads */
static void
test_offline_snapshot (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(JnStore) store = open_store ();
  g_autoptr(GFile) file = write_file ("ahead.xml", wizard_export);
  g_autofree char *seed = make_seed (FALSE);
  g_autofree char *listing = snapshot_listing (seed, 10);
  g_autoptr(GFile) snapshot = write_file ("snapshot.json", listing);
  g_autofree char *path = g_file_get_path (snapshot);
  g_autoptr(GFile) smaller = NULL;
  g_autofree char *smaller_path = NULL;
  g_autoptr(GString) cut = g_string_new (seed);
  JnWindow *window;

  g_settings_set_string (settings, "connection-kind", "offline");
  g_settings_set_string (settings, "offline-snapshot", path);
  g_settings_set_string (settings, "uai", UAI);
  window = create_window (store, NULL);

  open_to_summary (window, file);
  g_assert_nonnull (jn_window_get_ent (window));
  g_assert_cmpuint (jn_directory_get_n_users (
    jn_import_session_get_directory (jn_window_get_session (window))), ==, 10);

  /* Another snapshot in the settings (the last account left out): the next file reads it,
   * the second of two files given at once */
  {
    const char *garcia = strstr (cut->str, "\"id\":\"p-garcia\"");

    g_assert_nonnull (garcia);
    g_string_truncate (cut, g_strrstr_len (cut->str, garcia - cut->str, ",{") - cut->str);
  }
  g_string_append (cut, "]");
  {
    g_autofree char *text = snapshot_listing (cut->str, 9);

    smaller = write_file ("smaller.json", text);
  }
  smaller_path = g_file_get_path (smaller);
  g_settings_set_string (settings, "offline-snapshot", smaller_path);
  g_assert_null (jn_window_get_ent (window));
  jn_window_open (window, file);
  jn_window_open (window, file);
  wait_until_idle (window);
  g_assert_cmpstr (jn_window_get_page (window), ==, "summary");
  g_assert_cmpuint (jn_directory_get_n_users (
    jn_import_session_get_directory (jn_window_get_session (window))), ==, 9);

  destroy_window (window);
  reset_settings ();
}

static void
test_complete_flow (void)
{
  Server *server = server_start (FALSE, 250);
  g_autoptr(JnStore) store = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *aissa_id = NULL;
  JnImportSession *session;
  JnWindow *window;

  if (server == NULL)
    return;

  store = open_store ();
  file = write_file ("Edt_To_Jonction_0312609T.xml", wizard_export);
  window = create_window (store, server->ent);

  open_to_summary (window, file);
  /* What the directory holds, on the file page */
  g_assert_cmpstr (jn_summary_page_get_directory_text (template_child (window, "summary_page")),
                   ==, "10 ENT accounts for 0312609T");
  save_screenshot (GTK_WIDGET (window), "file");
  summary_to_steps (window, JN_IMPORT_MODE_COMPLETE, TRUE);
  session = jn_window_get_session (window);

  for (guint step = 0; step < JN_N_STEPS; step++)
    {
      JnCategory category = jn_import_session_step_category (step);

      g_assert_cmpuint (jn_import_session_get_current_step (session), ==, step);
      if (category == JN_CATEGORY_STUDENT)
        aissa_id = decide_students_in_window (window);
      /* The students' step removes an identifier: its confirmation and push are shown */
      validate_step (window, category == JN_CATEGORY_STUDENT, category == JN_CATEGORY_STUDENT);
    }

  g_assert_cmpint (jn_import_session_get_state (session), ==, JN_SESSION_STATE_FINISHED);
  g_assert_cmpstr (jn_window_get_page (window), ==, "report");
  g_assert_cmpuint (g_list_model_get_n_items (jn_import_session_get_failures (session)), ==, 0);
  /* MARTIN, NGUYEN (replaced), Aïssa, Nour, DURAND, GARCIA LOPEZ; the old student's removed */
  g_assert_cmpstr (jn_report_page_get_headline (template_child (window, "report_page")), ==,
                   "6 PRONOTE identifiers imported · 1 removed");
  save_screenshot (GTK_WIDGET (window), "summary");

  assert_server_matches_plan (server, session);
  assert_decided_state (server, aissa_id);

  /* Back to the start: nothing left to resume */
  activate (window, "win.back-to-start");
  g_assert_cmpstr (jn_window_get_page (window), ==, "welcome");
  g_assert_null (jn_welcome_page_get_interrupted_text (template_child (window, "welcome_page")));
  g_assert_nonnull (strstr (jn_welcome_page_get_last_import_text (template_child (window,
                                                                                  "welcome_page")),
                            "in Complete mode — 6 identifiers imported"));

  destroy_window (window);
  server_stop (server);
  reset_settings ();
}

static void
test_interrupt_resume (void)
{
  Server *server = server_start (FALSE, 0);
  g_autoptr(JnStore) store = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  JnImportSession *session;
  JnSessionRow *karim;
  JnWindow *window;
  guint step;

  if (server == NULL)
    return;

  store = open_store ();
  file = write_file ("interrupted.xml", wizard_export);
  window = create_window (store, server->ent);

  open_to_summary (window, file);
  summary_to_steps (window, JN_IMPORT_MODE_COMPLETE, FALSE);
  session = jn_window_get_session (window);

  /* Steps 1 and 2 validated (the students' decisions with them) */
  for (step = 0; step < 2; step++)
    {
      if (jn_import_session_step_category (step) == JN_CATEGORY_STUDENT)
        decide_students (session);
      validate_step (window, FALSE, FALSE);
    }
  g_assert_cmpuint (jn_import_session_get_current_step (session), ==, 2);

  /* Step 3: a decision not validated yet, then "Interrupt" */
  if (jn_import_session_step_category (2) == JN_CATEGORY_RELATIVE)
    {
      karim = find_row (session, JN_CATEGORY_RELATIVE, ID_KARIM);
      found = jn_import_session_search_directory (session, JN_CATEGORY_RELATIVE, "elaphe k", 10);
      g_assert_cmpuint (found->len, >=, 1);
      jn_import_session_decide (session, karim,
                                ((JnSessionSuggestion *) g_ptr_array_index (found, 0))->user,
                                &error);
      g_assert_no_error (error);
    }
  activate (window, "win.interrupt");
  respond (wait_for_dialog (), "interrupt");
  g_assert_cmpstr (jn_window_get_page (window), ==, "welcome");
  g_assert_nonnull (jn_welcome_page_get_interrupted_text (template_child (window, "welcome_page")));
  destroy_window (window);

  /* A restart: a new window on the same journal offers to resume */
  window = create_window (store, server->ent);
  g_assert_cmpstr (jn_window_get_page (window), ==, "welcome");
  g_assert_nonnull (jn_welcome_page_get_interrupted_text (template_child (window, "welcome_page")));
  save_screenshot (GTK_WIDGET (window), "resume");

  activate (window, "win.resume");
  wait_until_idle (window);
  g_assert_cmpstr (jn_window_get_page (window), ==, "steps");
  session = jn_window_get_session (window);
  g_assert_cmpuint (jn_import_session_get_current_step (session), ==, 2);
  g_assert_true (jn_import_session_get_step_validated (session, 0));
  g_assert_true (jn_import_session_get_step_validated (session, 1));
  g_assert_cmpint (jn_import_session_get_mode (session), ==, JN_IMPORT_MODE_COMPLETE);

  /* The same decisions, the one of the step not validated included */
  g_assert_true (jn_session_row_get_manual (find_row (session, JN_CATEGORY_STUDENT, ID_AISSA)));
  g_assert_cmpint (jn_session_row_get_status (find_row (session, JN_CATEGORY_STUDENT, ID_MOREL)),
                   ==, JN_ROW_STATUS_NOT_IMPORTED);
  if (jn_import_session_step_category (2) == JN_CATEGORY_RELATIVE)
    g_assert_cmpint (jn_session_row_get_status (find_row (session, JN_CATEGORY_RELATIVE, ID_KARIM)),
                     ==, JN_ROW_STATUS_MATCHED);

  /* Alt+← shows a validated step again, Alt+→ comes back; not past the first step to
   * validate */
  activate (window, "win.previous-step");
  g_assert_cmpuint (jn_import_session_get_current_step (session), ==, 1);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (template_child (window, "steps_stack")), ==,
                   "step-1");
  g_assert_cmpstr (adw_window_title_get_title (template_child (window, "window_title")), ==,
                   "Step 2/6: Students");
  g_assert_false (gtk_widget_get_sensitive (template_child (window, "validate_button")));
  activate (window, "win.next-step");
  g_assert_cmpuint (jn_import_session_get_current_step (session), ==, 2);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.next-step", NULL);
  g_assert_cmpuint (jn_import_session_get_current_step (session), ==, 2);

  for (step = 2; step < JN_N_STEPS; step++)
    validate_step (window, FALSE, FALSE);

  g_assert_cmpstr (jn_window_get_page (window), ==, "report");
  assert_server_matches_plan (server, session);
  assert_decided_state (server, "s-aissa-2");
  if (jn_import_session_step_category (2) == JN_CATEGORY_RELATIVE)
    assert_server_holds (server, "r-karim", ID_KARIM);

  activate (window, "win.back-to-start");
  g_assert_null (jn_welcome_page_get_interrupted_text (template_child (window, "welcome_page")));

  destroy_window (window);
  server_stop (server);
  reset_settings ();
}

/* The window goes without "Interrupt" (as in a crash): the next one offers to resume */
static void
test_resume_after_close (void)
{
  Server *server = server_start (FALSE, 0);
  g_autoptr(JnStore) store = NULL;
  g_autoptr(GFile) file = NULL;
  JnImportSession *session;
  JnWindow *window;

  if (server == NULL)
    return;

  store = open_store ();
  file = write_file ("Edt_Closed.xml", wizard_export);
  window = create_window (store, server->ent);
  open_to_summary (window, file);
  summary_to_steps (window, JN_IMPORT_MODE_PARTIAL, FALSE);
  validate_step (window, FALSE, FALSE);
  destroy_window (window);

  window = create_window (store, server->ent);
  g_assert_nonnull (strstr (jn_welcome_page_get_interrupted_text (template_child (window,
                                                                                  "welcome_page")),
                            "Edt_Closed.xml"));
  activate (window, "win.resume");
  wait_until_idle (window);
  g_assert_cmpstr (jn_window_get_page (window), ==, "steps");
  session = jn_window_get_session (window);
  g_assert_cmpuint (jn_import_session_get_current_step (session), ==, 1);
  g_assert_cmpint (jn_import_session_get_mode (session), ==, JN_IMPORT_MODE_PARTIAL);

  destroy_window (window);
  server_stop (server);
  reset_settings ();
}

/* "Validate Step", the confirmation ticked, "Validate": the step's writes begin */
static void
start_confirmed_push (JnWindow *window)
{
  AdwMessageDialog *dialog;

  activate (window, "win.validate-step");
  dialog = wait_for_dialog ();
  gtk_check_button_set_active (GTK_CHECK_BUTTON (find_named (GTK_WIDGET (dialog),
                                                             "confirm-check")), TRUE);
  respond (dialog, "validate");
}

/* Cancel during a step's writes: the step stays to validate, and validating it again
 * finishes it */
static void
test_cancel_push (void)
{
  Server *server = server_start (FALSE, 400);
  g_autoptr(JnStore) store = NULL;
  g_autoptr(GFile) file = NULL;
  JnImportSession *session;
  AdwMessageDialog *dialog;
  JnWindow *window;

  if (server == NULL)
    return;

  store = open_store ();
  file = write_file ("cancelled.xml", wizard_export);
  window = create_window (store, server->ent);
  open_to_summary (window, file);
  summary_to_steps (window, JN_IMPORT_MODE_COMPLETE, FALSE);
  session = jn_window_get_session (window);

  /* The teachers' step: two writes of 400 ms; Escape (Cancel) during the first */
  start_confirmed_push (window);
  g_assert_true (jn_window_get_busy (window));
  g_assert_true (gtk_widget_get_visible (template_child (window, "push_box")));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel-load", NULL));
  wait_until_idle (window);

  g_assert_false (gtk_widget_get_visible (template_child (window, "push_box")));
  g_assert_cmpstr (jn_window_get_page (window), ==, "steps");
  g_assert_cmpint (jn_import_session_get_state (session), ==, JN_SESSION_STATE_STEPS);
  g_assert_cmpuint (jn_import_session_get_current_step (session), ==, 0);
  g_assert_false (jn_import_session_get_step_validated (session, 0));

  validate_step (window, FALSE, FALSE);
  g_assert_cmpuint (jn_import_session_get_current_step (session), ==, 1);
  assert_server_holds (server, "t-martin", ID_MARTIN);
  assert_server_holds (server, "t-nguyen", ID_NGUYEN);

  /* Closing the window during the writes asks first; "Keep Writing" lets them finish */
  start_confirmed_push (window);
  g_assert_true (jn_window_get_busy (window));
  gtk_window_close (GTK_WINDOW (window));
  dialog = wait_for_dialog ();
  g_assert_true (adw_message_dialog_has_response (dialog, "stop"));
  respond (dialog, "cancel");
  wait_until_idle (window);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_true (jn_import_session_get_step_validated (session, 1));

  destroy_window (window);
  server_stop (server);
  reset_settings ();
}

static void
test_discard (void)
{
  Server *server = server_start (FALSE, 0);
  g_autoptr(JnStore) store = NULL;
  g_autoptr(GFile) file = NULL;
  AdwMessageDialog *dialog;
  JnWindow *window;

  if (server == NULL)
    return;

  store = open_store ();
  file = write_file ("discarded.xml", wizard_export);
  window = create_window (store, server->ent);

  open_to_summary (window, file);
  summary_to_steps (window, JN_IMPORT_MODE_PARTIAL, FALSE);
  validate_step (window, FALSE, FALSE);
  activate (window, "win.interrupt");
  respond (wait_for_dialog (), "interrupt");
  g_assert_nonnull (jn_welcome_page_get_interrupted_text (template_child (window, "welcome_page")));

  /* Discarding asks first; "Cancel" keeps the offer */
  activate (window, "win.discard");
  respond (wait_for_dialog (), "cancel");
  g_assert_nonnull (jn_welcome_page_get_interrupted_text (template_child (window, "welcome_page")));

  activate (window, "win.discard");
  dialog = wait_for_dialog ();
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "discard"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  respond (dialog, "discard");
  g_assert_null (jn_welcome_page_get_interrupted_text (template_child (window, "welcome_page")));

  destroy_window (window);
  server_stop (server);
  reset_settings ();
}

static void
test_broken_file (void)
{
  g_autoptr(JnStore) store = open_store ();
  g_autofree char *truncated = g_strndup (wizard_export, 700);
  g_autoptr(GFile) file = write_file ("Broken_Export.xml", truncated);
  JnWindow *window = create_window (store, NULL);
  JnErrorPage *error_page = template_child (window, "error_page");
  const GError *error;

  jn_window_open (window, file);
  wait_until_idle (window);

  g_assert_cmpstr (jn_window_get_page (window), ==, "error");
  error = jn_error_page_get_error (error_page);
  g_assert_nonnull (error);
  /* The file and the reason are named */
  g_assert_nonnull (strstr (error->message, "Broken_Export.xml"));
  save_screenshot (GTK_WIDGET (window), "error");

  destroy_window (window);
  reset_settings ();
}

static void
count_notify (guint *count)
{
  (*count)++;
}

/* The ENT does not answer: the error says so and offers to try again */
static void
test_ent_unreachable (void)
{
  g_autoptr(JnStore) store = open_store ();
  g_autoptr(GFile) file = write_file ("unreachable.xml", wizard_export);
  g_autoptr(GError) error = NULL;
  g_autoptr(JnScimClient) client = jn_scim_client_new ("http://127.0.0.1:9/scim/v2", TOKEN, NULL,
                                                       &error);
  JnWindow *window;
  JnErrorPage *error_page;
  guint errors_set = 0;

  g_assert_no_error (error);
  jn_scim_client_set_retries (client, 1, 10);
  window = create_window (store, JN_ENT (client));
  error_page = template_child (window, "error_page");

  jn_window_open (window, file);
  wait_until_idle (window);
  g_assert_cmpstr (jn_window_get_page (window), ==, "error");
  g_assert_cmpstr (jn_error_page_get_title (error_page), ==, "Could Not Read the ENT Directory");
  g_assert_nonnull (jn_error_page_get_error (error_page));

  /* "Try Again" reads the directory again, and fails the same way. Count the
   * errors set on the page: comparing the old and new GError pointers is
   * wrong, as the allocator may hand the freed address out again. */
  g_signal_connect_swapped (error_page, "notify::error", G_CALLBACK (count_notify), &errors_set);
  activate (window, "win.read-directory");
  wait_until_idle (window);
  g_assert_cmpstr (jn_window_get_page (window), ==, "error");
  g_assert_nonnull (jn_error_page_get_error (error_page));
  g_assert_cmpuint (errors_set, >=, 1);
  g_assert_cmpstr (jn_error_page_get_title (error_page), ==, "Could Not Read the ENT Directory");
  g_signal_handlers_disconnect_by_data (error_page, &errors_set);
  save_screenshot (GTK_WIDGET (window), "error-ent");

  destroy_window (window);
  reset_settings ();
}

static void
test_uai_mismatch (void)
{
  Server *server = server_start (FALSE, 0);
  g_autoptr(JnStore) store = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GSettings) settings = NULL;
  AdwMessageDialog *dialog;
  JnWindow *window;

  if (server == NULL)
    return;

  settings = g_settings_new (APP_ID);
  g_settings_set_string (settings, "uai", "0750001A");
  store = open_store ();
  file = write_file ("other-establishment.xml", wizard_export);
  window = create_window (store, server->ent);

  open_to_summary (window, file);
  g_assert_true (jn_import_session_get_uai_mismatch (jn_window_get_session (window)));
  g_assert_cmpuint (jn_summary_page_get_n_warnings (template_child (window, "summary_page")), >=, 1);

  /* Continue asks first: "Cancel" stays on the file */
  activate (window, "win.continue");
  dialog = wait_for_dialog ();
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "continue"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  respond (dialog, "cancel");
  g_assert_cmpstr (jn_window_get_page (window), ==, "summary");

  /* Confirmed: the file's establishment is read and matched, not the configured one */
  activate (window, "win.continue");
  respond (wait_for_dialog (), "continue");
  g_assert_true (jn_window_get_busy (window));
  wait_until_idle (window);
  g_assert_cmpstr (jn_window_get_page (window), ==, "mode");
  g_assert_cmpstr (jn_import_session_get_uai (jn_window_get_session (window)), ==, UAI);
  activate (window, "win.match");
  wait_until_idle (window);
  g_assert_cmpstr (jn_window_get_page (window), ==, "steps");
  g_assert_cmpstr (jn_plan_get_uai (jn_import_session_get_plan (jn_window_get_session (window))),
                   ==, UAI);
  g_assert_cmpint (jn_session_row_get_status (find_row (jn_window_get_session (window),
                                                        JN_CATEGORY_STUDENT, ID_DURAND)),
                   ==, JN_ROW_STATUS_MATCHED);

  destroy_window (window);
  server_stop (server);
  reset_settings ();
}

static gboolean
has_toast (gpointer data)
{
  return jn_report_page_get_toast_text (data) != NULL;
}

/* "Export Report…" (without its file chooser): the toast, then a CSV whose line for
 * @failed_id says "failed" with the server's @reason, the file 0600 */
static void
check_report_export (JnReportPage *page,
                     const char   *failed_id,
                     const char   *reason)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "reports", NULL);
  g_autofree char *path = g_build_filename (dir, "report.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) parts = g_strsplit (reason, "\"", -1);
  g_autofree char *quoted = g_strjoinv ("\"\"", parts);   /* as RFC 4180 writes it */
  gboolean found = FALSE;
  GStatBuf st;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (gtk_widget_get_template_child (
    GTK_WIDGET (page), JN_TYPE_REPORT_PAGE, "export_button"))));
  jn_report_page_export_to_file (page, file);
  wait_until (has_toast, page);
  g_assert_cmpstr (jn_report_page_get_toast_text (page), ==, "Report saved");

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (contents, "\xEF\xBB\xBF" "category;last_name;first_name;"));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  lines = g_strsplit (contents, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], failed_id) != NULL)
      {
        g_assert_nonnull (strstr (lines[i], ";failed;"));
        if (strstr (lines[i], quoted) == NULL)
          g_error ("%s\nlacks %s", lines[i], quoted);
        found = TRUE;
      }
  g_assert_true (found);
}

static void
test_refused_write (void)
{
  Server *server = server_start (TRUE, 0);
  g_autoptr(JnStore) store = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JnEntUser) other = NULL;
  g_autoptr(JnEntUser) written = NULL;
  g_autoptr(JnSessionRow) failed = NULL;
  JnImportSession *session;
  JnSessionRow *martin;
  GListModel *failures;
  JnWindow *window;

  if (server == NULL)
    return;

  store = open_store ();
  file = write_file ("refused.xml", wizard_export);
  window = create_window (store, server->ent);

  open_to_summary (window, file);
  summary_to_steps (window, JN_IMPORT_MODE_PARTIAL, FALSE);
  session = jn_window_get_session (window);

  for (guint step = 0; step < JN_N_STEPS; step++)
    validate_step (window, FALSE, FALSE);

  /* The server refused MARTIN's identifier (another account holds it): on her row, and in
   * the report with the server's reason */
  martin = find_row (session, JN_CATEGORY_TEACHER, ID_MARTIN);
  g_assert_cmpint (jn_session_row_get_push_state (martin), ==, JN_ROW_PUSH_FAILED);
  g_assert_nonnull (jn_session_row_get_failure (martin));
  g_assert_cmpstr (jn_session_row_get_failure (martin), !=, "");
  g_assert_cmpstr (jn_window_get_page (window), ==, "report");
  failures = jn_import_session_get_failures (session);
  g_assert_cmpuint (g_list_model_get_n_items (failures), ==, 1);
  failed = g_list_model_get_item (failures, 0);
  g_assert_true (failed == martin);
  g_assert_nonnull (strstr (jn_report_page_get_headline (template_child (window, "report_page")),
                            "1 failure"));
  assert_server_holds (server, "t-martin", NULL);
  save_screenshot (GTK_WIDGET (window), "summary-failure");
  check_report_export (template_child (window, "report_page"), ID_MARTIN,
                       jn_session_row_get_failure (martin));
  save_screenshot (GTK_WIDGET (window), "summary-report");

  /* The admin frees the identifier in the ENT, then "Retry" writes it */
  other = jn_ent_read_user (server->ent, "x-other", NULL, &error);
  g_assert_no_error (error);
  written = jn_ent_write_pronote_id (server->ent, other, UAI, NULL, NULL, &error);
  g_assert_no_error (error);

  activate (window, "win.retry-failed");
  wait_until_idle (window);
  g_assert_cmpuint (g_list_model_get_n_items (failures), ==, 0);
  g_assert_cmpint (jn_session_row_get_push_state (martin), ==, JN_ROW_PUSH_DONE);
  assert_server_holds (server, "t-martin", ID_MARTIN);
  assert_server_matches_plan (server, session);

  destroy_window (window);
  server_stop (server);
  reset_settings ();
}

/* The demo's preparation, its file and directory read: the file's page, idle */
static gboolean
is_idle_on_file (gpointer data)
{
  return !jn_window_get_busy (data) && g_strcmp0 (jn_window_get_page (data), "summary") == 0;
}

/* The first run asks where the directory comes from; "Open the Demo" opens the demo's file
 * with a copy of its directory, and the wizard goes on to the steps */
/* The French screenshots the user guide shows (JN_TEST_LOCALEDIR set): a partial import
 * whose one refused write stays on the summary, the report exported, then the start page
 * with the last import */
static void
test_french (void)
{
  Server *server = server_start (TRUE, 0);
  g_autoptr(JnStore) store = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) report = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "reports", NULL);
  g_autofree char *path = g_build_filename (dir, "rapport.csv", NULL);
  JnReportPage *page;
  JnWindow *window;

  if (server == NULL)
    return;

  store = open_store ();
  file = write_file ("francais.xml", wizard_export);
  window = create_window (store, server->ent);

  open_to_summary (window, file);
  summary_to_steps (window, JN_IMPORT_MODE_PARTIAL, FALSE);
  for (guint step = 0; step < JN_N_STEPS; step++)
    validate_step (window, FALSE, FALSE);

  g_assert_cmpstr (jn_window_get_page (window), ==, "report");
  page = template_child (window, "report_page");
  if (strstr (jn_report_page_get_headline (page), "failure") != NULL)
    {
      g_test_skip ("the catalogue has no French for the summary");
      destroy_window (window);
      server_stop (server);
      reset_settings ();
      return;
    }
  g_assert_nonnull (strstr (jn_report_page_get_headline (page), "1 échec"));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  report = g_file_new_for_path (path);
  jn_report_page_export_to_file (page, report);
  wait_until (has_toast, page);
  g_assert_cmpstr (jn_report_page_get_toast_text (page), ==, "Rapport enregistré");
  save_screenshot (GTK_WIDGET (window), "summary-report-fr");

  activate (window, "win.back-to-start");
  wait_until_idle (window);
  g_assert_cmpstr (jn_window_get_page (window), ==, "welcome");
  save_screenshot (GTK_WIDGET (window), "welcome-fr");

  destroy_window (window);
  server_stop (server);
  reset_settings ();
}

static void
test_demo (void)
{
  g_autoptr(JnStore) store = open_store ();
  JnWindow *window = create_window (store, NULL);
  JnImportSession *session;

  g_assert_true (jn_window_needs_connection (window));
  jn_window_show_connection (window);
  g_assert_cmpstr (jn_window_get_page (window), ==, "connection");
  save_screenshot (GTK_WIDGET (window), "connection");

  jn_window_open_demo (window);
  wait_until (is_idle_on_file, window);
  g_assert_cmpstr (jn_window_get_page (window), ==, "summary");
  session = jn_window_get_session (window);
  g_assert_nonnull (jn_import_session_get_directory (session));

  summary_to_steps (window, JN_IMPORT_MODE_COMPLETE, FALSE);
  g_assert_cmpuint (jn_import_session_get_current_step (session), ==, 0);

  destroy_window (window);
  reset_settings ();
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("JN_TEST_LOCALEDIR");

  gui_test_init (&argc, &argv, localedir);

  if (localedir != NULL && *localedir != '\0')
    {
      g_test_add_func ("/wizard/french", test_french);
      return g_test_run ();
    }

  g_test_add_func ("/wizard/welcome", test_welcome);
  g_test_add_func ("/wizard/offline", test_offline);
  g_test_add_func ("/wizard/offline-snapshot", test_offline_snapshot);
  g_test_add_func ("/wizard/complete-flow", test_complete_flow);
  g_test_add_func ("/wizard/interrupt-resume", test_interrupt_resume);
  g_test_add_func ("/wizard/resume-after-close", test_resume_after_close);
  g_test_add_func ("/wizard/cancel-push", test_cancel_push);
  g_test_add_func ("/wizard/discard", test_discard);
  g_test_add_func ("/wizard/broken-file", test_broken_file);
  g_test_add_func ("/wizard/ent-unreachable", test_ent_unreachable);
  g_test_add_func ("/wizard/uai-mismatch", test_uai_mismatch);
  g_test_add_func ("/wizard/refused-write", test_refused_write);
  g_test_add_func ("/wizard/demo", test_demo);

  return g_test_run ();
}
