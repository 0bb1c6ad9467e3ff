/* test-user-edit.c: "Edit a User…" against the SCIM test server, under Xvfb
 *
 * The window's action (as the start page's button and the match panel's call it) opens the
 * editor on the test server's directory; the test searches by name and by PRONOTE
 * identifier, changes a value, meets a refused duplicate (the message names the holder), an
 * unusual value and a replacement to confirm, sees the toast, then reads the server's
 * accounts back and the store's history ("single" imports). With JN_SCREENSHOT_DIR set, the
 * search and the account's page are saved as PNG files; with JN_TEST_LOCALEDIR set (the
 * build tree's catalogues), only the French screenshots are made, in the environment's locale.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <sys/prctl.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "jn-import-session.h"
#include "jn-match-panel.h"
#include "jn-scim-client.h"
#include "jn-user-dialog.h"
#include "jn-user-edit.h"
#include "jn-welcome-page.h"
#include "jn-window.h"

#define WAIT_TIMEOUT_SECONDS 60
#define UAI "0312609T"
#define OTHER_UAI "0750001A"
#define TOKEN "jonction-test-token"
#define EXT_URN "urn:ietf:params:scim:schemas:extension:ent:2.0:User"

#include "gui-test-utils.h"
#include "../journal-edit.h"

#define ID_DURAND "Z9KXW4P7QRT2HMNE"
#define ID_NGUYEN "3HZ7QWERT5ABCD9K"
#define ID_OLD    "ZZZZ9999YYYY8888"
#define ID_PAUL   "KVX8NTH4DPQ3SYU7"
#define ID_OTHER  "M7RTX2KQ9HBWEZ3A"
#define HOSTILE_UAI "0000001Z & <u>"
#define ID_HOSTILE "5NQXW4P7QRT2HMNE"

static void
add_user (GString    *seed,
          const char *id,
          const char *family,
          const char *given,
          const char *type,
          const char *birth,
          const char *structures,   /* "A","B" */
          const char *pronote_ids)  /* JSON objects, or NULL */
{
  if (seed->len > 1)
    g_string_append_c (seed, ',');
  g_string_append_printf (seed,
                          "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\",\"%s\"],"
                          "\"id\":\"%s\",\"userName\":\"%s\","
                          "\"name\":{\"familyName\":\"%s\",\"givenName\":\"%s\"},"
                          "\"userType\":\"%s\",\"active\":true,\"%s\":{\"structures\":[%s]",
                          EXT_URN, id, id, family, given, type, EXT_URN, structures);
  if (birth != NULL)
    g_string_append_printf (seed, ",\"birthDate\":\"%s\"", birth);
  if (pronote_ids != NULL)
    g_string_append_printf (seed, ",\"pronoteIds\":[%s]", pronote_ids);
  g_string_append (seed, "}}");
}

/* Every profile; homonyms with and without accents; an account of two establishments with
 * an identifier for each; holders of identifiers */
static char *
make_seed (gboolean conflict)
{
  GString *seed = g_string_new ("[");

  add_user (seed, "t-nguyen", "Nguyen", "Paul", "Enseignant", "1975-11-30", "\"" UAI "\"",
            "{\"uai\":\"" UAI "\",\"value\":\"" ID_PAUL "\"},"
            "{\"uai\":\"" OTHER_UAI "\",\"value\":\"" ID_OTHER "\"}");
  add_user (seed, "s-aissa-1", "Elaphe", "Aissa", "Eleve", "2012-01-10", "\"" UAI "\"", NULL);
  add_user (seed, "s-aissa-2", "Élaphe", "Aïssa", "Eleve", "2012-01-10", "\"" UAI "\"", NULL);
  add_user (seed, "r-karim", "Elaphe", "Karim", "Responsable", NULL, "\"" UAI "\"", NULL);
  add_user (seed, "s-durand", "Durand", "Léa", "Eleve", "2011-02-03", "\"" UAI "\"", NULL);
  add_user (seed, "s-morel", "Morel", "Tom", "Eleve", "2011-05-05", "\"" UAI "\"", NULL);
  add_user (seed, "s-old", "Ancien", "Jules", "Eleve", "2009-01-01", "\"" UAI "\"",
            "{\"uai\":\"" UAI "\",\"value\":\"" ID_OLD "\"}");
  add_user (seed, "p-garcia", "Garcia-Lopez", "Inès", "Personnel", "1970-01-01",
            "\"" UAI "\",\"" OTHER_UAI "\"", NULL);
  /* An ENT's names and establishments are text, never markup; a right-to-left override is
   * written out, not obeyed */
  add_user (seed, "s-hostile", "Qx & <b>Wyq</b>", "<i>Bob</i>\\u202e", "Eleve", NULL, "\"" UAI "\"",
            "{\"uai\":\"" HOSTILE_UAI "\",\"value\":\"" ID_HOSTILE "\"}");
  (void)conflict;
  g_string_append (seed, "]");

  return g_string_free (seed, FALSE);
}

