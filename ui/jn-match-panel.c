/* jn-match-panel.c
 *
 * The panel reads everything it shows from the row (its words come from the core) and asks
 * the session for suggestions; every decision goes through the session, and the row,
 * updated in place, tells the panel to refresh.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-match-panel"

#include "config.h"

#include <glib/gi18n.h>

#include "jn-browse-dialog.h"
#include "jn-match-panel.h"
#include "jn-person.h"
#include "jn-ui-utils.h"

#define N_SUGGESTIONS 5

struct _JnMatchPanel
{
  AdwBin           parent_instance;

  /* template widgets */
  GtkStack        *stack;
  GtkButton       *back_button;
  GtkLabel        *name_label;
  GtkLabel        *details_label;
  GtkLabel        *status_label;
  GtkLabel        *account_label;
  GtkLabel        *cause_label;
  GtkLabel        *advice_label;
  GtkLabel        *failure_label;
  GtkLabel        *error_label;
  GtkWidget       *suggestions_box;
  GtkLabel        *suggestions_title;
  GtkListBox      *suggestions_list;
  GtkLabel        *no_suggestions_label;
  GtkWidget       *actions_box;
  GtkButton       *browse_button;
  GtkButton       *skip_button;
  GtkButton       *undo_button;
  GtkButton       *edit_user_button;

  /* owned */
  JnImportSession *session;
  JnSessionRow    *row;
  GPtrArray       *suggestions;      /* JnSessionSuggestion, as listed */
  GPtrArray       *suggestion_rows;  /* the GtkListBoxRows listing them */
  gulong           row_notify_id;
  gulong           counts_changed_id;
  guint            refresh_source;
  gboolean         show_back;
};

enum {
  PROP_0,
  PROP_SESSION,
  PROP_ROW,
  PROP_SHOW_BACK,
  N_PROPS
};

enum {
  SIGNAL_DECIDED,
  SIGNAL_BACK,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (JnMatchPanel, jn_match_panel, ADW_TYPE_BIN)

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
set_label (GtkLabel   *label,
           const char *text)
{
  gtk_label_set_text (label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && *text != '\0');
}

static void
show_error (JnMatchPanel *self,
            const char   *message)
{
  set_label (self->error_label, message);
}

/* "DUPONT Léa, born 03/02/2011", or the name alone */
static char *
format_user_title (JnEntUser *user)
{
  g_autofree char *name = jn_ent_user_dup_display_name (user);
  g_autofree char *born = jn_format_export_date (jn_ent_user_get_birth_date (user));

  if (born == NULL)
    return g_steal_pointer (&name);

  /* TRANSLATORS: an ENT account: "DUPONT Léa, born 03/02/2011" */
  return g_strdup_printf (_("%s, born %s"), name, born);
}

/* ---- decisions ---- */

/* @row: the row decided (the page may have selected another one since, when a filter
 * hides it now) */
static void
decided (JnMatchPanel *self,
         JnSessionRow *row,
         gboolean      move_focus)
{
  show_error (self, NULL);
  if (move_focus && gtk_widget_get_visible (GTK_WIDGET (self->undo_button)))
    gtk_widget_grab_focus (GTK_WIDGET (self->undo_button));
  g_signal_emit (self, signals[SIGNAL_DECIDED], 0, row);
}

static gboolean
choose_user (JnMatchPanel *self,
             JnEntUser    *user,
             gboolean      move_focus)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JnSessionRow) row = NULL;
  g_autoptr(JnEntUser) chosen = NULL;

  if (self->row == NULL)
    return FALSE;

  /* the suggestion holding @user goes when the row changes */
  row = g_object_ref (self->row);
  chosen = g_object_ref (user);
  if (!jn_import_session_decide (self->session, row, chosen, &error))
    {
      show_error (self, error->message);
      return FALSE;
    }

  decided (self, row, move_focus);
  return TRUE;
}

static void
choose_suggestion (JnMatchPanel *self,
                   guint         index,
                   gboolean      move_focus)
{
  JnSessionSuggestion *suggestion;

  if (index >= self->suggestions->len)
    return;

  suggestion = g_ptr_array_index (self->suggestions, index);
  choose_user (self, suggestion->user, move_focus);
}

static void
choose_clicked_cb (GtkButton    *button,
                   JnMatchPanel *self)
{
  choose_suggestion (self, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "index")),
                     TRUE);
}

static void
suggestion_activated_cb (JnMatchPanel  *self,
                         GtkListBoxRow *row)
{
  choose_suggestion (self, gtk_list_box_row_get_index (row), TRUE);
}

