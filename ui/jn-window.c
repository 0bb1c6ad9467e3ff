/* jn-window.c
 *
 * The wizard's flow around one JnImportSession: start page (open a file, or resume an
 * interrupted import) → the file (read, then the ENT's directory) → its summary → the mode
 * → the six steps (validate, interrupt) → the report. The session does the work and keeps
 * the state; the window only shows it, asks for the confirmations and starts the next
 * asynchronous call. One call runs at a time (self->cancellable); a newer file supersedes
 * a load in progress.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-window"

#include "config.h"

#include <glib/gi18n.h>

#include "jn-application.h"
#include "jn-connection.h"
#include "jn-connection-page.h"
#include "jn-error.h"
#include "jn-error-page.h"
#include "jn-history-page.h"
#include "jn-loading-page.h"
#include "jn-mode-page.h"
#include "jn-preferences-window.h"
#include "jn-report-page.h"
#include "jn-secret.h"
#include "jn-step-page.h"
#include "jn-summary-page.h"
#include "jn-ui-utils.h"
#include "jn-user-dialog.h"
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
  JnWelcomePage        *welcome_page;
  JnLoadingPage        *loading_page;
  JnSummaryPage        *summary_page;
  JnErrorPage          *error_page;
  JnModePage           *mode_page;
  GtkStack             *steps_stack;
  GtkWidget            *push_box;
  GtkWidget            *validate_button;
  GtkWidget            *offline_preferences_button;
  GtkProgressBar       *push_progress;
  JnReportPage         *report_page;

  /* owned */
  GSettings            *settings;
  JnStore              *store;
  JnEnt                *ent;
  gboolean              ent_given;         /* set by jn_window_set_ent() or the demo, not the
                                              settings */
  GtkWidget            *connection_page;   /* NULL without the connection page */
  char                 *page_before_connection;
  JnImportSession      *session;
  GSignalGroup         *session_signals;
  GCancellable         *cancellable;       /* of the call in progress; NULL when idle */
  GFile                *file;              /* the last file asked for, reopened with a new key */
  JnImportRecord       *interrupted;       /* offered on the start page */
  JnImportSession      *session_before_load;  /* shown again when a load is cancelled */
  char                 *page_before_load;
  gboolean              pushing;
  gboolean              close_confirmed;
  const char           *page_after_directory;  /* "summary", or "mode" after a confirmation */
  AdwToast             *last_toast;        /* weak: dismissed when the page changes */
  char                 *edit_user_query;   /* win.edit-user: what the editor opens on */
  char                 *page_before_edit;  /* win.edit-user: the page under the editor */
  guint                 prebuild_id;       /* makes the next step's page ahead */
  gpointer              ent_ahead;         /* AheadData: the ENT being opened while a file is
                                              chosen or read, or NULL */
};

