/* gui-test-utils.h: what the GUI tests share: waiting on the main loop (with a time limit),
 * the settings reset, and looking into the window
 *
 * The including test defines WAIT_TIMEOUT_SECONDS (each suite keeps its own limit) and
 * includes "config.h" (APP_ID) first. Not every test uses every function: they are marked
 * G_GNUC_UNUSED so that a test leaves out what it does not need without a warning.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <locale.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "jn-window.h"

#ifndef WAIT_TIMEOUT_SECONDS
#error "define WAIT_TIMEOUT_SECONDS before including gui-test-utils.h"
#endif

/* ---- waiting ---- */

G_GNUC_UNUSED static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

typedef gboolean (*Condition) (gpointer data);

/* Runs the main loop until @condition holds; fails after WAIT_TIMEOUT_SECONDS */
G_GNUC_UNUSED static void
wait_until (Condition  condition,
            gpointer   data)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add_seconds (WAIT_TIMEOUT_SECONDS, timeout_cb, &timed_out);

  while (!condition (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  g_assert_false (timed_out);
  g_source_remove (timeout_id);
}

/* The window's work is done (a Condition on a JnWindow) */
G_GNUC_UNUSED static gboolean
is_idle (gpointer data)
{
  return !jn_window_get_busy (data);
}

/* A Condition on a GtkWidget */
G_GNUC_UNUSED static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

/* Dispatches what is pending, without blocking */
G_GNUC_UNUSED static void
flush_main_context (void)
{
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
}

static void
after_paint_cb (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

/* Queues a redraw of @widget and waits until its frame clock has painted */
G_GNUC_UNUSED static void
wait_for_paint (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gboolean painted = FALSE;
  gboolean timed_out = FALSE;
  guint timeout_id;
  gulong handler;

  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
  timeout_id = g_timeout_add_seconds (WAIT_TIMEOUT_SECONDS, timeout_cb, &timed_out);
  gtk_widget_queue_draw (widget);

  while (!painted && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  g_signal_handler_disconnect (clock, handler);
  g_assert_false (timed_out);
  g_source_remove (timeout_id);
}

/* ---- settings ---- */

/* Every key of the application's settings back to its default */
G_GNUC_UNUSED static void
reset_settings (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
}

/* ---- looking into the window ---- */

G_GNUC_UNUSED static gpointer
template_child (JnWindow   *window,
                const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (window), JN_TYPE_WINDOW, name);

  g_assert_nonnull (child);
  return child;
}

/* The visible message dialog, or NULL */
G_GNUC_UNUSED static AdwMessageDialog *
find_dialog (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;

  return NULL;
}

/* A Condition: a message dialog is shown */
G_GNUC_UNUSED static gboolean
has_dialog (gpointer data)
{
  return find_dialog () != NULL;
}

/* @widget or its first descendant named @name (gtk_widget_set_name()), or NULL */
G_GNUC_UNUSED static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* Activates the window's @action and dispatches what it queued */
G_GNUC_UNUSED static void
activate (JnWindow   *window,
          const char *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), action, NULL));
  flush_main_context ();
}

/* ---- main() ---- */

/* What the tests' main() does before adding its cases: the environment's language from the
 * catalogue in @localedir when set (else no setlocale(): the strings stay English, as the
 * assertions expect); the shared MIME database read while XDG_DATA_DIRS still points at it
 * (g_test_init() isolates the directories); GTK, libadwaita, the application's icons, a fixed
 * font and no animations (stable screenshots); then g_test_init() */
G_GNUC_UNUSED static void
gui_test_init (int         *argc,
               char      ***argv,
               const char  *localedir)
{
  GtkIconTheme *icon_theme;

  if (localedir != NULL && *localedir != '\0')
    {
      setlocale (LC_ALL, "");
      bindtextdomain (GETTEXT_PACKAGE, localedir);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
    }
  else
    gtk_disable_setlocale ();
  g_free (g_content_type_guess ("icon.svg", NULL, 0, NULL));
  gtk_init ();
  adw_init ();
  icon_theme = gtk_icon_theme_get_for_display (gdk_display_get_default ());
  gtk_icon_theme_add_resource_path (icon_theme, "/fr/jonction/Jonction/icons");
  g_object_set (gtk_settings_get_default (),
                "gtk-font-name", "Cantarell 11",
                "gtk-enable-animations", FALSE,
                NULL);

  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
}

/* ---- the window (test-window.c, on a bare window, defines GUI_TEST_OWN_WINDOW_HELPERS) ---- */

#ifndef GUI_TEST_OWN_WINDOW_HELPERS

/* A window on @store, on @ent if not NULL, presented and mapped */
G_GNUC_UNUSED static JnWindow *
create_window (JnStore *store,
               JnEnt   *ent)
{
  JnWindow *window = jn_window_new_with_store (NULL, store);

  if (ent != NULL)
    jn_window_set_ent (window, ent);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_present (GTK_WINDOW (window));
  wait_until (is_mapped, window);

  return window;
}

/* A mapped label showing exactly @text under @widget */
G_GNUC_UNUSED static gboolean
shows_label (GtkWidget  *widget,
             const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (shows_label (child, text))
      return TRUE;

  return FALSE;
}

#endif /* GUI_TEST_OWN_WINDOW_HELPERS */

/* ---- screenshots into JN_SCREENSHOT_DIR ---- */

/* test-window.c and test-step-page.c define GUI_TEST_OWN_SCREENSHOTS: they name and draw
 * their screenshots their own way */

#ifndef GUI_TEST_OWN_SCREENSHOTS