static void
skip_clicked_cb (JnMatchPanel *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JnSessionRow) row = NULL;

  if (self->row == NULL)
    return;

  row = g_object_ref (self->row);
  if (!jn_import_session_skip (self->session, row, &error))
    {
      show_error (self, error->message);
      return;
    }

  decided (self, row, TRUE);
}

static void
undo_clicked_cb (JnMatchPanel *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JnSessionRow) row = NULL;

  if (self->row == NULL)
    return;

  row = g_object_ref (self->row);
  if (!jn_import_session_undo (self->session, row, &error))
    {
      show_error (self, error->message);
      return;
    }

  decided (self, row, FALSE);
  if (gtk_widget_get_visible (GTK_WIDGET (self->browse_button)))
    gtk_widget_grab_focus (GTK_WIDGET (self->browse_button));
}

static void
browse_chosen_cb (JnBrowseDialog *dialog,
                  JnEntUser      *user,
                  JnMatchPanel   *self)
{
  choose_user (self, user, TRUE);
}

static void
browse_clicked_cb (JnMatchPanel *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;

  if (self->row == NULL)
    return;

  dialog = jn_browse_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                 self->session, self->row);
  g_signal_connect_object (dialog, "chosen", G_CALLBACK (browse_chosen_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
back_clicked_cb (JnMatchPanel *self)
{
  g_signal_emit (self, signals[SIGNAL_BACK], 0);
}

/* ---- what the panel shows ---- */

static gboolean
row_can_change (JnMatchPanel *self)
{
  return self->row != NULL &&
         jn_session_row_get_push_state (self->row) != JN_ROW_PUSH_DONE &&
         jn_session_row_get_status (self->row) != JN_ROW_STATUS_WILL_CLEAR;
}

static gboolean
row_wants_suggestions (JnMatchPanel *self)
{
  JnRowStatus status;

  if (!row_can_change (self))
    return FALSE;

  status = jn_session_row_get_status (self->row);
  return status == JN_ROW_STATUS_AMBIGUOUS || status == JN_ROW_STATUS_UNMATCHED ||
         (status == JN_ROW_STATUS_MATCHED && !jn_session_row_get_manual (self->row));
}

static GtkWidget *
create_suggestion_row (JnMatchPanel        *self,
                       JnSessionSuggestion *suggestion,
                       guint                index)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_with_label (_("Choose"));
  g_autofree char *title = format_user_title (suggestion->user);
  g_autofree char *name = jn_ent_user_dup_display_name (suggestion->user);
  g_autofree char *choose_label = g_strdup_printf (_("Choose %s"), name);
  const char *login = jn_ent_user_get_user_name (suggestion->user);
  g_autofree char *subtitle = NULL;

  if (login != NULL && *login != '\0' && suggestion->reasons != NULL && *suggestion->reasons != '\0')
    /* TRANSLATORS: why an account is suggested, then its login */
    subtitle = g_strdup_printf (_("%s · login %s"), suggestion->reasons, login);
  else if (login != NULL && *login != '\0')
    subtitle = g_strdup_printf (_("login %s"), login);
  else
    subtitle = g_strdup (suggestion->reasons);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, subtitle,
                                  -1);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, index == 0 ? "suggested-action" : "flat");
  gtk_widget_set_tooltip_text (button, choose_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, choose_label,
                                  -1);
  g_object_set_data (G_OBJECT (button), "index", GUINT_TO_POINTER (index));
  g_signal_connect (button, "clicked", G_CALLBACK (choose_clicked_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  return row;
}

static void
refresh_suggestions (JnMatchPanel *self)
{
  g_clear_handle_id (&self->refresh_source, g_source_remove);

  for (guint i = 0; i < self->suggestion_rows->len; i++)
    gtk_list_box_remove (self->suggestions_list, g_ptr_array_index (self->suggestion_rows, i));
  g_ptr_array_set_size (self->suggestion_rows, 0);
  g_ptr_array_set_size (self->suggestions, 0);

  if (row_wants_suggestions (self))
    {
      g_autoptr(GPtrArray) suggestions = jn_import_session_suggest (self->session, self->row,
                                                                   N_SUGGESTIONS + 1);
      JnEntUser *current = jn_plan_item_get_user (jn_session_row_get_item (self->row));

      for (guint i = 0; suggestions != NULL && i < suggestions->len; i++)
        {
          JnSessionSuggestion *suggestion = g_ptr_array_index (suggestions, i);

          /* The account the record has now is not an alternative to itself */
          if (current != NULL && g_strcmp0 (jn_ent_user_get_id (suggestion->user),
                                            jn_ent_user_get_id (current)) == 0)
            continue;
          if (suggestion->taken_by != NULL || self->suggestions->len == N_SUGGESTIONS)
            continue;

          g_ptr_array_add (self->suggestions, suggestions->pdata[i]);
          suggestions->pdata[i] = NULL;
        }
    }

  for (guint i = 0; i < self->suggestions->len; i++)
    {
      GtkWidget *row = create_suggestion_row (self, g_ptr_array_index (self->suggestions, i), i);

      gtk_list_box_append (self->suggestions_list, row);
      g_ptr_array_add (self->suggestion_rows, row);
    }

  /* A recognised record with no other account in sight needs no "no account" notice */
  gtk_widget_set_visible (self->suggestions_box,
                          row_wants_suggestions (self) &&
                          (self->suggestions->len > 0 ||
                           jn_session_row_get_status (self->row) != JN_ROW_STATUS_MATCHED));
  gtk_widget_set_visible (GTK_WIDGET (self->suggestions_list), self->suggestions->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->no_suggestions_label), self->suggestions->len == 0);
}

