/* jn-browse-dialog.c
 *
 * The ranking is the session's (jn_import_session_search_directory); the dialog lists at
 * most JN_BROWSE_MAX_RESULTS rows, rebuilt on each keystroke, so that a keystroke costs the
 * search plus fifty rows whatever the size of the directory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-browse-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "jn-browse-dialog.h"
#include "jn-ui-utils.h"

struct _JnBrowseDialog
{
  AdwWindow        parent_instance;

  /* template widgets */
  AdwWindowTitle  *window_title;
  GtkSearchEntry  *search_entry;
  GtkLabel        *count_label;
  GtkStack        *stack;
  GtkScrolledWindow *scrolled_window;
  GtkListBox      *results_list;

  /* owned */
  JnImportSession *session;
  JnSessionRow    *row;
  GPtrArray       *results;       /* JnSessionSuggestion */
  GPtrArray       *result_rows;   /* ResultRow: the rows made so far, some hidden */
  char            *query;
};

enum {
  PROP_0,
  PROP_SESSION,
  PROP_ROW,
  N_PROPS
};

enum {
  SIGNAL_CHOSEN,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (JnBrowseDialog, jn_browse_dialog, ADW_TYPE_WINDOW)

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
choose (JnBrowseDialog *self,
        guint           index)
{
  JnSessionSuggestion *result;
  g_autoptr(JnEntUser) user = NULL;

  if (index >= self->results->len)
    return;

  result = g_ptr_array_index (self->results, index);
  if (result->taken_by != NULL)
    return;

  user = g_object_ref (result->user);
  g_object_ref (self);
  g_signal_emit (self, signals[SIGNAL_CHOSEN], 0, user);
  gtk_window_close (GTK_WINDOW (self));
  g_object_unref (self);
}

static void
choose_clicked_cb (GtkButton      *button,
                   JnBrowseDialog *self)
{
  choose (self, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "index")));
}

static void
row_activated_cb (JnBrowseDialog *self,
                  GtkListBoxRow  *row)
{
  choose (self, gtk_list_box_row_get_index (row));
}

static void
search_activate_cb (JnBrowseDialog *self)
{
  for (guint i = 0; i < self->results->len; i++)
    if (((JnSessionSuggestion *)g_ptr_array_index (self->results, i))->taken_by == NULL)
      {
        choose (self, i);
        return;
      }
}