enum {
  PROP_0,
  PROP_STORE,
  PROP_SESSION,
  PROP_EXPORT,
  PROP_BUSY,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (JnWindow, jn_window, ADW_TYPE_APPLICATION_WINDOW)

static GParamSpec *properties[N_PROPS];

static void show_start (JnWindow *self);

/* ---- one asynchronous call at a time ---- */

typedef void (*EntReadyFunc) (JnWindow *self);

typedef struct
{
  JnWindow     *self;
  GCancellable *cancellable;
  EntReadyFunc  ready;        /* ensure_ent(): what comes next */
  const char   *page_if_none; /* ensure_ent(): the page when no ENT is set up */
} OpData;

static void
op_data_free (OpData *data)
{
  g_clear_object (&data->self);
  g_clear_object (&data->cancellable);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpData, op_data_free)

static void update_actions (JnWindow *self);

static void
busy_changed (JnWindow *self)
{
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static OpData *
op_begin (JnWindow *self)
{
  OpData *data;
  gboolean was_busy = self->cancellable != NULL;

  if (was_busy)
    {
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
    }
  self->cancellable = g_cancellable_new ();

  data = g_new0 (OpData, 1);
  data->self = g_object_ref (self);
  data->cancellable = g_object_ref (self->cancellable);

  if (!was_busy)
    busy_changed (self);

  return data;
}

/* FALSE when a newer call superseded this one: nothing to show */
static gboolean
op_end (OpData *data)
{
  JnWindow *self = data->self;

  if (data->cancellable != self->cancellable)
    return FALSE;

  g_clear_object (&self->cancellable);
  busy_changed (self);
  return TRUE;
}

static void
show_loading (JnWindow   *self,
              const char *title)
{
  jn_loading_page_set_title (self->loading_page, title);
  jn_loading_page_set_session (self->loading_page, self->session);
  gtk_stack_set_visible_child_name (self->stack, "loading");
}

static void
show_error (JnWindow     *self,
            const char   *title,
            const GError *error,
            const char   *retry_action)
{
  g_debug ("%s: %s", title, error->message);
  jn_error_page_set_retry_action (self->error_page, retry_action);
  jn_error_page_set_title (self->error_page, title);
  jn_error_page_set_error (self->error_page, error);
  jn_error_page_set_export (self->error_page,
                            self->session != NULL ? jn_import_session_get_export (self->session)
                                                  : NULL);
  gtk_stack_set_visible_child_name (self->stack, "error");
}

/* A toast says what just happened: it goes when something else does */
static void
dismiss_toast (JnWindow *self)
{
  if (self->last_toast == NULL)
    return;

  g_object_remove_weak_pointer (G_OBJECT (self->last_toast), (gpointer *) &self->last_toast);
  adw_toast_dismiss (g_steal_pointer (&self->last_toast));
}

static void
toast (JnWindow   *self,
       const char *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 6);
  if (self->last_toast != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->last_toast), (gpointer *) &self->last_toast);
  self->last_toast = toast;
  g_object_add_weak_pointer (G_OBJECT (toast), (gpointer *) &self->last_toast);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* ---- the header bar ---- */

static void
update_title (JnWindow *self)
{
  JnExport *export = self->session != NULL ? jn_import_session_get_export (self->session) : NULL;
  const char *page = gtk_stack_get_visible_child_name (self->stack);
  g_autofree char *subtitle = NULL;
  g_autofree char *title = NULL;

  if (export != NULL && jn_export_has_metadata (export))
    subtitle = jn_format_establishment (jn_export_get_establishment (export),
                                        jn_export_get_uai (export));

  if (g_strcmp0 (page, "steps") == 0 && self->session != NULL)
    {
      guint step = jn_import_session_get_current_step (self->session);
      JnCategory category = jn_import_session_step_category (step);

      /* Translators: the header bar during an import, "Step 2/6: Students" */
      title = g_strdup_printf (_("Step %u/%u: %s"), step + 1, (guint) JN_N_STEPS,
                               jn_category_get_label (category));
    }
  else if (g_strcmp0 (page, "mode") == 0)
    title = g_strdup (_("Import Mode"));
  else if (g_strcmp0 (page, "report") == 0)
    title = g_strdup (_("Import Summary"));
  else if (g_strcmp0 (page, "connection") == 0)
    title = g_strdup (_("Connection"));

  adw_window_title_set_title (self->window_title, title != NULL ? title : "Jonction");
  adw_window_title_set_subtitle (self->window_title, subtitle);
}

static void
update_actions (JnWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean busy = self->cancellable != NULL;
  JnSessionState state = self->session != NULL ? jn_import_session_get_state (self->session)
                                               : JN_SESSION_STATE_EMPTY;
  const char *page = gtk_stack_get_visible_child_name (self->stack);
  gboolean in_steps = state == JN_SESSION_STATE_STEPS && g_strcmp0 (page, "steps") == 0;
  guint step = self->session != NULL ? jn_import_session_get_current_step (self->session) : 0;

  /* A new file during the steps would drop the import: interrupt it first */
  gtk_widget_action_set_enabled (widget, "win.open", !in_steps && !self->pushing);
  gtk_widget_action_set_enabled (widget, "win.cancel-load", busy);
  gtk_widget_action_set_enabled (widget, "win.continue",
                                 !busy && state == JN_SESSION_STATE_LOADED);
  gtk_widget_action_set_enabled (widget, "win.read-directory",
                                 !busy && state == JN_SESSION_STATE_LOADED);
  gtk_widget_action_set_enabled (widget, "win.match",
                                 !busy && state == JN_SESSION_STATE_LOADED);
  /* A step validated earlier is only looked at again (its failures are retried from the
   * summary) */
  gtk_widget_action_set_enabled (widget, "win.validate-step",
                                 !busy && in_steps &&
                                 !jn_import_session_get_step_validated (self->session, step));
  gtk_widget_action_set_enabled (widget, "win.interrupt", !busy && in_steps);
  gtk_widget_action_set_enabled (widget, "win.search", in_steps);
  gtk_widget_action_set_enabled (widget, "win.previous-step", !busy && in_steps && step > 0);
  gtk_widget_action_set_enabled (widget, "win.next-step",
                                 !busy && in_steps && step + 1 < JN_N_STEPS &&
                                 jn_import_session_get_step_validated (self->session, step));
  gtk_widget_action_set_enabled (widget, "win.retry-failed",
                                 !busy && state == JN_SESSION_STATE_FINISHED);
  gtk_widget_action_set_enabled (widget, "win.back-to-start", !busy);
  gtk_widget_action_set_enabled (widget, "win.resume", !busy && self->interrupted != NULL);
  gtk_widget_action_set_enabled (widget, "win.discard", !busy && self->interrupted != NULL);
  gtk_widget_action_set_enabled (widget, "win.edit-user", !busy && !self->pushing);
}

static void
visible_page_changed_cb (JnWindow   *self,
                         GParamSpec *pspec,
                         GtkStack   *stack)
{
  const char *name = gtk_stack_get_visible_child_name (stack);

  dismiss_toast (self);
  /* The start page has its own big button; the steps have their bottom bar */
  gtk_widget_set_visible (GTK_WIDGET (self->open_button),
                          g_strcmp0 (name, "welcome") != 0 && g_strcmp0 (name, "steps") != 0);
  update_title (self);
  update_actions (self);
}

/* ---- the session ---- */

/* Step @step's page: made now if it is not yet */
static void
ensure_step_page (JnWindow *self,
                  guint     step,
                  gboolean  ahead)
{
  g_autofree char *name = g_strdup_printf ("step-%u", step);

  /* (made ahead, a page can wait for the plan: it follows the session's rows) */
  if (gtk_stack_get_child_by_name (self->steps_stack, name) == NULL &&
      (ahead || jn_import_session_get_plan (self->session) != NULL))
    gtk_stack_add_named (self->steps_stack,
                         ahead ? jn_step_page_new_ahead (self->session, step)
                               : jn_step_page_new (self->session, step),
                         name);
}

static gboolean
prebuild_cb (gpointer user_data)
{
  JnWindow *self = user_data;
  guint next;

  self->prebuild_id = 0;
  if (self->session == NULL)
    return G_SOURCE_REMOVE;

  /* While matching, the first step's; while a step is pushed, the next one's */
  next = jn_import_session_get_state (self->session) == JN_SESSION_STATE_STEPS
         ? jn_import_session_get_current_step (self->session) + 1 : 0;
  if (next < JN_N_STEPS)
    ensure_step_page (self, next, TRUE);

  return G_SOURCE_REMOVE;
}

static void
show_current_step (JnWindow *self)
{
  g_autofree char *name = NULL;
  guint step;

  if (self->session == NULL)
    return;

  /* Each step's page is made when first shown, or ahead of it while the step before is
   * pushed (see session_busy_cb) */
  step = jn_import_session_get_current_step (self->session);
  name = g_strdup_printf ("step-%u", step);
  ensure_step_page (self, step, FALSE);
  if (gtk_stack_get_child_by_name (self->steps_stack, name) != NULL)
    gtk_stack_set_visible_child_name (self->steps_stack, name);
  update_title (self);
  update_actions (self);
}

/* While a step is pushed (the admin waits, the window has little to do), the next step's
 * page is made, in main-loop turns of its own (a page takes 15–25 ms to make on the bench,
 * its rows as much again), rather than in the turn that ends the push; made when the step
 * is shown instead, it would delay the admin's first clicks there */
static void
session_busy_cb (JnWindow        *self,
                 GParamSpec      *pspec,
                 JnImportSession *session)
{
  if (jn_import_session_get_busy (session) &&
      jn_import_session_get_state (session) == JN_SESSION_STATE_STEPS &&
      jn_import_session_get_current_step (session) + 1 < JN_N_STEPS && self->prebuild_id == 0)
    self->prebuild_id = g_idle_add_full (G_PRIORITY_LOW, prebuild_cb, self, NULL);
}

static void
session_current_step_cb (JnWindow        *self,
                         GParamSpec      *pspec,
                         JnImportSession *session)
{
  show_current_step (self);
}

static void
session_state_cb (JnWindow        *self,
                  GParamSpec      *pspec,
                  JnImportSession *session)
{
  update_actions (self);
}

static void
session_progress_cb (JnWindow        *self,
                     GParamSpec      *pspec,
                     JnImportSession *session)
{
  double progress = jn_import_session_get_progress (session);
  const char *text = jn_import_session_get_progress_text (session);

  if (!self->pushing)
    return;

  if (progress >= 0)
    gtk_progress_bar_set_fraction (self->push_progress, CLAMP (progress, 0, 1));
  else
    gtk_progress_bar_pulse (self->push_progress);
  gtk_progress_bar_set_text (self->push_progress, text != NULL && *text != '\0' ? text : NULL);
}

static void
clear_steps (JnWindow *self)
{
  GtkWidget *child;

  g_clear_handle_id (&self->prebuild_id, g_source_remove);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->steps_stack))) != NULL)
    gtk_stack_remove (self->steps_stack, child);
}

/* The pages follow the session's rows: the ones made before (ahead, during the match) are
 * kept (set_session() removes another session's) */
static void
build_steps (JnWindow *self)
{
  show_current_step (self);
}

static void
set_session (JnWindow        *self,
             JnImportSession *session)
{
  if (self->session == session)
    return;

  g_signal_group_set_target (self->session_signals, session);
  clear_steps (self);
  jn_loading_page_set_session (self->loading_page, NULL);
  jn_report_page_set_session (self->report_page, session);
  g_set_object (&self->session, session);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPORT]);
}

/* ---- the ENT ---- */

/* Where the directory comes from, read on the main thread, opened in a worker */
typedef struct
{
  char *kind;      /* "ent", "offline" (settings' connection-kind), "none" */
  char *address;   /* the SCIM address, or the snapshot's path */
  char *token;     /* NULL: JONCTION_TOKEN, else the keyring */
  char *urn;
} EntRequest;

static void
ent_request_free (EntRequest *request)
{
  g_free (request->kind);
  g_free (request->address);
  if (request->token != NULL)
    explicit_bzero (request->token, strlen (request->token));
  g_free (request->token);
  g_free (request->urn);
  g_free (request);
}

static EntRequest *
ent_request_from_settings (JnWindow *self)
{
  EntRequest *request = g_new0 (EntRequest, 1);
  g_autofree char *urn = g_settings_get_string (self->settings, "extension-urn");

  request->urn = *urn != '\0' ? g_steal_pointer (&urn) : NULL;
  request->kind = g_settings_get_string (self->settings, "connection-kind");
  if (g_str_equal (request->kind, "offline"))
    request->address = g_settings_get_string (self->settings, "offline-snapshot");
  else
    request->address = g_settings_get_string (self->settings, "ent-url");

  return request;
}

/* In a worker: the keyring and a snapshot file are read here, not on the main loop */
static void
prepare_ent_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  EntRequest *request = task_data;
  g_autofree char *token = g_strdup (request->token);
  GError *error = NULL;
  JnEnt *ent = NULL;

  if (g_str_equal (request->kind, "none") || *request->address == '\0')
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  if (g_str_equal (request->kind, "ent") && token == NULL)
    {
      token = jn_connection_dup_env_token (&error);
      if (error == NULL && token == NULL)
        token = jn_secret_lookup_token_sync (request->address, cancellable, &error);
      if (error == NULL && token == NULL)
        error = g_error_new (JN_ERROR, JN_ERROR_INVALID_ARGUMENT,
                             _("No access token is stored for %s: enter it in the "
                               "connection settings"), request->address);
    }
  if (error == NULL)
    ent = jn_connection_new_ent (request->address, g_str_equal (request->kind, "ent") ? token : NULL,
                                 request->urn, &error);

  if (token != NULL)
    explicit_bzero (token, strlen (token));
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, ent, g_object_unref);
}