/* NULL (the test is skipped) when Node or the server's modules are missing */
static Server *
server_start (gboolean    conflict,
              guint       write_delay_ms)
{
  g_autofree char *seed = make_seed (conflict);

  return server_start_with_seed ("jn-user-edit-scim-XXXXXX", seed, write_delay_ms);
}

/* ---- the editor ---- */

static void
set_uai_setting (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  g_settings_set_string (settings, "uai", UAI);
}

static JnStore *
open_store (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "user-edit-store", NULL);
  g_autoptr(GError) error = NULL;
  JnStore *store = jn_store_open (dir, &error);

  g_assert_no_error (error);
  return store;
}

static void
destroy_window (JnWindow *window)
{
  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  flush_main_context ();
  g_assert_finalize_object (window);
}

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
dialog_loaded (gpointer data)
{
  return !jn_user_dialog_get_loading (data);
}

static gboolean
dialog_saved (gpointer data)
{
  return !jn_user_dialog_get_saving (data);
}

static gpointer
dialog_child (JnUserDialog *dialog,
              const char   *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (dialog), JN_TYPE_USER_DIALOG, name);

  g_assert_nonnull (child);
  return child;
}

/* The window's action, as the start page's button or the match panel's activates it */
static JnUserDialog *
open_editor (JnWindow   *window,
             const char *query)
{
  JnUserDialog *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.edit-user", "s", query));
  wait_until (has_user_dialog, NULL);
  dialog = find_user_dialog ();
  wait_until (is_mapped, dialog);
  wait_until (dialog_loaded, dialog);
  flush_main_context ();
  return dialog;
}

static void
close_editor (JnUserDialog *dialog)
{
  g_object_ref (dialog);
  gtk_window_destroy (GTK_WINDOW (dialog));
  flush_main_context ();
  g_assert_finalize_object (dialog);
}

static const char *
result_id (JnUserDialog *dialog,
           guint         position)
{
  g_autoptr(JnEntUser) user = g_list_model_get_item (jn_user_dialog_get_results (dialog), position);

  g_assert_nonnull (user);
  return jn_ent_user_get_id (user);  /* the index keeps it */
}

static void
type_search (JnUserDialog *dialog,
             const char   *text)
{
  GtkEditable *entry = dialog_child (dialog, "search_entry");

  gtk_editable_set_text (entry, text);
  flush_main_context ();
}

static void
type_value (JnUserDialog *dialog,
            const char   *text)
{
  gtk_editable_set_text (dialog_child (dialog, "value_entry"), text);
  flush_main_context ();
}

static const char *
validation (JnUserDialog *dialog)
{
  return gtk_label_get_text (dialog_child (dialog, "validation_label"));
}

static void
click (JnUserDialog *dialog,
       const char   *button)
{
  GtkWidget *widget = dialog_child (dialog, button);

  g_assert_true (gtk_widget_is_sensitive (widget));
  g_signal_emit_by_name (widget, "clicked");
  flush_main_context ();
}

static void
respond (AdwMessageDialog *dialog,
         const char       *response)
{
  g_assert_true (adw_message_dialog_has_response (dialog, response));
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
  flush_main_context ();
}

/* The imports of the store, newest first */
static GPtrArray *
list_imports (JnStore *store)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *imports = jn_store_list_imports (store, 50, &error);

  g_assert_no_error (error);
  return imports;
}

static guint
count_single (JnStore *store)
{
  g_autoptr(GPtrArray) imports = list_imports (store);
  guint n = 0;

  for (guint i = 0; i < imports->len; i++)
    if (g_strcmp0 (((JnImportRecord *)g_ptr_array_index (imports, i))->mode, "single") == 0)
      n++;
  return n;
}

/* ---- the tests ---- */

/* By name, over every profile, ranked as typed, accents and case ignored; by identifier,
 * for any establishment; the start page's button opens the same editor */
