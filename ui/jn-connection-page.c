/* jn-connection-page.c: where the directory comes from: the ENT, a snapshot, or the demo
 *
 * The address, the UAI, the partner, the key and the extension URN live in GSettings; the
 * access token lives in the keyring (jn-secret.h), never in GSettings, and not at all when
 * it comes from JONCTION_TOKEN. Every network or file access runs off the main loop.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-connection-page"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "jn-connection-page.h"
#include "jn-ent-user.h"
#include "jn-secret.h"
#include "jn-types.h"
#include "jn-ui-utils.h"

/* Typing an address looks its token up once the typing pauses */
#define LOOKUP_DELAY_MS 400

struct _JnConnectionPage
{
  AdwPreferencesPage  parent_instance;

  /* template widgets */
  AdwEntryRow        *address_row;
  GtkWidget          *address_message_row;
  GtkLabel           *address_message;
  AdwEntryRow        *uai_row;
  GtkWidget          *uai_message_row;
  GtkLabel           *uai_message;
  AdwEntryRow        *token_row;
  GtkLabel           *token_message;
  AdwEntryRow        *partner_row;
  AdwActionRow       *key_row;
  AdwExpanderRow     *advanced_row;
  AdwEntryRow        *extension_urn_row;
  GtkButton          *test_button;
  GtkSpinner         *spinner;
  GtkLabel           *result_label;
  GtkWidget          *offline_button;
  GtkWidget          *demo_button;
  GtkWidget          *continue_button;

  /* owned */
  GSettings          *settings;
  GCancellable       *cancellable;         /* the test, snapshot check or demo running */
  GCancellable       *lookup_cancellable;
  char               *env_token;           /* JONCTION_TOKEN, checked */
  char               *stored_token;        /* what the keyring holds for the address */
  char               *lookup_address;      /* the address stored_token belongs to */
  GFile              *snapshot;
  guint               lookup_source;
  JnConnectionKind    pending_kind;
  gboolean            busy;
  gboolean            token_dirty;         /* typed since the last lookup */
  gboolean            setting_token;       /* the row is being filled by us */
  gboolean            show_continue;
};

G_DEFINE_FINAL_TYPE (JnConnectionPage, jn_connection_page, ADW_TYPE_PREFERENCES_PAGE)

enum
{
  PROP_0,
  PROP_BUSY,
  PROP_SHOW_CONTINUE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void lookup_token (JnConnectionPage *self);

/* An answer that comes after dispose finds no widgets to update */
#define IS_DISPOSED(self) ((self)->settings == NULL)

/* Core messages are sentences without their capital (they also go to the terminal); one
 * that begins with a file name or a quote keeps it as it is */
static char *
capitalize (const char *message)
{
  gunichar first;
  char buffer[8];
  int length;

  if (message == NULL || *message == '\0')
    return g_strdup ("");

  for (const char *p = message; *p != '\0' && *p != ' '; p = g_utf8_next_char (p))
    if (!g_unichar_isalpha (g_utf8_get_char (p)))
      return g_strdup (message);

  first = g_unichar_totitle (g_utf8_get_char (message));
  length = g_unichar_to_utf8 (first, buffer);
  return g_strdup_printf ("%.*s%s", length, buffer, g_utf8_next_char (message));
}

static void
wipe_string (char **string)
{
  if (*string != NULL)
    memset (*string, 0, strlen (*string));
  g_clear_pointer (string, g_free);
}

static char *
dup_address (JnConnectionPage *self)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->address_row))));
}

static char *
dup_uai (JnConnectionPage *self)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->uai_row))));
}

static gboolean
address_is_valid (JnConnectionPage *self)
{
  g_autofree char *address = dup_address (self);

  return jn_connection_check_address (address, NULL);
}

static gboolean
uai_is_valid (JnConnectionPage *self)
{
  g_autofree char *uai = dup_uai (self);

  return jn_uai_is_valid (uai);
}

/* The token to send, or NULL: JONCTION_TOKEN first, else the row (checked) */
static char *
dup_token (JnConnectionPage  *self,
           GError           **error)
{
  const char *text;

  if (self->env_token != NULL)
    return g_strdup (self->env_token);
  if (g_getenv ("JONCTION_TOKEN") != NULL)
    return jn_connection_dup_env_token (error);

  text = gtk_editable_get_text (GTK_EDITABLE (self->token_row));
  if (text == NULL || *text == '\0')
    return NULL;

  return jn_connection_check_token (text, strlen (text), _("Access token"), error);
}

