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

#include "jn-report.h"
#include "jn-report-page.h"
#include "jn-ui-utils.h"

struct _JnReportPage
{
  AdwBin               parent_instance;

  /* template widgets */
  AdwToastOverlay     *toast_overlay;
  AdwStatusPage       *status_page;
  AdwPreferencesGroup *categories_group;
  AdwPreferencesGroup *failures_group;
  GtkListBox          *failures_list;
  GtkButton           *retry_button;
  GtkButton           *back_button;
  GtkButton           *export_button;

  /* owned */
  JnImportSession     *session;
  gulong               counts_changed_id;
  gulong               failures_changed_id;
  GtkLabel            *count_labels[JN_N_CATEGORIES];
  GtkWidget           *count_rows[JN_N_CATEGORIES];
  GCancellable        *export_cancellable;
  char                *toast_text;        /* the last toast's, for tests */
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

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "report.export",
                                 self->session != NULL &&
                                 jn_import_session_get_plan (self->session) != NULL);

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

/* ---- Export Report… ---- */

static void
show_toast (JnReportPage *self,
            const char   *text)
{
  AdwToast *toast = adw_toast_new (text);

  g_free (self->toast_text);
  self->toast_text = g_strdup (text);
  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
export_written_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(JnReportPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (jn_report_write_finish (result, &error))
    {
      show_toast (self, _("Report saved"));
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Translators: %s says why, e.g. "cannot write the report /tmp/r.csv: Permission denied" */
      g_autofree char *text = g_strdup_printf (_("The report was not saved: %s"), error->message);

      show_toast (self, text);
    }
}

void
jn_report_page_export_to_file (JnReportPage *self,
                               GFile        *file)
{
  g_autoptr(GBytes) report = NULL;

  g_return_if_fail (JN_IS_REPORT_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->session == NULL || jn_import_session_get_plan (self->session) == NULL)
    return;

  /* Built here from the session (a few thousand lines, quick), written in a thread */
  report = jn_report_build_for_session (self->session);
  if (self->export_cancellable == NULL)
    self->export_cancellable = g_cancellable_new ();
  jn_report_write_async (report, file, self->export_cancellable, export_written_cb,
                         g_object_ref (self));
}

static void
export_chooser_response_cb (JnReportPage         *self,
                            int                   response,
                            GtkFileChooserNative *native)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));

      if (file != NULL)
        jn_report_page_export_to_file (self, file);
    }
  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (native));
  g_object_unref (native);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  JnReportPage *self = JN_REPORT_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *native;
  GtkFileFilter *filter;
  g_autofree char *name = NULL;
  const char *uai;

  if (self->session == NULL)
    return;

  native = gtk_file_chooser_native_new (_("Export Report"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);

  uai = jn_import_session_get_uai (self->session);
  /* Translators: the report's file name; %s is the establishment's UAI */
  name = g_strdup_printf (_("report-%s.csv"), uai != NULL ? uai : "");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);

  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Spreadsheets (CSV)"));
  gtk_file_filter_add_pattern (filter, "*.csv");
  gtk_file_filter_add_pattern (filter, "*.CSV");
  gtk_file_filter_add_mime_type (filter, "text/csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  g_object_unref (filter);

  g_signal_connect_object (native, "response", G_CALLBACK (export_chooser_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
jn_report_page_dispose (GObject *object)
{
  JnReportPage *self = JN_REPORT_PAGE (object);

  g_cancellable_cancel (self->export_cancellable);
  g_clear_object (&self->export_cancellable);
  g_clear_pointer (&self->toast_text, g_free);

  if (self->session != NULL)
    {
      g_clear_signal_handler (&self->counts_changed_id, self->session);
      g_clear_signal_handler (&self->failures_changed_id,
                              jn_import_session_get_failures (self->session));
    }
  if (self->failures_list != NULL)
    gtk_list_box_bind_model (self->failures_list, NULL, NULL, NULL, NULL);

  /* The toast overlay is both the bin's child and a template child: let the bin drop it first,
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
  gtk_widget_class_bind_template_child (widget_class, JnReportPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, JnReportPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, JnReportPage, categories_group);
  gtk_widget_class_bind_template_child (widget_class, JnReportPage, failures_group);
  gtk_widget_class_bind_template_child (widget_class, JnReportPage, failures_list);
  gtk_widget_class_bind_template_child (widget_class, JnReportPage, retry_button);
  gtk_widget_class_bind_template_child (widget_class, JnReportPage, back_button);
  gtk_widget_class_bind_template_child (widget_class, JnReportPage, export_button);

  gtk_widget_class_install_action (widget_class, "report.export", NULL, export_action);
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
jn_report_page_get_toast_text (JnReportPage *self)
{
  g_return_val_if_fail (JN_IS_REPORT_PAGE (self), NULL);

  return self->toast_text;
}

const char *
jn_report_page_get_headline (JnReportPage *self)
{
  g_return_val_if_fail (JN_IS_REPORT_PAGE (self), NULL);

  return adw_status_page_get_title (self->status_page);
}