/* The end of ensure_ent(), whether it opened the ENT itself or waited for the one opened
 * ahead */
static void
ent_prepared (OpData *data,
              JnEnt  *ent,
              GError *error)
{
  JnWindow *self = data->self;

  if (!op_end (data))
    return;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    gtk_stack_set_visible_child_name (self->stack, data->page_if_none);
  else if (error != NULL)
    show_error (self, _("Could Not Connect to the ENT"), error, "win.read-directory");
  else if (ent == NULL)
    gtk_stack_set_visible_child_name (self->stack, data->page_if_none);
  else
    {
      g_set_object (&self->ent, ent);
      if (self->session != NULL)
        jn_import_session_set_ent (self->session, ent);
      data->ready (self);
    }
}

static void
prepare_ent_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(OpData) data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JnEnt) ent = g_task_propagate_pointer (G_TASK (result), &error);

  ent_prepared (data, ent, error);
}

/* ---- the ENT opened ahead ----
 *
 * Opening the ENT (the keyring, a snapshot file parsed) takes a few hundred milliseconds:
 * it starts when the admin opens the file chooser or a file, beside the file's reading,
 * and the directory's reading takes it (or waits for it) instead of opening it again. */

typedef struct
{
  GWeakRef      self;
  GCancellable *cancellable;
  char         *kind, *address, *urn;   /* the settings it was opened from */
  OpData       *waiter;                 /* ensure_ent() waiting for it, or NULL */
  gulong        waiter_cancel;          /* the waiter's Cancel stops it */
} AheadData;

static void
ahead_data_free (AheadData *data)
{
  g_weak_ref_clear (&data->self);
  g_clear_object (&data->cancellable);
  g_free (data->kind);
  g_free (data->address);
  g_free (data->urn);
  g_free (data);
}

static void
ent_ahead_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  AheadData *data = user_data;
  g_autoptr(JnWindow) self = g_weak_ref_get (&data->self);
  g_autoptr(GError) error = NULL;
  g_autoptr(JnEnt) ent = g_task_propagate_pointer (G_TASK (result), &error);
  gboolean current = self != NULL && self->ent_ahead == data;

  if (current)
    self->ent_ahead = NULL;

  if (data->waiter != NULL)
    {
      g_autoptr(OpData) waiter = g_steal_pointer (&data->waiter);

      g_cancellable_disconnect (waiter->cancellable, data->waiter_cancel);
      ent_prepared (waiter, ent, error);
    }
  else if (current && ent != NULL && self->ent == NULL && !self->ent_given)
    {
      EntRequest *now = ent_request_from_settings (self);

      /* Kept only if the settings still say the same */
      if (g_str_equal (now->kind, data->kind) && g_str_equal (now->address, data->address) &&
          g_strcmp0 (now->urn, data->urn) == 0)
        self->ent = g_object_ref (ent);
      ent_request_free (now);
    }

  ahead_data_free (data);
}

/* Stops the ENT being opened ahead, unless a directory's reading waits for it */
static void
cancel_ent_ahead (JnWindow *self)
{
  AheadData *ahead = self->ent_ahead;

  if (ahead != NULL && ahead->waiter == NULL)
    {
      g_cancellable_cancel (ahead->cancellable);
      self->ent_ahead = NULL;
    }
}

static void
open_ent_ahead (JnWindow *self)
{
  g_autoptr(GTask) task = NULL;
  AheadData *ahead = self->ent_ahead;
  EntRequest *request;
  AheadData *data;

  if (self->ent != NULL || self->ent_given ||
      (ahead != NULL && !g_cancellable_is_cancelled (ahead->cancellable)))
    return;

  request = ent_request_from_settings (self);
  if (g_str_equal (request->kind, "none") || *request->address == '\0')
    {
      ent_request_free (request);
      return;
    }

  data = g_new0 (AheadData, 1);
  g_weak_ref_init (&data->self, self);
  data->cancellable = g_cancellable_new ();
  data->kind = g_strdup (request->kind);
  data->address = g_strdup (request->address);
  data->urn = g_strdup (request->urn);
  self->ent_ahead = data;

  task = g_task_new (NULL, data->cancellable, ent_ahead_cb, data);
  g_task_set_source_tag (task, open_ent_ahead);
  g_task_set_task_data (task, request, (GDestroyNotify) ent_request_free);
  g_task_run_in_thread (task, prepare_ent_thread);
}

static void
waiter_cancelled_cb (GCancellable *cancellable,
                     GCancellable *ahead)
{
  g_cancellable_cancel (ahead);
}

/* Calls @ready once the session has its ENT, opened from the settings if needed (the
 * keyring and a snapshot are read off the main loop); without one set up, shows
 * @page_if_none */
static void
ensure_ent (JnWindow     *self,
            EntRequest   *request,
            EntReadyFunc  ready,
            const char   *page_if_none)
{
  g_autoptr(GTask) task = NULL;
  OpData *data;

  if (request == NULL && self->ent != NULL)
    {
      if (self->session != NULL)
        jn_import_session_set_ent (self->session, self->ent);
      ready (self);
      return;
    }

  data = op_begin (self);
  data->ready = ready;
  data->page_if_none = page_if_none;
  show_loading (self, _("Connecting to the ENT…"));
  jn_loading_page_set_session (self->loading_page, NULL);
  jn_loading_page_set_file (self->loading_page, NULL);

  /* Already being opened from the same settings: wait for it (Cancel stops it) */
  if (request == NULL && self->ent_ahead != NULL)
    {
      AheadData *ahead = self->ent_ahead;

      if (ahead->waiter == NULL && !g_cancellable_is_cancelled (ahead->cancellable))
        {
          ahead->waiter = data;
          ahead->waiter_cancel = g_cancellable_connect (data->cancellable,
                                                        G_CALLBACK (waiter_cancelled_cb),
                                                        g_object_ref (ahead->cancellable),
                                                        g_object_unref);
          return;
        }
    }

  if (request == NULL)
    request = ent_request_from_settings (self);
  task = g_task_new (self, data->cancellable, prepare_ent_cb, data);
  g_task_set_source_tag (task, ensure_ent);
  g_task_set_task_data (task, request, (GDestroyNotify) ent_request_free);
  g_task_run_in_thread (task, prepare_ent_thread);
}

/* A fresh session for a new file or a resume */
static void
new_session (JnWindow *self)
{
  g_autoptr(JnImportSession) session = jn_import_session_new (self->store);
  g_autofree char *uai = g_settings_get_string (self->settings, "uai");

  if (self->ent != NULL)
    jn_import_session_set_ent (session, self->ent);
  if (*uai != '\0')
    jn_import_session_set_uai (session, uai);

  set_session (self, session);
}

static void
get_key (JnWindow  *self,
         GFile    **key_file,
         char     **partner)
{
  g_autofree char *key_path = g_settings_get_string (self->settings, "key-file");
  g_autofree char *name = g_settings_get_string (self->settings, "partner");

  *key_file = *key_path != '\0' ? g_file_new_for_path (key_path) : NULL;
  *partner = *name != '\0' ? g_steal_pointer (&name) : NULL;
}

/* ---- file → directory → summary ---- */

static void
read_directory_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(OpData) data = user_data;
  JnWindow *self = data->self;
  g_autoptr(GError) error = NULL;

  jn_import_session_read_directory_finish (JN_IMPORT_SESSION (object), result, &error);
  if (!op_end (data))
    return;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    gtk_stack_set_visible_child_name (self->stack, "summary");
  else if (error != NULL)
    show_error (self, _("Could Not Read the ENT Directory"), error, "win.read-directory");
  else
    {
      jn_summary_page_set_directory (self->summary_page,
                                     jn_import_session_get_directory (self->session),
                                     jn_import_session_get_uai (self->session));
      gtk_stack_set_visible_child_name (self->stack, self->page_after_directory);
    }
}

static void read_directory_now (JnWindow *self);

/* Reads the establishment's accounts (opening the ENT first if needed), then shows
 * @next_page; without an ENT set up, the file's summary or the offline state */