/* The widget's last painted frame */
G_GNUC_UNUSED static GskRenderNode *
snapshot_widget (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GskRenderNode *node = NULL;

  for (guint attempt = 0; attempt < 10 && node == NULL; attempt++)
    {
      g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();

      wait_for_paint (widget);
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot),
                              gtk_widget_get_width (widget), gtk_widget_get_height (widget));
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }
  g_assert_nonnull (node);

  return node;
}

/* @widget's frame, with @dialog (if any) centred over it on a dimmed background, as a
 * window manager shows a modal dialog */
G_GNUC_UNUSED static void
save_screenshot_with_dialog (GtkWidget  *widget,
                             GtkWidget  *dialog,
                             const char *name)
{
  const char *dir = g_getenv ("JN_SCREENSHOT_DIR");
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  if (dir == NULL || *dir == '\0')
    return;

  node = snapshot_widget (widget);
  if (dialog != NULL)
    {
      g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
      g_autoptr(GskRenderNode) dialog_node = snapshot_widget (dialog);
      int dialog_width = gtk_widget_get_width (dialog);
      int dialog_height = gtk_widget_get_height (dialog);

      gtk_snapshot_append_node (snapshot, node);
      gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0, 0, 0, 0.3 },
                                 &GRAPHENE_RECT_INIT (0, 0, width, height));
      gtk_snapshot_translate (snapshot,
                              &GRAPHENE_POINT_INIT ((width - dialog_width) / 2,
                                                    (height - dialog_height) / 2));
      gtk_snapshot_append_node (snapshot, dialog_node);
      g_clear_pointer (&node, gsk_render_node_unref);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }

  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0,
                                                              gtk_widget_get_width (widget),
                                                              gtk_widget_get_height (widget)));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  path = g_strdup_printf ("%s/%s.png", dir, name);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

G_GNUC_UNUSED static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  save_screenshot_with_dialog (widget, NULL, name);
}

#endif /* GUI_TEST_OWN_SCREENSHOTS */

/* ---- the SCIM test server (tests that define JN_SCIM_SERVER_DIR) ---- */

#ifdef JN_SCIM_SERVER_DIR

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <glib/gstdio.h>

#include "jn-scim-client.h"

/* The including test defines TOKEN (the server's bearer token) and UAI (the establishment
 * whose identifiers server_pronote_id() reads) */
#if !defined (TOKEN) || !defined (UAI)
#error "define TOKEN and UAI before including gui-test-utils.h with JN_SCIM_SERVER_DIR"
#endif

typedef struct
{
  GSubprocess *process;
  char        *dir;
  char        *url;
  JnEnt       *ent;
} Server;

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* The server on a copy of @seed (JSON) in a new directory named from @tmp_template (as for
 * g_dir_make_tmp()), each write delayed by @write_delay_ms; NULL (the test is skipped) when
 * Node or the server's modules are missing */
G_GNUC_UNUSED static Server *
server_start_with_seed (const char *tmp_template,
                        const char *seed,
                        guint       write_delay_ms)
{
  g_autofree char *node = g_find_program_in_path ("node");
  g_autofree char *modules = g_build_filename (JN_SCIM_SERVER_DIR, "node_modules", NULL);
  g_autofree char *script = g_build_filename (JN_SCIM_SERVER_DIR, "server.js", NULL);
  g_autofree char *seed_path = NULL;
  g_autofree char *delay = g_strdup_printf ("%u", write_delay_ms);
  g_autofree char *line = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  Server *server;

  if (node == NULL || !g_file_test (modules, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("the SCIM test server needs node and `npm ci` in tests/scim-server");
      return NULL;
    }

  server = g_new0 (Server, 1);
  server->dir = g_dir_make_tmp (tmp_template, &error);
  g_assert_no_error (error);
  seed_path = g_build_filename (server->dir, "seed.json", NULL);
  g_file_set_contents (seed_path, seed, -1, &error);
  g_assert_no_error (error);

  /* The server ends with the test, even when an assertion aborts it */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server->process = g_subprocess_launcher_spawn (launcher, &error,
                                                 node, script, "--port", "0", "--token", TOKEN,
                                                 "--seed", seed_path, "--write-delay-ms", delay,
                                                 NULL);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "listening "));
  server->url = g_strdup (line + strlen ("listening "));

  server->ent = JN_ENT (jn_scim_client_new (server->url, TOKEN, NULL, &error));
  g_assert_no_error (error);
  jn_scim_client_set_retries (JN_SCIM_CLIENT (server->ent), 2, 50);
  jn_scim_client_discover (JN_SCIM_CLIENT (server->ent), NULL, &error);
  g_assert_no_error (error);

  return server;
}

G_GNUC_UNUSED static void
server_stop (Server *server)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *seed_path = g_build_filename (server->dir, "seed.json", NULL);

  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait (server->process, NULL, &error);
  g_assert_no_error (error);

  g_unlink (seed_path);
  g_rmdir (server->dir);
  g_clear_object (&server->ent);
  g_clear_object (&server->process);
  g_free (server->dir);
  g_free (server->url);
  g_free (server);
}

/* The identifier the server now holds for @id, or NULL */
G_GNUC_UNUSED static char *
server_pronote_id (Server     *server,
                   const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JnEntUser) user = jn_ent_read_user (server->ent, id, NULL, &error);

  g_assert_no_error (error);
  return g_strdup (jn_ent_user_get_pronote_id (user, UAI));
}

G_GNUC_UNUSED static void
assert_server_holds (Server     *server,
                     const char *id,
                     const char *expected)
{
  g_autofree char *value = server_pronote_id (server, id);

  if (g_strcmp0 (value, expected) != 0)
    g_error ("ENT account %s holds %s, expected %s", id, value ? value : "nothing",
             expected ? expected : "nothing");
}

#endif /* JN_SCIM_SERVER_DIR */