static void
stop_search_cb (JnBrowseDialog *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

typedef struct
{
  GtkWidget *row;
  GtkWidget *button;
} ResultRow;

/* The rows are made once and reused: a keystroke only changes their texts (making fifty
 * rows again costs more than the search itself) */
static ResultRow *
get_result_row (JnBrowseDialog *self,
                guint           index)
{
  ResultRow *result_row;

  if (index < self->result_rows->len)
    return g_ptr_array_index (self->result_rows, index);

  result_row = g_new0 (ResultRow, 1);
  result_row->row = adw_action_row_new ();
  result_row->button = gtk_button_new_with_label (_("Choose"));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (result_row->row), FALSE);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (result_row->row), 0);
  gtk_widget_set_valign (result_row->button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (result_row->button, "flat");
  g_object_set_data (G_OBJECT (result_row->button), "index", GUINT_TO_POINTER (index));
  g_signal_connect (result_row->button, "clicked", G_CALLBACK (choose_clicked_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (result_row->row), result_row->button);
  gtk_list_box_append (self->results_list, result_row->row);
  g_ptr_array_add (self->result_rows, result_row);

  return result_row;
}

static void
show_result (JnBrowseDialog      *self,
             ResultRow           *result_row,
             JnSessionSuggestion *result)
{
  g_autofree char *name = jn_ent_user_dup_display_name (result->user);
  g_autofree char *born = jn_format_export_date (jn_ent_user_get_birth_date (result->user));
  const char *login = jn_ent_user_get_user_name (result->user);
  const char *pronote_id = jn_ent_user_get_pronote_id (result->user,
                                                       jn_import_session_get_uai (self->session));
  g_autoptr(GString) subtitle = g_string_new (NULL);
  gboolean taken = result->taken_by != NULL;

  if (login != NULL && *login != '\0')
    g_string_append_printf (subtitle, _("login %s"), login);
  if (born != NULL)
    {
      if (subtitle->len > 0)
        g_string_append (subtitle, " · ");
      g_string_append_printf (subtitle, _("born %s"), born);
    }
  if (subtitle->len > 0)
    g_string_append_c (subtitle, '\n');
  if (pronote_id != NULL)
    g_string_append_printf (subtitle, _("PRONOTE identifier now: %s"), pronote_id);
  else
    g_string_append (subtitle, _("No PRONOTE identifier yet"));
  if (taken)
    {
      g_string_append_c (subtitle, '\n');
      g_string_append_printf (subtitle, _("Already chosen for %s"), result->taken_by);
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (result_row->row), name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (result_row->row), subtitle->str);
  gtk_accessible_update_property (GTK_ACCESSIBLE (result_row->row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, subtitle->str,
                                  -1);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (result_row->row), !taken);
  gtk_widget_set_sensitive (result_row->row, !taken);
  gtk_widget_set_visible (result_row->button, !taken);
  if (!taken)
    {
      g_autofree char *choose_label = g_strdup_printf (_("Choose %s"), name);

      gtk_accessible_update_property (GTK_ACCESSIBLE (result_row->button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, choose_label,
                                      -1);
    }
  gtk_widget_set_visible (result_row->row, TRUE);
}

static void
update_results (JnBrowseDialog *self,
                const char     *query)
{
  JnCategory category = jn_session_row_get_category (self->row);
  g_autoptr(GPtrArray) results = NULL;
  g_autofree char *count = NULL;

  if (self->query != NULL && g_strcmp0 (self->query, query) == 0)
    return;
  g_free (self->query);
  self->query = g_strdup (query);

  results = jn_import_session_search_directory (self->session, category, query,
                                                JN_BROWSE_MAX_RESULTS);
  if (results == NULL)
    results = g_ptr_array_new_with_free_func ((GDestroyNotify)jn_session_suggestion_free);

  g_clear_pointer (&self->results, g_ptr_array_unref);
  self->results = g_steal_pointer (&results);

  for (guint i = 0; i < self->results->len; i++)
    show_result (self, get_result_row (self, i), g_ptr_array_index (self->results, i));
  for (guint i = self->results->len; i < self->result_rows->len; i++)
    gtk_widget_set_visible (((ResultRow *)g_ptr_array_index (self->result_rows, i))->row, FALSE);

  if (self->results->len >= JN_BROWSE_MAX_RESULTS)
    count = g_strdup_printf (_("The %u closest accounts are listed: type more of the name to narrow the list"),
                             self->results->len);
  else if (self->results->len > 0)
    count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u account", "%u accounts",
                                          self->results->len),
                             self->results->len);
  gtk_label_set_text (self->count_label, count != NULL ? count : "");
  gtk_widget_set_visible (GTK_WIDGET (self->count_label), count != NULL);
  gtk_stack_set_visible_child_name (self->stack, self->results->len > 0 ? "results" : "empty");
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scrolled_window), 0);
}

