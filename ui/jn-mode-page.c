/* jn-mode-page.c
 *
 * Two large radio rows; "Continue" is the window's "win.match" action.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-mode-page"

#include "config.h"

#include <glib/gi18n.h>

#include "jn-mode-page.h"

struct _JnModePage
{
  AdwBin          parent_instance;

  /* template widgets */
  GtkCheckButton *complete_check;
  GtkCheckButton *partial_check;
};

enum {
  PROP_0,
  PROP_MODE,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (JnModePage, jn_mode_page, ADW_TYPE_BIN)

static GParamSpec *properties[N_PROPS];

static void
check_toggled_cb (JnModePage     *self,
                  GtkCheckButton *check)
{
  if (gtk_check_button_get_active (check))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
}

static void
jn_mode_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), JN_TYPE_MODE_PAGE);

  G_OBJECT_CLASS (jn_mode_page_parent_class)->dispose (object);
}

static void
jn_mode_page_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  JnModePage *self = JN_MODE_PAGE (object);

  switch (prop_id)
    {
    case PROP_MODE:
      g_value_set_int (value, jn_mode_page_get_mode (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jn_mode_page_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  JnModePage *self = JN_MODE_PAGE (object);

  switch (prop_id)
    {
    case PROP_MODE:
      jn_mode_page_set_mode (self, g_value_get_int (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jn_mode_page_class_init (JnModePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jn_mode_page_dispose;
  object_class->get_property = jn_mode_page_get_property;
  object_class->set_property = jn_mode_page_set_property;

  properties[PROP_MODE] =
    g_param_spec_int ("mode", NULL, NULL,
                      JN_IMPORT_MODE_PARTIAL, JN_IMPORT_MODE_COMPLETE, JN_IMPORT_MODE_COMPLETE,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/fr/jonction/Jonction/jn-mode-page.ui");
  gtk_widget_class_bind_template_child (widget_class, JnModePage, complete_check);
  gtk_widget_class_bind_template_child (widget_class, JnModePage, partial_check);
  gtk_widget_class_bind_template_callback (widget_class, check_toggled_cb);
}

static void
jn_mode_page_init (JnModePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
jn_mode_page_new (void)
{
  return g_object_new (JN_TYPE_MODE_PAGE, NULL);
}

JnImportMode
jn_mode_page_get_mode (JnModePage *self)
{
  g_return_val_if_fail (JN_IS_MODE_PAGE (self), JN_IMPORT_MODE_COMPLETE);

  return gtk_check_button_get_active (self->partial_check) ? JN_IMPORT_MODE_PARTIAL
                                                          : JN_IMPORT_MODE_COMPLETE;
}

void
jn_mode_page_set_mode (JnModePage   *self,
                       JnImportMode  mode)
{
  g_return_if_fail (JN_IS_MODE_PAGE (self));

  gtk_check_button_set_active (mode == JN_IMPORT_MODE_PARTIAL ? self->partial_check
                                                              : self->complete_check,
                               TRUE);
}