static void
test_search (void)
{
  Server *server = server_start (FALSE, 0);
  g_autoptr(JnStore) store = NULL;
  JnWindow *window;
  JnUserDialog *dialog;
  GtkWidget *button;

  if (server == NULL)
    return;
  set_uai_setting ();
  store = open_store ();
  window = create_window (store, server->ent);

  /* The start page's button */
  button = find_named (GTK_WIDGET (window), "edit-user-button");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_mapped (button));
  g_signal_emit_by_name (button, "clicked");
  wait_until (has_user_dialog, NULL);
  dialog = find_user_dialog ();
  wait_until (dialog_loaded, dialog);
  flush_main_context ();
  g_assert_cmpstr (gtk_stack_get_visible_child_name (dialog_child (dialog, "results_stack")), ==, "hint");

  /* Every profile of the family, the accents ignored, the family's prefix first */
  type_search (dialog, "ELA");
  g_assert_cmpuint (g_list_model_get_n_items (jn_user_dialog_get_results (dialog)), ==, 3);
  g_assert_cmpstr (result_id (dialog, 0), ==, "s-aissa-1");
  g_assert_cmpstr (result_id (dialog, 1), ==, "s-aissa-2");
  g_assert_cmpstr (result_id (dialog, 2), ==, "r-karim");
  type_search (dialog, "aïssa élaphe");
  g_assert_cmpuint (g_list_model_get_n_items (jn_user_dialog_get_results (dialog)), ==, 2);
  type_search (dialog, "lopez");
  g_assert_cmpuint (g_list_model_get_n_items (jn_user_dialog_get_results (dialog)), ==, 1);
  g_assert_cmpstr (result_id (dialog, 0), ==, "p-garcia");
  type_search (dialog, "zzzzz");
  g_assert_cmpuint (g_list_model_get_n_items (jn_user_dialog_get_results (dialog)), ==, 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (dialog_child (dialog, "results_stack")), ==, "empty");

  /* Who holds this identifier? Also another establishment's */
  type_search (dialog, ID_OLD);
  g_assert_cmpuint (g_list_model_get_n_items (jn_user_dialog_get_results (dialog)), ==, 1);
  g_assert_cmpstr (result_id (dialog, 0), ==, "s-old");
  type_search (dialog, "m7rtx2kq9hbwez3a");
  g_assert_cmpuint (g_list_model_get_n_items (jn_user_dialog_get_results (dialog)), ==, 1);
  g_assert_cmpstr (result_id (dialog, 0), ==, "t-nguyen");

  type_search (dialog, "el");
  save_screenshot (GTK_WIDGET (dialog), "user-search");

  /* Enter opens the first; the page shows the table for every UAI */
  g_signal_emit_by_name (dialog_child (dialog, "search_entry"), "activate");
  flush_main_context ();
  g_assert_cmpstr (gtk_stack_get_visible_child_name (dialog_child (dialog, "pages")), ==, "user");
  g_assert_cmpstr (jn_ent_user_get_id (jn_user_dialog_get_user (dialog)), ==, "s-aissa-1");
  /* Enter again would change this establishment's value */
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (dialog)) == find_named (GTK_WIDGET (dialog), UAI));
  close_editor (dialog);

  /* From a step's row: the row's account opens at once; an unknown id is searched */
  dialog = open_editor (window, "t-nguyen");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (dialog_child (dialog, "pages")), ==, "user");
  g_assert_nonnull (find_named (GTK_WIDGET (dialog), UAI));
  g_assert_nonnull (find_named (GTK_WIDGET (dialog), OTHER_UAI));
  g_assert_true (shows_label (GTK_WIDGET (dialog), ID_PAUL));
  g_assert_true (shows_label (GTK_WIDGET (dialog), ID_OTHER));
  close_editor (dialog);
  dialog = open_editor (window, "MOREL Tom");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (dialog_child (dialog, "pages")), ==, "search");
  g_assert_cmpuint (g_list_model_get_n_items (jn_user_dialog_get_results (dialog)), ==, 1);
  g_assert_cmpstr (result_id (dialog, 0), ==, "s-morel");
  close_editor (dialog);

  destroy_window (window);
  server_stop (server);
  reset_settings ();
}

static gboolean
toast_shown (gpointer data)
{
  return shows_label (GTK_WIDGET (data), _("Identifier saved"));
}

/* A new value saved: the toast, the server, the store's history (the server takes 0.4 s
 * a write, so that the save is still under way when the window is asked to close) */
static void
test_change (void)
{
  Server *server = server_start (FALSE, 400);
  g_autoptr(JnStore) store = NULL;
  g_autoptr(GPtrArray) imports = NULL;
  JnImportRecord *last;
  JnWindow *window;
  JnUserDialog *dialog;

  if (server == NULL)
    return;
  set_uai_setting ();
  store = open_store ();
  window = create_window (store, server->ent);
  g_assert_cmpuint (count_single (store), ==, 0);

  dialog = open_editor (window, "");
  type_search (dialog, "durand");
  g_assert_cmpuint (g_list_model_get_n_items (jn_user_dialog_get_results (dialog)), ==, 1);
  g_signal_emit_by_name (dialog_child (dialog, "search_entry"), "activate");
  flush_main_context ();
  g_assert_cmpstr (jn_ent_user_get_id (jn_user_dialog_get_user (dialog)), ==, "s-durand");

  /* "Change Value" of the establishment's row */
  g_signal_emit_by_name (find_named (GTK_WIDGET (dialog), UAI), "clicked");
  flush_main_context ();
  g_assert_true (gtk_widget_get_visible (dialog_child (dialog, "edit_group")));

  type_value (dialog, "abc!");
  g_assert_cmpstr (gtk_editable_get_text (dialog_child (dialog, "value_entry")), ==, "ABC!");
  g_assert_nonnull (strstr (validation (dialog), "capital letters"));
  g_assert_false (gtk_widget_get_sensitive (dialog_child (dialog, "save_button")));

  type_value (dialog, ID_DURAND);
  g_assert_cmpstr (validation (dialog), ==, "A well-formed PRONOTE identifier");
  save_screenshot (GTK_WIDGET (dialog), "user-edit");
  click (dialog, "save_button");
  g_assert_true (jn_user_dialog_get_saving (dialog));
  /* not closed while writing */
  gtk_window_close (GTK_WINDOW (dialog));
  flush_main_context ();
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  wait_until (dialog_saved, dialog);
  wait_until (toast_shown, dialog);
  save_screenshot (GTK_WIDGET (dialog), "user-saved");
  g_assert_false (gtk_widget_get_visible (dialog_child (dialog, "edit_group")));
  g_assert_true (shows_label (GTK_WIDGET (dialog), ID_DURAND));
  assert_server_holds (server, "s-durand", ID_DURAND);

  /* Recorded as a "single" import of one identifier set */
  imports = list_imports (store);
  g_assert_cmpuint (imports->len, >=, 1);
  last = g_ptr_array_index (imports, 0);
  g_assert_cmpstr (last->mode, ==, "single");
  g_assert_cmpstr (last->uai, ==, UAI);
  g_assert_cmpuint (last->n_set, ==, 1);
  g_assert_cmpuint (last->n_failed, ==, 0);
  g_assert_cmpstr (last->state, ==, "done");

  /* The search knows the new holder at once */
  jn_user_dialog_search (dialog, ID_DURAND);
  g_assert_cmpuint (g_list_model_get_n_items (jn_user_dialog_get_results (dialog)), ==, 1);
  g_assert_cmpstr (result_id (dialog, 0), ==, "s-durand");

  close_editor (dialog);
  destroy_window (window);
  server_stop (server);
  reset_settings ();
}

