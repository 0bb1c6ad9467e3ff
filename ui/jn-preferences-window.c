/* jn-preferences-window.c
 *
 * Everything here lives in GSettings. The ENT access token is a secret and never does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "jn-preferences-window.h"
#include "jn-ui-utils.h"

struct _JnPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  /* template widgets */
  AdwEntryRow          *partner_row;
  AdwActionRow         *key_row;
  AdwEntryRow          *ent_url_row;
  AdwEntryRow          *uai_row;
  AdwEntryRow          *extension_urn_row;

  /* owned */
  GSettings            *settings;
};

G_DEFINE_FINAL_TYPE (JnPreferencesWindow, jn_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
update_key_row (JnPreferencesWindow *self)
{
  g_autofree char *path = g_settings_get_string (self->settings, "key-file");
  gboolean has_key = *path != '\0';
  g_autofree char *display = has_key ? g_filename_display_name (path) : NULL;

  adw_action_row_set_subtitle (self->key_row, has_key ? display : _("None"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "prefs.forget-key", has_key);
}

static void
settings_changed_cb (JnPreferencesWindow *self,
                     const char          *key,
                     GSettings           *settings)
{
  if (g_str_equal (key, "key-file"))
    update_key_row (self);
}

static void
key_chooser_response_cb (JnPreferencesWindow  *self,
                         int                   response,
                         GtkFileChooserNative *native)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = g_file_get_path (file);

      if (path != NULL)
        g_settings_set_string (self->settings, "key-file", path);
    }

  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (native));
  g_object_unref (native);
}

static void
choose_key_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  JnPreferencesWindow *self = JN_PREFERENCES_WINDOW (widget);
  GtkFileChooserNative *native = jn_key_chooser_new (GTK_WINDOW (self));

  g_signal_connect_object (native, "response", G_CALLBACK (key_chooser_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
forget_key_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  JnPreferencesWindow *self = JN_PREFERENCES_WINDOW (widget);

  g_settings_reset (self->settings, "key-file");
}

static void
jn_preferences_window_dispose (GObject *object)
{
  JnPreferencesWindow *self = JN_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), JN_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (jn_preferences_window_parent_class)->dispose (object);
}

static void
jn_preferences_window_class_init (JnPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jn_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/fr/jonction/Jonction/jn-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, JnPreferencesWindow, partner_row);
  gtk_widget_class_bind_template_child (widget_class, JnPreferencesWindow, key_row);
  gtk_widget_class_bind_template_child (widget_class, JnPreferencesWindow, ent_url_row);
  gtk_widget_class_bind_template_child (widget_class, JnPreferencesWindow, uai_row);
  gtk_widget_class_bind_template_child (widget_class, JnPreferencesWindow, extension_urn_row);

  gtk_widget_class_install_action (widget_class, "prefs.choose-key", NULL, choose_key_action);
  gtk_widget_class_install_action (widget_class, "prefs.forget-key", NULL, forget_key_action);
}

static void
jn_preferences_window_init (JnPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "partner", self->partner_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "ent-url", self->ent_url_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "uai", self->uai_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "extension-urn", self->extension_urn_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (settings_changed_cb),
                           self, G_CONNECT_SWAPPED);

  update_key_row (self);
}

GtkWindow *
jn_preferences_window_new (GtkWindow *transient_for)
{
  g_return_val_if_fail (transient_for == NULL || GTK_IS_WINDOW (transient_for), NULL);

  return g_object_new (JN_TYPE_PREFERENCES_WINDOW,
                       "transient-for", transient_for,
                       NULL);
}
