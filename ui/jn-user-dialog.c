/* jn-user-dialog.c: "Edit a User…": find an ENT account, change its PRONOTE identifier
 *
 * The directory is read and indexed in a worker thread (jn_user_index_load_async()); each
 * keystroke's search then runs on the main loop over the folded names (about a millisecond
 * for 12,000 accounts). The checks and the save are the core's (jn-user-edit.h), shared with
 * `jonction-cli set-id`; the save runs in a worker thread with the store's lock.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "jn-error.h"
#include "jn-types.h"
#include "jn-ui-utils.h"
#include "jn-user-dialog.h"
#include "jn-text.h"

/* More results than an admin reads: the count says to type more */
#define MAX_RESULTS 200

struct _JnUserDialog
{
  AdwWindow          parent_instance;

  /* template widgets */
  AdwToastOverlay   *toast_overlay;
  GtkStack          *pages;
  GtkSearchEntry    *search_entry;
  GtkStack          *results_stack;
  GtkSpinner        *spinner;
  AdwStatusPage     *error_page;
  AdwStatusPage     *hint_page;
  GtkLabel          *count_label;
  GtkColumnView     *results_view;
  AdwWindowTitle    *user_title;
  AdwPreferencesPage *user_page;
  AdwActionRow      *name_row;
  AdwActionRow      *profile_row;
  AdwActionRow      *establishments_row;
  AdwActionRow      *login_row;
  GtkListBox        *ids_list;
  AdwPreferencesGroup *edit_group;
  GtkEntry          *value_entry;
  GtkLabel          *validation_label;
  GtkWidget         *clear_button;
  GtkSpinner        *save_spinner;
  GtkWidget         *cancel_edit_button;
  GtkWidget         *save_button;

  /* owned */
  JnStore           *store;
  JnEnt             *ent;
  char              *uai;
  char              *initial_query;
  JnUserIndex       *index;
  GListStore        *results;
  GCancellable      *cancellable;
  JnEntUser         *user;          /* the page's account, or NULL */
  char              *editing_uai;   /* the row whose value is being changed, or NULL */
  gboolean           saving;
};

enum {
  PROP_0,
  PROP_STORE,
  PROP_ENT,
  PROP_UAI,
  PROP_QUERY,
  N_PROPS
};

enum {
  SIGNAL_SAVED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (JnUserDialog, jn_user_dialog, ADW_TYPE_WINDOW)

enum {
  COLUMN_FAMILY,
  COLUMN_GIVEN,
  COLUMN_PROFILE,
  COLUMN_ESTABLISHMENT,
};

/* ---- words ---- */

static char *
dup_profile (JnEntUser *user)
{
  JnCategory category;

  if (!jn_ent_user_get_category (user, &category))
    {
      const char *type = jn_ent_user_get_user_type (user);

      return g_strdup (type != NULL && *type != '\0' ? type : _("Unknown"));
    }

  switch (category)
    {
    case JN_CATEGORY_TEACHER:
      return g_strdup (C_("profile", "Teacher"));
    case JN_CATEGORY_STUDENT:
      return g_strdup (C_("profile", "Student"));
    case JN_CATEGORY_RELATIVE:
      return g_strdup (C_("profile", "Relative"));
    case JN_CATEGORY_INTERNSHIP_MASTER:
      return g_strdup (C_("profile", "Internship Master"));
    case JN_CATEGORY_INSPECTOR:
      return g_strdup (C_("profile", "Inspector"));
    case JN_CATEGORY_STAFF:
    default:
      return g_strdup (C_("profile", "Staff"));
    }
}

static char *
dup_structures (JnEntUser *user)
{
  const char * const *structures = jn_ent_user_get_structures (user);

  if (structures == NULL || structures[0] == NULL)
    return g_strdup (_("None"));
  return g_strjoinv (", ", (char **)structures);
}

/* ---- the results ---- */

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  JnEntUser *user = gtk_list_item_get_item (item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  g_autofree char *text = NULL;

  switch (GPOINTER_TO_UINT (user_data))
    {
    case COLUMN_FAMILY:
      {
        g_autofree char *family = g_utf8_strup (jn_ent_user_get_family_name (user), -1);

        text = jn_text_escape_for_terminal (family);
      }
      break;
    case COLUMN_GIVEN:
      text = jn_text_escape_for_terminal (jn_ent_user_get_given_name (user));
      break;
    case COLUMN_PROFILE:
      text = dup_profile (user);
      break;
    case COLUMN_ESTABLISHMENT:
    default:
      text = dup_structures (user);
      break;
    }
  gtk_label_set_text (label, text);
}

static void
add_column (JnUserDialog *self,
            const char   *title,
            guint         column,
            gboolean      expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) view_column = NULL;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb), GUINT_TO_POINTER (column));
  view_column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (view_column, expand);
  gtk_column_view_column_set_resizable (view_column, TRUE);
  gtk_column_view_append_column (self->results_view, view_column);
}

