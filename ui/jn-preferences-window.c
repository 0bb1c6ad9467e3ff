/* jn-preferences-window.c
 *
 * The connection page (jn-connection-page.c): the ENT, the PRONOTE file's key and the
 * advanced settings live in GSettings; the ENT access token in the keyring, never there.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "jn-connection-page.h"
#include "jn-preferences-window.h"

struct _JnPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  /* template widgets */
  JnConnectionPage     *connection_page;
};

G_DEFINE_FINAL_TYPE (JnPreferencesWindow, jn_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum
{
  SIGNAL_CONNECTION_DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Working offline or opening the demo from here ends the preferences: the window behind
 * takes over */
static void
connection_done_cb (JnPreferencesWindow *self,
                    JnConnectionKind     kind)
{
  g_signal_emit (self, signals[SIGNAL_CONNECTION_DONE], 0, kind);
  gtk_window_close (GTK_WINDOW (self));
}

static void
jn_preferences_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), JN_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (jn_preferences_window_parent_class)->dispose (object);
}

static void
jn_preferences_window_class_init (JnPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jn_preferences_window_dispose;

  /**
   * JnPreferencesWindow::connection-done:
   * @kind: the #JnConnectionKind chosen on the connection page
   *
   * The connection page's "done", just before the window closes.
   */
  signals[SIGNAL_CONNECTION_DONE] =
    g_signal_new ("connection-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, JN_TYPE_CONNECTION_KIND);

  g_type_ensure (JN_TYPE_CONNECTION_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/fr/jonction/Jonction/jn-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, JnPreferencesWindow, connection_page);
}

static void
jn_preferences_window_init (JnPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (self->connection_page, "done", G_CALLBACK (connection_done_cb),
                           self, G_CONNECT_SWAPPED);
}

GtkWindow *
jn_preferences_window_new (GtkWindow *transient_for)
{
  g_return_val_if_fail (transient_for == NULL || GTK_IS_WINDOW (transient_for), NULL);

  return g_object_new (JN_TYPE_PREFERENCES_WINDOW,
                       "transient-for", transient_for,
                       NULL);
}

JnConnectionPage *
jn_preferences_window_get_connection_page (JnPreferencesWindow *self)
{
  g_return_val_if_fail (JN_IS_PREFERENCES_WINDOW (self), NULL);

  return self->connection_page;
}