/* The app was killed while it saved an identifier: the next time the editor opens, it
 * finishes that edit (the account read first), says so, and the account shows it */
static gboolean
toast_finished (gpointer data)
{
  return shows_label (GTK_WIDGET (data), "The interrupted edit of DURAND Léa was finished");
}

static void
test_interrupted_edit (void)
{
  Server *server = server_start (FALSE, 0);
  g_autoptr(JnStore) store = NULL;
  g_autoptr(GPtrArray) imports = NULL;
  g_autofree char *import_id = NULL;
  JnWindow *window;
  JnUserDialog *dialog;

  if (server == NULL)
    return;
  set_uai_setting ();
  store = open_store ();

  /* Journalled as a save does, then the process died before sending */
  import_id = journal_single_edit (store, jn_ent_describe (server->ent), UAI, "s-durand", JN_OP_SET,
                                   ID_DURAND, NULL, FALSE);

  window = create_window (store, server->ent);
  dialog = open_editor (window, "");
  wait_until (toast_finished, dialog);
  save_screenshot (GTK_WIDGET (dialog), "user-edit-finished");
  assert_server_holds (server, "s-durand", ID_DURAND);

  /* History: the edit is done, not "in progress" */
  imports = list_imports (store);
  for (guint i = 0; i < imports->len; i++)
    {
      JnImportRecord *record = g_ptr_array_index (imports, i);

      if (g_str_equal (record->id, import_id))
        {
          g_assert_cmpstr (record->state, ==, "done");
          g_assert_cmpuint (record->n_set, ==, 1);
        }
    }

  /* The search shows the account as it is now */
  jn_user_dialog_search (dialog, ID_DURAND);
  g_assert_cmpuint (g_list_model_get_n_items (jn_user_dialog_get_results (dialog)), ==, 1);
  g_assert_cmpstr (result_id (dialog, 0), ==, "s-durand");

  close_editor (dialog);
  destroy_window (window);
  server_stop (server);
  reset_settings ();
}

/* An edit left unfinished while the editor is open (its load found none, or an import
 * held the lock then): the next save finishes it first. The admin is told, as when the
 * editor opens, and the search shows what the account holds now */
static void
test_interrupted_edit_on_save (void)
{
  Server *server = server_start (FALSE, 0);
  g_autoptr(JnStore) store = NULL;
  g_autofree char *import_id = NULL;
  JnWindow *window;
  JnUserDialog *dialog;

  if (server == NULL)
    return;
  set_uai_setting ();
  store = open_store ();
  window = create_window (store, server->ent);
  dialog = open_editor (window, "");

  /* Journalled as a save does, then its connection was lost before sending */
  import_id = journal_single_edit (store, jn_ent_describe (server->ent), UAI, "s-durand", JN_OP_SET,
                                   ID_DURAND, NULL, FALSE);

  /* Another account's identifier is saved */
  type_search (dialog, "morel");
  g_signal_emit_by_name (dialog_child (dialog, "search_entry"), "activate");
  flush_main_context ();
  g_assert_cmpstr (jn_ent_user_get_id (jn_user_dialog_get_user (dialog)), ==, "s-morel");
  g_signal_emit_by_name (find_named (GTK_WIDGET (dialog), UAI), "clicked");
  flush_main_context ();
  type_value (dialog, ID_NGUYEN);
  click (dialog, "save_button");
  wait_until (dialog_saved, dialog);
  assert_server_holds (server, "s-morel", ID_NGUYEN);
  assert_server_holds (server, "s-durand", ID_DURAND);

  /* Said, not only done */
  wait_until (toast_finished, dialog);
  /* The search knows the finished edit's holder */
  jn_user_dialog_search (dialog, ID_DURAND);
  g_assert_cmpuint (g_list_model_get_n_items (jn_user_dialog_get_results (dialog)), ==, 1);
  g_assert_cmpstr (result_id (dialog, 0), ==, "s-durand");

  close_editor (dialog);
  destroy_window (window);
  server_stop (server);
  reset_settings ();
}

