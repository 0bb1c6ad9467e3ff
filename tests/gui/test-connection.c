/* test-connection.c: the connection page, in-process, under Xvfb, against the SCIM test
 * server and a real keyring
 *
 * Run inside its own D-Bus session (meson wraps it in dbus-run-session): the test starts
 * gnome-keyring-daemon there, with a private HOME, and the SCIM test server (node
 * tests/scim-server/server.js) on a free port, seeded with the demonstration directory.
 * Without node, the server's node_modules or the keyring, the cases that need them skip.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <sys/prctl.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "jn-connection-page.h"
#include "jn-ent-user.h"
#include "jn-preferences-window.h"
#include "jn-secret.h"

#define WAIT_TIMEOUT_SECONDS 30
#define TOKEN "jonction-test-token"
#define UAI JN_DEMO_UAI

static GSubprocess *keyring_daemon;
static char *keyring_dir;
static GSubprocess *scim_server;
static char *scim_url;
static guint expected_accounts;

/* ---- helpers ---- */

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

typedef gboolean (*Condition) (gpointer data);

static void
wait_for (Condition condition,
          gpointer  data)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add_seconds (WAIT_TIMEOUT_SECONDS, timeout_cb, &timed_out);

  while (!condition (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  g_assert_false (timed_out);
  g_source_remove (timeout_id);
}

static gboolean
is_idle (gpointer data)
{
  return !jn_connection_page_get_busy (data);
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

/* Spins for @ms, so that what was queued (a keyring write that should not happen) can */
static void
spin_for (guint ms)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add (ms, timeout_cb, &timed_out);

  while (!timed_out)
    g_main_context_iteration (NULL, TRUE);
  (void)timeout_id;
}

static void
after_paint_cb (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *)data;
}

static void
wait_for_paint (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gboolean painted = FALSE;
  gulong handler;

  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
  gtk_widget_queue_draw (widget);
  wait_for (is_true, &painted);
  g_signal_handler_disconnect (clock, handler);
}

static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  const char *dir = g_getenv ("JN_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;

  if (dir == NULL || *dir == '\0')
    return;

  paintable = gtk_widget_paintable_new (widget);
  for (guint attempt = 0; attempt < 10 && node == NULL; attempt++)
    {
      g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();

      wait_for_paint (widget);
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot),
                              gtk_widget_get_width (widget), gtk_widget_get_height (widget));
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0,
                                                              gtk_widget_get_width (widget),
                                                              gtk_widget_get_height (widget)));

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static gpointer
child (JnConnectionPage *page,
       const char       *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (page), JN_TYPE_CONNECTION_PAGE, name);

  g_assert_nonnull (object);
  return object;
}

static const char *
label_text (JnConnectionPage *page,
            const char       *name)
{
  return gtk_label_get_text (child (page, name));
}

/* The page as the first run shows it: in a window with a header bar */
static JnConnectionPage *
create_page (GtkWindow **window_out)
{
  GtkWidget *window = adw_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *page = jn_connection_page_new ();

  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header),
                                   adw_window_title_new ("Connection", NULL));
  gtk_box_append (GTK_BOX (box), header);
  gtk_widget_set_vexpand (page, TRUE);
  gtk_box_append (GTK_BOX (box), page);
  adw_window_set_content (ADW_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 760, 1000);
  gtk_window_present (GTK_WINDOW (window));
  wait_for (is_mapped, page);

  *window_out = GTK_WINDOW (window);
  return JN_CONNECTION_PAGE (page);
}

static void
destroy_window (GtkWindow *window)
{
  gtk_window_destroy (window);
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
}

static void
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

/* No value of any key holds @secret */
static void
assert_settings_hold_no (const char *secret)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_settings_get_value (settings, keys[i]);
      g_autofree char *text = g_variant_print (value, FALSE);

      g_assert_null (strstr (text, secret));
    }
}

static char *
keyring_lookup (const char *address)
{
  g_autoptr(GError) error = NULL;
  char *token = jn_secret_lookup_token_sync (address, NULL, &error);

  g_assert_no_error (error);
  return token;
}

typedef struct
{
  const char *address;
  const char *expected;
} KeyringWait;

static gboolean
keyring_holds (gpointer data)
{
  KeyringWait *wait = data;
  g_autofree char *token = keyring_lookup (wait->address);

  if (g_strcmp0 (token, wait->expected) == 0)
    return TRUE;
  g_usleep (20000);
  return FALSE;
}