static void
read_directory (JnWindow   *self,
                const char *next_page)
{
  self->page_after_directory = next_page;
  ensure_ent (self, NULL, read_directory_now,
              g_str_equal (next_page, "summary") ? "summary" : "offline");
}

static void
read_directory_now (JnWindow *self)
{
  OpData *data = op_begin (self);

  show_loading (self, _("Reading the ENT Directory…"));
  jn_import_session_read_directory_async (self->session, data->cancellable,
                                          read_directory_cb, data);
}

static void
open_export_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(OpData) data = user_data;
  JnWindow *self = data->self;
  g_autoptr(GError) error = NULL;

  jn_import_session_open_export_finish (JN_IMPORT_SESSION (object), result, &error);
  if (!op_end (data))
    return;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autoptr(JnImportSession) previous = g_steal_pointer (&self->session_before_load);
      g_autofree char *page = g_steal_pointer (&self->page_before_load);

      /* Back where the admin was: the file read before, or the start */
      if (previous == NULL || page == NULL)
        {
          show_start (self);
          return;
        }
      set_session (self, previous);
      jn_summary_page_set_export (self->summary_page, jn_import_session_get_export (previous));
      jn_summary_page_set_warnings (self->summary_page, jn_import_session_get_warnings (previous));
      jn_summary_page_set_directory (self->summary_page, jn_import_session_get_directory (previous),
                                     jn_import_session_get_uai (previous));
      gtk_stack_set_visible_child_name (self->stack, page);
      return;
    }

  g_clear_object (&self->session_before_load);
  g_clear_pointer (&self->page_before_load, g_free);
  jn_summary_page_set_export (self->summary_page, jn_import_session_get_export (self->session));
  jn_summary_page_set_warnings (self->summary_page,
                                jn_import_session_get_warnings (self->session));
  jn_summary_page_set_directory (self->summary_page, NULL, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPORT]);

  /* The directory of another establishment than the file's is read once the admin has
   * confirmed which one it is (on "Continue") */
  if (error != NULL)
    show_error (self, _("Could Not Open This File"), error, NULL);
  else if (!jn_import_session_get_uai_mismatch (self->session))
    read_directory (self, "summary");
  else
    gtk_stack_set_visible_child_name (self->stack, "summary");
}

/* ---- the connection (first run, and "Set Up the Connection…") ---- */

static void
connection_ready (JnWindow *self)
{
  /* The file read before the connection was set up gets its directory now */
  if (self->session != NULL &&
      jn_import_session_get_state (self->session) == JN_SESSION_STATE_LOADED)
    read_directory (self, jn_import_session_get_uai_mismatch (self->session) ? "mode" : "summary");
  else
    gtk_stack_set_visible_child_name (self->stack, self->page_before_connection != NULL
                                                   ? self->page_before_connection : "welcome");
}

static void
demo_ready (JnWindow *self)
{
  g_autoptr(GFile) demo = jn_application_dup_demo_file ();

  gtk_stack_set_visible_child_name (self->stack, "welcome");
  jn_window_open (self, demo);
}

static void
connection_done_cb (JnWindow         *self,
                    JnConnectionKind  kind,
                    JnConnectionPage *page)
{
  EntRequest *request = ent_request_from_settings (self);
  GFile *snapshot = jn_connection_page_get_snapshot (page);

  g_clear_object (&self->ent);
  self->ent_given = FALSE;
  if (kind == JN_CONNECTION_KIND_ENT)
    {
      g_free (request->kind);
      request->kind = g_strdup ("ent");
      request->token = g_strdup (jn_connection_page_get_token (page));
    }
  else if (snapshot != NULL)
    {
      g_free (request->kind);
      g_free (request->address);
      request->kind = g_strdup ("offline");
      request->address = g_file_get_path (snapshot);
      /* The demo is never remembered in the settings: this window keeps it */
      self->ent_given = kind == JN_CONNECTION_KIND_DEMO;
    }

  /* The demo opens its own file when no import is under way */
  if (kind == JN_CONNECTION_KIND_DEMO &&
      (self->session == NULL ||
       jn_import_session_get_state (self->session) != JN_SESSION_STATE_LOADED))
    ensure_ent (self, request, demo_ready, "welcome");
  else
    ensure_ent (self, request, connection_ready,
                self->page_before_connection != NULL ? self->page_before_connection : "welcome");
}

static void
connection_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  jn_window_show_connection (JN_WINDOW (widget));
}

/* ---- "Edit a User…" ---- */

/* The establishment the editor works on: the import's, else the settings' */
static char *
dup_edit_uai (JnWindow *self)
{
  const char *uai = self->session != NULL ? jn_import_session_get_uai (self->session) : NULL;
  g_autofree char *configured = NULL;

  if (uai != NULL && *uai != '\0')
    return g_strdup (uai);
  configured = g_settings_get_string (self->settings, "uai");
  if (*configured != '\0')
    return g_steal_pointer (&configured);
  return self->ent_given ? g_strdup (JN_DEMO_UAI) : NULL;
}

/* An identifier was changed from the editor */
static void
user_saved_cb (JnWindow *self)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  /* the start page tells of the last change */
  jn_window_refresh_start (self);
  /* An import under way no longer trusts the directory it read: this window's, and that of
   * any other window of the process (a second export opened beside it): reading each
   * account first is only careful, whatever its ENT */
  for (GList *l = toplevels; l != NULL; l = l->next)
    if (JN_IS_WINDOW (l->data) && JN_WINDOW (l->data)->session != NULL)
      jn_import_session_note_ent_changed (JN_WINDOW (l->data)->session);
}

static void
edit_user_ready (JnWindow *self)
{
  g_autofree char *uai = dup_edit_uai (self);
  g_autofree char *query = g_steal_pointer (&self->edit_user_query);
  JnUserDialog *dialog;

  if (self->page_before_edit != NULL)
    gtk_stack_set_visible_child_name (self->stack, self->page_before_edit);
  g_clear_pointer (&self->page_before_edit, g_free);

  if (uai == NULL || self->store == NULL || self->ent == NULL)
    {
      toast (self, _("Set up the establishment’s UAI in the connection settings first"));
      return;
    }

  dialog = jn_user_dialog_new (GTK_WINDOW (self), self->store, self->ent, uai, query);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (user_saved_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* @parameter: an ENT account id (its page opens) or words to search for, or "" */
static void
edit_user_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  JnWindow *self = JN_WINDOW (widget);
  const char *page = gtk_stack_get_visible_child_name (self->stack);

  if (jn_window_needs_connection (self))
    {
      jn_window_show_connection (self);
      toast (self, _("Connect to the ENT first"));
      return;
    }

  g_free (self->edit_user_query);
  self->edit_user_query = g_variant_dup_string (parameter, NULL);
  g_free (self->page_before_edit);
  self->page_before_edit = g_strdup (page);
  ensure_ent (self, NULL, edit_user_ready, page);
}

/* ---- the actions ---- */

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

  /* While the admin looks for the file */
  open_ent_ahead (self);

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
          toast (self, _("Partner key saved in the preferences"));
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
preferences_done_cb (JnWindow         *self,
                     JnConnectionKind  kind,
                     JnConnectionPage *page)
{
  /* Opened again from the settings (and the keyring) when next needed */
  if (!self->ent_given || kind == JN_CONNECTION_KIND_DEMO)
    {
      g_clear_object (&self->ent);
      self->ent_given = FALSE;
    }
}

static void
preferences_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  JnWindow *self = JN_WINDOW (widget);
  GtkWindow *preferences = jn_preferences_window_new (GTK_WINDOW (widget));
  JnConnectionPage *page =
    jn_preferences_window_get_connection_page (JN_PREFERENCES_WINDOW (preferences));

  /* A connection set up there is the one the next reads use */
  g_signal_connect_object (page, "done", G_CALLBACK (preferences_done_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (preferences);
}

static void
read_directory_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  JnWindow *self = JN_WINDOW (widget);

  if (self->session == NULL)
    return;

  /* The settings may have changed since: the ENT is opened again from them */
  if (!self->ent_given)
    g_clear_object (&self->ent);
  read_directory (self, jn_import_session_get_uai_mismatch (self->session) ? "mode" : "summary");
}

static void
uai_mismatch_response_cb (JnWindow        *self,
                          const char      *response,
                          AdwMessageDialog *dialog)
{
  if (g_strcmp0 (response, "continue") != 0 || self->session == NULL)
    return;

  /* The file's establishment it is: its accounts are read now */
  jn_import_session_accept_uai_mismatch (self->session);
  read_directory (self, "mode");
}

/* A question before an action that cannot be taken back: Cancel (the default, also on
 * Escape) or @action_label; @callback (swapped: the window first) gets the response */
static void
ask (JnWindow    *self,
     const char  *heading,
     const char  *body,
     const char  *cancel_label,
     const char  *action_id,
     const char  *action_label,
     gboolean     destructive,
     GCallback    callback)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", cancel_label,
                                    action_id, action_label,
                                    NULL);
  if (destructive)
    adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), action_id,
                                                ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", callback, self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