static gboolean
refresh_suggestions_cb (gpointer user_data)
{
  JnMatchPanel *self = user_data;

  self->refresh_source = 0;
  refresh_suggestions (self);

  return G_SOURCE_REMOVE;
}

/* Several properties of a row change at once: list the suggestions once, before the
 * next frame */
static void
queue_refresh_suggestions (JnMatchPanel *self)
{
  if (self->refresh_source == 0)
    self->refresh_source = g_idle_add_full (G_PRIORITY_HIGH_IDLE, refresh_suggestions_cb,
                                            self, NULL);
}

static char *
format_details (JnSessionRow *row)
{
  JnPerson *person = jn_plan_item_get_person (jn_session_row_get_item (row));
  g_autoptr(GString) details = g_string_new (NULL);
  const char *birth_date = jn_session_row_get_birth_date (row);
  const char *pronote_id = jn_session_row_get_pronote_id (row);
  GPtrArray *children = person != NULL ? jn_person_get_children (person) : NULL;

  if (birth_date != NULL && *birth_date != '\0')
    g_string_append_printf (details, _("Born %s"), birth_date);

  if (pronote_id != NULL && *pronote_id != '\0')
    {
      if (details->len > 0)
        g_string_append_c (details, '\n');
      g_string_append_printf (details, _("PRONOTE identifier: %s"), pronote_id);
    }

  if (children != NULL && children->len > 0)
    {
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *joined = NULL;

      for (guint i = 0; i < children->len && i < 10; i++)
        g_ptr_array_add (names, jn_person_dup_display_name (g_ptr_array_index (children, i)));
      if (children->len > 10)
        g_ptr_array_add (names, g_strdup ("…"));
      g_ptr_array_add (names, NULL);
      joined = g_strjoinv (", ", (char **)names->pdata);

      if (details->len > 0)
        g_string_append_c (details, '\n');
      g_string_append_printf (details,
                              g_dngettext (GETTEXT_PACKAGE, "Child: %s", "Children: %s",
                                           children->len),
                              joined);
    }

  return g_string_free (g_steal_pointer (&details), FALSE);
}

static void
refresh (JnMatchPanel *self)
{
  JnSessionRow *row = self->row;
  JnRowStatus status;
  g_autofree char *name = NULL;
  g_autofree char *details = NULL;
  g_autofree char *account = NULL;
  g_autofree char *failure = NULL;
  const char *ent_account;
  gboolean can_change;

  if (row == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      refresh_suggestions (self);
      return;
    }

  status = jn_session_row_get_status (row);
  can_change = row_can_change (self);

  name = g_strdup_printf ("%s %s", jn_session_row_get_last_name (row),
                          jn_session_row_get_first_name (row));
  gtk_label_set_text (self->name_label, g_strstrip (name));
  details = format_details (row);
  set_label (self->details_label, details);

  set_label (self->status_label, jn_session_row_get_match (row));
  ent_account = jn_session_row_get_ent_account (row);
  if (ent_account != NULL && *ent_account != '\0')
    account = g_strdup_printf (_("ENT account: %s"), ent_account);
  set_label (self->account_label, account);
  set_label (self->cause_label, jn_session_row_get_cause_text (row));
  set_label (self->advice_label, jn_session_row_get_advice (row));

  if (jn_session_row_get_push_state (row) == JN_ROW_PUSH_FAILED)
    failure = g_strdup_printf (_("The ENT refused this change: %s"),
                               jn_session_row_get_failure (row));
  set_label (self->failure_label, failure);

  gtk_label_set_text (self->suggestions_title,
                      status == JN_ROW_STATUS_MATCHED ? _("Other Accounts") : _("Suggestions"));

  gtk_widget_set_visible (self->actions_box, can_change);
  gtk_widget_set_visible (GTK_WIDGET (self->browse_button),
                          can_change && status != JN_ROW_STATUS_NOT_IMPORTED);
  gtk_widget_set_visible (GTK_WIDGET (self->skip_button),
                          can_change && status != JN_ROW_STATUS_NOT_IMPORTED);
  gtk_widget_set_visible (GTK_WIDGET (self->undo_button),
                          can_change && jn_session_row_get_manual (row));

  /* "Edit a User…" opens the row's ENT account, or searches for the record's name */
  {
    JnEntUser *user = jn_plan_item_get_user (jn_session_row_get_item (row));

    gtk_actionable_set_action_target (GTK_ACTIONABLE (self->edit_user_button), "s",
                                      user != NULL ? jn_ent_user_get_id (user) : name);
  }

  gtk_stack_set_visible_child_name (self->stack, "record");
  queue_refresh_suggestions (self);
}