static void
set_setting (const char *key,
             const char *value)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  g_settings_set_string (settings, key, value);
}

static void
run_test (JnConnectionPage *page)
{
  g_assert_true (gtk_widget_get_sensitive (child (page, "test_button")));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "connection.test", NULL));
  g_assert_true (jn_connection_page_get_busy (page));
  wait_for (is_idle, page);
}

typedef struct
{
  JnConnectionPage *page;
  const char       *name;
  const char       *words;
} LabelWait;

static gboolean
label_contains (gpointer data)
{
  LabelWait *wait = data;

  return strstr (label_text (wait->page, wait->name), wait->words) != NULL;
}

static gboolean
need_server (void)
{
  if (scim_url == NULL)
    {
      g_test_skip ("the SCIM test server is not available (node, or npm ci in tests/scim-server)");
      return FALSE;
    }
  return TRUE;
}

static gboolean
need_keyring (void)
{
  if (keyring_daemon == NULL)
    {
      g_test_skip ("no keyring (gnome-keyring-daemon in a D-Bus session)");
      return FALSE;
    }
  return TRUE;
}

static char *
expected_count_text (void)
{
  /* The C locale of the tests: no digit grouping */
  return g_strdup_printf ("%u accounts for %s", expected_accounts, UAI);
}

/* ---- the cases ---- */

static void
test_validation (void)
{
  GtkWindow *window;
  JnConnectionPage *page;

  reset_settings ();
  set_setting ("ent-url", "http://ent.example.org/scim/v2");
  set_setting ("uai", "031260T");
  page = create_page (&window);

  /* Plain http to another machine, and a UAI of 6 digits: said in words under the rows */
  g_assert_true (gtk_widget_get_visible (child (page, "address_message_row")));
  g_assert_nonnull (strstr (label_text (page, "address_message"), "https://"));
  g_assert_true (gtk_widget_get_visible (child (page, "uai_message_row")));
  g_assert_nonnull (strstr (label_text (page, "uai_message"), "7 digits and a letter"));
  g_assert_false (gtk_widget_get_sensitive (child (page, "test_button")));
  g_assert_true (gtk_widget_has_css_class (child (page, "uai_row"), "error"));
  save_screenshot (GTK_WIDGET (window), "connection-invalid.png");

  set_setting ("ent-url", "ftp://ent.example.org/");
  g_assert_true (gtk_widget_get_visible (child (page, "address_message_row")));
  g_assert_nonnull (strstr (label_text (page, "address_message"), "not an ENT address"));

  /* https anywhere, http only on this computer */
  set_setting ("ent-url", "https://ent.example.org/scim/v2");
  g_assert_false (gtk_widget_get_visible (child (page, "address_message_row")));
  gtk_editable_set_text (child (page, "address_row"), "http://127.0.0.1:8080/scim/v2");
  g_assert_false (gtk_widget_get_visible (child (page, "address_message_row")));
  gtk_editable_set_text (child (page, "address_row"), "http://localhost/scim/v2");
  g_assert_false (gtk_widget_get_visible (child (page, "address_message_row")));

  /* Typed into the row, the UAI reaches GSettings and the message goes */
  gtk_editable_set_text (child (page, "uai_row"), "0312609T");
  g_assert_false (gtk_widget_get_visible (child (page, "uai_message_row")));
  {
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);
    g_autofree char *uai = g_settings_get_string (settings, "uai");

    g_assert_cmpstr (uai, ==, "0312609T");
  }

  /* Without a token, nothing to test yet */
  gtk_editable_set_text (child (page, "token_row"), "");
  g_assert_false (gtk_widget_get_sensitive (child (page, "test_button")));
  gtk_editable_set_text (child (page, "token_row"), "abc");
  g_assert_true (gtk_widget_get_sensitive (child (page, "test_button")));

  destroy_window (window);
}