static gboolean
has_token (JnConnectionPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->token_row));

  if (g_getenv ("JONCTION_TOKEN") != NULL)
    return self->env_token != NULL;

  return text != NULL && strspn (text, " \t\r\n") != strlen (text);
}

static void
update_actions (JnConnectionPage *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean ready = address_is_valid (self) && uai_is_valid (self) && has_token (self);
  g_autofree char *key_file = g_settings_get_string (self->settings, "key-file");
  const char *typed = gtk_editable_get_text (GTK_EDITABLE (self->token_row));

  gtk_widget_action_set_enabled (widget, "connection.test", self->busy || ready);
  gtk_widget_action_set_enabled (widget, "connection.continue", !self->busy && ready);
  gtk_widget_action_set_enabled (widget, "connection.work-offline", !self->busy);
  gtk_widget_action_set_enabled (widget, "connection.open-demo", !self->busy);
  gtk_widget_action_set_enabled (widget, "connection.forget-token",
                                 g_getenv ("JONCTION_TOKEN") == NULL &&
                                 (self->stored_token != NULL || (typed != NULL && *typed != '\0')));
  gtk_widget_action_set_enabled (widget, "connection.forget-key", *key_file != '\0');

  gtk_button_set_label (self->test_button, self->busy ? _("Cancel") : _("Test Connection"));
  gtk_widget_set_visible (self->continue_button, self->show_continue);
}

static void
set_busy (JnConnectionPage *self,
          gboolean          busy)
{
  if (self->busy == busy)
    return;

  self->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

typedef enum
{
  RESULT_NEUTRAL,
  RESULT_SUCCESS,
  RESULT_ERROR,
} ResultKind;

static void
show_result (JnConnectionPage *self,
             ResultKind        kind,
             const char       *text)
{
  GtkWidget *label = GTK_WIDGET (self->result_label);

  gtk_label_set_text (self->result_label, text);
  gtk_widget_set_visible (label, text != NULL && *text != '\0');
  if (kind == RESULT_SUCCESS)
    gtk_widget_add_css_class (label, "success");
  else
    gtk_widget_remove_css_class (label, "success");
  if (kind == RESULT_ERROR)
    gtk_widget_add_css_class (label, "error");
  else
    gtk_widget_remove_css_class (label, "error");
}

static void
show_error (JnConnectionPage *self,
            const GError     *error)
{
  g_autofree char *message = capitalize (error->message);

  show_result (self, RESULT_ERROR, message);
}

/* ---- validation, in words under each row ---- */

static void
set_row_message (AdwEntryRow *row,
                 GtkWidget   *message_row,
                 GtkLabel    *label,
                 const char  *message)
{
  gboolean shown = message != NULL;

  gtk_label_set_text (label, shown ? message : "");
  gtk_widget_set_visible (message_row, shown);
  if (shown)
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  shown ? message : "", -1);
  gtk_accessible_update_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_INVALID,
                               shown ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE, -1);
}

static void
validate_address (JnConnectionPage *self)
{
  g_autofree char *address = dup_address (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (*address != '\0' && !jn_connection_check_address (address, &error))
    message = capitalize (error->message);

  set_row_message (self->address_row, self->address_message_row, self->address_message, message);
}

static void
validate_uai (JnConnectionPage *self)
{
  g_autofree char *uai = dup_uai (self);
  g_autofree char *message = NULL;

  if (*uai != '\0' && !jn_uai_is_valid (uai))
    /* Translators: %s is what was typed */
    message = g_strdup_printf (_("“%s” is not a UAI: 7 digits and a letter, like 0312609T"), uai);

  set_row_message (self->uai_row, self->uai_message_row, self->uai_message, message);
}

/* ---- the token ---- */

static void
set_token_message (JnConnectionPage *self,
                   const char       *message,
                   gboolean          is_error)
{
  gtk_label_set_text (self->token_message, message);
  if (is_error)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->token_message), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->token_message), "dim-label");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->token_message), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->token_message), "dim-label");
    }
}

static void
set_token_text (JnConnectionPage *self,
                const char       *token)
{
  self->setting_token = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->token_row), token ? token : "");
  self->setting_token = FALSE;
  self->token_dirty = FALSE;
}