continue_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  JnWindow *self = JN_WINDOW (widget);
  JnExport *export;
  g_autofree char *body = NULL;

  if (self->session == NULL)
    return;

  if (!jn_import_session_get_uai_mismatch (self->session))
    {
      gtk_stack_set_visible_child_name (self->stack,
                                        jn_import_session_get_directory (self->session) == NULL
                                        ? "offline" : "mode");
      return;
    }

  export = jn_import_session_get_export (self->session);
  /* Translators: the export's UAI, then the configured one */
  body = g_strdup_printf (_("This file is for the establishment %s, but Jonction is set up "
                            "for %s. Importing it writes its identifiers into the accounts of "
                            "%s. Continue only if this is the right establishment."),
                          jn_export_get_uai (export),
                          jn_import_session_get_uai (self->session),
                          jn_export_get_uai (export));
  ask (self, _("Another Establishment?"), body, _("_Cancel"), "continue", _("_Import Anyway"),
       TRUE, G_CALLBACK (uai_mismatch_response_cb));
}

static void
match_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(OpData) data = user_data;
  JnWindow *self = data->self;
  g_autoptr(GError) error = NULL;

  jn_import_session_match_finish (JN_IMPORT_SESSION (object), result, &error);
  if (!op_end (data))
    return;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    gtk_stack_set_visible_child_name (self->stack, "mode");
  else if (error != NULL)
    show_error (self, _("Could Not Match the Accounts"), error, "win.match");
  else
    {
      build_steps (self);
      gtk_stack_set_visible_child_name (self->stack, "steps");
    }
}

static void
match_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  JnWindow *self = JN_WINDOW (widget);
  OpData *data;

  if (self->session == NULL)
    return;

  jn_import_session_set_mode (self->session, jn_mode_page_get_mode (self->mode_page));
  data = op_begin (self);
  show_loading (self, _("Matching the Accounts…"));
  jn_import_session_match_async (self->session, NULL, data->cancellable, match_cb, data);
}

/* ---- validate a step ---- */

static void
validate_step_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(OpData) data = user_data;
  JnWindow *self = data->self;
  JnImportSession *session = JN_IMPORT_SESSION (object);
  g_autoptr(GError) error = NULL;

  jn_import_session_validate_step_finish (session, result, &error);
  self->pushing = FALSE;
  gtk_widget_set_visible (self->push_box, FALSE);
  if (!op_end (data))
    return;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      toast (self, _("Step not validated: the writes already made are kept, validate it "
                     "again to finish it"));
      return;
    }
  else if (error != NULL)
    {
      GtkWidget *dialog;

      g_debug ("Could not validate the step: %s", error->message);
      dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Could Not Validate the Step"),
                                       error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }

  if (jn_import_session_get_state (session) == JN_SESSION_STATE_FINISHED)
    gtk_stack_set_visible_child_name (self->stack, "report");
  else
    {
      guint step = jn_import_session_get_current_step (session);
      JnStepCounts counts = { 0 };

      /* The failures of the step just validated, if any, are on its rows */
      jn_import_session_get_counts (session,
                                    jn_import_session_step_category (step > 0 ? step - 1 : 0),
                                    &counts);
      if (counts.n_failed > 0)
        {
          g_autofree char *text =
            g_strdup_printf (ngettext ("%u identifier could not be written: its row says why",
                                       "%u identifiers could not be written: their rows say why",
                                       counts.n_failed),
                             counts.n_failed);

          toast (self, text);
        }
      else
        toast (self, _("Step validated"));
    }
}

static void
start_push (JnWindow *self)
{
  OpData *data = op_begin (self);

  dismiss_toast (self);
  self->pushing = TRUE;
  gtk_progress_bar_set_fraction (self->push_progress, 0);
  gtk_progress_bar_set_text (self->push_progress, _("Writing into the ENT…"));
  gtk_widget_set_visible (self->push_box, TRUE);
  update_actions (self);
  jn_import_session_validate_step_async (self->session, data->cancellable,
                                         validate_step_cb, data);
}

static void
validate_response_cb (JnWindow         *self,
                      const char       *response,
                      AdwMessageDialog *dialog)
{
  if (g_strcmp0 (response, "validate") == 0 && self->session != NULL &&
      self->cancellable == NULL)
    start_push (self);
}

static void
confirm_toggled_cb (GtkCheckButton   *check,
                    AdwMessageDialog *dialog)
{
  adw_message_dialog_set_response_enabled (dialog, "validate",
                                           gtk_check_button_get_active (check));
}

/* The list on demand: filled when the expander opens */
static void
changes_expanded_cb (GtkExpander *expander,
                     GParamSpec  *pspec,
                     JnWindow    *self)
{
  static const JnPlanAction actions[] = {
    JN_PLAN_ACTION_SET, JN_PLAN_ACTION_REPLACE, JN_PLAN_ACTION_CLEAR
  };
  GtkWidget *box;

  if (!gtk_expander_get_expanded (expander) || self->session == NULL ||
      g_object_get_data (G_OBJECT (expander), "filled") != NULL)
    return;

  box = g_object_get_data (G_OBJECT (expander), "list");

  for (guint a = 0; a < G_N_ELEMENTS (actions); a++)
    {
      g_autoptr(GPtrArray) rows = jn_import_session_list_step_changes (self->session, actions[a]);
      const char *verb = actions[a] == JN_PLAN_ACTION_SET ? _("Set")
                         : actions[a] == JN_PLAN_ACTION_REPLACE ? _("Replace")
                         : _("Remove");

      for (guint i = 0; rows != NULL && i < rows->len; i++)
        {
          JnSessionRow *row = g_ptr_array_index (rows, i);
          const char *account = jn_session_row_get_ent_account (row);
          g_autofree char *line = NULL;
          GtkWidget *label;

          if (actions[a] == JN_PLAN_ACTION_CLEAR)
            /* Translators: one line of a step's changes: "Remove: Ancien Jules (jules.ancien),
             * identifier ZZZZ9999YYYY8888" */
            line = g_strdup_printf (_("%s: %s, identifier %s"), verb,
                                    account != NULL && *account != '\0' ? account : "—",
                                    jn_session_row_get_pronote_id (row));
          else
            /* Translators: one line of a step's changes: "Set: DUPONT Léa → Dupont Lea
             * (lea.dupont)" */
            line = g_strdup_printf (_("%s: %s %s → %s"), verb,
                                    jn_session_row_get_last_name (row),
                                    jn_session_row_get_first_name (row),
                                    account != NULL && *account != '\0' ? account : "—");
          label = gtk_label_new (line);

          gtk_label_set_xalign (GTK_LABEL (label), 0);
          gtk_label_set_wrap (GTK_LABEL (label), TRUE);
          gtk_box_append (GTK_BOX (box), label);
        }
    }
  g_object_set_data (G_OBJECT (expander), "filled", GINT_TO_POINTER (1));
}

/* One line of what a step writes: @what 0 set, 1 replace, 2 remove, 3 unchanged */
static char *
format_changes (guint what,
                guint n)
{
  g_autofree char *count = jn_format_count (n);

  switch (what)
    {
    case 0:
      /* Translators: what validating a step does, "3 identifiers to set" */
      return g_strdup_printf (ngettext ("%s identifier to set", "%s identifiers to set", n), count);
    case 1:
      return g_strdup_printf (ngettext ("%s identifier to replace", "%s identifiers to replace", n),
                              count);
    case 2:
      return g_strdup_printf (ngettext ("%s identifier to remove", "%s identifiers to remove", n),
                              count);
    default:
      return g_strdup_printf (ngettext ("%s already up to date", "%s already up to date", n),
                              count);
    }
}

