/* jn-secret.c: the ENT access token in the user's keyring (libsecret)
 *
 * The asynchronous calls are libsecret's own (D-Bus, never blocking the main loop); the
 * synchronous ones are for worker threads and tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-secret"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "jn-secret.h"

#define ATTRIBUTE_ENT_URL "ent-url"

const SecretSchema *
jn_secret_get_schema (void)
{
  static const SecretSchema schema = {
    APP_ID, SECRET_SCHEMA_NONE,
    {
      { ATTRIBUTE_ENT_URL, SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  };

  return &schema;
}

char *
jn_secret_normalize_address (const char *ent_url)
{
  g_autofree char *address = NULL;

  if (ent_url == NULL)
    return NULL;

  address = g_strstrip (g_strdup (ent_url));
  while (g_str_has_suffix (address, "/"))
    address[strlen (address) - 1] = '\0';

  return *address != '\0' ? g_steal_pointer (&address) : NULL;
}

static char *
make_label (const char *address)
{
  /* Translators: the label of the secret in the keyring (Passwords and Keys); %s is the address */
  return g_strdup_printf (_("Jonction: ENT access token for %s"), address);
}

static gboolean
check_arguments (const char  *address,
                 const char  *token,
                 GError     **error)
{
  if (address == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("no ENT address to keep the token for"));
      return FALSE;
    }
  if (token != NULL && *token == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("the token is empty"));
      return FALSE;
    }

  return TRUE;
}

gboolean
jn_secret_store_token_sync (const char    *ent_url,
                            const char    *token,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autofree char *address = jn_secret_normalize_address (ent_url);
  g_autofree char *label = NULL;

  g_return_val_if_fail (token != NULL, FALSE);

  if (!check_arguments (address, token, error))
    return FALSE;

  label = make_label (address);
  return secret_password_store_sync (jn_secret_get_schema (), SECRET_COLLECTION_DEFAULT, label, token,
                                     cancellable, error, ATTRIBUTE_ENT_URL, address, NULL);
}

char *
jn_secret_lookup_token_sync (const char    *ent_url,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autofree char *address = jn_secret_normalize_address (ent_url);

  if (address == NULL)
    return NULL;

  return secret_password_lookup_sync (jn_secret_get_schema (), cancellable, error,
                                      ATTRIBUTE_ENT_URL, address, NULL);
}

gboolean
jn_secret_clear_token_sync (const char    *ent_url,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autofree char *address = jn_secret_normalize_address (ent_url);

  if (address == NULL)
    return FALSE;

  return secret_password_clear_sync (jn_secret_get_schema (), cancellable, error,
                                     ATTRIBUTE_ENT_URL, address, NULL);
}

/* The asynchronous calls: our own GTask around libsecret's, so that the finish functions
 * check what they are given */

static void
store_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (secret_password_store_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
jn_secret_store_token (const char          *ent_url,
                       const char          *token,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autofree char *address = jn_secret_normalize_address (ent_url);
  g_autofree char *label = NULL;
  GError *error = NULL;

  g_return_if_fail (token != NULL);

  g_task_set_source_tag (task, jn_secret_store_token);
  if (!check_arguments (address, token, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  label = make_label (address);
  secret_password_store (jn_secret_get_schema (), SECRET_COLLECTION_DEFAULT, label, token,
                         cancellable, store_cb, g_steal_pointer (&task), ATTRIBUTE_ENT_URL, address, NULL);
}

gboolean
jn_secret_store_token_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == jn_secret_store_token, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
lookup_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *token = secret_password_lookup_finish (result, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, token, (GDestroyNotify)jn_secret_token_free);
}

void
jn_secret_lookup_token (const char          *ent_url,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autofree char *address = jn_secret_normalize_address (ent_url);
  GError *error = NULL;

  g_task_set_source_tag (task, jn_secret_lookup_token);
  if (!check_arguments (address, NULL, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  secret_password_lookup (jn_secret_get_schema (), cancellable, lookup_cb, g_steal_pointer (&task),
                          ATTRIBUTE_ENT_URL, address, NULL);
}

char *
jn_secret_lookup_token_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == jn_secret_lookup_token, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
clear_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  gboolean removed = secret_password_clear_finish (result, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, removed);
}

void
jn_secret_clear_token (const char          *ent_url,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autofree char *address = jn_secret_normalize_address (ent_url);
  GError *error = NULL;

  g_task_set_source_tag (task, jn_secret_clear_token);
  if (!check_arguments (address, NULL, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  secret_password_clear (jn_secret_get_schema (), cancellable, clear_cb, g_steal_pointer (&task),
                         ATTRIBUTE_ENT_URL, address, NULL);
}

/* FALSE with no error when there was no token to remove */
gboolean
jn_secret_clear_token_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == jn_secret_clear_token, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
jn_secret_token_free (char *token)
{
  if (token == NULL)
    return;

  secret_password_wipe (token);
  g_free (token);
}