/* The editor closed while its load finishes an interrupted edit (the write already sent):
 * the change is still announced, as the window tells an open import not to trust its old
 * directory. Cancelled, the write landed unannounced. */
static void
count_saved_cb (JnUserDialog *dialog,
                JnEntUser    *user,
                guint        *n_saved)
{
  (*n_saved)++;
}

static gboolean
set_true_cb (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
bool_true (gpointer data)
{
  return *(gboolean *)data;
}

static gboolean
uint_positive (gpointer data)
{
  return *(guint *)data > 0;
}

static gboolean
durand_holds_value (gpointer data)
{
  g_autofree char *value = server_pronote_id (data, "s-durand");

  return g_strcmp0 (value, ID_DURAND) == 0;
}

static gboolean
no_user_dialog (gpointer data)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (JN_IS_USER_DIALOG (l->data))
      return FALSE;
  return TRUE;
}

static void
test_interrupted_edit_closed_while_loading (void)
{
  /* 1 s a write: the editor is closed while the finishing write is under way */
  Server *server = server_start (FALSE, 1000);
  g_autoptr(JnStore) store = NULL;
  g_autofree char *import_id = NULL;
  gboolean waited = FALSE;
  guint n_saved = 0;
  JnWindow *window;
  JnUserDialog *dialog;

  if (server == NULL)
    return;
  set_uai_setting ();
  store = open_store ();

  import_id = journal_single_edit (store, jn_ent_describe (server->ent), UAI, "s-durand", JN_OP_SET,
                                   ID_DURAND, NULL, FALSE);

  window = create_window (store, server->ent);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.edit-user", "s", ""));
  wait_until (has_user_dialog, NULL);
  dialog = find_user_dialog ();
  g_signal_connect (dialog, "saved", G_CALLBACK (count_saved_cb), &n_saved);
  wait_until (is_mapped, dialog);
  /* the account is read, its write sent (answered in 1 s) */
  g_timeout_add (400, set_true_cb, &waited);
  wait_until (bool_true, &waited);
  g_assert_true (jn_user_dialog_get_loading (dialog));
  gtk_window_close (GTK_WINDOW (dialog));
  flush_main_context ();

  wait_until (durand_holds_value, server);
  wait_until (uint_positive, &n_saved);
  wait_until (no_user_dialog, NULL);

  destroy_window (window);
  server_stop (server);
  reset_settings ();
}

/* The interrupted edit of an account whose name is hostile: the toast names it as text
 * (markup shown, the right-to-left override written out) */
static gboolean
toast_hostile_finished (gpointer data)
{
  return shows_label (GTK_WIDGET (data),
                      "The interrupted edit of QX & <B>WYQ</B> <i>Bob</i>\\u{202E} was finished");
}

static void
test_interrupted_edit_hostile_name (void)
{
  Server *server = server_start (FALSE, 0);
  g_autoptr(JnStore) store = NULL;
  g_autofree char *import_id = NULL;
  JnWindow *window;
  JnUserDialog *dialog;

  if (server == NULL)
    return;
  set_uai_setting ();
  store = open_store ();

  import_id = journal_single_edit (store, jn_ent_describe (server->ent), UAI, "s-hostile", JN_OP_SET,
                                   ID_DURAND, NULL, FALSE);

  window = create_window (store, server->ent);
  dialog = open_editor (window, "");
  wait_until (toast_hostile_finished, dialog);
  save_screenshot (GTK_WIDGET (dialog), "user-edit-finished-hostile");
  assert_server_holds (server, "s-hostile", ID_DURAND);

  close_editor (dialog);
  destroy_window (window);
  server_stop (server);
  reset_settings ();
}

/* A value someone else holds is refused naming them; a replacement and an unusual value
 * need a confirmation; a removal too */