static void
validate_step_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  JnWindow *self = JN_WINDOW (widget);
  guint step;
  JnCategory category;
  JnStepCounts counts = { 0 };
  GtkWidget *dialog;
  GtkWidget *extra;
  GtkWidget *expander;
  GtkWidget *scrolled;
  GtkWidget *list;
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *heading = NULL;
  gboolean destructive;

  if (self->session == NULL || self->cancellable != NULL ||
      jn_import_session_get_state (self->session) != JN_SESSION_STATE_STEPS)
    return;

  dismiss_toast (self);
  step = jn_import_session_get_current_step (self->session);
  category = jn_import_session_step_category (step);
  jn_import_session_get_counts (self->session, category, &counts);
  destructive = counts.n_replace > 0 || counts.n_clear > 0;

  /* Translators: "Validate Step 2/6: Students?" */
  heading = g_strdup_printf (_("Validate Step %u/%u: %s?"), step + 1, (guint) JN_N_STEPS,
                             jn_category_get_label (category));

  if (counts.n_set + counts.n_replace + counts.n_clear == 0)
    g_string_append (body, _("Nothing to write in this step: its ENT accounts already hold "
                             "their identifiers."));
  else
    {
      const guint lines[] = { counts.n_set, counts.n_replace, counts.n_clear, counts.n_unchanged };

      g_string_append (body, _("This step writes into the ENT:"));
      for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
        if (lines[i] > 0)
          {
            g_autofree char *text = format_changes (i, lines[i]);

            g_string_append_printf (body, "\n• %s", text);
          }
    }
  if (counts.n_not_imported > 0)
    {
      g_autofree char *text =
        g_strdup_printf (ngettext ("%u user is not imported, as you chose.",
                                   "%u users are not imported, as you chose.",
                                   counts.n_not_imported),
                         counts.n_not_imported);

      g_string_append_printf (body, "\n\n%s", text);
    }

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body->str);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "validate", _("_Validate"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "validate",
                                              destructive ? ADW_RESPONSE_DESTRUCTIVE
                                                          : ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog),
                                           destructive ? "cancel" : "validate");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  extra = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  if (counts.n_set + counts.n_replace + counts.n_clear > 0)
    {
      expander = gtk_expander_new_with_mnemonic (_("_Show the Changes"));
      gtk_widget_set_name (expander, "changes-expander");
      scrolled = gtk_scrolled_window_new ();
      list = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
      gtk_widget_set_name (list, "changes-list");
      gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                      GTK_POLICY_AUTOMATIC);
      gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 160);
      gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 240);
      gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
      gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list);
      gtk_expander_set_child (GTK_EXPANDER (expander), scrolled);
      g_object_set_data (G_OBJECT (expander), "list", list);
      g_signal_connect_object (expander, "notify::expanded", G_CALLBACK (changes_expanded_cb),
                               self, 0);
      gtk_box_append (GTK_BOX (extra), expander);
    }

  if (destructive)
    {
      g_autofree char *label = NULL;
      GtkWidget *check;

      if (counts.n_replace > 0 && counts.n_clear > 0)
        /* Translators: the explicit confirmation of a step that replaces and removes */
        label = g_strdup_printf (_("I confirm: replace %u and remove %u identifiers"),
                                 counts.n_replace, counts.n_clear);
      else if (counts.n_replace > 0)
        label = g_strdup_printf (ngettext ("I confirm: replace %u identifier",
                                           "I confirm: replace %u identifiers", counts.n_replace),
                                 counts.n_replace);
      else
        label = g_strdup_printf (ngettext ("I confirm: remove %u identifier",
                                           "I confirm: remove %u identifiers", counts.n_clear),
                                 counts.n_clear);
      check = gtk_check_button_new_with_label (label);
      gtk_widget_set_name (check, "confirm-check");
      adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "validate", FALSE);
      g_signal_connect_object (check, "toggled", G_CALLBACK (confirm_toggled_cb), dialog, 0);
      gtk_box_append (GTK_BOX (extra), check);
    }

  if (gtk_widget_get_first_child (extra) != NULL)
    adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), extra);
  else
    g_object_unref (g_object_ref_sink (extra));

  g_signal_connect_object (dialog, "response", G_CALLBACK (validate_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
step_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  JnWindow *self = JN_WINDOW (widget);
  guint step;

  if (self->session == NULL || self->cancellable != NULL)
    return;

  step = jn_import_session_get_current_step (self->session);
  if (g_str_equal (action_name, "win.previous-step"))
    {
      if (step > 0)
        jn_import_session_go_to_step (self->session, step - 1);
    }
  else if (step + 1 < JN_N_STEPS)
    {
      if (!jn_import_session_go_to_step (self->session, step + 1))
        gtk_widget_error_bell (widget);
    }
}

/* Ctrl+F: the search of the step shown */
static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  JnWindow *self = JN_WINDOW (widget);
  GtkWidget *page = gtk_stack_get_visible_child (self->steps_stack);

  if (page != NULL && JN_IS_STEP_PAGE (page))
    jn_step_page_focus_search (JN_STEP_PAGE (page));
}

/* ---- interrupt, resume, discard ---- */

static void
interrupt_response_cb (JnWindow         *self,
                       const char       *response,
                       AdwMessageDialog *dialog)
{
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "interrupt") != 0 || self->session == NULL)
    return;

  if (!jn_import_session_interrupt (self->session, &error))
    {
      toast (self, error->message);
      return;
    }

  show_start (self);
  toast (self, _("Import interrupted: resume it from here when you are ready"));
}

static void
interrupt_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  JnWindow *self = JN_WINDOW (widget);

  if (self->session == NULL || self->cancellable != NULL)
    return;

  ask (self, _("Interrupt the Import?"),
       _("The steps already validated stay in the ENT and your "
         "choices are kept: you can resume this import from the "
         "start page, with the same file."),
       _("_Cancel"), "interrupt", _("_Interrupt"), FALSE, G_CALLBACK (interrupt_response_cb));
}

static void
resume_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(OpData) data = user_data;
  JnWindow *self = data->self;
  JnImportSession *session = JN_IMPORT_SESSION (object);
  g_autoptr(GError) error = NULL;

  jn_import_session_resume_finish (session, result, &error);
  if (!op_end (data))
    return;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      show_start (self);
      return;
    }
  else if (error != NULL)
    {
      show_error (self, _("Could Not Resume the Import"), error, "win.resume");
      return;
    }

  jn_summary_page_set_export (self->summary_page, jn_import_session_get_export (session));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPORT]);
  build_steps (self);
  if (jn_import_session_get_state (session) == JN_SESSION_STATE_FINISHED)
    gtk_stack_set_visible_child_name (self->stack, "report");
  else
    gtk_stack_set_visible_child_name (self->stack, "steps");
}

static void resume_now (JnWindow *self);

static void
resume_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  JnWindow *self = JN_WINDOW (widget);

  if (self->interrupted == NULL || self->cancellable != NULL)
    return;

  new_session (self);
  ensure_ent (self, NULL, resume_now, "offline");
}

static void
resume_now (JnWindow *self)
{
  g_autoptr(GFile) key_file = NULL;
  g_autofree char *partner = NULL;
  OpData *data;

  get_key (self, &key_file, &partner);
  data = op_begin (self);
  show_loading (self, _("Resuming the Import…"));
  jn_loading_page_set_file (self->loading_page, NULL);
  jn_import_session_resume_async (self->session, self->interrupted, key_file, partner,
                                  data->cancellable, resume_cb, data);
}

static void
discard_response_cb (JnWindow         *self,
                     const char       *response,
                     AdwMessageDialog *dialog)
{
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "discard") != 0 || self->interrupted == NULL || self->store == NULL)
    return;

  if (!jn_import_session_discard (self->store, self->interrupted->id, &error))
    toast (self, error->message);
  else
    toast (self, _("Interrupted import discarded"));

  jn_window_refresh_start (self);
}

