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

#include <adwaita.h>

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