static void
test_refusals_and_confirmations (void)
{
  /* 0.3 s a write: a confirmed save is still under way when checked */
  Server *server = server_start (FALSE, 300);
  g_autoptr(JnStore) store = NULL;
  JnWindow *window;
  JnUserDialog *dialog;
  AdwMessageDialog *message;
  guint n_single;

  if (server == NULL)
    return;
  set_uai_setting ();
  store = open_store ();
  window = create_window (store, server->ent);
  n_single = count_single (store);

  /* Held by Jules Ancien: refused with his name, nothing sent or journalled */
  dialog = open_editor (window, "s-morel");
  jn_user_dialog_edit_value (dialog, UAI);
  flush_main_context ();
  type_value (dialog, ID_OLD);
  g_assert_nonnull (strstr (validation (dialog), "ANCIEN Jules"));
  g_assert_true (gtk_widget_has_css_class (dialog_child (dialog, "validation_label"), "error"));
  g_assert_false (gtk_widget_get_sensitive (dialog_child (dialog, "save_button")));
  g_signal_emit_by_name (dialog_child (dialog, "value_entry"), "activate");
  flush_main_context ();
  g_assert_false (jn_user_dialog_get_saving (dialog));
  g_assert_null (find_dialog ());
  assert_server_holds (server, "s-morel", NULL);
  save_screenshot (GTK_WIDGET (dialog), "user-edit-refused");

  close_editor (dialog);

  /* The same refusal when another account took the value after the directory was read:
   * the save reads the establishment again */
  dialog = open_editor (window, "s-durand");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JnEntUser) morel = jn_ent_read_user (server->ent, "s-morel", NULL, &error);
    g_autoptr(JnEntUser) written = NULL;

    g_assert_no_error (error);
    written = jn_ent_write_pronote_id (server->ent, morel, UAI, "TQ2WXZ8KNR4HMEB7", NULL, &error);
    g_assert_no_error (error);
  }
  jn_user_dialog_edit_value (dialog, UAI);
  flush_main_context ();
  type_value (dialog, "TQ2WXZ8KNR4HMEB7");
  g_assert_cmpstr (validation (dialog), ==, "A well-formed PRONOTE identifier");
  click (dialog, "save_button");
  wait_until (dialog_saved, dialog);
  g_assert_nonnull (strstr (validation (dialog), "MOREL Tom"));
  g_assert_true (gtk_widget_has_css_class (dialog_child (dialog, "validation_label"), "error"));
  assert_server_holds (server, "s-durand", NULL);
  assert_server_holds (server, "s-morel", "TQ2WXZ8KNR4HMEB7");
  close_editor (dialog);

  /* A replacement: confirmed, then saved */
  dialog = open_editor (window, "t-nguyen");
  jn_user_dialog_edit_value (dialog, UAI);
  flush_main_context ();
  type_value (dialog, ID_NGUYEN);
  g_assert_nonnull (strstr (validation (dialog), ID_PAUL));
  click (dialog, "save_button");
  wait_until (has_dialog, NULL);
  message = find_dialog ();
  wait_until (is_mapped, message);
  g_assert_cmpstr (adw_message_dialog_get_heading (message), ==, "Replace the Identifier?");
  save_screenshot_with_dialog (GTK_WIDGET (dialog), GTK_WIDGET (message), "user-edit-replace");
  respond (message, "save");
  g_assert_true (jn_user_dialog_get_saving (dialog));
  wait_until (dialog_saved, dialog);
  wait_until (toast_shown, dialog);
  assert_server_holds (server, "t-nguyen", ID_NGUYEN);
  /* the other establishment's identifier is untouched */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JnEntUser) paul = jn_ent_read_user (server->ent, "t-nguyen", NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (jn_ent_user_get_pronote_id (paul, OTHER_UAI), ==, ID_OTHER);
  }
  g_assert_cmpuint (count_single (store), ==, n_single + 1);

  /* Removal: confirmed, saved */
  jn_user_dialog_edit_value (dialog, UAI);
  flush_main_context ();
  click (dialog, "clear_button");
  wait_until (has_dialog, NULL);
  message = find_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (message), ==, "Remove the Identifier?");
  respond (message, "save");
  wait_until (dialog_saved, dialog);
  assert_server_holds (server, "t-nguyen", NULL);
  g_assert_cmpuint (count_single (store), ==, n_single + 2);

  /* An unusual value: asked, declined, nothing sent */
  jn_user_dialog_edit_value (dialog, UAI);
  flush_main_context ();
  type_value (dialog, "ABC123");
  g_assert_true (gtk_widget_has_css_class (dialog_child (dialog, "validation_label"), "warning"));
  click (dialog, "save_button");
  wait_until (has_dialog, NULL);
  message = find_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (message), ==, "Save an Unusual Value?");
  respond (message, "cancel");
  g_assert_false (jn_user_dialog_get_saving (dialog));
  assert_server_holds (server, "t-nguyen", NULL);
  g_assert_cmpuint (count_single (store), ==, n_single + 2);

  /* Escape: the change of value closes, then the page, then the editor; Ctrl+F searches */
  g_assert_true (gtk_widget_get_visible (dialog_child (dialog, "edit_group")));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "user.back", NULL));
  g_assert_false (gtk_widget_get_visible (dialog_child (dialog, "edit_group")));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (dialog_child (dialog, "pages")), ==, "user");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "user.focus-search", NULL));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (dialog_child (dialog, "pages")), ==, "search");
  {
    GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (dialog));

    g_assert_nonnull (focus);
    g_assert_true (focus == dialog_child (dialog, "search_entry") ||
                   gtk_widget_is_ancestor (focus, dialog_child (dialog, "search_entry")));
  }
  jn_user_dialog_show_user (dialog, jn_user_index_lookup (jn_user_dialog_get_index (dialog), "s-morel"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "user.back", NULL));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (dialog_child (dialog, "pages")), ==, "search");
  g_object_ref (dialog);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "user.back", NULL));
  flush_main_context ();
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_assert_finalize_object (dialog);
  destroy_window (window);
  server_stop (server);
  reset_settings ();
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_for_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

