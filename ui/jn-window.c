/* jn-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-window"

#include "config.h"

#include <glib/gi18n.h>

#include "jn-error-page.h"
#include "jn-loading-page.h"
#include "jn-preferences-window.h"
#include "jn-summary-page.h"
#include "jn-ui-utils.h"
#include "jn-welcome-page.h"
#include "jn-window.h"

struct _JnWindow
{
  AdwApplicationWindow  parent_instance;

  /* template widgets */
  AdwWindowTitle       *window_title;
  GtkButton            *open_button;
  AdwToastOverlay      *toast_overlay;
  GtkStack             *stack;
  JnLoadingPage        *loading_page;
  JnSummaryPage        *summary_page;
  JnErrorPage          *error_page;

  /* owned */
  GSettings            *settings;
  JnExport             *export;
  GFile                *file;              /* the last file asked for, reopened with a new key */
  GCancellable         *cancellable;       /* of the load in progress; NULL when idle */
  char                 *page_before_load;  /* shown again when a load is cancelled */
};

enum {
  PROP_0,
  PROP_EXPORT,
  PROP_BUSY,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (JnWindow, jn_window, ADW_TYPE_APPLICATION_WINDOW)

static GParamSpec *properties[N_PROPS];

typedef struct
{
  JnWindow     *self;
  GCancellable *cancellable;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_clear_object (&data->self);
  g_clear_object (&data->cancellable);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoadData, load_data_free)

static void
busy_changed (JnWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-load", self->cancellable != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(LoadData) data = user_data;
  JnWindow *self = data->self;
  g_autoptr(GError) error = NULL;

  jn_export_load_finish (JN_EXPORT (object), result, &error);

  /* Superseded by a newer load, or the window is gone: nothing to show. */
  if (data->cancellable != self->cancellable)
    return;

  g_clear_object (&self->cancellable);
  busy_changed (self);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      gtk_stack_set_visible_child_name (self->stack, self->page_before_load);
    }
  else if (error != NULL)
    {
      g_debug ("Could not load the export: %s", error->message);
      jn_error_page_set_error (self->error_page, error);
      gtk_stack_set_visible_child_name (self->stack, "error");
    }
  else
    {
      gtk_stack_set_visible_child_name (self->stack, "summary");
    }
}

static void
update_subtitle (JnWindow *self)
{
  g_autofree char *subtitle = NULL;

  if (jn_export_has_metadata (self->export))
    subtitle = jn_format_establishment (jn_export_get_establishment (self->export),
                                        jn_export_get_uai (self->export));

  adw_window_title_set_subtitle (self->window_title, subtitle);
}

static void
export_notify_cb (JnWindow   *self,
                  GParamSpec *pspec,
                  JnExport   *export)
{
  update_subtitle (self);
}

static void
visible_page_changed_cb (JnWindow   *self,
                         GParamSpec *pspec,
                         GtkStack   *stack)
{
  const char *name = gtk_stack_get_visible_child_name (stack);

  /* The welcome page has its own big button. */
  gtk_widget_set_visible (GTK_WIDGET (self->open_button), g_strcmp0 (name, "welcome") != 0);
}

static void
export_chooser_response_cb (JnWindow             *self,
                            int                   response,
                            GtkFileChooserNative *native)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));

      jn_window_open (self, file);
    }

  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (native));
  g_object_unref (native);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  JnWindow *self = JN_WINDOW (widget);
  GtkFileChooserNative *native = jn_export_chooser_new (GTK_WINDOW (self));

  g_signal_connect_object (native, "response", G_CALLBACK (export_chooser_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
cancel_load_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  JnWindow *self = JN_WINDOW (widget);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

static void
key_chooser_response_cb (JnWindow             *self,
                         int                   response,
                         GtkFileChooserNative *native)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) key_file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = g_file_get_path (key_file);

      if (path != NULL)
        {
          g_settings_set_string (self->settings, "key-file", path);
          adw_toast_overlay_add_toast (self->toast_overlay,
                                       adw_toast_new (_("Partner key saved in the preferences")));
          if (self->file != NULL)
            jn_window_open (self, self->file);
        }
    }

  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (native));
  g_object_unref (native);
}

static void
choose_key_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  JnWindow *self = JN_WINDOW (widget);
  GtkFileChooserNative *native = jn_key_chooser_new (GTK_WINDOW (self));

  g_signal_connect_object (native, "response", G_CALLBACK (key_chooser_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
preferences_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  GtkWindow *preferences = jn_preferences_window_new (GTK_WINDOW (widget));

  gtk_window_present (preferences);
}

static gboolean
drop_cb (JnWindow      *self,
         const GValue  *value,
         double         x,
         double         y,
         GtkDropTarget *target)
{
  GFile *file = NULL;

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = gdk_file_list_get_files (g_value_get_boxed (value));

      if (files != NULL)
        file = files->data;
      g_slist_free (files);
    }
  else if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    {
      file = g_value_get_object (value);
    }

  if (file == NULL)
    return FALSE;

  jn_window_open (self, file);
  return TRUE;
}