static void
row_notify_cb (JnMatchPanel *self)
{
  refresh (self);
}

static void
counts_changed_cb (JnMatchPanel *self)
{
  /* A decision elsewhere may have taken an account offered here */
  if (self->row != NULL)
    queue_refresh_suggestions (self);
}

/* ---- GObject ---- */

static void
jn_match_panel_constructed (GObject *object)
{
  JnMatchPanel *self = JN_MATCH_PANEL (object);

  G_OBJECT_CLASS (jn_match_panel_parent_class)->constructed (object);

  g_assert (self->session != NULL);
  self->counts_changed_id = g_signal_connect_swapped (self->session, "counts-changed",
                                                      G_CALLBACK (counts_changed_cb), self);
  refresh (self);
}

static void
jn_match_panel_dispose (GObject *object)
{
  JnMatchPanel *self = JN_MATCH_PANEL (object);

  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (self->row != NULL)
    g_clear_signal_handler (&self->row_notify_id, self->row);
  if (self->session != NULL)
    g_clear_signal_handler (&self->counts_changed_id, self->session);
  g_clear_object (&self->row);
  g_clear_object (&self->session);
  g_clear_pointer (&self->suggestions, g_ptr_array_unref);
  g_clear_pointer (&self->suggestion_rows, g_ptr_array_unref);

  /* The bin's child is a template child: unparented once, by the bin */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), JN_TYPE_MATCH_PANEL);

  G_OBJECT_CLASS (jn_match_panel_parent_class)->dispose (object);
}