static void
lookup_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(JnConnectionPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JnSecretToken) token = jn_secret_lookup_token_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || IS_DISPOSED (self))
    return;

  wipe_string (&self->stored_token);
  if (error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The keyring cannot be reached: %s. The token is used "
                                                    "but not kept."), error->message);

      set_token_message (self, message, TRUE);
    }
  else
    {
      self->stored_token = g_strdup (token);
      if (!self->token_dirty)
        set_token_text (self, token);
      set_token_message (self, token != NULL ? _("Kept in your keyring.")
                                             : _("Kept in your keyring once the connection test succeeds, "
                                                 "or when you press Enter."),
                         FALSE);
    }

  update_actions (self);
}

static void
lookup_token (JnConnectionPage *self)
{
  g_autofree char *address = dup_address (self);

  g_cancellable_cancel (self->lookup_cancellable);
  g_clear_object (&self->lookup_cancellable);
  g_free (self->lookup_address);
  self->lookup_address = jn_secret_normalize_address (address);

  if (g_getenv ("JONCTION_TOKEN") != NULL)
    return;

  if (self->lookup_address == NULL || !jn_connection_check_address (address, NULL))
    {
      wipe_string (&self->stored_token);
      set_token_message (self, _("Kept in your keyring once the connection test succeeds, or when you "
                                 "press Enter."),
                         FALSE);
      update_actions (self);
      return;
    }

  self->lookup_cancellable = g_cancellable_new ();
  jn_secret_lookup_token (self->lookup_address, self->lookup_cancellable, lookup_cb, g_object_ref (self));
}

static gboolean
lookup_timeout_cb (gpointer user_data)
{
  JnConnectionPage *self = user_data;

  self->lookup_source = 0;
  lookup_token (self);
  return G_SOURCE_REMOVE;
}

typedef struct
{
  JnConnectionPage *self;
  char             *address;
  char             *token;
} StoreData;

static void
store_data_free (StoreData *data)
{
  g_object_unref (data->self);
  g_free (data->address);
  wipe_string (&data->token);
  g_free (data);
}

static void
store_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  StoreData *data = user_data;
  JnConnectionPage *self = data->self;
  g_autoptr(GError) error = NULL;

  gboolean stored = jn_secret_store_token_finish (result, &error);

  if (IS_DISPOSED (self))
    ;
  else if (!stored)
    {
      g_autofree char *message = g_strdup_printf (_("The token could not be kept in the keyring: %s"),
                                                  error->message);

      set_token_message (self, message, TRUE);
    }
  else if (g_strcmp0 (data->address, self->lookup_address) == 0)
    {
      wipe_string (&self->stored_token);
      self->stored_token = g_steal_pointer (&data->token);
      set_token_message (self, _("Kept in your keyring."), FALSE);
      update_actions (self);
    }

  store_data_free (data);
}

/* Keeps @token for @address in the keyring, unless it comes from JONCTION_TOKEN or is
 * there already */
static void
store_token (JnConnectionPage *self,
             const char       *address,
             const char       *token)
{
  g_autofree char *normalized = jn_secret_normalize_address (address);
  StoreData *data;

  if (g_getenv ("JONCTION_TOKEN") != NULL || token == NULL || normalized == NULL ||
      (g_strcmp0 (normalized, self->lookup_address) == 0 && g_strcmp0 (token, self->stored_token) == 0))
    return;

  data = g_new0 (StoreData, 1);
  data->self = g_object_ref (self);
  data->address = g_steal_pointer (&normalized);
  data->token = g_strdup (token);
  /* Not cancelled with the page: a token the admin gave is kept even if the page goes */
  jn_secret_store_token (data->address, token, NULL, store_cb, data);
}

static void
token_apply_cb (JnConnectionPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = dup_address (self);
  g_autofree char *token = dup_token (self, &error);

  if (error != NULL)
    {
      g_autofree char *message = capitalize (error->message);

      set_token_message (self, message, TRUE);
      return;
    }
  if (!jn_connection_check_address (address, &error))
    {
      set_token_message (self, _("Give the ENT address first: the token is kept for that address."), TRUE);
      return;
    }

  store_token (self, address, token);
  if (token != NULL)
    memset (token, 0, strlen (token));
}

