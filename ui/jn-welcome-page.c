/* jn-welcome-page.c
 *
 * The page only shows: opening a file is the window's "win.open" action, and a file dropped
 * anywhere on the window is opened too. An interrupted import is offered with the window's
 * "win.resume" and "win.discard" actions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-welcome-page"

#include "config.h"

#include <glib/gi18n.h>

#include "jn-history-page.h"
#include "jn-plan.h"
#include "jn-ui-utils.h"
#include "jn-welcome-page.h"

struct _JnWelcomePage
{
  AdwBin               parent_instance;

  /* template widgets */
  AdwPreferencesGroup *resume_group;
  AdwActionRow        *resume_row;
  GtkLabel            *last_import_label;
  GtkWidget           *history_button;
};

G_DEFINE_FINAL_TYPE (JnWelcomePage, jn_welcome_page, ADW_TYPE_BIN)

static void
jn_welcome_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), JN_TYPE_WELCOME_PAGE);

  G_OBJECT_CLASS (jn_welcome_page_parent_class)->dispose (object);
}

static void
jn_welcome_page_class_init (JnWelcomePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jn_welcome_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/fr/jonction/Jonction/jn-welcome-page.ui");
  gtk_widget_class_bind_template_child (widget_class, JnWelcomePage, resume_group);
  gtk_widget_class_bind_template_child (widget_class, JnWelcomePage, resume_row);
  gtk_widget_class_bind_template_child (widget_class, JnWelcomePage, last_import_label);
  gtk_widget_class_bind_template_child (widget_class, JnWelcomePage, history_button);
}

static void
jn_welcome_page_init (JnWelcomePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
jn_welcome_page_new (void)
{
  return g_object_new (JN_TYPE_WELCOME_PAGE, NULL);
}

void
jn_welcome_page_set_interrupted (JnWelcomePage        *self,
                                 const JnImportRecord *record)
{
  g_autofree char *date = NULL;
  g_autofree char *subtitle = NULL;
  const char *mode = NULL;
  JnImportMode import_mode;

  g_return_if_fail (JN_IS_WELCOME_PAGE (self));

  gtk_widget_set_visible (GTK_WIDGET (self->resume_group), record != NULL);
  if (record == NULL)
    {
      adw_action_row_set_subtitle (self->resume_row, "");
      return;
    }

  date = jn_format_export_date (record->started_at);
  if (record->mode != NULL && jn_import_mode_from_string (record->mode, &import_mode))
    mode = import_mode == JN_IMPORT_MODE_COMPLETE ? _("Complete") : _("Partial");

  if (mode != NULL)
    /* Translators: "Started on 01/09/2026 at 10:19 in Complete mode, for 0312609T" */
    subtitle = g_strdup_printf (_("Started on %s in %s mode, for %s. The steps already "
                                  "validated are kept."),
                                date != NULL ? date : "?", mode,
                                record->uai != NULL ? record->uai : "?");
  else
    subtitle = g_strdup_printf (_("Started on %s, for %s. The steps already validated are kept."),
                                date != NULL ? date : "?",
                                record->uai != NULL ? record->uai : "?");
  if (record->file_path != NULL)
    {
      /* The file it will open again, first */
      g_autofree char *basename = g_path_get_basename (record->file_path);
      g_autofree char *name = g_filename_display_name (basename);
      g_autofree char *with_file = g_strdup_printf ("%s\n%s", name, subtitle);

      g_free (subtitle);
      subtitle = g_steal_pointer (&with_file);
    }
  adw_action_row_set_subtitle (self->resume_row, subtitle);
}

const char *
jn_welcome_page_get_interrupted_text (JnWelcomePage *self)
{
  g_return_val_if_fail (JN_IS_WELCOME_PAGE (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->resume_group)))
    return NULL;

  return adw_action_row_get_subtitle (self->resume_row);
}

void
jn_welcome_page_set_last_import (JnWelcomePage        *self,
                                 const JnImportRecord *record)
{
  g_autofree char *date = NULL;
  g_autofree char *count = NULL;
  g_autofree char *text = NULL;
  JnImportMode mode;
  guint n_imported;

  g_return_if_fail (JN_IS_WELCOME_PAGE (self));

  gtk_widget_set_visible (GTK_WIDGET (self->last_import_label), record != NULL);
  if (record == NULL)
    return;

  /* The store's time (UTC) on the admin's clock */
  date = jn_format_store_time (record->finished_at != NULL ? record->finished_at
                                                           : record->started_at);
  n_imported = record->n_set + record->n_replaced;
  count = jn_format_count (n_imported);
  if (record->mode != NULL && jn_import_mode_from_string (record->mode, &mode))
    /* Translators: as the ENT says it: "Last import on 27/06/2026 at 15:01 in Partial
     * mode — 1,575 identifiers imported" */
    text = g_strdup_printf (ngettext ("Last import on %s in %s mode — %s identifier imported",
                                      "Last import on %s in %s mode — %s identifiers imported",
                                      n_imported),
                            date != NULL ? date : "?",
                            mode == JN_IMPORT_MODE_COMPLETE ? _("Complete") : _("Partial"),
                            count);
  else
    text = g_strdup_printf (ngettext ("Last import on %s — %s identifier imported",
                                      "Last import on %s — %s identifiers imported",
                                      n_imported),
                            date != NULL ? date : "?", count);
  gtk_label_set_label (self->last_import_label, text);
}

const char *
jn_welcome_page_get_last_import_text (JnWelcomePage *self)
{
  g_return_val_if_fail (JN_IS_WELCOME_PAGE (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->last_import_label)))
    return NULL;

  return gtk_label_get_label (self->last_import_label);
}

void
jn_welcome_page_set_has_history (JnWelcomePage *self,
                                 gboolean       has_history)
{
  g_return_if_fail (JN_IS_WELCOME_PAGE (self));

  gtk_widget_set_visible (self->history_button, has_history);
}