static void
test_count_and_keyring (void)
{
  GtkWindow *window;
  JnConnectionPage *page;
  g_autofree char *expected = NULL;
  KeyringWait wait = { NULL, TOKEN };

  if (!need_server () || !need_keyring ())
    return;

  reset_settings ();
  jn_secret_clear_token_sync (scim_url, NULL, NULL);
  set_setting ("ent-url", scim_url);
  set_setting ("uai", UAI);
  page = create_page (&window);

  gtk_editable_set_text (child (page, "token_row"), TOKEN);
  run_test (page);

  expected = expected_count_text ();
  g_assert_cmpstr (label_text (page, "result_label"), ==, expected);
  g_assert_true (gtk_widget_has_css_class (child (page, "result_label"), "success"));

  /* The token that worked is in the keyring, for that address, and nowhere in GSettings */
  wait.address = scim_url;
  wait_for (keyring_holds, &wait);
  assert_settings_hold_no (TOKEN);
  g_assert_nonnull (strstr (label_text (page, "token_message"), "keyring"));
  save_screenshot (GTK_WIDGET (window), "connection.png");
  destroy_window (window);

  /* The next start finds it there */
  page = create_page (&window);
  wait_for (is_idle, page);
  {
    GtkEditable *row = child (page, "token_row");
    gboolean timed_out = FALSE;
    guint timeout_id = g_timeout_add_seconds (WAIT_TIMEOUT_SECONDS, timeout_cb, &timed_out);

    while (g_strcmp0 (gtk_editable_get_text (row), TOKEN) != 0 && !timed_out)
      g_main_context_iteration (NULL, TRUE);
    g_assert_false (timed_out);
    g_source_remove (timeout_id);
  }
  g_assert_cmpstr (jn_connection_page_get_token (page), ==, TOKEN);

  /* Forgetting it empties the keyring */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "connection.forget-token", NULL));
  wait.expected = NULL;
  wait_for (keyring_holds, &wait);
  g_assert_cmpstr (gtk_editable_get_text (child (page, "token_row")), ==, "");
  destroy_window (window);
}

static void
test_wrong_token (void)
{
  GtkWindow *window;
  JnConnectionPage *page;
  const char *text;
  g_autofree char *kept = NULL;

  if (!need_server () || !need_keyring ())
    return;

  reset_settings ();
  g_assert_true (jn_secret_store_token_sync (scim_url, TOKEN, NULL, NULL));
  set_setting ("ent-url", scim_url);
  set_setting ("uai", UAI);
  page = create_page (&window);
  {
    LabelWait wait = { page, "token_message", "Kept in your keyring" };

    wait_for (label_contains, &wait);
  }
  g_assert_cmpstr (gtk_editable_get_text (child (page, "token_row")), ==, TOKEN);

  /* Typed over the stored one */
  gtk_editable_set_text (child (page, "token_row"), "not-the-token");
  run_test (page);

  text = label_text (page, "result_label");
  g_assert_nonnull (strstr (text, "refused the credentials"));
  g_assert_nonnull (strstr (text, "401"));
  g_assert_null (strstr (text, "not-the-token"));
  g_assert_true (gtk_widget_has_css_class (child (page, "result_label"), "error"));
  save_screenshot (GTK_WIDGET (window), "connection-refused.png");

  /* A refused token does not replace the one that works */
  spin_for (300);
  kept = keyring_lookup (scim_url);
  g_assert_cmpstr (kept, ==, TOKEN);
  destroy_window (window);
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_bad_uai (void)
{
  GtkWindow *window;
  JnConnectionPage *page;
  g_autoptr(GError) error = NULL;
  guint n = 0;
  g_autoptr(GAsyncResult) result = NULL;

  reset_settings ();
  set_setting ("ent-url", "https://ent.example.org/scim/v2");
  set_setting ("uai", "0312609");
  page = create_page (&window);
  gtk_editable_set_text (child (page, "token_row"), TOKEN);

  g_assert_nonnull (strstr (label_text (page, "uai_message"), "“0312609” is not a UAI"));
  g_assert_false (gtk_widget_get_sensitive (child (page, "test_button")));
  g_assert_false (gtk_widget_get_sensitive (child (page, "continue_button")));
  destroy_window (window);

  /* The core refuses it too, in words, before any request */
  jn_connection_test_async ("https://ent.example.org/scim/v2", TOKEN, NULL, "ABCDEFGH", NULL,
                            store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (jn_connection_test_finish (result, &n, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "7 digits and a letter"));
}

static void
test_env_token (void)
{
  GtkWindow *window;
  JnConnectionPage *page;
  g_autofree char *expected = NULL;
  g_autofree char *stored = NULL;

  if (!need_server () || !need_keyring ())
    return;

  reset_settings ();
  jn_secret_clear_token_sync (scim_url, NULL, NULL);
  set_setting ("ent-url", scim_url);
  set_setting ("uai", UAI);
  g_setenv ("JONCTION_TOKEN", TOKEN "\n", TRUE);
  page = create_page (&window);

  /* The row says where the token comes from, and cannot be typed into */
  g_assert_false (gtk_widget_get_sensitive (child (page, "token_row")));
  g_assert_nonnull (strstr (label_text (page, "token_message"), "JONCTION_TOKEN"));
  g_assert_nonnull (strstr (label_text (page, "token_message"), "not stored"));
  g_assert_true (jn_connection_page_get_token_from_environment (page));
  g_assert_cmpstr (jn_connection_page_get_token (page), ==, TOKEN);

  run_test (page);
  expected = expected_count_text ();
  g_assert_cmpstr (label_text (page, "result_label"), ==, expected);

  /* Continue: done, and still nothing stored */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "connection.continue", NULL));
  spin_for (300);
  stored = keyring_lookup (scim_url);
  g_assert_null (stored);
  assert_settings_hold_no (TOKEN);

  destroy_window (window);
  g_unsetenv ("JONCTION_TOKEN");
}