static void
run_search (JnUserDialog *self)
{
  const char *query = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *stripped = g_strstrip (g_strdup (query));
  g_autoptr(GPtrArray) found = NULL;
  guint n_found = 0;

  if (self->index == NULL)
    return;

  found = jn_user_index_search (self->index, query, MAX_RESULTS, &n_found);
  g_list_store_splice (self->results, 0, g_list_model_get_n_items (G_LIST_MODEL (self->results)),
                       found->pdata, found->len);

  if (*stripped == '\0')
    gtk_stack_set_visible_child_name (self->results_stack, "hint");
  else if (found->len == 0)
    gtk_stack_set_visible_child_name (self->results_stack, "empty");
  else
    {
      g_autofree char *text = NULL;

      if (n_found > found->len)
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "%u account fits; the first %u are shown: type more to narrow the search",
                                             "%u accounts fit; the first %u are shown: type more to narrow the search",
                                             n_found),
                                n_found, found->len);
      else
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u account fits", "%u accounts fit",
                                             n_found), n_found);
      gtk_label_set_text (self->count_label, text);
      gtk_stack_set_visible_child_name (self->results_stack, "results");
    }
}

static void
search_changed_cb (JnUserDialog *self)
{
  run_search (self);
}

static void
search_activate_cb (JnUserDialog *self)
{
  g_autoptr(JnEntUser) first = NULL;

  if (g_list_model_get_n_items (G_LIST_MODEL (self->results)) == 0)
    return;
  first = g_list_model_get_item (G_LIST_MODEL (self->results), 0);
  jn_user_dialog_show_user (self, first);
}

