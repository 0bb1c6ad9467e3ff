/* jn-report-page.c
 *
 * "Retry" and "Back to Start" are the window's "win.retry-failed" and "win.back-to-start"
 * actions; the page only shows the session's counts and failed rows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-report-page"

#include "config.h"

#include <glib/gi18n.h>

#include "jn-report-page.h"
#include "jn-ui-utils.h"

struct _JnReportPage
{
  AdwBin               parent_instance;

  /* template widgets */
  AdwStatusPage       *status_page;
  AdwPreferencesGroup *categories_group;
  AdwPreferencesGroup *failures_group;
  GtkListBox          *failures_list;
  GtkButton           *retry_button;
  GtkButton           *back_button;

  /* owned */
  JnImportSession     *session;
  gulong               counts_changed_id;
  gulong               failures_changed_id;
  GtkLabel            *count_labels[JN_N_CATEGORIES];
  GtkWidget           *count_rows[JN_N_CATEGORIES];
};

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (JnReportPage, jn_report_page, ADW_TYPE_BIN)

static GParamSpec *properties[N_PROPS];

static char *
format_removed (guint n)
{
  g_autofree char *count = jn_format_count (n);

  /* Translators: identifiers removed by complete mode, "2 removed" */
  return g_strdup_printf (ngettext ("%s removed", "%s removed", n), count);
}

static char *
format_failures (guint n)
{
  g_autofree char *count = jn_format_count (n);

  /* Translators: identifiers the ENT refused, "4 failures" */
  return g_strdup_printf (ngettext ("%s failure", "%s failures", n), count);
}

/* What the push did, from the rows: identifiers written, removed, failed */
static void
count_rows (JnReportPage *self,
            JnCategory    category,
            guint        *imported,
            guint        *removed,
            guint        *failed)
{
  GListModel *rows = jn_import_session_get_rows (self->session, category);

  *imported = *removed = *failed = 0;
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(JnSessionRow) row = g_list_model_get_item (rows, i);
      JnRowPushState state = jn_session_row_get_push_state (row);

      if (state == JN_ROW_PUSH_FAILED)
        (*failed)++;
      else if (state == JN_ROW_PUSH_DONE &&
               jn_session_row_get_status (row) == JN_ROW_STATUS_WILL_CLEAR)
        (*removed)++;
      else if (state == JN_ROW_PUSH_DONE)
        (*imported)++;
    }
}

static void
update (JnReportPage *self)
{
  guint total_imported = 0, total_removed = 0, total_failed = 0;
  g_autoptr(GString) headline = g_string_new (NULL);

  for (guint step = 0; step < JN_N_STEPS; step++)
    {
      JnCategory category = jn_import_session_step_category (step);
      guint imported = 0, removed = 0, failed = 0;
      g_autoptr(GString) text = g_string_new (NULL);
      g_autofree char *count = NULL;

      if (self->session != NULL)
        count_rows (self, category, &imported, &removed, &failed);
      total_imported += imported;
      total_removed += removed;
      total_failed += failed;

      count = jn_format_count (imported);
      g_string_append (text, count);
      if (removed > 0)
        {
          g_autofree char *part = format_removed (removed);

          g_string_append_printf (text, " · %s", part);
        }
      if (failed > 0)
        {
          g_autofree char *part = format_failures (failed);

          g_string_append_printf (text, " · %s", part);
        }
      gtk_label_set_label (self->count_labels[category], text->str);
    }

  {
    g_autofree char *n = jn_format_count (total_imported);

    /* Translators: the summary of an import, "1 030 PRONOTE identifiers imported" */
    g_string_append_printf (headline, ngettext ("%s PRONOTE identifier imported",
                                                "%s PRONOTE identifiers imported",
                                                total_imported), n);
  }
  if (total_removed > 0)
    {
      g_autofree char *part = format_removed (total_removed);

      g_string_append_printf (headline, " · %s", part);
    }
  if (total_failed > 0)
    {
      g_autofree char *part = format_failures (total_failed);

      g_string_append_printf (headline, " · %s", part);
    }

  adw_status_page_set_title (self->status_page, headline->str);
  adw_status_page_set_icon_name (self->status_page,
                                 total_failed > 0 ? "dialog-warning-symbolic"
                                                  : "emblem-ok-symbolic");
  adw_status_page_set_description (self->status_page,
                                   total_failed > 0
                                   ? _("Some identifiers could not be written. The reasons are "
                                       "below: correct them in the ENT if needed, then retry.")
                                   : _("Every step is validated. The ENT accounts now hold their "
                                       "PRONOTE identifiers."));
  gtk_widget_set_visible (GTK_WIDGET (self->failures_group), total_failed > 0);
  /* "Retry" is the next thing to do while something failed, else "Back to Start" */
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), total_failed > 0);
  if (total_failed > 0)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->retry_button), "suggested-action");
      gtk_widget_remove_css_class (GTK_WIDGET (self->back_button), "suggested-action");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->retry_button), "suggested-action");
      gtk_widget_add_css_class (GTK_WIDGET (self->back_button), "suggested-action");
    }
}