static void
incoming_cb (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source,
             GPtrArray         *held)
{
  /* Accepted, never answered */
  g_ptr_array_add (held, g_object_ref (connection));
}

static gboolean
shows_connecting (gpointer data)
{
  return g_str_has_prefix (label_text (data, "result_label"), "Connecting to");
}

static void
test_cancel (void)
{
  GtkWindow *window;
  JnConnectionPage *page;
  g_autoptr(GSocketService) service = g_socket_service_new ();
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  gint64 start;

  g_assert_true (g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error));
  g_assert_no_error (error);
  g_signal_connect (service, "incoming", G_CALLBACK (incoming_cb), held);
  g_socket_service_start (service);
  url = g_strdup_printf ("http://127.0.0.1:%u/scim/v2",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));

  reset_settings ();
  set_setting ("ent-url", url);
  set_setting ("uai", UAI);
  g_setenv ("JONCTION_TOKEN", TOKEN, TRUE);
  page = create_page (&window);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "connection.test", NULL));
  g_assert_true (jn_connection_page_get_busy (page));
  wait_for (shows_connecting, page);
  /* The spinner turns and the button cancels */
  g_assert_true (gtk_widget_get_visible (child (page, "spinner")));
  g_assert_cmpstr (gtk_button_get_label (child (page, "test_button")), ==, "Cancel");
  spin_for (200);
  g_assert_true (jn_connection_page_get_busy (page));

  start = g_get_monotonic_time ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "connection.test", NULL));
  wait_for (is_idle, page);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpstr (label_text (page, "result_label"), ==, "Test cancelled.");
  g_assert_false (gtk_widget_get_visible (child (page, "spinner")));
  g_assert_cmpstr (gtk_button_get_label (child (page, "test_button")), ==, "Test Connection");

  destroy_window (window);
  g_unsetenv ("JONCTION_TOKEN");
  g_socket_service_stop (service);
}

typedef struct
{
  gboolean         emitted;
  JnConnectionKind kind;
} Done;

static void
done_cb (JnConnectionPage *page,
         JnConnectionKind  kind,
         Done             *done)
{
  done->emitted = TRUE;
  done->kind = kind;
}