static void
stop_search_cb (JnUserDialog *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

static void
results_activate_cb (JnUserDialog *self,
                     guint         position)
{
  g_autoptr(JnEntUser) user = g_list_model_get_item (G_LIST_MODEL (self->results), position);

  if (user != NULL)
    jn_user_dialog_show_user (self, user);
}

/* ---- loading ---- */

static void load (JnUserDialog *self);

/* What became of the edits a crash left unfinished, finished while the page loaded */
static void
toast_finished_edits (JnUserDialog *self,
                      GPtrArray    *finished)
{
  g_autofree char *text = NULL;
  g_autofree char *escaped = NULL;
  AdwToast *toast;
  guint n_failed = 0;

  for (guint i = 0; i < finished->len; i++)
    n_failed += ((JnOperation *)g_ptr_array_index (finished, i))->state != JN_OP_DONE;

  if (finished->len == 1)
    {
      JnOperation *op = g_ptr_array_index (finished, 0);
      JnEntUser *user = self->index != NULL ? jn_user_index_lookup (self->index, op->ent_id) : NULL;
      g_autofree char *name = user != NULL ? jn_user_edit_dup_name (user) : g_strdup (op->ent_id);

      if (n_failed == 0)
        text = g_strdup_printf (_("The interrupted edit of %s was finished"), name);
      else
        text = g_strdup_printf (_("The interrupted edit of %s could not be finished: %s"), name,
                                op->detail != NULL ? op->detail : _("no reason given"));
    }
  else if (n_failed == 0)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u interrupted edit was finished",
                                         "%u interrupted edits were finished", finished->len),
                            finished->len);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Interrupted edits finished; %u could not be: see History",
                                         "Interrupted edits finished; %u could not be: see History",
                                         n_failed),
                            n_failed);

  /* A toast's title is markup (libadwaita 1.2): a name from the ENT is not */
  escaped = g_markup_escape_text (text, -1);
  toast = adw_toast_new (escaped);
  if (n_failed > 0)
    adw_toast_set_timeout (toast, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* The edits a crash left unfinished that a load or a save finished first: shown in the
 * search (@users: their accounts afterwards, when known) and said. TRUE when one of them
 * changed the ENT (the start page, an open import must know); @changed: its account, when
 * the index has it. */
static gboolean
show_finished_edits (JnUserDialog  *self,
                     GPtrArray     *finished,
                     GPtrArray     *users,
                     JnEntUser    **changed)
{
  if (finished == NULL || finished->len == 0)
    return FALSE;

  if (self->index != NULL && users != NULL)
    for (guint i = 0; i < users->len; i++)
      jn_user_index_update_user (self->index, g_ptr_array_index (users, i));
  toast_finished_edits (self, finished);

  for (guint i = 0; i < finished->len; i++)
    {
      JnOperation *op = g_ptr_array_index (finished, i);

      if (op->state != JN_OP_DONE)
        continue;
      if (changed != NULL)
        *changed = self->index != NULL ? jn_user_index_lookup (self->index, op->ent_id) : NULL;
      return TRUE;
    }

  return FALSE;
}

/* A load's finished edits: said, and the ENT's change announced */
static void
announce_finished_edits (JnUserDialog *self,
                         GPtrArray    *finished)
{
  JnEntUser *changed = NULL;

  if (show_finished_edits (self, finished, NULL, &changed))
    g_signal_emit (self, signals[SIGNAL_SAVED], 0, changed);
}

static void
load_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(JnUserDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) finished = NULL;
  g_autoptr(JnUserIndex) index = jn_user_index_load_finish (result, &finished, &error);
  JnEntUser *user;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->pages == NULL)
    return;

  gtk_spinner_stop (self->spinner);
  if (index == NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);

      /* The server's words, not markup */
      adw_status_page_set_description (self->error_page, escaped);
      gtk_stack_set_visible_child_name (self->results_stack, "error");
      /* The edits finished before the directory read failed changed the ENT all the same:
       * the next load has nothing left to finish, so it is now or never */
      announce_finished_edits (self, finished);
      return;
    }

  g_clear_pointer (&self->index, jn_user_index_unref);
  self->index = g_steal_pointer (&index);
  {
    g_autofree char *count = g_strdup_printf ("%u", jn_directory_get_n_users (jn_user_index_get_directory (self->index)));
    g_autofree char *description = g_strdup_printf (
      /* TRANSLATORS: "1608 accounts in 0312609T: type a name…" */
      g_dngettext (GETTEXT_PACKAGE,
                   "%s account in %s: type a last name, a first name or a PRONOTE identifier",
                   "%s accounts in %s: type a last name, a first name or a PRONOTE identifier",
                   jn_directory_get_n_users (jn_user_index_get_directory (self->index))),
      count, self->uai);

    adw_status_page_set_description (self->hint_page, description);
  }
  gtk_widget_set_sensitive (GTK_WIDGET (self->search_entry), TRUE);
  gtk_stack_set_visible_child_name (self->results_stack, "hint");
  announce_finished_edits (self, finished);

  user = jn_user_index_lookup (self->index, self->initial_query);
  if (user != NULL)
    {
      jn_user_dialog_show_user (self, user);
      return;
    }
  if (self->initial_query != NULL && *self->initial_query != '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), self->initial_query);
  run_search (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
load (JnUserDialog *self)
{
  gtk_stack_set_visible_child_name (self->pages, "search");
  gtk_stack_set_visible_child_name (self->results_stack, "loading");
  gtk_spinner_start (self->spinner);
  gtk_widget_set_sensitive (GTK_WIDGET (self->search_entry), FALSE);
  jn_user_index_load_async (self->store, self->ent, self->uai, self->cancellable, load_cb,
                            g_object_ref (self));
}

static void
retry_clicked_cb (JnUserDialog *self)
{
  load (self);
}

/* ---- the account's page ---- */

static void
set_validation (JnUserDialog *self,
                const char   *text,
                const char   *style)
{
  const char *styles[] = { "error", "warning", "success", "dim-label" };

  for (guint i = 0; i < G_N_ELEMENTS (styles); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->validation_label), styles[i]);
  gtk_label_set_text (self->validation_label, text ? text : "");
  if (style != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->validation_label), style);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->value_entry),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text ? text : "", -1);
}