static void
clear_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(JnConnectionPage) self = user_data;
  g_autoptr(GError) error = NULL;

  jn_secret_clear_token_finish (result, &error);
  if (IS_DISPOSED (self))
    return;
  if (error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The token could not be removed from the keyring: %s"),
                                                  error->message);

      set_token_message (self, message, TRUE);
      return;
    }

  set_token_message (self, _("Forgotten: the keyring holds no token for this address."), FALSE);
}

static void
forget_token_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  JnConnectionPage *self = JN_CONNECTION_PAGE (widget);

  set_token_text (self, NULL);
  wipe_string (&self->stored_token);
  if (self->lookup_address != NULL)
    jn_secret_clear_token (self->lookup_address, NULL, clear_cb, g_object_ref (self));
  update_actions (self);
}

static void
token_changed_cb (JnConnectionPage *self)
{
  if (!self->setting_token)
    self->token_dirty = TRUE;
  update_actions (self);
}

static void
address_changed_cb (JnConnectionPage *self)
{
  validate_address (self);
  g_clear_handle_id (&self->lookup_source, g_source_remove);
  self->lookup_source = g_timeout_add (LOOKUP_DELAY_MS, lookup_timeout_cb, self);
  update_actions (self);
}

static void
uai_changed_cb (JnConnectionPage *self)
{
  validate_uai (self);
  update_actions (self);
}

/* ---- test, offline, demo ---- */

static void
finish_done (JnConnectionPage *self,
             JnConnectionKind  kind)
{
  if (kind == JN_CONNECTION_KIND_ENT)
    g_settings_set_string (self->settings, "connection-kind", "ent");
  else if (kind == JN_CONNECTION_KIND_OFFLINE)
    {
      g_autofree char *path = g_file_get_path (self->snapshot);

      g_settings_set_string (self->settings, "offline-snapshot", path ? path : "");
      g_settings_set_string (self->settings, "connection-kind", "offline");
    }

  g_signal_emit (self, signals[SIGNAL_DONE], 0, kind);
}

typedef struct
{
  JnConnectionPage *self;
  char             *address;
  char             *token;
  char             *uai;
  JnConnectionKind  kind;
} TestData;

static void
test_data_free (TestData *data)
{
  g_object_unref (data->self);
  g_free (data->address);
  wipe_string (&data->token);
  g_free (data->uai);
  g_free (data);
}

static void
test_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  TestData *data = user_data;
  JnConnectionPage *self = data->self;
  g_autoptr(GError) error = NULL;
  guint n_accounts = 0;
  gboolean success = jn_connection_test_finish (result, &n_accounts, &error);

  if (IS_DISPOSED (self))
    {
      test_data_free (data);
      return;
    }

  if (!success)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_result (self, RESULT_NEUTRAL, _("Test cancelled."));
      else
        show_error (self, error);
    }
  else
    {
      g_autofree char *count = jn_format_count (n_accounts);
      g_autofree char *text = NULL;

      if (n_accounts == 0)
        /* Translators: %s is the UAI */
        text = g_strdup_printf (_("No account for %s: check the UAI"), data->uai);
      else
        /* Translators: "1 608 accounts for 0312609T"; the first %s is the count, the second the UAI */
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s account for %s", "%s accounts for %s",
                                             n_accounts),
                                count, data->uai);
      show_result (self, n_accounts > 0 ? RESULT_SUCCESS : RESULT_ERROR, text);

      if (data->kind == JN_CONNECTION_KIND_ENT)
        store_token (self, data->address, data->token);
    }

  g_clear_object (&self->cancellable);
  set_busy (self, FALSE);

  if (error == NULL && data->kind == JN_CONNECTION_KIND_OFFLINE)
    finish_done (self, JN_CONNECTION_KIND_OFFLINE);

  test_data_free (data);
}

static void
run_test (JnConnectionPage *self,
          JnConnectionKind  kind,
          const char       *address,
          const char       *token)
{
  g_autofree char *urn = g_settings_get_string (self->settings, "extension-urn");
  g_autofree char *message = NULL;
  TestData *data;

  data = g_new0 (TestData, 1);
  data->self = g_object_ref (self);
  data->address = g_strdup (address);
  data->token = g_strdup (token);
  data->uai = dup_uai (self);
  data->kind = kind;

  self->pending_kind = kind;
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  if (kind == JN_CONNECTION_KIND_ENT)
    message = g_strdup_printf (_("Connecting to %s…"), address);
  else
    {
      g_autoptr(GFile) file = g_file_new_for_path (address);
      g_autofree char *name = g_file_get_basename (file);

      message = g_strdup_printf (_("Reading %s…"), name);
    }
  show_result (self, RESULT_NEUTRAL, message);

  jn_connection_test_async (address, token, urn, data->uai, self->cancellable, test_cb, data);
}