static JnSessionRow *
find_row (JnImportSession *session,
          const char      *pronote_id)
{
  GListModel *rows = jn_import_session_get_rows (session, JN_CATEGORY_STUDENT);

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(JnSessionRow) row = g_list_model_get_item (rows, i);

      if (g_strcmp0 (jn_session_row_get_pronote_id (row), pronote_id) == 0)
        return row;  /* the model keeps it */
    }

  g_error ("no row for %s", pronote_id);
  return NULL;
}

/* A step's match panel: "Edit a User…" targets the row's ENT account, or the record's name
 * when no account is matched; the window's action opens the editor on either */
static void
test_from_match_panel (void)
{
  static const char export_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ExportIdentifiants xmlns=\"http://www.index-education.com/exportidentifiants\""
    " UAI=\"0312609T\" NomEtablissement=\"Collège\" DateExport=\"2026-09-01\">\n"
    "  <Eleves>\n"
    "    <Eleve Ident=\"5\" Nom=\"DURAND\" Prenom=\"Léa\" DateNaissance=\"2011-02-03\""
    " IDPN=\"" ID_DURAND "\"/>\n"
    "    <Eleve Ident=\"6\" Nom=\"NOUVEAU\" Prenom=\"Zoé\" DateNaissance=\"2012-03-04\""
    " IDPN=\"B7TQ2WXZ8KNR4HME\"/>\n"
    "  </Eleves>\n"
    "</ExportIdentifiants>\n";
  Server *server = server_start (FALSE, 0);
  g_autoptr(JnStore) store = NULL;
  g_autoptr(JnImportSession) session = NULL;
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(GAsyncResult) opened = NULL;
  g_autoptr(GAsyncResult) matched = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) target = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  GtkWidget *panel;
  GtkWidget *button;
  JnWindow *window;
  JnUserDialog *dialog;

  if (server == NULL)
    return;
  set_uai_setting ();
  path = g_build_filename (g_get_user_cache_dir (), "export.xml", NULL);
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, export_xml, -1, NULL));
  file = g_file_new_for_path (path);

  session = jn_import_session_new (NULL);
  jn_import_session_set_uai (session, UAI);
  jn_import_session_open_export_async (session, file, NULL, NULL, NULL, store_result_cb, &opened);
  jn_import_session_open_export_finish (session, wait_for_result (&opened), &error);
  g_assert_no_error (error);
  directory = jn_ent_read_directory (server->ent, UAI, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  jn_import_session_set_directory (session, directory);
  jn_import_session_set_mode (session, JN_IMPORT_MODE_PARTIAL);
  jn_import_session_match_async (session, NULL, NULL, store_result_cb, &matched);
  jn_import_session_match_finish (session, wait_for_result (&matched), &error);
  g_assert_no_error (error);

  panel = g_object_ref_sink (jn_match_panel_new (session));
  button = GTK_WIDGET (gtk_widget_get_template_child (panel, JN_TYPE_MATCH_PANEL, "edit_user_button"));
  g_assert_nonnull (button);
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==, "win.edit-user");

  jn_match_panel_set_row (JN_MATCH_PANEL (panel), find_row (session, ID_DURAND));
  target = g_variant_ref (gtk_actionable_get_action_target_value (GTK_ACTIONABLE (button)));
  g_assert_cmpstr (g_variant_get_string (target, NULL), ==, "s-durand");
  g_clear_pointer (&target, g_variant_unref);

  jn_match_panel_set_row (JN_MATCH_PANEL (panel), find_row (session, "B7TQ2WXZ8KNR4HME"));
  target = g_variant_ref (gtk_actionable_get_action_target_value (GTK_ACTIONABLE (button)));
  g_assert_cmpstr (g_variant_get_string (target, NULL), ==, "NOUVEAU Zoé");

  /* The window's action with the newcomer's name: searched, nobody of that name yet */
  store = open_store ();
  window = create_window (store, server->ent);
  dialog = open_editor (window, g_variant_get_string (target, NULL));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (dialog_child (dialog, "pages")), ==, "search");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (dialog_child (dialog, "results_stack")), ==, "empty");
  close_editor (dialog);

  g_object_unref (panel);
  destroy_window (window);
  g_unlink (path);
  server_stop (server);
  reset_settings ();
}

/* The French screenshots */
/* The account got an identifier after its page was shown (another window, set-id): the
 * save does not replace it unasked; the page then shows it, and replacing it is confirmed */