static void
discard_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  JnWindow *self = JN_WINDOW (widget);

  if (self->interrupted == NULL)
    return;

  ask (self, _("Discard the Interrupted Import?"),
       _("The steps already validated stay in the ENT, but the "
         "choices made for the other steps are lost. This cannot "
         "be undone."),
       _("_Cancel"), "discard", _("_Discard"), TRUE, G_CALLBACK (discard_response_cb));
}

/* ---- the report ---- */

static void
retry_failed_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(OpData) data = user_data;
  JnWindow *self = data->self;
  g_autoptr(GError) error = NULL;
  GListModel *failures;

  jn_import_session_retry_failed_finish (JN_IMPORT_SESSION (object), result, &error);
  if (!op_end (data))
    return;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    {
      toast (self, error->message);
      return;
    }

  failures = jn_import_session_get_failures (JN_IMPORT_SESSION (object));
  if (g_list_model_get_n_items (failures) == 0)
    toast (self, _("Every identifier is now written"));
  else
    {
      g_autofree char *text =
        g_strdup_printf (ngettext ("%u identifier still could not be written",
                                   "%u identifiers still could not be written",
                                   g_list_model_get_n_items (failures)),
                         g_list_model_get_n_items (failures));

      toast (self, text);
    }
}

static void
retry_failed_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  JnWindow *self = JN_WINDOW (widget);
  OpData *data;

  if (self->session == NULL || self->cancellable != NULL)
    return;

  data = op_begin (self);
  jn_import_session_retry_failed_async (self->session, data->cancellable, retry_failed_cb, data);
}

static void
back_to_start_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  show_start (JN_WINDOW (widget));
}

static void
show_start (JnWindow *self)
{
  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
      self->pushing = FALSE;
      gtk_widget_set_visible (self->push_box, FALSE);
      busy_changed (self);
    }

  g_clear_object (&self->session_before_load);
  g_clear_pointer (&self->page_before_load, g_free);
  set_session (self, NULL);
  jn_summary_page_set_export (self->summary_page, NULL);
  jn_window_refresh_start (self);
  gtk_stack_set_visible_child_name (self->stack, "welcome");
  update_title (self);
}

/* ---- history ---- */

static void
history_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  JnWindow *self = JN_WINDOW (widget);
  JnDirectory *directory = self->session != NULL
                           ? jn_import_session_get_directory (self->session) : NULL;

  if (self->store == NULL)
    {
      toast (self, _("The local journal could not be opened: there is no history"));
      return;
    }

  /* The names of the users changed come from the directory read, else from the ENT (not
   * while a call of the window uses it) */
  gtk_window_present (jn_history_window_new (GTK_WINDOW (self), self->store, directory,
                                             self->cancellable == NULL ? self->ent : NULL));
}

/* An import finished elsewhere (the command line, another window) shows on the start page
 * when the admin comes back to it */
static void
is_active_cb (JnWindow   *self,
              GParamSpec *pspec,
              gpointer    user_data)
{
  if (gtk_window_is_active (GTK_WINDOW (self)) && self->cancellable == NULL &&
      g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "welcome") == 0)
    jn_window_refresh_start (self);
}

/* ---- drop ---- */

/* The connection settings changed (here or in another window): the ENT opened from them
 * is opened again when next needed */