static void
test_offline (void)
{
  GtkWindow *window;
  JnConnectionPage *page;
  g_autoptr(GFile) snapshot = g_file_new_for_path (JN_DEMO_DIRECTORY);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *stored = NULL;
  g_autofree char *kind = NULL;
  g_autofree char *expected = NULL;
  Done done = { FALSE, 0 };

  reset_settings ();
  set_setting ("uai", UAI);
  page = create_page (&window);
  g_signal_connect (page, "done", G_CALLBACK (done_cb), &done);

  /* What the "Work Offline…" chooser does with the file chosen */
  g_assert_true (gtk_widget_get_sensitive (child (page, "offline_button")));
  jn_connection_page_work_offline (page, snapshot);
  wait_for (is_idle, page);

  g_assert_true (done.emitted);
  g_assert_cmpint (done.kind, ==, JN_CONNECTION_KIND_OFFLINE);
  g_assert_true (g_file_equal (jn_connection_page_get_snapshot (page), snapshot));
  expected = expected_count_text ();
  g_assert_cmpstr (label_text (page, "result_label"), ==, expected);
  stored = g_settings_get_string (settings, "offline-snapshot");
  g_assert_cmpstr (stored, ==, JN_DEMO_DIRECTORY);
  kind = g_settings_get_string (settings, "connection-kind");
  g_assert_cmpstr (kind, ==, "offline");

  /* A file that is no snapshot: the reason, and no "done" */
  done.emitted = FALSE;
  {
    g_autoptr(GFile) missing = g_file_new_for_path ("/nonexistent/annuaire.json");

    jn_connection_page_work_offline (page, missing);
    wait_for (is_idle, page);
    g_assert_false (done.emitted);
    g_assert_nonnull (strstr (label_text (page, "result_label"), "annuaire.json"));
    g_assert_true (gtk_widget_has_css_class (child (page, "result_label"), "error"));
  }

  destroy_window (window);
}

static void
test_demo (void)
{
  GtkWindow *window;
  JnConnectionPage *page;
  Done done = { FALSE, 0 };
  g_autofree char *path = NULL;

  reset_settings ();
  page = create_page (&window);
  g_signal_connect (page, "done", G_CALLBACK (done_cb), &done);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "connection.open-demo", NULL));
  wait_for (is_idle, page);

  g_assert_true (done.emitted);
  g_assert_cmpint (done.kind, ==, JN_CONNECTION_KIND_DEMO);
  /* The user's own copy, which the demo may write to */
  path = g_file_get_path (jn_connection_page_get_snapshot (page));
  g_assert_true (g_str_has_prefix (path, g_get_user_data_dir ()));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  destroy_window (window);
}

static void
test_preferences (void)
{
  GtkWindow *preferences;
  JnConnectionPage *page;

  reset_settings ();
  set_setting ("partner", "KOSMOS");
  preferences = jn_preferences_window_new (NULL);
  gtk_window_present (preferences);
  wait_for (is_mapped, preferences);

  page = jn_preferences_window_get_connection_page (JN_PREFERENCES_WINDOW (preferences));
  g_assert_true (JN_IS_CONNECTION_PAGE (page));
  g_assert_cmpstr (gtk_editable_get_text (child (page, "partner_row")), ==, "KOSMOS");
  /* No "Continue" in the preferences: each setting applies as it is typed */
  g_assert_false (gtk_widget_get_visible (child (page, "continue_button")));
  g_assert_true (gtk_widget_get_visible (child (page, "test_button")));

  gtk_window_destroy (preferences);
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
}

/* ---- the keyring and the SCIM server ---- */

static gboolean
has_program (const char *name)
{
  g_autofree char *path = g_find_program_in_path (name);

  return path != NULL;
}

/* A child that outlives a crashed or killed test would hold its pipes (and meson) */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static gboolean
secrets_service_present (void)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;
  gboolean present = FALSE;

  if (bus == NULL)
    return FALSE;
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", "org.freedesktop.secrets"),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &present);
  return present;
}

static void
start_keyring (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *home = NULL;
  g_autofree char *runtime = NULL;
  g_autofree char *data = NULL;
  GOutputStream *input;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL || !has_program ("gnome-keyring-daemon"))
    return;

  keyring_dir = g_dir_make_tmp ("jn-keyring-XXXXXX", NULL);
  g_assert_nonnull (keyring_dir);
  home = g_build_filename (keyring_dir, "home", NULL);
  runtime = g_build_filename (keyring_dir, "runtime", NULL);
  data = g_build_filename (keyring_dir, "data", NULL);
  g_assert_cmpint (g_mkdir_with_parents (home, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (runtime, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (data, 0700), ==, 0);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", runtime, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data, TRUE);
  keyring_daemon = g_subprocess_launcher_spawn (launcher, &error, "gnome-keyring-daemon", "--foreground",
                                                "--unlock", "--components=secrets", NULL);
  if (keyring_daemon == NULL)
    {
      g_printerr ("# no keyring: %s\n", error->message);
      return;
    }

  /* The login keyring's password, then end of input */
  input = g_subprocess_get_stdin_pipe (keyring_daemon);
  g_output_stream_write_all (input, "test", 4, NULL, NULL, NULL);
  g_output_stream_close (input, NULL, NULL);

  for (guint i = 0; i < 200 && !secrets_service_present (); i++)
    g_usleep (50000);
  if (!secrets_service_present ())
    {
      g_printerr ("# no keyring: the secrets service did not appear\n");
      g_subprocess_force_exit (keyring_daemon);
      g_clear_object (&keyring_daemon);
    }
}

static void
start_scim_server (void)
{
  g_autofree char *script = g_build_filename (JN_SCIM_SERVER_DIR, "server.js", NULL);
  g_autofree char *modules = g_build_filename (JN_SCIM_SERVER_DIR, "node_modules", NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) output = NULL;
  g_autofree char *line = NULL;

  if (!has_program ("node") || !g_file_test (modules, G_FILE_TEST_IS_DIR))
    return;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  scim_server = g_subprocess_launcher_spawn (launcher, &error, "node", script, "--port", "0",
                                            "--token", TOKEN, "--seed", JN_DEMO_DIRECTORY, NULL);
  g_assert_no_error (error);
  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (scim_server));
  line = g_data_input_stream_read_line_utf8 (output, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, "listening "));
  scim_url = g_strdup (line + strlen ("listening "));
}