static void
update_edit_sensitivity (JnUserDialog *self,
                         gboolean      can_save)
{
  gtk_widget_set_sensitive (self->save_button, can_save && !self->saving);
  /* nothing to remove: no button */
  gtk_widget_set_visible (self->clear_button,
                          self->user != NULL && self->editing_uai != NULL &&
                          jn_ent_user_get_pronote_id (self->user, self->editing_uai) != NULL);
  gtk_widget_set_sensitive (self->clear_button, !self->saving);
  gtk_widget_set_sensitive (self->cancel_edit_button, !self->saving);
  gtk_editable_set_editable (GTK_EDITABLE (self->value_entry), !self->saving);
  if (self->saving)
    gtk_spinner_start (self->save_spinner);
  else
    gtk_spinner_stop (self->save_spinner);
}

static JnUserEditCheck *
check_value (JnUserDialog *self)
{
  return jn_user_edit_check (self->user, self->editing_uai,
                             gtk_editable_get_text (GTK_EDITABLE (self->value_entry)), NULL,
                             self->index);
}

static void
value_changed_cb (JnUserDialog *self)
{
  g_autoptr(JnUserEditCheck) check = NULL;

  if (self->user == NULL || self->editing_uai == NULL)
    return;

  /* PRONOTE writes capitals: typed small letters are raised (the entry signals again) */
  {
    const char *text = gtk_editable_get_text (GTK_EDITABLE (self->value_entry));
    g_autofree char *upper = g_ascii_strup (text, -1);

    if (strcmp (upper, text) != 0)
      {
        int position = gtk_editable_get_position (GTK_EDITABLE (self->value_entry));

        gtk_editable_set_text (GTK_EDITABLE (self->value_entry), upper);
        gtk_editable_set_position (GTK_EDITABLE (self->value_entry), position);
        return;
      }
  }

  check = check_value (self);
  switch (check->verdict)
    {
    case JN_USER_EDIT_OK:
      set_validation (self, _("A well-formed PRONOTE identifier"), "success");
      break;
    case JN_USER_EDIT_UNCHANGED:
      set_validation (self, check->message, "dim-label");
      break;
    case JN_USER_EDIT_CONFIRM:
      set_validation (self, check->message, "warning");
      break;
    case JN_USER_EDIT_REFUSED:
    default:
      set_validation (self, check->message, "error");
      break;
    }
  update_edit_sensitivity (self, check->verdict == JN_USER_EDIT_OK ||
                                 check->verdict == JN_USER_EDIT_CONFIRM);
}