static gboolean
jn_window_close_request (GtkWindow *window)
{
  JnWindow *self = JN_WINDOW (window);
  gboolean maximized = gtk_window_is_maximized (window);

  g_settings_set_boolean (self->settings, "window-maximized", maximized);
  if (!maximized)
    {
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }

  return GTK_WINDOW_CLASS (jn_window_parent_class)->close_request (window);
}

static void
jn_window_dispose (GObject *object)
{
  JnWindow *self = JN_WINDOW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), JN_TYPE_WINDOW);

  g_clear_object (&self->settings);
  g_clear_object (&self->export);
  g_clear_object (&self->file);
  g_clear_pointer (&self->page_before_load, g_free);

  G_OBJECT_CLASS (jn_window_parent_class)->dispose (object);
}

static void
jn_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  JnWindow *self = JN_WINDOW (object);

  switch (prop_id)
    {
    case PROP_EXPORT:
      g_value_set_object (value, self->export);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, jn_window_get_busy (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jn_window_class_init (JnWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = jn_window_dispose;
  object_class->get_property = jn_window_get_property;

  window_class->close_request = jn_window_close_request;

  properties[PROP_EXPORT] =
    g_param_spec_object ("export", NULL, NULL,
                         JN_TYPE_EXPORT,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Statically linked: GtkBuilder cannot look these types up by symbol name. */
  g_type_ensure (JN_TYPE_WELCOME_PAGE);
  g_type_ensure (JN_TYPE_LOADING_PAGE);
  g_type_ensure (JN_TYPE_SUMMARY_PAGE);
  g_type_ensure (JN_TYPE_ERROR_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/fr/jonction/Jonction/jn-window.ui");
  gtk_widget_class_bind_template_child (widget_class, JnWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, JnWindow, open_button);
  gtk_widget_class_bind_template_child (widget_class, JnWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, JnWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, JnWindow, loading_page);
  gtk_widget_class_bind_template_child (widget_class, JnWindow, summary_page);
  gtk_widget_class_bind_template_child (widget_class, JnWindow, error_page);
  gtk_widget_class_bind_template_callback (widget_class, visible_page_changed_cb);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-load", NULL, cancel_load_action);
  gtk_widget_class_install_action (widget_class, "win.choose-key", NULL, choose_key_action);
  gtk_widget_class_install_action (widget_class, "win.preferences", NULL, preferences_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK,
                                       "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_comma, GDK_CONTROL_MASK,
                                       "win.preferences", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0,
                                       "win.cancel-load", NULL);
}

static void
jn_window_init (JnWindow *self)
{
  GtkDropTarget *drop_target;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  self->export = jn_export_new ();
  g_signal_connect_object (self->export, "notify::establishment",
                           G_CALLBACK (export_notify_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->export, "notify::uai",
                           G_CALLBACK (export_notify_cb), self, G_CONNECT_SWAPPED);
  jn_summary_page_set_export (self->summary_page, self->export);
  jn_error_page_set_export (self->error_page, self->export);

  drop_target = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (drop_target, (GType[2]) { GDK_TYPE_FILE_LIST, G_TYPE_FILE }, 2);
  g_signal_connect_object (drop_target, "drop", G_CALLBACK (drop_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop_target));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-load", FALSE);
  visible_page_changed_cb (self, NULL, self->stack);
}

JnWindow *
jn_window_new (AdwApplication *application)
{
  g_return_val_if_fail (application == NULL || ADW_IS_APPLICATION (application), NULL);

  return g_object_new (JN_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

void
jn_window_open (JnWindow *self,
                GFile    *file)
{
  g_autofree char *key_path = NULL;
  g_autofree char *partner = NULL;
  g_autoptr(GFile) key_file = NULL;
  gboolean was_busy;
  LoadData *data;

  g_return_if_fail (JN_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  was_busy = self->cancellable != NULL;
  if (was_busy)
    {
      /* A newer file replaces the one being read; its page to come back to stays. */
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
    }
  else
    {
      g_free (self->page_before_load);
      self->page_before_load = g_strdup (gtk_stack_get_visible_child_name (self->stack));
    }

  g_set_object (&self->file, file);
  self->cancellable = g_cancellable_new ();

  key_path = g_settings_get_string (self->settings, "key-file");
  partner = g_settings_get_string (self->settings, "partner");
  if (*key_path != '\0')
    key_file = g_file_new_for_path (key_path);

  jn_loading_page_set_file (self->loading_page, file);
  gtk_stack_set_visible_child_name (self->stack, "loading");
  if (!was_busy)
    busy_changed (self);

  data = g_new0 (LoadData, 1);
  data->self = g_object_ref (self);
  data->cancellable = g_object_ref (self->cancellable);
  jn_export_load_async (self->export, file, key_file, *partner != '\0' ? partner : NULL,
                        self->cancellable, load_cb, data);
}

JnExport *
jn_window_get_export (JnWindow *self)
{
  g_return_val_if_fail (JN_IS_WINDOW (self), NULL);

  return self->export;
}

gboolean
jn_window_get_busy (JnWindow *self)
{
  g_return_val_if_fail (JN_IS_WINDOW (self), FALSE);

  return self->cancellable != NULL;
}
