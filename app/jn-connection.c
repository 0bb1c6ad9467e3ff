/* jn-connection.c: from the settings of a connection to an open ENT
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-connection"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "jn-connection.h"
#include "jn-error.h"
#include "jn-file-ent.h"
#include "jn-scim-client.h"
#include "jn-types.h"

G_DEFINE_ENUM_TYPE (JnConnectionKind, jn_connection_kind,
                    G_DEFINE_ENUM_VALUE (JN_CONNECTION_KIND_ENT, "ent"),
                    G_DEFINE_ENUM_VALUE (JN_CONNECTION_KIND_OFFLINE, "offline"),
                    G_DEFINE_ENUM_VALUE (JN_CONNECTION_KIND_DEMO, "demo"))

gboolean
jn_connection_is_remote (const char *address)
{
  return address != NULL &&
         (g_ascii_strncasecmp (address, "https://", 8) == 0 ||
          g_ascii_strncasecmp (address, "http://", 7) == 0);
}

static gboolean
is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

gboolean
jn_connection_check_address (const char  *address,
                             GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (address == NULL || *address == '\0')
    {
      g_set_error_literal (error, JN_ERROR, JN_ERROR_INVALID_ARGUMENT, _("no ENT address"));
      return FALSE;
    }

  uri = g_uri_parse (address, G_URI_FLAGS_NONE, NULL);
  scheme = uri ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || scheme == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      (g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0))
    {
      g_set_error (error, JN_ERROR, JN_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an ENT address (https://…)"), address);
      return FALSE;
    }
  if (g_ascii_strcasecmp (scheme, "http") == 0 && !is_loopback (g_uri_get_host (uri)))
    {
      g_set_error (error, JN_ERROR, JN_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not encrypted: the ENT must be reached over https://"), address);
      return FALSE;
    }

  return TRUE;
}

/* The token goes into an HTTP header: one line of visible ASCII, never echoed */
char *
jn_connection_check_token (const char  *data,
                           gsize        length,
                           const char  *origin,
                           GError     **error)
{
  g_autofree char *token = NULL;

  if (memchr (data, '\0', length) != NULL)
    {
      g_set_error (error, JN_ERROR, JN_ERROR_INVALID_ARGUMENT,
                   _("%s: the token holds a NUL byte; a token is one line of visible ASCII characters"),
                   origin);
      return NULL;
    }

  /* The end of line an editor adds, and spaces around, are not part of it */
  token = g_strstrip (g_strndup (data, length));
  if (*token == '\0')
    {
      g_set_error (error, JN_ERROR, JN_ERROR_INVALID_ARGUMENT, _("%s: the token is empty"), origin);
      return NULL;
    }

  for (const char *p = token; *p != '\0'; p++)
    if ((guchar)*p <= 0x20 || (guchar)*p >= 0x7f)
      {
        g_set_error (error, JN_ERROR, JN_ERROR_INVALID_ARGUMENT,
                     _("%s: the token holds a space, a control or a non-ASCII character "
                       "(at character %u); a token is one line of visible ASCII characters"),
                     origin, (guint)(p - token) + 1);
        memset (token, 0, strlen (token));
        return NULL;
      }

  return g_steal_pointer (&token);
}

char *
jn_connection_dup_env_token (GError **error)
{
  const char *token = g_getenv ("JONCTION_TOKEN");

  if (token == NULL)
    return NULL;

  return jn_connection_check_token (token, strlen (token), "JONCTION_TOKEN", error);
}

JnEnt *
jn_connection_new_ent (const char  *address,
                       const char  *token,
                       const char  *extension_urn,
                       GError     **error)
{
  g_return_val_if_fail (address != NULL, NULL);

  if (jn_connection_is_remote (address))
    {
      g_autoptr(JnScimClient) client = NULL;

      /* The address is checked first: no token is wanted for an address refused anyway */
      if (!jn_connection_check_address (address, error))
        return NULL;

      client = jn_scim_client_new (address, token, extension_urn, error);
      if (client == NULL)
        return NULL;

      if (g_getenv ("JONCTION_TIMEOUT") != NULL)
        jn_scim_client_set_timeout (client, (guint)g_ascii_strtoull (g_getenv ("JONCTION_TIMEOUT"), NULL, 10));
      if (g_getenv ("JONCTION_RETRY_DELAY_MS") != NULL)
        jn_scim_client_set_retries (client, 5, (guint)g_ascii_strtoull (g_getenv ("JONCTION_RETRY_DELAY_MS"), NULL, 10));

      return JN_ENT (g_steal_pointer (&client));
    }
  else
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (address);

      return JN_ENT (jn_file_ent_new (file, extension_urn, error));
    }
}