static void
search_changed_cb (JnBrowseDialog *self)
{
  update_results (self, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
jn_browse_dialog_constructed (GObject *object)
{
  JnBrowseDialog *self = JN_BROWSE_DIALOG (object);
  const char *last_name;
  g_autofree char *subtitle = NULL;
  g_autofree char *name = NULL;

  G_OBJECT_CLASS (jn_browse_dialog_parent_class)->constructed (object);

  g_assert (self->session != NULL && self->row != NULL);

  name = g_strdup_printf ("%s %s", jn_session_row_get_last_name (self->row),
                          jn_session_row_get_first_name (self->row));
  /* TRANSLATORS: the dialog's subtitle: "Students · for DUPONT Léa" */
  subtitle = g_strdup_printf (_("%s · for %s"),
                              jn_category_get_label (jn_session_row_get_category (self->row)),
                              g_strstrip (name));
  adw_window_title_set_subtitle (self->window_title, subtitle);

  /* Starts from the record's last name: the likely accounts are listed at once */
  last_name = jn_session_row_get_last_name (self->row);
  g_signal_handlers_block_by_func (self->search_entry, search_changed_cb, self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), last_name != NULL ? last_name : "");
  g_signal_handlers_unblock_by_func (self->search_entry, search_changed_cb, self);
  update_results (self, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
jn_browse_dialog_dispose (GObject *object)
{
  JnBrowseDialog *self = JN_BROWSE_DIALOG (object);

  g_clear_object (&self->session);
  g_clear_object (&self->row);
  g_clear_pointer (&self->results, g_ptr_array_unref);
  g_clear_pointer (&self->result_rows, g_ptr_array_unref);
  g_clear_pointer (&self->query, g_free);

  gtk_widget_dispose_template (GTK_WIDGET (self), JN_TYPE_BROWSE_DIALOG);

  G_OBJECT_CLASS (jn_browse_dialog_parent_class)->dispose (object);
}

static void
jn_browse_dialog_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  JnBrowseDialog *self = JN_BROWSE_DIALOG (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_ROW:
      g_value_set_object (value, self->row);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jn_browse_dialog_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  JnBrowseDialog *self = JN_BROWSE_DIALOG (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    case PROP_ROW:
      self->row = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jn_browse_dialog_class_init (JnBrowseDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = jn_browse_dialog_constructed;
  object_class->dispose = jn_browse_dialog_dispose;
  object_class->get_property = jn_browse_dialog_get_property;
  object_class->set_property = jn_browse_dialog_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, JN_TYPE_IMPORT_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ROW] =
    g_param_spec_object ("row", NULL, NULL, JN_TYPE_SESSION_ROW,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CHOSEN] =
    g_signal_new ("chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, JN_TYPE_ENT_USER);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/fr/jonction/Jonction/jn-browse-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, JnBrowseDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, JnBrowseDialog, search_entry);
  gtk_widget_class_bind_template_child (widget_class, JnBrowseDialog, count_label);
  gtk_widget_class_bind_template_child (widget_class, JnBrowseDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, JnBrowseDialog, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, JnBrowseDialog, results_list);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
jn_browse_dialog_init (JnBrowseDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->results = g_ptr_array_new_with_free_func ((GDestroyNotify)jn_session_suggestion_free);
  self->result_rows = g_ptr_array_new_with_free_func (g_free);
}

GtkWidget *
jn_browse_dialog_new (GtkWindow       *parent,
                      JnImportSession *session,
                      JnSessionRow    *row)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (JN_IS_IMPORT_SESSION (session), NULL);
  g_return_val_if_fail (JN_IS_SESSION_ROW (row), NULL);

  return g_object_new (JN_TYPE_BROWSE_DIALOG,
                       "transient-for", parent,
                       "session", session,
                       "row", row,
                       NULL);
}

GPtrArray *
jn_browse_dialog_get_results (JnBrowseDialog *self)
{
  g_return_val_if_fail (JN_IS_BROWSE_DIALOG (self), NULL);

  return self->results;
}

void
jn_browse_dialog_search (JnBrowseDialog *self,
                         const char     *query)
{
  g_return_if_fail (JN_IS_BROWSE_DIALOG (self));

  g_signal_handlers_block_by_func (self->search_entry, search_changed_cb, self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), query != NULL ? query : "");
  g_signal_handlers_unblock_by_func (self->search_entry, search_changed_cb, self);
  update_results (self, query != NULL ? query : "");
}