static void
settings_changed_cb (JnWindow   *self,
                     const char *key,
                     GSettings  *settings)
{
  static const char * const keys[] = {
    "connection-kind", "ent-url", "offline-snapshot", "extension-urn", NULL
  };

  if (!self->ent_given && g_strv_contains (keys, key))
    {
      g_clear_object (&self->ent);
      cancel_ent_ahead (self);
    }
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

/* ---- GObject ---- */

static void
close_response_cb (JnWindow         *self,
                   const char       *response,
                   AdwMessageDialog *dialog)
{
  if (g_strcmp0 (response, "stop") != 0)
    return;

  self->close_confirmed = TRUE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  gtk_window_close (GTK_WINDOW (self));
}

static gboolean
jn_window_close_request (GtkWindow *window)
{
  JnWindow *self = JN_WINDOW (window);
  gboolean maximized = gtk_window_is_maximized (window);

  /* Closing during a step's writes stops them: asked first */
  if (self->pushing && !self->close_confirmed)
    {
      ask (self, _("Stop Writing Into the ENT?"),
           _("The step is being written. The writes already made are "
             "kept, and the import can be resumed from the start page."),
           _("_Keep Writing"), "stop", _("_Stop and Close"), TRUE, G_CALLBACK (close_response_cb));
      return TRUE;
    }

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
jn_window_constructed (GObject *object)
{
  JnWindow *self = JN_WINDOW (object);

  G_OBJECT_CLASS (jn_window_parent_class)->constructed (object);

  if (self->store == NULL)
    {
      g_autoptr(GError) error = NULL;

      self->store = jn_store_open (NULL, &error);
      if (self->store == NULL)
        g_warning ("Could not open the import journal: %s", error->message);
    }

  jn_window_refresh_start (self);
}

static void
jn_window_dispose (GObject *object)
{
  JnWindow *self = JN_WINDOW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->prebuild_id, g_source_remove);
  if (self->ent_ahead != NULL)
    {
      g_cancellable_cancel (((AheadData *) self->ent_ahead)->cancellable);
      self->ent_ahead = NULL;
    }

  if (self->session_signals != NULL)
    g_signal_group_set_target (self->session_signals, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), JN_TYPE_WINDOW);

  if (self->last_toast != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->last_toast), (gpointer *) &self->last_toast);
  self->last_toast = NULL;
  g_clear_object (&self->session_signals);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);
  g_clear_object (&self->store);
  g_clear_object (&self->ent);
  g_clear_object (&self->file);
  g_clear_pointer (&self->interrupted, jn_import_record_free);
  g_clear_pointer (&self->page_before_connection, g_free);
  g_clear_object (&self->session_before_load);
  g_clear_pointer (&self->page_before_load, g_free);
  g_clear_pointer (&self->edit_user_query, g_free);
  g_clear_pointer (&self->page_before_edit, g_free);

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
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    case PROP_EXPORT:
      g_value_set_object (value, jn_window_get_export (self));
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, jn_window_get_busy (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jn_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  JnWindow *self = JN_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_set_object (&self->store, g_value_get_object (value));
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

  object_class->constructed = jn_window_constructed;
  object_class->dispose = jn_window_dispose;
  object_class->get_property = jn_window_get_property;
  object_class->set_property = jn_window_set_property;

  window_class->close_request = jn_window_close_request;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         JN_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         JN_TYPE_IMPORT_SESSION,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

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
  g_type_ensure (JN_TYPE_MODE_PAGE);
  g_type_ensure (JN_TYPE_REPORT_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/fr/jonction/Jonction/jn-window.ui");
  gtk_widget_class_bind_template_child (widget_class, JnWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, JnWindow, open_button);
  gtk_widget_class_bind_template_child (widget_class, JnWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, JnWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, JnWindow, welcome_page);
  gtk_widget_class_bind_template_child (widget_class, JnWindow, loading_page);
  gtk_widget_class_bind_template_child (widget_class, JnWindow, summary_page);
  gtk_widget_class_bind_template_child (widget_class, JnWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, JnWindow, mode_page);
  gtk_widget_class_bind_template_child (widget_class, JnWindow, steps_stack);
  gtk_widget_class_bind_template_child (widget_class, JnWindow, push_box);
  gtk_widget_class_bind_template_child (widget_class, JnWindow, validate_button);
  gtk_widget_class_bind_template_child (widget_class, JnWindow, offline_preferences_button);
  gtk_widget_class_bind_template_child (widget_class, JnWindow, push_progress);
  gtk_widget_class_bind_template_child (widget_class, JnWindow, report_page);
  gtk_widget_class_bind_template_callback (widget_class, visible_page_changed_cb);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-load", NULL, cancel_load_action);
  gtk_widget_class_install_action (widget_class, "win.choose-key", NULL, choose_key_action);
  gtk_widget_class_install_action (widget_class, "win.preferences", NULL, preferences_action);
  gtk_widget_class_install_action (widget_class, "win.connection", NULL, connection_action);
  gtk_widget_class_install_action (widget_class, "win.read-directory", NULL,
                                   read_directory_action);
  gtk_widget_class_install_action (widget_class, "win.continue", NULL, continue_action);
  gtk_widget_class_install_action (widget_class, "win.match", NULL, match_action);
  gtk_widget_class_install_action (widget_class, "win.validate-step", NULL,
                                   validate_step_action);
  gtk_widget_class_install_action (widget_class, "win.previous-step", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "win.next-step", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "win.interrupt", NULL, interrupt_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.resume", NULL, resume_action);
  gtk_widget_class_install_action (widget_class, "win.discard", NULL, discard_action);
  gtk_widget_class_install_action (widget_class, "win.retry-failed", NULL, retry_failed_action);
  gtk_widget_class_install_action (widget_class, "win.back-to-start", NULL,
                                   back_to_start_action);
  gtk_widget_class_install_action (widget_class, "win.history", NULL, history_action);
  gtk_widget_class_install_action (widget_class, "win.edit-user", "s", edit_user_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK,
                                       "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_comma, GDK_CONTROL_MASK,
                                       "win.preferences", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_h, GDK_CONTROL_MASK,
                                       "win.history", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK,
                                       "win.edit-user", "s", "");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0,
                                       "win.cancel-load", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "win.validate-step", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK,
                                       "win.validate-step", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "win.previous-step", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_ALT_MASK,
                                       "win.next-step", NULL);
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

  g_signal_connect_object (self->settings, "changed", G_CALLBACK (settings_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect (self, "notify::is-active", G_CALLBACK (is_active_cb), NULL);

  self->session_signals = g_signal_group_new (JN_TYPE_IMPORT_SESSION);
  g_signal_group_connect_object (self->session_signals, "notify::current-step",
                                 G_CALLBACK (session_current_step_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "notify::busy",
                                 G_CALLBACK (session_busy_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "notify::state",
                                 G_CALLBACK (session_state_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "notify::progress",
                                 G_CALLBACK (session_progress_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "notify::progress-text",
                                 G_CALLBACK (session_progress_cb), self, G_CONNECT_SWAPPED);

  self->connection_page = jn_connection_page_new ();
  gtk_stack_add_named (self->stack, self->connection_page, "connection");
  g_signal_connect_object (self->connection_page, "done", G_CALLBACK (connection_done_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->offline_preferences_button),
                                  "win.connection");

  drop_target = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (drop_target, (GType[2]) { GDK_TYPE_FILE_LIST, G_TYPE_FILE }, 2);
  g_signal_connect_object (drop_target, "drop", G_CALLBACK (drop_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop_target));

  visible_page_changed_cb (self, NULL, self->stack);
}

JnWindow *
jn_window_new (AdwApplication *application)
{
  return jn_window_new_with_store (application, NULL);
}

JnWindow *
jn_window_new_with_store (AdwApplication *application,
                          JnStore        *store)
{
  g_return_val_if_fail (application == NULL || ADW_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (store == NULL || JN_IS_STORE (store), NULL);

  return g_object_new (JN_TYPE_WINDOW,
                       "application", application,
                       "store", store,
                       NULL);
}

JnStore *
jn_window_get_store (JnWindow *self)
{
  g_return_val_if_fail (JN_IS_WINDOW (self), NULL);

  return self->store;
}

void
jn_window_set_ent (JnWindow *self,
                   JnEnt    *ent)
{
  g_return_if_fail (JN_IS_WINDOW (self));
  g_return_if_fail (ent == NULL || JN_IS_ENT (ent));

  g_set_object (&self->ent, ent);
  self->ent_given = ent != NULL;
}

JnEnt *
jn_window_get_ent (JnWindow *self)
{
  g_return_val_if_fail (JN_IS_WINDOW (self), NULL);

  return self->ent;
}

void
jn_window_open (JnWindow *self,
                GFile    *file)
{
  g_autoptr(GFile) key_file = NULL;
  g_autofree char *partner = NULL;
  OpData *data;

  g_return_if_fail (JN_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->pushing ||
      (self->session != NULL &&
       jn_import_session_get_state (self->session) == JN_SESSION_STATE_STEPS))
    {
      toast (self, _("Interrupt the import under way before opening another file"));
      return;
    }

  if (self->cancellable == NULL)
    {
      const char *page = gtk_stack_get_visible_child_name (self->stack);

      /* Only a file's pages can come back: the session is kept with them */
      g_clear_object (&self->session_before_load);
      g_clear_pointer (&self->page_before_load, g_free);
      if (self->session != NULL &&
          (g_strcmp0 (page, "summary") == 0 || g_strcmp0 (page, "offline") == 0 ||
           g_strcmp0 (page, "mode") == 0))
        {
          self->session_before_load = g_object_ref (self->session);
          self->page_before_load = g_strdup (page);
        }
    }

  g_set_object (&self->file, file);
  new_session (self);
  get_key (self, &key_file, &partner);
  /* Beside the file's reading */
  open_ent_ahead (self);

  data = op_begin (self);
  jn_loading_page_set_file (self->loading_page, file);
  show_loading (self, _("Reading the File…"));
  jn_import_session_open_export_async (self->session, file, key_file, partner,
                                       data->cancellable, open_export_cb, data);
}

JnExport *
jn_window_get_export (JnWindow *self)
{
  g_return_val_if_fail (JN_IS_WINDOW (self), NULL);

  return self->session != NULL ? jn_import_session_get_export (self->session) : NULL;
}

JnImportSession *
jn_window_get_session (JnWindow *self)
{
  g_return_val_if_fail (JN_IS_WINDOW (self), NULL);

  return self->session;
}

gboolean
jn_window_get_busy (JnWindow *self)
{
  g_return_val_if_fail (JN_IS_WINDOW (self), FALSE);

  return self->cancellable != NULL;
}

const char *
jn_window_get_page (JnWindow *self)
{
  g_return_val_if_fail (JN_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

void
jn_window_refresh_start (JnWindow *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (JN_IS_WINDOW (self));

  g_clear_pointer (&self->interrupted, jn_import_record_free);
  if (self->store != NULL)
    {
      /* One indexed query of the local journal */
      self->interrupted = jn_import_session_find_interrupted (self->store, &error);
      if (error != NULL)
        g_debug ("No interrupted import: %s", error->message);
    }

  jn_welcome_page_set_interrupted (self->welcome_page, self->interrupted);
  jn_welcome_page_set_last_import (self->welcome_page, NULL);
  jn_welcome_page_set_has_history (self->welcome_page, FALSE);
  if (self->store != NULL)
    {
      /* Two small queries: the newest import of a file for the establishment set up (any
       * establishment without one; single edits do not count), and whether there is any */
      g_autofree char *uai = g_settings_get_string (self->settings, "uai");
      g_autoptr(JnImportRecord) last = jn_store_get_last_import (self->store,
                                                                 *uai != '\0' ? uai : NULL,
                                                                 NULL);
      g_autoptr(GPtrArray) any = jn_store_list_imports (self->store, 1, NULL);

      jn_welcome_page_set_last_import (self->welcome_page, last);
      jn_welcome_page_set_has_history (self->welcome_page, any != NULL && any->len > 0);
    }
  update_actions (self);
}

void
jn_window_show_connection (JnWindow *self)
{
  g_return_if_fail (JN_IS_WINDOW (self));

  if (self->connection_page == NULL)
    {
      /* Without the connection page, the preferences hold the same settings */
      gtk_widget_activate_action (GTK_WIDGET (self), "win.preferences", NULL);
      return;
    }

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "connection") != 0)
    {
      g_free (self->page_before_connection);
      self->page_before_connection = g_strdup (gtk_stack_get_visible_child_name (self->stack));
    }
  gtk_stack_set_visible_child_name (self->stack, "connection");
}

void
jn_window_open_demo (JnWindow *self)
{
  g_return_if_fail (JN_IS_WINDOW (self));

  /* The demo's directory is a copy of the bundled snapshot, prepared by the connection page,
   * which then opens the demo's file (demo_ready) */
  jn_window_show_connection (self);
  jn_connection_page_open_demo (JN_CONNECTION_PAGE (self->connection_page));
}

gboolean
jn_window_needs_connection (JnWindow *self)
{
  g_return_val_if_fail (JN_IS_WINDOW (self), FALSE);

  {
    g_autofree char *kind = g_settings_get_string (self->settings, "connection-kind");

    return !self->ent_given && g_str_equal (kind, "none");
  }
}