void
jn_connection_page_test (JnConnectionPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *token = NULL;

  g_return_if_fail (JN_IS_CONNECTION_PAGE (self));

  if (self->busy)
    {
      g_cancellable_cancel (self->cancellable);
      return;
    }

  address = dup_address (self);
  if (!jn_connection_check_address (address, &error))
    {
      show_error (self, error);
      return;
    }
  token = dup_token (self, &error);
  if (error != NULL)
    {
      show_error (self, error);
      return;
    }
  if (token == NULL)
    {
      show_result (self, RESULT_ERROR, _("Give the access token your ENT provider gave you."));
      return;
    }

  run_test (self, JN_CONNECTION_KIND_ENT, address, token);
  memset (token, 0, strlen (token));
}

void
jn_connection_page_work_offline (JnConnectionPage *self,
                                 GFile            *snapshot)
{
  g_autofree char *path = NULL;

  g_return_if_fail (JN_IS_CONNECTION_PAGE (self));
  g_return_if_fail (G_IS_FILE (snapshot));

  if (self->busy)
    return;

  path = g_file_get_path (snapshot);
  if (path == NULL)
    {
      show_result (self, RESULT_ERROR, _("The snapshot must be a file on this computer."));
      return;
    }

  g_set_object (&self->snapshot, snapshot);
  run_test (self, JN_CONNECTION_KIND_OFFLINE, path, NULL);
}

static void
demo_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(JnConnectionPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) snapshot = jn_connection_prepare_demo_finish (result, &error);

  if (IS_DISPOSED (self))
    return;

  g_clear_object (&self->cancellable);
  set_busy (self, FALSE);

  if (snapshot == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_result (self, RESULT_NEUTRAL, NULL);
      else
        show_error (self, error);
      return;
    }

  g_set_object (&self->snapshot, snapshot);
  show_result (self, RESULT_NEUTRAL, NULL);
  finish_done (self, JN_CONNECTION_KIND_DEMO);
}

void
jn_connection_page_open_demo (JnConnectionPage *self)
{
  g_return_if_fail (JN_IS_CONNECTION_PAGE (self));

  if (self->busy)
    return;

  self->pending_kind = JN_CONNECTION_KIND_DEMO;
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  show_result (self, RESULT_NEUTRAL, _("Preparing the demonstration establishment…"));
  jn_connection_prepare_demo_async (self->cancellable, demo_cb, g_object_ref (self));
}

static void
test_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  jn_connection_page_test (JN_CONNECTION_PAGE (widget));
}

static void
continue_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  JnConnectionPage *self = JN_CONNECTION_PAGE (widget);
  g_autoptr(GError) error = NULL;
  g_autofree char *address = dup_address (self);
  g_autofree char *token = dup_token (self, &error);

  if (token == NULL)
    {
      if (error != NULL)
        show_error (self, error);
      return;
    }

  store_token (self, address, token);
  memset (token, 0, strlen (token));
  finish_done (self, JN_CONNECTION_KIND_ENT);
}

static void
open_demo_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  jn_connection_page_open_demo (JN_CONNECTION_PAGE (widget));
}

static GtkWindow *
get_parent_window (JnConnectionPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
snapshot_chooser_response_cb (JnConnectionPage     *self,
                              int                   response,
                              GtkFileChooserNative *native)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));

      if (file != NULL)
        jn_connection_page_work_offline (self, file);
    }

  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (native));
  g_object_unref (native);
}