gboolean
jn_connection_discover (JnEnt         *ent,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_return_val_if_fail (JN_IS_ENT (ent), FALSE);

  if (JN_IS_SCIM_CLIENT (ent))
    return jn_scim_client_discover (JN_SCIM_CLIENT (ent), cancellable, error);

  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

JnEnt *
jn_connection_open_ent (const char    *address,
                        const char    *token,
                        const char    *extension_urn,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(JnEnt) ent = jn_connection_new_ent (address, token, extension_urn, error);

  if (ent == NULL || !jn_connection_discover (ent, cancellable, error))
    return NULL;

  return g_steal_pointer (&ent);
}

/* ---- the connection test ---- */

typedef struct
{
  char *address;
  char *token;
  char *extension_urn;
  char *uai;
} TestData;

static void
test_data_free (TestData *data)
{
  g_free (data->address);
  if (data->token != NULL)
    memset (data->token, 0, strlen (data->token));
  g_free (data->token);
  g_free (data->extension_urn);
  g_free (data->uai);
  g_free (data);
}

static void
test_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  TestData *data = task_data;
  g_autoptr(JnEnt) ent = NULL;
  GError *error = NULL;
  gint64 count;

  if (!jn_uai_is_valid (data->uai))
    {
      g_task_return_new_error (task, JN_ERROR, JN_ERROR_INVALID_ARGUMENT,
                               _("“%s” is not a UAI (7 digits and a letter)"), data->uai);
      return;
    }

  ent = jn_connection_open_ent (data->address, data->token, data->extension_urn, cancellable, &error);
  if (ent == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (JN_IS_SCIM_CLIENT (ent))
    count = jn_scim_client_count_users (JN_SCIM_CLIENT (ent), data->uai, cancellable, &error);
  else
    {
      g_autoptr(JnDirectory) directory = jn_ent_read_directory (ent, data->uai, NULL, NULL, cancellable, &error);

      count = directory ? (gint64)jn_directory_get_n_users (directory) : -1;
    }

  if (count < 0)
    g_task_return_error (task, error);
  else if (g_task_return_error_if_cancelled (task))
    return;
  else
    g_task_return_int (task, (gssize)MIN (count, G_MAXUINT));
}

void
jn_connection_test_async (const char          *address,
                          const char          *token,
                          const char          *extension_urn,
                          const char          *uai,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  TestData *data = g_new0 (TestData, 1);

  g_return_if_fail (address != NULL);

  data->address = g_strdup (address);
  data->token = g_strdup (token);
  data->extension_urn = g_strdup (extension_urn);
  data->uai = g_strdup (uai ? uai : "");

  g_task_set_source_tag (task, jn_connection_test_async);
  g_task_set_task_data (task, data, (GDestroyNotify)test_data_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, test_thread);
}

gboolean
jn_connection_test_finish (GAsyncResult  *result,
                           guint         *n_accounts,
                           GError       **error)
{
  gssize count;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == jn_connection_test_async, FALSE);

  count = g_task_propagate_int (G_TASK (result), error);
  if (count < 0)
    return FALSE;

  if (n_accounts != NULL)
    *n_accounts = (guint)count;
  return TRUE;
}

/* ---- the demonstration ---- */

static void
prepare_demo_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  g_autofree char *installed = g_build_filename (PKGDATADIR, "demo", "demo-directory.json", NULL);
  g_autofree char *folder = g_build_filename (g_get_user_data_dir (), PACKAGE_NAME, "demo", NULL);
  g_autofree char *target_path = g_build_filename (folder, "demo-directory.json", NULL);
  g_autoptr(GFile) source = NULL;
  g_autoptr(GFile) target = g_file_new_for_path (target_path);
  g_autoptr(GFile) partial = NULL;
  g_autofree char *partial_path = NULL;
  GError *error = NULL;

  if (g_file_test (target_path, G_FILE_TEST_IS_REGULAR))
    {
      g_task_return_pointer (task, g_steal_pointer (&target), g_object_unref);
      return;
    }

  source = g_file_new_for_path (g_file_test (installed, G_FILE_TEST_IS_REGULAR) ? installed
                                                                                : DEMO_DIRECTORY_SOURCE);
  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               _("cannot create the folder %s: %s"), folder, g_strerror (saved_errno));
      return;
    }

  /* Copied beside, then renamed: a copy cut short is never taken for the demo */
  partial_path = g_strconcat (target_path, ".part", NULL);
  partial = g_file_new_for_path (partial_path);
  if (!g_file_copy (source, partial, G_FILE_COPY_OVERWRITE, cancellable, NULL, NULL, &error) ||
      !g_file_move (partial, target, G_FILE_COPY_OVERWRITE, cancellable, NULL, NULL, &error))
    {
      g_file_delete (partial, NULL, NULL);
      g_prefix_error (&error, _("cannot copy the demonstration directory: "));
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&target), g_object_unref);
}

void
jn_connection_prepare_demo_async (GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, jn_connection_prepare_demo_async);
  g_task_run_in_thread (task, prepare_demo_thread);
}

GFile *
jn_connection_prepare_demo_finish (GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == jn_connection_prepare_demo_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
