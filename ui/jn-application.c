/* jn-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-application"

#include "config.h"

#include <glib/gi18n.h>

#include "jn-application.h"
#include "jn-window.h"

struct _JnApplication
{
  AdwApplication  parent_instance;

  /* set by --demo in the primary instance, consumed by the next activation */
  gboolean        open_demo;

  /* the import journal every window shares (NULL when it could not be opened: each
   * window then says so) */
  JnStore        *store;
};

G_DEFINE_FINAL_TYPE (JnApplication, jn_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "demo", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
    N_("Open the bundled demonstration export"), NULL },
  { "version", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
    N_("Show the version and exit"), NULL },
  { NULL }
};

static JnWindow *
new_window (JnApplication *self)
{
  if (self->store == NULL)
    {
      g_autoptr(GError) error = NULL;

      self->store = jn_store_open (NULL, &error);
      if (self->store == NULL)
        g_warning ("Could not open the import journal: %s", error->message);
    }

  return jn_window_new_with_store (ADW_APPLICATION (self), self->store);
}

/* A window that shows nothing yet is reused rather than left empty beside a new one. */
static JnWindow *
find_idle_window (JnApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    {
      if (JN_IS_WINDOW (l->data) && !jn_window_get_busy (l->data) &&
          jn_window_get_session (l->data) == NULL)
        return l->data;
    }

  return NULL;
}

static void
open_file (JnApplication *self,
           GFile         *file)
{
  JnWindow *window = find_idle_window (self);

  if (window == NULL)
    window = new_window (self);

  jn_window_open (window, file);
  gtk_window_present (GTK_WINDOW (window));
}

static void
jn_application_activate (GApplication *application)
{
  JnApplication *self = JN_APPLICATION (application);
  GtkWindow *window;

  if (self->open_demo)
    {
      JnWindow *demo_window = find_idle_window (self);

      self->open_demo = FALSE;
      if (demo_window == NULL)
        demo_window = new_window (self);
      jn_window_open_demo (demo_window);
      gtk_window_present (GTK_WINDOW (demo_window));
      return;
    }

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window == NULL)
    {
      window = GTK_WINDOW (new_window (self));
      /* The first run starts with the connection: the ENT, a snapshot, or the demo */
      if (jn_window_needs_connection (JN_WINDOW (window)))
        jn_window_show_connection (JN_WINDOW (window));
    }

  gtk_window_present (window);
}

static void
jn_application_open (GApplication  *application,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  JnApplication *self = JN_APPLICATION (application);

  for (int i = 0; i < n_files; i++)
    open_file (self, files[i]);
}

static int
jn_application_handle_local_options (GApplication *application,
                                     GVariantDict *options)
{
  JnApplication *self = JN_APPLICATION (application);
  g_autoptr(GError) error = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      return 0;
    }

  if (!g_variant_dict_contains (options, "demo"))
    return -1;

  if (!g_application_register (application, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  if (g_application_get_is_remote (application))
    {
      g_autoptr(GFile) demo = jn_application_dup_demo_file ();

      g_application_open (application, &demo, 1, "");
      return 0;
    }

  self->open_demo = TRUE;
  return -1;
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  JnApplication *self = user_data;
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));

  /* Closing rather than quitting lets each window save its size. */
  for (GList *l = windows; l; l = l->next)
    gtk_window_close (l->data);
  g_list_free (windows);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  JnApplication *self = user_data;
  static const char *developers[] = { "The Jonction contributors", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "application-name", "Jonction",
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "developer-name", "The Jonction contributors",
                        "developers", developers,
                        "comments", _("Match ENT and PRONOTE accounts"),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        /* Translators: your name, one per line, e.g. "Marie Dupont <marie@example.org>" */
                        "translator-credits", _("translator-credits"),
                        "website", HOMEPAGE_URL,
                        NULL);
  /* The guide installed with the app (not there when running from the build tree) */
  if (g_file_test (GUIDE_PATH, G_FILE_TEST_IS_REGULAR))
    {
      g_autoptr(GFile) guide = g_file_new_for_path (GUIDE_PATH);
      g_autofree char *uri = g_file_get_uri (guide);

      adw_about_window_add_link (ADW_ABOUT_WINDOW (about), _("_User Guide"), uri);
    }
  gtk_window_present (GTK_WINDOW (about));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "about", about_action },
};

static void
jn_application_startup (GApplication *application)
{
  static const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (jn_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (application), app_actions,
                                   G_N_ELEMENTS (app_actions), application);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.quit", quit_accels);
}

static void
jn_application_dispose (GObject *object)
{
  JnApplication *self = JN_APPLICATION (object);

  g_clear_object (&self->store);

  G_OBJECT_CLASS (jn_application_parent_class)->dispose (object);
}

static void
jn_application_class_init (JnApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = jn_application_dispose;

  application_class->activate = jn_application_activate;
  application_class->open = jn_application_open;
  application_class->handle_local_options = jn_application_handle_local_options;
  application_class->startup = jn_application_startup;
}

static void
jn_application_init (JnApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[FILE…]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Match ENT and PRONOTE accounts"));
}

JnApplication *
jn_application_new (void)
{
  return g_object_new (JN_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/fr/jonction/Jonction",
                       NULL);
}

GFile *
jn_application_dup_demo_file (void)
{
  g_autofree char *installed = g_build_filename (PKGDATADIR, "demo", "demo-export.xml", NULL);

  if (g_file_test (installed, G_FILE_TEST_IS_REGULAR))
    return g_file_new_for_path (installed);

  return g_file_new_for_path (DEMO_EXPORT_SOURCE);
}