static void
change_clicked_cb (GtkButton    *button,
                   JnUserDialog *self)
{
  jn_user_dialog_edit_value (self, g_object_get_data (G_OBJECT (button), "jn-uai"));
}

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *name)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
fill_user_page (JnUserDialog *self)
{
  g_autofree char *full = jn_user_edit_dup_name (self->user);
  g_autofree char *profile = dup_profile (self->user);
  g_autofree char *structures = dup_structures (self->user);
  g_auto(GStrv) uais = jn_user_edit_list_uais (self->user);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) rows = NULL;
  GtkWidget *child;
  gboolean has_own = FALSE;
  const char *birth = jn_ent_user_get_birth_date (self->user);

  adw_window_title_set_title (self->user_title, full);
  adw_window_title_set_subtitle (self->user_title, profile);
  adw_action_row_set_subtitle (self->name_row, full);
  if (birth != NULL && *birth != '\0')
    {
      g_autofree char *date = jn_format_export_date (birth);
      g_autofree char *with_birth = g_strdup_printf (_("%s, born on %s"), full, date ? date : birth);

      adw_action_row_set_subtitle (self->name_row, with_birth);
    }
  adw_action_row_set_subtitle (self->profile_row, profile);
  adw_action_row_set_subtitle (self->establishments_row, structures);
  adw_action_row_set_subtitle (self->login_row, jn_ent_user_get_user_name (self->user));

  /* Every UAI the account has, and always the one of this establishment */
  for (guint i = 0; uais[i] != NULL; i++)
    has_own = has_own || g_ascii_strcasecmp (uais[i], self->uai) == 0;
  if (!has_own)
    g_strv_builder_add (builder, self->uai);
  g_strv_builder_addv (builder, (const char **)uais);
  rows = g_strv_builder_end (builder);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->ids_list))) != NULL)
    gtk_list_box_remove (self->ids_list, child);

  for (guint i = 0; rows[i] != NULL; i++)
    {
      const char *value = jn_ent_user_get_pronote_id (self->user, rows[i]);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *button = gtk_button_new_with_mnemonic (_("_Change Value"));
      g_autofree char *button_name = g_strdup_printf (_("Change the PRONOTE identifier for %s"), rows[i]);

      /* Before the title: a UAI read from the ENT is never parsed as markup */
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), rows[i]);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value ? value : _("No identifier"));
      gtk_widget_add_css_class (row, "property");
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_name (button, rows[i]);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      button_name, -1);
      gtk_widget_set_tooltip_text (button, button_name);
      g_object_set_data_full (G_OBJECT (button), "jn-uai", g_strdup (rows[i]), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (change_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      gtk_list_box_append (self->ids_list, row);
    }
}

/* The "Change Value" button of this establishment's row (the first row) */
static GtkWidget *
own_change_button (JnUserDialog *self)
{
  return find_button (GTK_WIDGET (self->ids_list), self->uai);
}

static void
close_edit (JnUserDialog *self)
{
  g_clear_pointer (&self->editing_uai, g_free);
  gtk_widget_set_visible (GTK_WIDGET (self->edit_group), FALSE);
}

static void
back_clicked_cb (JnUserDialog *self)
{
  if (self->saving)
    return;
  close_edit (self);
  g_clear_object (&self->user);
  gtk_stack_set_visible_child_name (self->pages, "search");
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
cancel_edit_clicked_cb (JnUserDialog *self)
{
  if (self->saving)
    return;
  close_edit (self);
}

/* ---- saving ---- */

static void
save_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(JnUserDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JnEntUser) after = NULL;
  g_autoptr(JnPushReport) report = jn_user_edit_save_finish (result, &after, &error);
  g_autoptr(GPtrArray) finished_users = NULL;
  g_autoptr(GPtrArray) finished = jn_user_edit_save_get_finished (result, &finished_users);
  gboolean ent_changed;

  /* closed with its parent window meanwhile: the journal has the outcome */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->pages == NULL)
    return;

  self->saving = FALSE;
  update_edit_sensitivity (self, TRUE);
  ent_changed = show_finished_edits (self, finished, finished_users, NULL);

  if (report == NULL || report->failed->len > 0)
    {
      /* What the edits finished first changed is announced all the same */
      if (ent_changed)
        g_signal_emit (self, signals[SIGNAL_SAVED], 0, self->user);
    }

  if (report == NULL)
    {
      /* Changed meanwhile: the page shows what the account holds now, so that the next
       * confirmation is about that value */
      if (after != NULL && g_error_matches (error, JN_ERROR, JN_ERROR_ENT_STALE))
        {
          if (self->index != NULL && jn_user_index_update_user (self->index, after))
            g_set_object (&self->user, jn_user_index_lookup (self->index, jn_ent_user_get_id (after)));
          else
            g_set_object (&self->user, after);
          fill_user_page (self);
        }
      set_validation (self, error->message, "error");
      return;
    }
  if (report->failed->len > 0)
    {
      JnOperation *op = g_ptr_array_index (report->failed, 0);
      g_autofree char *text = g_strdup_printf (_("The ENT refused the change: %s"),
                                               op->detail ? op->detail : _("no reason given"));

      set_validation (self, text, "error");
      return;
    }

  if (after != NULL && self->index != NULL)
    {
      jn_user_index_update_user (self->index, after);
      g_set_object (&self->user, jn_user_index_lookup (self->index, jn_ent_user_get_id (after)));
    }
  close_edit (self);
  fill_user_page (self);
  run_search (self);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Identifier saved")));
  g_signal_emit (self, signals[SIGNAL_SAVED], 0, self->user);
}