static void
jn_match_panel_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  JnMatchPanel *self = JN_MATCH_PANEL (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_ROW:
      g_value_set_object (value, self->row);
      break;
    case PROP_SHOW_BACK:
      g_value_set_boolean (value, self->show_back);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jn_match_panel_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  JnMatchPanel *self = JN_MATCH_PANEL (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    case PROP_ROW:
      jn_match_panel_set_row (self, g_value_get_object (value));
      break;
    case PROP_SHOW_BACK:
      jn_match_panel_set_show_back (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jn_match_panel_class_init (JnMatchPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = jn_match_panel_constructed;
  object_class->dispose = jn_match_panel_dispose;
  object_class->get_property = jn_match_panel_get_property;
  object_class->set_property = jn_match_panel_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, JN_TYPE_IMPORT_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ROW] =
    g_param_spec_object ("row", NULL, NULL, JN_TYPE_SESSION_ROW,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_BACK] =
    g_param_spec_boolean ("show-back", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_DECIDED] =
    g_signal_new ("decided", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, JN_TYPE_SESSION_ROW);
  signals[SIGNAL_BACK] =
    g_signal_new ("back", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/fr/jonction/Jonction/jn-match-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, JnMatchPanel, stack);
  gtk_widget_class_bind_template_child (widget_class, JnMatchPanel, back_button);
  gtk_widget_class_bind_template_child (widget_class, JnMatchPanel, name_label);
  gtk_widget_class_bind_template_child (widget_class, JnMatchPanel, details_label);
  gtk_widget_class_bind_template_child (widget_class, JnMatchPanel, status_label);
  gtk_widget_class_bind_template_child (widget_class, JnMatchPanel, account_label);
  gtk_widget_class_bind_template_child (widget_class, JnMatchPanel, cause_label);
  gtk_widget_class_bind_template_child (widget_class, JnMatchPanel, advice_label);
  gtk_widget_class_bind_template_child (widget_class, JnMatchPanel, failure_label);
  gtk_widget_class_bind_template_child (widget_class, JnMatchPanel, error_label);
  gtk_widget_class_bind_template_child (widget_class, JnMatchPanel, suggestions_box);
  gtk_widget_class_bind_template_child (widget_class, JnMatchPanel, suggestions_title);
  gtk_widget_class_bind_template_child (widget_class, JnMatchPanel, suggestions_list);
  gtk_widget_class_bind_template_child (widget_class, JnMatchPanel, no_suggestions_label);
  gtk_widget_class_bind_template_child (widget_class, JnMatchPanel, actions_box);
  gtk_widget_class_bind_template_child (widget_class, JnMatchPanel, browse_button);
  gtk_widget_class_bind_template_child (widget_class, JnMatchPanel, skip_button);
  gtk_widget_class_bind_template_child (widget_class, JnMatchPanel, undo_button);
  gtk_widget_class_bind_template_child (widget_class, JnMatchPanel, edit_user_button);
  gtk_widget_class_bind_template_callback (widget_class, back_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, suggestion_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, browse_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, skip_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, undo_clicked_cb);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
jn_match_panel_init (JnMatchPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->suggestions = g_ptr_array_new_with_free_func ((GDestroyNotify)jn_session_suggestion_free);
  self->suggestion_rows = g_ptr_array_new ();
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Match of the selected record"),
                                  -1);
}

/* ---- public API ---- */

GtkWidget *
jn_match_panel_new (JnImportSession *session)
{
  g_return_val_if_fail (JN_IS_IMPORT_SESSION (session), NULL);

  return g_object_new (JN_TYPE_MATCH_PANEL, "session", session, NULL);
}

JnImportSession *
jn_match_panel_get_session (JnMatchPanel *self)
{
  g_return_val_if_fail (JN_IS_MATCH_PANEL (self), NULL);

  return self->session;
}

JnSessionRow *
jn_match_panel_get_row (JnMatchPanel *self)
{
  g_return_val_if_fail (JN_IS_MATCH_PANEL (self), NULL);

  return self->row;
}

void
jn_match_panel_set_row (JnMatchPanel *self,
                        JnSessionRow *row)
{
  g_return_if_fail (JN_IS_MATCH_PANEL (self));
  g_return_if_fail (row == NULL || JN_IS_SESSION_ROW (row));

  if (self->row == row)
    return;

  if (self->row != NULL)
    g_clear_signal_handler (&self->row_notify_id, self->row);
  g_set_object (&self->row, row);
  if (row != NULL)
    self->row_notify_id = g_signal_connect_object (row, "notify", G_CALLBACK (row_notify_cb),
                                                   self, G_CONNECT_SWAPPED);

  show_error (self, NULL);
  refresh (self);
  /* The new record's suggestions are there at once (Enter may follow) */
  if (self->session != NULL)
    refresh_suggestions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROW]);
}

gboolean
jn_match_panel_get_show_back (JnMatchPanel *self)
{
  g_return_val_if_fail (JN_IS_MATCH_PANEL (self), FALSE);

  return self->show_back;
}

void
jn_match_panel_set_show_back (JnMatchPanel *self,
                              gboolean      show_back)
{
  g_return_if_fail (JN_IS_MATCH_PANEL (self));

  show_back = !!show_back;
  if (self->show_back == show_back)
    return;

  self->show_back = show_back;
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), show_back);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_BACK]);
}

gboolean
jn_match_panel_accept_first_suggestion (JnMatchPanel *self)
{
  JnRowStatus status;

  g_return_val_if_fail (JN_IS_MATCH_PANEL (self), FALSE);

  if (self->row == NULL || !row_can_change (self))
    return FALSE;

  /* Never replaces a match with a guess: only records still without an account */
  status = jn_session_row_get_status (self->row);
  if (status != JN_ROW_STATUS_AMBIGUOUS && status != JN_ROW_STATUS_UNMATCHED)
    return FALSE;

  if (self->refresh_source != 0)
    refresh_suggestions (self);
  if (self->suggestions->len == 0)
    return FALSE;

  return choose_user (self, ((JnSessionSuggestion *)g_ptr_array_index (self->suggestions, 0))->user,
                      FALSE);
}

GPtrArray *
jn_match_panel_get_suggestions (JnMatchPanel *self)
{
  g_return_val_if_fail (JN_IS_MATCH_PANEL (self), NULL);

  if (self->refresh_source != 0)
    refresh_suggestions (self);

  return self->suggestions;
}