static void
work_offline_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  JnConnectionPage *self = JN_CONNECTION_PAGE (widget);
  GtkFileChooserNative *native;
  GtkFileFilter *filter;

  native = gtk_file_chooser_native_new (_("Choose a Directory Snapshot"), get_parent_window (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);

  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Directory Snapshots (JSON)"));
  gtk_file_filter_add_pattern (filter, "*.json");
  gtk_file_filter_add_pattern (filter, "*.JSON");
  gtk_file_filter_add_mime_type (filter, "application/json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  g_object_unref (filter);
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("All Files"));
  gtk_file_filter_add_pattern (filter, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  g_object_unref (filter);

  g_signal_connect_object (native, "response", G_CALLBACK (snapshot_chooser_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

/* ---- the partner key ---- */

static void
update_key_row (JnConnectionPage *self)
{
  g_autofree char *path = g_settings_get_string (self->settings, "key-file");
  gboolean has_key = *path != '\0';
  g_autofree char *display = has_key ? g_filename_display_name (path) : NULL;

  adw_action_row_set_subtitle (self->key_row, has_key ? display : _("None"));
  update_actions (self);
}

static void
settings_changed_cb (JnConnectionPage *self,
                     const char       *key,
                     GSettings        *settings)
{
  if (g_str_equal (key, "key-file"))
    update_key_row (self);
}

static void
key_chooser_response_cb (JnConnectionPage     *self,
                         int                   response,
                         GtkFileChooserNative *native)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

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
  JnConnectionPage *self = JN_CONNECTION_PAGE (widget);
  GtkFileChooserNative *native = jn_key_chooser_new (get_parent_window (self));

  g_signal_connect_object (native, "response", G_CALLBACK (key_chooser_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
forget_key_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  JnConnectionPage *self = JN_CONNECTION_PAGE (widget);

  g_settings_reset (self->settings, "key-file");
}

/* ---- GObject ---- */

static void
jn_connection_page_dispose (GObject *object)
{
  JnConnectionPage *self = JN_CONNECTION_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->lookup_cancellable);
  g_clear_handle_id (&self->lookup_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), JN_TYPE_CONNECTION_PAGE);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (jn_connection_page_parent_class)->dispose (object);
}

static void
jn_connection_page_finalize (GObject *object)
{
  JnConnectionPage *self = JN_CONNECTION_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->lookup_cancellable);
  wipe_string (&self->env_token);
  wipe_string (&self->stored_token);
  g_free (self->lookup_address);
  g_clear_object (&self->snapshot);

  G_OBJECT_CLASS (jn_connection_page_parent_class)->finalize (object);
}

static void
jn_connection_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  JnConnectionPage *self = JN_CONNECTION_PAGE (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_SHOW_CONTINUE:
      g_value_set_boolean (value, self->show_continue);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jn_connection_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  JnConnectionPage *self = JN_CONNECTION_PAGE (object);

  switch (prop_id)
    {
    case PROP_SHOW_CONTINUE:
      if (self->show_continue != g_value_get_boolean (value))
        {
          self->show_continue = g_value_get_boolean (value);
          update_actions (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jn_connection_page_class_init (JnConnectionPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jn_connection_page_dispose;
  object_class->finalize = jn_connection_page_finalize;
  object_class->get_property = jn_connection_page_get_property;
  object_class->set_property = jn_connection_page_set_property;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The first run shows "Continue"; the Preferences window does not */
  properties[PROP_SHOW_CONTINUE] =
    g_param_spec_boolean ("show-continue", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * JnConnectionPage::done:
   * @kind: a #JnConnectionKind: the ENT (the test passed or the admin continued), a
   *   snapshot file (checked), or the demonstration (its snapshot prepared)
   *
   * The admin chose where the directory comes from; jn_connection_page_get_snapshot()
   * gives the file for the last two.
   */
  signals[SIGNAL_DONE] = g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, JN_TYPE_CONNECTION_KIND);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/fr/jonction/Jonction/jn-connection-page.ui");
  gtk_widget_class_bind_template_child (widget_class, JnConnectionPage, address_row);
  gtk_widget_class_bind_template_child (widget_class, JnConnectionPage, address_message_row);
  gtk_widget_class_bind_template_child (widget_class, JnConnectionPage, address_message);
  gtk_widget_class_bind_template_child (widget_class, JnConnectionPage, uai_row);
  gtk_widget_class_bind_template_child (widget_class, JnConnectionPage, uai_message_row);
  gtk_widget_class_bind_template_child (widget_class, JnConnectionPage, uai_message);
  gtk_widget_class_bind_template_child (widget_class, JnConnectionPage, token_row);
  gtk_widget_class_bind_template_child (widget_class, JnConnectionPage, token_message);
  gtk_widget_class_bind_template_child (widget_class, JnConnectionPage, partner_row);
  gtk_widget_class_bind_template_child (widget_class, JnConnectionPage, key_row);
  gtk_widget_class_bind_template_child (widget_class, JnConnectionPage, advanced_row);
  gtk_widget_class_bind_template_child (widget_class, JnConnectionPage, extension_urn_row);
  gtk_widget_class_bind_template_child (widget_class, JnConnectionPage, test_button);
  gtk_widget_class_bind_template_child (widget_class, JnConnectionPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, JnConnectionPage, result_label);
  gtk_widget_class_bind_template_child (widget_class, JnConnectionPage, offline_button);
  gtk_widget_class_bind_template_child (widget_class, JnConnectionPage, demo_button);
  gtk_widget_class_bind_template_child (widget_class, JnConnectionPage, continue_button);

  gtk_widget_class_install_action (widget_class, "connection.test", NULL, test_action);
  gtk_widget_class_install_action (widget_class, "connection.continue", NULL, continue_action);
  gtk_widget_class_install_action (widget_class, "connection.work-offline", NULL, work_offline_action);
  gtk_widget_class_install_action (widget_class, "connection.open-demo", NULL, open_demo_action);
  gtk_widget_class_install_action (widget_class, "connection.forget-token", NULL, forget_token_action);
  gtk_widget_class_install_action (widget_class, "connection.choose-key", NULL, choose_key_action);
  gtk_widget_class_install_action (widget_class, "connection.forget-key", NULL, forget_key_action);
}

static void
jn_connection_page_init (JnConnectionPage *self)
{
  g_autoptr(GError) error = NULL;

  self->show_continue = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "ent-url", self->address_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "uai", self->uai_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "partner", self->partner_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "extension-urn", self->extension_urn_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (settings_changed_cb),
                           self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->address_row, "changed", G_CALLBACK (address_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->uai_row, "changed", G_CALLBACK (uai_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->token_row, "changed", G_CALLBACK (token_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->token_row, "apply", G_CALLBACK (token_apply_cb),
                           self, G_CONNECT_SWAPPED);

  /* Like the CLI: a token in the environment wins, and is never stored */
  if (g_getenv ("JONCTION_TOKEN") != NULL)
    {
      self->env_token = jn_connection_dup_env_token (&error);
      gtk_widget_set_sensitive (GTK_WIDGET (self->token_row), FALSE);
      if (self->env_token != NULL)
        set_token_message (self, _("The token comes from the JONCTION_TOKEN environment variable: "
                                   "it is used and not stored."),
                           FALSE);
      else
        {
          g_autofree char *message = capitalize (error->message);

          set_token_message (self, message, TRUE);
        }
    }

  /* A URN that is not the usual one is shown, not hidden under "Advanced" */
  {
    g_autofree char *urn = g_settings_get_string (self->settings, "extension-urn");

    if (*urn != '\0' && !g_str_equal (urn, JN_DEFAULT_EXTENSION_URN))
      adw_expander_row_set_expanded (self->advanced_row, TRUE);
  }

  validate_address (self);
  validate_uai (self);
  update_key_row (self);
  lookup_token (self);
  update_actions (self);
}

GtkWidget *
jn_connection_page_new (void)
{
  return g_object_new (JN_TYPE_CONNECTION_PAGE, NULL);
}

gboolean
jn_connection_page_get_busy (JnConnectionPage *self)
{
  g_return_val_if_fail (JN_IS_CONNECTION_PAGE (self), FALSE);

  return self->busy;
}

const char *
jn_connection_page_get_token (JnConnectionPage *self)
{
  const char *text;

  g_return_val_if_fail (JN_IS_CONNECTION_PAGE (self), NULL);

  if (g_getenv ("JONCTION_TOKEN") != NULL)
    return self->env_token;

  text = gtk_editable_get_text (GTK_EDITABLE (self->token_row));
  return text != NULL && *text != '\0' ? text : NULL;
}

gboolean
jn_connection_page_get_token_from_environment (JnConnectionPage *self)
{
  g_return_val_if_fail (JN_IS_CONNECTION_PAGE (self), FALSE);

  return g_getenv ("JONCTION_TOKEN") != NULL;
}

GFile *
jn_connection_page_get_snapshot (JnConnectionPage *self)
{
  g_return_val_if_fail (JN_IS_CONNECTION_PAGE (self), NULL);

  return self->snapshot;
}
