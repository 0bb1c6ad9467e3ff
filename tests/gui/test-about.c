/* test-about.c: "About Jonction" (app.about) opens an AdwAboutWindow with the build's
 * version, the license and the credits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>

#include "jn-application.h"

static AdwAboutWindow *
find_about_window (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* transfer none */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_ABOUT_WINDOW (window))
        return ADW_ABOUT_WINDOW (window);
    }

  return NULL;
}

static void
test_about (void)
{
  g_autoptr(JnApplication) application = jn_application_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) developers = NULL;
  AdwAboutWindow *about;

  /* No D-Bus needed: not unique, not activated (no main window) */
  g_application_set_flags (G_APPLICATION (application),
                           G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (application), NULL, &error));
  g_assert_no_error (error);
  g_assert_null (find_about_window ());

  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (application), "about"));
  g_action_group_activate_action (G_ACTION_GROUP (application), "about", NULL);
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);

  about = find_about_window ();
  g_assert_nonnull (about);
  g_assert_cmpstr (adw_about_window_get_application_name (about), ==, "Jonction");
  g_assert_cmpstr (adw_about_window_get_version (about), ==, PACKAGE_VERSION);
  g_assert_cmpstr (adw_about_window_get_application_icon (about), ==, APP_ID);
  g_assert_cmpint (adw_about_window_get_license_type (about), ==, GTK_LICENSE_GPL_3_0);
  g_assert_cmpstr (adw_about_window_get_website (about), ==, HOMEPAGE_URL);
  g_assert_true (g_str_has_prefix (HOMEPAGE_URL, "https://"));
  g_object_get (about, "developers", &developers, NULL);
  g_assert_nonnull (developers);
  g_assert_nonnull (strstr (developers[0], "Jonction contributors"));
  g_assert_cmpstr (adw_about_window_get_translator_credits (about), !=, "");

  gtk_window_destroy (GTK_WINDOW (about));
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (find_about_window ());
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/about/window", test_about);

  return g_test_run ();
}