static void
start_save (JnUserDialog *self,
            const char   *value,
            gboolean      confirmed)
{
  self->saving = TRUE;
  update_edit_sensitivity (self, FALSE);
  set_validation (self, _("Saving…"), "dim-label");
  jn_user_edit_save_async (self->store, self->ent, self->user, self->editing_uai, value, confirmed,
                           self->cancellable, save_cb, g_object_ref (self));
}

static void
confirm_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     JnUserDialog     *self)
{
  g_autoptr(JnUserEditCheck) check = NULL;

  if (g_strcmp0 (response, "save") != 0 || self->user == NULL || self->editing_uai == NULL ||
      self->saving)
    return;

  check = check_value (self);
  if (check->verdict == JN_USER_EDIT_CONFIRM || check->verdict == JN_USER_EDIT_OK)
    start_save (self, check->value, TRUE);
}

static void
save_clicked_cb (JnUserDialog *self)
{
  g_autoptr(JnUserEditCheck) check = NULL;
  AdwMessageDialog *dialog;
  const char *heading;
  const char *label;

  if (self->user == NULL || self->editing_uai == NULL || self->saving ||
      !gtk_widget_get_sensitive (self->save_button))
    return;

  check = check_value (self);
  if (check->verdict == JN_USER_EDIT_REFUSED || check->verdict == JN_USER_EDIT_UNCHANGED)
    return;
  if (check->verdict == JN_USER_EDIT_OK)
    {
      start_save (self, check->value, FALSE);
      return;
    }

  if (check->value == NULL)
    {
      heading = _("Remove the Identifier?");
      label = _("_Remove");
    }
  else if (check->replaces)
    {
      heading = _("Replace the Identifier?");
      label = _("_Replace");
    }
  else
    {
      heading = _("Save an Unusual Value?");
      label = _("_Save Anyway");
    }

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, check->message));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "save", label, NULL);
  adw_message_dialog_set_response_appearance (dialog, "save",
                                              check->replaces ? ADW_RESPONSE_DESTRUCTIVE
                                                              : ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (confirm_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
clear_clicked_cb (JnUserDialog *self)
{
  if (self->saving)
    return;
  gtk_editable_set_text (GTK_EDITABLE (self->value_entry), "");
  save_clicked_cb (self);
}

/* ---- keyboard ---- */

/* Ctrl+F: back to the search, its entry focused */
static void
focus_search_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  JnUserDialog *self = JN_USER_DIALOG (widget);

  if (!self->saving && g_strcmp0 (gtk_stack_get_visible_child_name (self->pages), "user") == 0)
    back_clicked_cb (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* Escape: the change of value, then the account's page, then the editor closes */
static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  JnUserDialog *self = JN_USER_DIALOG (widget);

  if (self->saving)
    return;
  if (gtk_widget_get_visible (GTK_WIDGET (self->edit_group)))
    close_edit (self);
  else if (g_strcmp0 (gtk_stack_get_visible_child_name (self->pages), "user") == 0)
    back_clicked_cb (self);
  else
    gtk_window_close (GTK_WINDOW (self));
}

/* ---- GObject ---- */

/* Not while an identifier is being written: its outcome is shown here */
static gboolean
jn_user_dialog_close_request (GtkWindow *window)
{
  JnUserDialog *self = JN_USER_DIALOG (window);

  if (self->saving)
    return TRUE;

  return GTK_WINDOW_CLASS (jn_user_dialog_parent_class)->close_request (window);
}

static void
jn_user_dialog_constructed (GObject *object)
{
  JnUserDialog *self = JN_USER_DIALOG (object);

  G_OBJECT_CLASS (jn_user_dialog_parent_class)->constructed (object);

  add_column (self, _("Last Name"), COLUMN_FAMILY, TRUE);
  add_column (self, _("First Name"), COLUMN_GIVEN, TRUE);
  add_column (self, _("Profile"), COLUMN_PROFILE, FALSE);
  add_column (self, _("Establishment"), COLUMN_ESTABLISHMENT, FALSE);

  load (self);
}

static void
jn_user_dialog_dispose (GObject *object)
{
  JnUserDialog *self = JN_USER_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), JN_TYPE_USER_DIALOG);

  G_OBJECT_CLASS (jn_user_dialog_parent_class)->dispose (object);
}

