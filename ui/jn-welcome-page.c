/* jn-welcome-page.c
 *
 * The page only shows: opening a file is the window's "win.open" action, and a file dropped
 * anywhere on the window is opened too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-welcome-page"

#include "config.h"

#include <glib/gi18n.h>

#include "jn-welcome-page.h"

struct _JnWelcomePage
{
  AdwBin  parent_instance;
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