static void
counts_changed_cb (JnReportPage    *self,
                   JnCategory       category,
                   JnImportSession *session)
{
  update (self);
}

static void
failures_changed_cb (JnReportPage *self,
                     guint         position,
                     guint         removed,
                     guint         added,
                     GListModel   *failures)
{
  update (self);
}

static GtkWidget *
create_failure_row (gpointer item,
                    gpointer user_data)
{
  JnSessionRow *row = item;
  GtkWidget *widget = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-error-symbolic");
  g_autofree char *title = g_strdup_printf ("%s %s · %s",
                                            jn_session_row_get_last_name (row),
                                            jn_session_row_get_first_name (row),
                                            jn_category_get_label (jn_session_row_get_category (row)));
  const char *failure = jn_session_row_get_failure (row);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (widget), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (widget), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (widget), failure != NULL ? failure : "");
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (widget), 0);
  gtk_widget_add_css_class (icon, "error");
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Failed"), -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (widget), icon);

  return widget;
}

static void
jn_report_page_dispose (GObject *object)
{
  JnReportPage *self = JN_REPORT_PAGE (object);

  if (self->session != NULL)
    {
      g_clear_signal_handler (&self->counts_changed_id, self->session);
      g_clear_signal_handler (&self->failures_changed_id,
                              jn_import_session_get_failures (self->session));
    }
  if (self->failures_list != NULL)
    gtk_list_box_bind_model (self->failures_list, NULL, NULL, NULL, NULL);

  /* The status page is both the bin's child and a template child: let the bin drop it first,
   * or the template would unparent it behind the bin's back. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), JN_TYPE_REPORT_PAGE);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (jn_report_page_parent_class)->dispose (object);
}

static void
jn_report_page_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  JnReportPage *self = JN_REPORT_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jn_report_page_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  JnReportPage *self = JN_REPORT_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      jn_report_page_set_session (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jn_report_page_class_init (JnReportPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jn_report_page_dispose;
  object_class->get_property = jn_report_page_get_property;
  object_class->set_property = jn_report_page_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         JN_TYPE_IMPORT_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/fr/jonction/Jonction/jn-report-page.ui");
  gtk_widget_class_bind_template_child (widget_class, JnReportPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, JnReportPage, categories_group);
  gtk_widget_class_bind_template_child (widget_class, JnReportPage, failures_group);
  gtk_widget_class_bind_template_child (widget_class, JnReportPage, failures_list);
  gtk_widget_class_bind_template_child (widget_class, JnReportPage, retry_button);
  gtk_widget_class_bind_template_child (widget_class, JnReportPage, back_button);
}

static void
jn_report_page_init (JnReportPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint step = 0; step < JN_N_STEPS; step++)
    {
      JnCategory category = jn_import_session_step_category (step);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *label = gtk_label_new ("0");

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), jn_category_get_label (category));
      gtk_widget_add_css_class (label, "numeric");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
      adw_preferences_group_add (self->categories_group, row);
      self->count_labels[category] = GTK_LABEL (label);
      self->count_rows[category] = row;
    }

  update (self);
}

GtkWidget *
jn_report_page_new (void)
{
  return g_object_new (JN_TYPE_REPORT_PAGE, NULL);
}

JnImportSession *
jn_report_page_get_session (JnReportPage *self)
{
  g_return_val_if_fail (JN_IS_REPORT_PAGE (self), NULL);

  return self->session;
}

void
jn_report_page_set_session (JnReportPage    *self,
                            JnImportSession *session)
{
  g_return_if_fail (JN_IS_REPORT_PAGE (self));
  g_return_if_fail (session == NULL || JN_IS_IMPORT_SESSION (session));

  if (self->session == session)
    return;

  if (self->session != NULL)
    {
      g_clear_signal_handler (&self->counts_changed_id, self->session);
      g_clear_signal_handler (&self->failures_changed_id,
                              jn_import_session_get_failures (self->session));
    }
  g_set_object (&self->session, session);

  if (session != NULL)
    {
      self->counts_changed_id =
        g_signal_connect_object (session, "counts-changed", G_CALLBACK (counts_changed_cb),
                                 self, G_CONNECT_SWAPPED);
      self->failures_changed_id =
        g_signal_connect_object (jn_import_session_get_failures (session), "items-changed",
                                 G_CALLBACK (failures_changed_cb), self, G_CONNECT_SWAPPED);
      gtk_list_box_bind_model (self->failures_list, jn_import_session_get_failures (session),
                               create_failure_row, NULL, NULL);
    }
  else
    {
      gtk_list_box_bind_model (self->failures_list, NULL, NULL, NULL, NULL);
    }

  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

const char *
jn_report_page_get_headline (JnReportPage *self)
{
  g_return_val_if_fail (JN_IS_REPORT_PAGE (self), NULL);

  return adw_status_page_get_title (self->status_page);
}