static void
jn_user_dialog_finalize (GObject *object)
{
  JnUserDialog *self = JN_USER_DIALOG (object);

  g_clear_object (&self->store);
  g_clear_object (&self->ent);
  g_free (self->uai);
  g_free (self->initial_query);
  g_clear_pointer (&self->index, jn_user_index_unref);
  g_clear_object (&self->results);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->user);
  g_free (self->editing_uai);

  G_OBJECT_CLASS (jn_user_dialog_parent_class)->finalize (object);
}

static void
jn_user_dialog_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  JnUserDialog *self = JN_USER_DIALOG (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_ENT:
      self->ent = g_value_dup_object (value);
      break;
    case PROP_UAI:
      self->uai = g_value_dup_string (value);
      break;
    case PROP_QUERY:
      self->initial_query = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jn_user_dialog_class_init (JnUserDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = jn_user_dialog_constructed;
  window_class->close_request = jn_user_dialog_close_request;
  object_class->dispose = jn_user_dialog_dispose;
  object_class->finalize = jn_user_dialog_finalize;
  object_class->set_property = jn_user_dialog_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, JN_TYPE_STORE,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ENT] =
    g_param_spec_object ("ent", NULL, NULL, JN_TYPE_ENT,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_UAI] =
    g_param_spec_string ("uai", NULL, NULL, NULL,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_QUERY] =
    g_param_spec_string ("query", NULL, NULL, NULL,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, JN_TYPE_ENT_USER);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/fr/jonction/Jonction/jn-user-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, JnUserDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, JnUserDialog, pages);
  gtk_widget_class_bind_template_child (widget_class, JnUserDialog, search_entry);
  gtk_widget_class_bind_template_child (widget_class, JnUserDialog, results_stack);
  gtk_widget_class_bind_template_child (widget_class, JnUserDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, JnUserDialog, error_page);
  gtk_widget_class_bind_template_child (widget_class, JnUserDialog, hint_page);
  gtk_widget_class_bind_template_child (widget_class, JnUserDialog, count_label);
  gtk_widget_class_bind_template_child (widget_class, JnUserDialog, results_view);
  gtk_widget_class_bind_template_child (widget_class, JnUserDialog, user_title);
  gtk_widget_class_bind_template_child (widget_class, JnUserDialog, user_page);
  gtk_widget_class_bind_template_child (widget_class, JnUserDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, JnUserDialog, profile_row);
  gtk_widget_class_bind_template_child (widget_class, JnUserDialog, establishments_row);
  gtk_widget_class_bind_template_child (widget_class, JnUserDialog, login_row);
  gtk_widget_class_bind_template_child (widget_class, JnUserDialog, ids_list);
  gtk_widget_class_bind_template_child (widget_class, JnUserDialog, edit_group);
  gtk_widget_class_bind_template_child (widget_class, JnUserDialog, value_entry);
  gtk_widget_class_bind_template_child (widget_class, JnUserDialog, validation_label);
  gtk_widget_class_bind_template_child (widget_class, JnUserDialog, clear_button);
  gtk_widget_class_bind_template_child (widget_class, JnUserDialog, save_spinner);
  gtk_widget_class_bind_template_child (widget_class, JnUserDialog, cancel_edit_button);
  gtk_widget_class_bind_template_child (widget_class, JnUserDialog, save_button);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, results_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, retry_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, back_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, value_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, save_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, clear_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_edit_clicked_cb);

  gtk_widget_class_install_action (widget_class, "user.focus-search", NULL, focus_search_action);
  gtk_widget_class_install_action (widget_class, "user.back", NULL, back_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "user.focus-search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "user.back", NULL);
}

