/* jn-loading-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-loading-page"

#include "config.h"

#include <glib/gi18n.h>

#include "jn-loading-page.h"

struct _JnLoadingPage
{
  AdwBin      parent_instance;

  /* template widgets */
  GtkLabel   *file_label;
  GtkLabel   *title_label;
  GtkProgressBar *progress_bar;
  GtkLabel   *progress_label;

  /* owned */
  GFile      *file;
  GSignalGroup *signals;
};

enum {
  PROP_0,
  PROP_FILE,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (JnLoadingPage, jn_loading_page, ADW_TYPE_BIN)

static GParamSpec *properties[N_PROPS];

static void
jn_loading_page_dispose (GObject *object)
{
  JnLoadingPage *self = JN_LOADING_PAGE (object);

  if (self->signals != NULL)
    g_signal_group_set_target (self->signals, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), JN_TYPE_LOADING_PAGE);
  g_clear_object (&self->file);
  g_clear_object (&self->signals);

  G_OBJECT_CLASS (jn_loading_page_parent_class)->dispose (object);
}

static void
jn_loading_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  JnLoadingPage *self = JN_LOADING_PAGE (object);

  switch (prop_id)
    {
    case PROP_FILE:
      g_value_set_object (value, self->file);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jn_loading_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  JnLoadingPage *self = JN_LOADING_PAGE (object);

  switch (prop_id)
    {
    case PROP_FILE:
      jn_loading_page_set_file (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jn_loading_page_class_init (JnLoadingPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jn_loading_page_dispose;
  object_class->get_property = jn_loading_page_get_property;
  object_class->set_property = jn_loading_page_set_property;

  properties[PROP_FILE] =
    g_param_spec_object ("file", NULL, NULL,
                         G_TYPE_FILE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/fr/jonction/Jonction/jn-loading-page.ui");
  gtk_widget_class_bind_template_child (widget_class, JnLoadingPage, file_label);
  gtk_widget_class_bind_template_child (widget_class, JnLoadingPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, JnLoadingPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, JnLoadingPage, progress_label);
}

static void
session_progress_cb (JnLoadingPage   *self,
                     GParamSpec      *pspec,
                     JnImportSession *session)
{
  double progress = jn_import_session_get_progress (session);
  const char *text = jn_import_session_get_progress_text (session);

  /* A known amount shows a bar; an unknown one leaves the spinner alone */
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), progress >= 0);
  if (progress >= 0)
    gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (progress, 0, 1));
  gtk_label_set_label (self->progress_label, text != NULL ? text : "");
}

static void
jn_loading_page_init (JnLoadingPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->signals = g_signal_group_new (JN_TYPE_IMPORT_SESSION);
  g_signal_group_connect_object (self->signals, "notify::progress",
                                 G_CALLBACK (session_progress_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->signals, "notify::progress-text",
                                 G_CALLBACK (session_progress_cb), self, G_CONNECT_SWAPPED);
}

GtkWidget *
jn_loading_page_new (void)
{
  return g_object_new (JN_TYPE_LOADING_PAGE, NULL);
}

GFile *
jn_loading_page_get_file (JnLoadingPage *self)
{
  g_return_val_if_fail (JN_IS_LOADING_PAGE (self), NULL);

  return self->file;
}

void
jn_loading_page_set_file (JnLoadingPage *self,
                          GFile         *file)
{
  g_autofree char *name = NULL;

  g_return_if_fail (JN_IS_LOADING_PAGE (self));
  g_return_if_fail (file == NULL || G_IS_FILE (file));

  if (!g_set_object (&self->file, file))
    return;

  if (file != NULL)
    {
      g_autofree char *basename = g_file_get_basename (file);

      name = g_filename_display_name (basename);
    }
  gtk_label_set_label (self->file_label, name);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILE]);
}

void
jn_loading_page_set_title (JnLoadingPage *self,
                           const char    *title)
{
  g_return_if_fail (JN_IS_LOADING_PAGE (self));

  gtk_label_set_label (self->title_label, title);
}

const char *
jn_loading_page_get_title (JnLoadingPage *self)
{
  g_return_val_if_fail (JN_IS_LOADING_PAGE (self), NULL);

  return gtk_label_get_label (self->title_label);
}

void
jn_loading_page_set_session (JnLoadingPage   *self,
                             JnImportSession *session)
{
  g_return_if_fail (JN_IS_LOADING_PAGE (self));
  g_return_if_fail (session == NULL || JN_IS_IMPORT_SESSION (session));

  g_signal_group_set_target (self->signals, session);
  if (session != NULL)
    session_progress_cb (self, NULL, session);
  else
    {
      gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
      gtk_label_set_label (self->progress_label, "");
    }
}