static void
test_changed_meanwhile (void)
{
  Server *server = server_start (FALSE, 0);
  g_autoptr(JnStore) store = NULL;
  AdwMessageDialog *confirm;
  JnWindow *window;
  JnUserDialog *dialog;

  if (server == NULL)
    return;
  set_uai_setting ();
  store = open_store ();
  window = create_window (store, server->ent);

  dialog = open_editor (window, "s-durand");
  g_assert_true (shows_label (GTK_WIDGET (dialog), "No identifier"));
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JnEntUser) durand = jn_ent_read_user (server->ent, "s-durand", NULL, &error);
    g_autoptr(JnEntUser) written = NULL;

    g_assert_no_error (error);
    written = jn_ent_write_pronote_id (server->ent, durand, UAI, "TQ2WXZ8KNR4HMEB7", NULL, &error);
    g_assert_no_error (error);
  }
  jn_user_dialog_edit_value (dialog, UAI);
  flush_main_context ();
  type_value (dialog, ID_DURAND);
  g_assert_cmpstr (validation (dialog), ==, "A well-formed PRONOTE identifier");
  click (dialog, "save_button");
  wait_until (dialog_saved, dialog);
  g_assert_nonnull (strstr (validation (dialog), "changed meanwhile"));
  g_assert_true (gtk_widget_has_css_class (dialog_child (dialog, "validation_label"), "error"));
  assert_server_holds (server, "s-durand", "TQ2WXZ8KNR4HMEB7");
  g_assert_true (shows_label (GTK_WIDGET (dialog), "TQ2WXZ8KNR4HMEB7"));

  /* Saving again is replacing what the page now shows: confirmed first */
  click (dialog, "save_button");
  wait_until (has_dialog, NULL);
  confirm = find_dialog ();
  g_assert_nonnull (strstr (adw_message_dialog_get_body (confirm), "TQ2WXZ8KNR4HMEB7"));
  respond (confirm, "save");
  wait_until (dialog_saved, dialog);
  wait_until (toast_shown, dialog);
  assert_server_holds (server, "s-durand", ID_DURAND);
  close_editor (dialog);

  destroy_window (window);
  server_stop (server);
  reset_settings ();
}

/* Names and UAIs from the ENT shown as they are: "&" and "<" are not markup */
static void
test_hostile_names (void)
{
  Server *server = server_start (FALSE, 0);
  g_autoptr(JnStore) store = NULL;
  JnWindow *window;
  JnUserDialog *dialog;

  if (server == NULL)
    return;
  set_uai_setting ();
  store = open_store ();
  window = create_window (store, server->ent);

  dialog = open_editor (window, "s-hostile");
  g_assert_cmpstr (jn_ent_user_get_id (jn_user_dialog_get_user (dialog)), ==, "s-hostile");
  g_assert_true (shows_label (GTK_WIDGET (dialog), "QX & <B>WYQ</B> <i>Bob</i>\\u{202E}"));
  g_assert_true (shows_label (GTK_WIDGET (dialog), "s-hostile"));
  g_assert_true (shows_label (GTK_WIDGET (dialog), "0000001Z & <U>"));
  g_assert_true (shows_label (GTK_WIDGET (dialog), ID_HOSTILE));
  jn_user_dialog_edit_value (dialog, HOSTILE_UAI);
  flush_main_context ();
  g_assert_true (shows_label (GTK_WIDGET (dialog), "New PRONOTE Identifier for " HOSTILE_UAI));
  close_editor (dialog);

  destroy_window (window);
  server_stop (server);
  reset_settings ();
}

static void
test_french (void)
{
  Server *server = server_start (FALSE, 0);
  g_autoptr(JnStore) store = NULL;
  JnWindow *window;
  JnUserDialog *dialog;

  if (server == NULL)
    return;
  if (g_strcmp0 (_("Identifier saved"), "Identifier saved") == 0)
    {
      g_test_skip ("the catalogue has no French for the user editor");
      server_stop (server);
      return;
    }
  set_uai_setting ();
  store = open_store ();
  window = create_window (store, server->ent);

  dialog = open_editor (window, "");
  type_search (dialog, "el");
  save_screenshot (GTK_WIDGET (dialog), "user-search-fr");
  close_editor (dialog);

  dialog = open_editor (window, "s-durand");
  jn_user_dialog_edit_value (dialog, UAI);
  flush_main_context ();
  type_value (dialog, ID_DURAND);
  save_screenshot (GTK_WIDGET (dialog), "user-edit-fr");
  click (dialog, "save_button");
  wait_until (dialog_saved, dialog);
  wait_until (toast_shown, dialog);
  save_screenshot (GTK_WIDGET (dialog), "user-saved-fr");
  close_editor (dialog);

  destroy_window (window);
  server_stop (server);
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
      g_test_add_func ("/user-edit/french", test_french);
      return g_test_run ();
    }

  g_test_add_func ("/user-edit/search", test_search);
  g_test_add_func ("/user-edit/change", test_change);
  g_test_add_func ("/user-edit/refusals-and-confirmations", test_refusals_and_confirmations);
  g_test_add_func ("/user-edit/from-match-panel", test_from_match_panel);
  g_test_add_func ("/user-edit/hostile-names", test_hostile_names);
  g_test_add_func ("/user-edit/changed-meanwhile", test_changed_meanwhile);
  g_test_add_func ("/user-edit/interrupted-edit", test_interrupted_edit);
  g_test_add_func ("/user-edit/interrupted-edit-on-save", test_interrupted_edit_on_save);
  g_test_add_func ("/user-edit/interrupted-edit-closed-while-loading",
                   test_interrupted_edit_closed_while_loading);
  g_test_add_func ("/user-edit/interrupted-edit-hostile-name", test_interrupted_edit_hostile_name);

  return g_test_run ();
}