static void
jn_user_dialog_init (JnUserDialog *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->results = g_list_store_new (JN_TYPE_ENT_USER);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->results)));
  gtk_column_view_set_model (self->results_view, GTK_SELECTION_MODEL (selection));
}

JnUserDialog *
jn_user_dialog_new (GtkWindow  *parent,
                    JnStore    *store,
                    JnEnt      *ent,
                    const char *uai,
                    const char *query)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (JN_IS_STORE (store), NULL);
  g_return_val_if_fail (JN_IS_ENT (ent), NULL);
  g_return_val_if_fail (uai != NULL, NULL);

  return g_object_new (JN_TYPE_USER_DIALOG,
                       "transient-for", parent,
                       "store", store,
                       "ent", ent,
                       "uai", uai,
                       "query", query,
                       NULL);
}

gboolean
jn_user_dialog_get_loading (JnUserDialog *self)
{
  g_return_val_if_fail (JN_IS_USER_DIALOG (self), FALSE);

  return self->index == NULL;
}

JnUserIndex *
jn_user_dialog_get_index (JnUserDialog *self)
{
  g_return_val_if_fail (JN_IS_USER_DIALOG (self), NULL);

  return self->index;
}

void
jn_user_dialog_search (JnUserDialog *self,
                       const char   *query)
{
  g_return_if_fail (JN_IS_USER_DIALOG (self));

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->pages), "user") == 0)
    back_clicked_cb (self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), query ? query : "");
  run_search (self);
}

GListModel *
jn_user_dialog_get_results (JnUserDialog *self)
{
  g_return_val_if_fail (JN_IS_USER_DIALOG (self), NULL);

  return G_LIST_MODEL (self->results);
}

void
jn_user_dialog_show_user (JnUserDialog *self,
                          JnEntUser    *user)
{
  g_return_if_fail (JN_IS_USER_DIALOG (self));
  g_return_if_fail (JN_IS_ENT_USER (user));

  if (self->saving)
    return;
  close_edit (self);
  g_set_object (&self->user, user);
  fill_user_page (self);
  gtk_stack_set_visible_child_name (self->pages, "user");
  /* Enter on a result, then Enter again: the value of this establishment to change */
  if (own_change_button (self) != NULL)
    gtk_widget_grab_focus (own_change_button (self));
}

JnEntUser *
jn_user_dialog_get_user (JnUserDialog *self)
{
  g_return_val_if_fail (JN_IS_USER_DIALOG (self), NULL);

  return self->user;
}

void
jn_user_dialog_edit_value (JnUserDialog *self,
                           const char   *uai)
{
  g_autofree char *title = NULL;
  g_autofree char *entry_name = NULL;
  const char *current;

  g_return_if_fail (JN_IS_USER_DIALOG (self));
  g_return_if_fail (uai != NULL);

  if (self->user == NULL || self->saving)
    return;

  g_free (self->editing_uai);
  self->editing_uai = g_strdup (uai);
  current = jn_ent_user_get_pronote_id (self->user, uai);

  title = g_strdup_printf (_("New PRONOTE Identifier for %s"), uai);
  {
    /* a group's title is markup; a UAI read from the ENT is text */
    g_autofree char *escaped = g_markup_escape_text (title, -1);

    adw_preferences_group_set_title (self->edit_group, escaped);
  }
  entry_name = g_strdup_printf (_("New PRONOTE identifier for %s"), uai);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->value_entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  entry_name, -1);
  gtk_editable_set_text (GTK_EDITABLE (self->value_entry), current ? current : "");
  value_changed_cb (self);
  gtk_widget_set_visible (GTK_WIDGET (self->edit_group), TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->value_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->value_entry), 0, -1);
}

gboolean
jn_user_dialog_get_saving (JnUserDialog *self)
{
  g_return_val_if_fail (JN_IS_USER_DIALOG (self), FALSE);

  return self->saving;
}