/* The accounts of UAI in the seed, counted here from the JSON itself */
static guint
count_seed_accounts (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *resources;
  guint n = 0;

  g_assert_true (json_parser_load_from_file (parser, JN_DEMO_DIRECTORY, &error));
  resources = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "Resources");
  for (guint i = 0; i < json_array_get_length (resources); i++)
    {
      JsonObject *user = json_array_get_object_element (resources, i);
      JsonObject *extension;
      JsonArray *structures;

      if (!json_object_has_member (user, JN_DEFAULT_EXTENSION_URN))
        continue;
      extension = json_object_get_object_member (user, JN_DEFAULT_EXTENSION_URN);
      if (!json_object_has_member (extension, "structures"))
        continue;
      structures = json_object_get_array_member (extension, "structures");
      for (guint j = 0; j < json_array_get_length (structures); j++)
        if (g_strcmp0 (json_array_get_string_element (structures, j), UAI) == 0)
          {
            n++;
            break;
          }
    }

  return n;
}

static void
rm_rf (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child_path = g_build_filename (path, name, NULL);

          rm_rf (child_path);
        }
      g_dir_close (dir);
    }
  g_remove (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *svg_type = NULL;
  int status;

  /* The isolated directories have no shared MIME database: read it before g_test_init()
   * (the expander's arrow is an SVG icon) */
  svg_type = g_content_type_guess ("icon.svg", NULL, 0, NULL);
  gtk_disable_setlocale ();
  gtk_init ();
  adw_init ();
  g_object_set (gtk_settings_get_default (),
                "gtk-font-name", "Cantarell 11",
                "gtk-enable-animations", FALSE,
                NULL);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  /* Tests set it themselves */
  g_unsetenv ("JONCTION_TOKEN");
  expected_accounts = count_seed_accounts ();
  g_assert_cmpuint (expected_accounts, >, 0);
  start_keyring ();
  start_scim_server ();

  g_test_add_func ("/connection/validation", test_validation);
  g_test_add_func ("/connection/bad-uai", test_bad_uai);
  g_test_add_func ("/connection/count-and-keyring", test_count_and_keyring);
  g_test_add_func ("/connection/wrong-token", test_wrong_token);
  g_test_add_func ("/connection/env-token", test_env_token);
  g_test_add_func ("/connection/cancel", test_cancel);
  g_test_add_func ("/connection/offline", test_offline);
  g_test_add_func ("/connection/demo", test_demo);
  g_test_add_func ("/connection/preferences", test_preferences);

  status = g_test_run ();

  if (scim_server != NULL)
    {
      g_subprocess_send_signal (scim_server, SIGTERM);
      g_subprocess_wait (scim_server, NULL, NULL);
      g_clear_object (&scim_server);
    }
  if (keyring_daemon != NULL)
    {
      g_subprocess_send_signal (keyring_daemon, SIGTERM);
      g_subprocess_wait (keyring_daemon, NULL, NULL);
      g_clear_object (&keyring_daemon);
    }
  if (keyring_dir != NULL)
    rm_rf (keyring_dir);
  g_free (keyring_dir);
  g_free (scim_url);

  return status;
}
