/* jn-scim-client.c: the ENT over SCIM 2.0 (RFC 7643/7644), with libsoup 3
 *
 * Requests are synchronous and run in worker threads (libsoup ≥ 3.2 sends from any
 * thread). Reads are retried with back-off on network errors, 429/503 (honouring
 * Retry-After) and 5xx. A write whose outcome is unknown is never resent blindly: the
 * user is read again and the write decided anew, so that nothing is applied twice and a
 * change made meanwhile by someone else is never overwritten.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-scim-client"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "jn-error.h"
#include "jn-scim-client.h"

#define SCIM_MEDIA_TYPE "application/scim+json"
#define PATCH_OP_URN "urn:ietf:params:scim:api:messages:2.0:PatchOp"
#define PAGE_SIZE 500
#define MAX_RETRY_AFTER_S 120

struct _JnScimClient
{
  GObject      parent_instance;

  SoupSession *session;
  char        *base_url;    /* without trailing slash */
  char        *token;
  char        *extension_urn;
  guint        max_attempts;
  guint        first_delay_ms;
  guint        n_requests;  /* atomic */
  gboolean     etag_supported;
  gboolean     bulk_supported;
  guint        bulk_max_operations;
  gint64       bulk_max_payload;
  gboolean     use_bulk;
  guint        whole_array_for;       /* learnt: PatchKind bits that need the whole-array form */
};

static void jn_scim_client_iface_init (JnEntInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (JnScimClient, jn_scim_client, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (JN_TYPE_ENT, jn_scim_client_iface_init))

typedef struct
{
  guint     status;
  GBytes   *body;
  char     *etag;
  char     *retry_after;
} Response;

static void
response_clear (Response *response)
{
  g_clear_pointer (&response->body, g_bytes_unref);
  g_clear_pointer (&response->etag, g_free);
  g_clear_pointer (&response->retry_after, g_free);
  response->status = 0;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Response, response_clear)

static void
jn_scim_client_finalize (GObject *object)
{
  JnScimClient *self = (JnScimClient *)object;

  g_clear_object (&self->session);
  g_free (self->base_url);
  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  g_free (self->extension_urn);

  G_OBJECT_CLASS (jn_scim_client_parent_class)->finalize (object);
}

static void
jn_scim_client_class_init (JnScimClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jn_scim_client_finalize;
}

static void
jn_scim_client_init (JnScimClient *self)
{
  self->max_attempts = 5;
  self->first_delay_ms = 500;
  self->use_bulk = FALSE;
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

JnScimClient *
jn_scim_client_new (const char  *base_url,
                    const char  *token,
                    const char  *extension_urn,
                    GError     **error)
{
  g_autoptr(JnScimClient) self = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *user_agent = g_strdup_printf ("Jonction/%s", PACKAGE_VERSION);
  g_autofree char *stripped_token = NULL;
  const char *scheme;

  g_return_val_if_fail (base_url != NULL, NULL);

  uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  scheme = uri ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || scheme == NULL ||
      (g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0))
    {
      g_set_error (error, JN_ERROR, JN_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an ENT address (https://…)"), base_url);
      return NULL;
    }
  if (g_ascii_strcasecmp (scheme, "http") == 0 && !is_loopback (g_uri_get_host (uri)))
    {
      g_set_error (error, JN_ERROR, JN_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not encrypted: the ENT must be reached over https://"), base_url);
      return NULL;
    }
  stripped_token = g_strstrip (g_strdup (token ? token : ""));
  if (*stripped_token == '\0')
    {
      g_set_error_literal (error, JN_ERROR, JN_ERROR_INVALID_ARGUMENT,
                           _("no ENT token: give --token-file or set JONCTION_TOKEN"));
      return NULL;
    }

  self = g_object_new (JN_TYPE_SCIM_CLIENT, NULL);
  self->base_url = g_strdup (base_url);
  while (g_str_has_suffix (self->base_url, "/"))
    self->base_url[strlen (self->base_url) - 1] = '\0';
  self->token = g_steal_pointer (&stripped_token);
  self->extension_urn = g_strdup (extension_urn && *extension_urn ? extension_urn
                                                                   : JN_DEFAULT_EXTENSION_URN);
  /* TLS certificates are verified by default (the system's trust store); never relaxed. */
  self->session = soup_session_new_with_options ("user-agent", user_agent,
                                                 "timeout", 30,
                                                 "idle-timeout", 60,
                                                 "max-conns-per-host", 8,
                                                 NULL);

  return g_steal_pointer (&self);
}

void
jn_scim_client_set_timeout (JnScimClient *self,
                            guint         seconds)
{
  g_return_if_fail (JN_IS_SCIM_CLIENT (self));

  soup_session_set_timeout (self->session, seconds);
}

void
jn_scim_client_set_retries (JnScimClient *self,
                            guint         max_attempts,
                            guint         first_delay_ms)
{
  g_return_if_fail (JN_IS_SCIM_CLIENT (self));

  self->max_attempts = MAX (max_attempts, 1);
  self->first_delay_ms = first_delay_ms;
}

void
jn_scim_client_set_use_bulk (JnScimClient *self,
                             gboolean      use_bulk)
{
  g_return_if_fail (JN_IS_SCIM_CLIENT (self));

  self->use_bulk = use_bulk;
}

gboolean
jn_scim_client_get_etag_supported (JnScimClient *self)
{
  return self->etag_supported;
}

gboolean
jn_scim_client_get_bulk_supported (JnScimClient *self)
{
  return self->bulk_supported;
}

guint
jn_scim_client_get_n_requests (JnScimClient *self)
{
  return g_atomic_int_get (&self->n_requests);
}

/* ---- one request ---- */

/* Sends once. FALSE only when no HTTP answer came (network, timeout, cancelled). */
static gboolean
send_once (JnScimClient  *self,
           const char    *method,
           const char    *path,
           JsonNode      *body,
           const char    *if_match,
           Response      *response,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autofree char *url = g_strconcat (self->base_url, path, NULL);
  g_autofree char *authorization = g_strconcat ("Bearer ", self->token, NULL);
  g_autoptr(SoupMessage) message = soup_message_new (method, url);
  SoupMessageHeaders *headers;
  g_autoptr(GBytes) answer = NULL;

  if (message == NULL)
    {
      g_set_error (error, JN_ERROR, JN_ERROR_INVALID_ARGUMENT, _("invalid ENT address %s"), url);
      return FALSE;
    }

  headers = soup_message_get_request_headers (message);
  soup_message_headers_replace (headers, "Authorization", authorization);
  soup_message_headers_replace (headers, "Accept", SCIM_MEDIA_TYPE ", application/json");
  if (if_match != NULL && self->etag_supported)
    soup_message_headers_replace (headers, "If-Match", if_match);

  if (body != NULL)
    {
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(GBytes) bytes = NULL;
      gsize length;
      char *text;

      json_generator_set_root (generator, body);
      text = json_generator_to_data (generator, &length);
      bytes = g_bytes_new_take (text, length);
      soup_message_set_request_body_from_bytes (message, SCIM_MEDIA_TYPE, bytes);
    }

  g_atomic_int_inc (&self->n_requests);
  answer = soup_session_send_and_read (self->session, message, cancellable, error);
  if (answer == NULL)
    return FALSE;

  response_clear (response);
  response->status = soup_message_get_status (message);
  response->body = g_steal_pointer (&answer);
  headers = soup_message_get_response_headers (message);
  response->etag = g_strdup (soup_message_headers_get_one (headers, "ETag"));
  response->retry_after = g_strdup (soup_message_headers_get_one (headers, "Retry-After"));

  return TRUE;
}

static JsonNode *
parse_body (Response *response)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize size;
  const char *data;

  if (response->body == NULL)
    return NULL;

  data = g_bytes_get_data (response->body, &size);
  if (size == 0 || !json_parser_load_from_data (parser, data, (gssize)size, NULL))
    return NULL;

  return json_node_ref (json_parser_get_root (parser));
}

/* The server's own words (RFC 7644 §3.12 "detail"), or a short excerpt of its answer */
static char *
dup_detail (Response *response)
{
  g_autoptr(JsonNode) root = parse_body (response);
  const char *detail = NULL;

  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    detail = json_object_get_string_member_with_default (json_node_get_object (root), "detail", NULL);

  if (detail != NULL && *detail != '\0')
    return g_strdup (detail);

  return g_strdup (soup_status_get_phrase (response->status));
}

static void
set_status_error (JnScimClient  *self,
                  Response      *response,
                  GError       **error)
{
  g_autofree char *detail = dup_detail (response);
  guint status = response->status;
  int code;

  if (status == 401 || status == 403)
    code = JN_ERROR_ENT_AUTH;
  else if (status == 404)
    code = JN_ERROR_ENT_NOT_FOUND;
  else if (status == 409)
    code = JN_ERROR_ENT_CONFLICT;
  else if (status == 412)
    code = JN_ERROR_ENT_STALE;
  else if (status == 429 || status >= 500)
    code = JN_ERROR_ENT_SERVER;
  else
    code = JN_ERROR_ENT_REFUSED;

  if (code == JN_ERROR_ENT_AUTH)
    g_set_error (error, JN_ERROR, code,
                 _("the ENT %s refused the credentials (HTTP %u: %s); check the token"),
                 self->base_url, status, detail);
  else
    g_set_error (error, JN_ERROR, code, _("the ENT answered: %s (HTTP %u)"), detail, status);
}

static gboolean
is_transient (guint status)
{
  return status == 429 || status == 503 || status == 502 || status == 504 || status >= 500;
}

/* Back-off before attempt @attempt (1-based), or the server's Retry-After */
static guint
delay_ms (JnScimClient *self,
          guint         attempt,
          const char   *retry_after)
{
  if (retry_after != NULL)
    {
      guint64 seconds;

      if (g_ascii_string_to_unsigned (retry_after, 10, 0, G_MAXUINT, &seconds, NULL))
        return (guint)MIN (seconds, MAX_RETRY_AFTER_S) * 1000;
      else
        {
          g_autoptr(GDateTime) when = soup_date_time_new_from_http_string (retry_after);
          g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

          if (when != NULL)
            return (guint)CLAMP (g_date_time_difference (when, now) / 1000, 0, MAX_RETRY_AFTER_S * 1000);
        }
    }

  /* Exponential, with jitter so that parallel workers do not beat in step */
  return (self->first_delay_ms << MIN (attempt - 1, 6)) + g_random_int_range (0, self->first_delay_ms / 2 + 1);
}

static gboolean
sleep_cancellable (guint          ms,
                   GCancellable  *cancellable,
                   GError       **error)
{
  gint64 end = g_get_monotonic_time () + (gint64)ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      g_usleep (MIN (50000, end - g_get_monotonic_time () > 0 ? end - g_get_monotonic_time () : 0));
    }

  return TRUE;
}

static void
set_network_error (JnScimClient  *self,
                   GError        *cause,
                   GError       **error)
{
  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_propagate_error (error, g_error_copy (cause));
  else if (cause->domain == G_TLS_ERROR)
    g_set_error (error, JN_ERROR, JN_ERROR_ENT_UNREACHABLE,
                 _("the ENT %s cannot be trusted: %s"), self->base_url, cause->message);
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    g_set_error (error, JN_ERROR, JN_ERROR_ENT_UNREACHABLE,
                 _("the ENT %s does not answer (time-out)"), self->base_url);
  else
    g_set_error (error, JN_ERROR, JN_ERROR_ENT_UNREACHABLE,
                 _("the ENT %s cannot be reached: %s"), self->base_url, cause->message);
}

/* A read: retried on network errors and transient statuses. Returns the final answer
 * (any status) or FALSE with @error. */
static gboolean
send_read (JnScimClient  *self,
           const char    *path,
           Response      *response,
           GCancellable  *cancellable,
           GError       **error)
{
  for (guint attempt = 1; ; attempt++)
    {
      g_autoptr(GError) local_error = NULL;

      if (send_once (self, "GET", path, NULL, NULL, response, cancellable, &local_error))
        {
          if (!is_transient (response->status) || attempt >= self->max_attempts)
            return TRUE;
        }
      else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
               local_error->domain == G_TLS_ERROR || attempt >= self->max_attempts)
        {
          set_network_error (self, local_error, error);
          return FALSE;
        }

      if (!sleep_cancellable (delay_ms (self, attempt, local_error ? NULL : response->retry_after),
                              cancellable, error))
        return FALSE;
    }
}

/* ---- discovery ---- */

/* A server that does not know our extension would drop the identifiers silently: say so
 * before anything is written. A server without /Schemas is given the benefit of the doubt
 * (every write is confirmed anyway). */
static gboolean
check_schemas (JnScimClient  *self,
               GCancellable  *cancellable,
               GError       **error)
{
  g_auto(Response) response = { 0 };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GString) known = g_string_new (NULL);
  JsonArray *resources;

  if (!send_read (self, "/Schemas", &response, cancellable, error))
    return FALSE;
  if (response.status == 401 || response.status == 403)
    {
      set_status_error (self, &response, error);
      return FALSE;
    }
  if (response.status != 200 || (root = parse_body (&response)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member (json_node_get_object (root), "Resources") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (root), "Resources")))
    return TRUE;

  resources = json_object_get_array_member (json_node_get_object (root), "Resources");
  for (guint i = 0; i < json_array_get_length (resources); i++)
    {
      JsonNode *schema = json_array_get_element (resources, i);
      const char *id;

      if (!JSON_NODE_HOLDS_OBJECT (schema))
        continue;
      id = json_object_get_string_member_with_default (json_node_get_object (schema), "id", NULL);
      if (g_strcmp0 (id, self->extension_urn) == 0)
        return TRUE;
      if (id != NULL)
        g_string_append_printf (known, "%s%s", known->len ? ", " : "", id);
    }

  g_set_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED,
               _("the ENT %s does not declare the user extension %s (it declares: %s); "
                 "give the right one with --extension-urn"),
               self->base_url, self->extension_urn, known->len ? known->str : _("nothing"));
  return FALSE;
}

gboolean
jn_scim_client_discover (JnScimClient  *self,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_auto(Response) response = { 0 };
  g_autoptr(JsonNode) root = NULL;
  JsonObject *config;

  g_return_val_if_fail (JN_IS_SCIM_CLIENT (self), FALSE);

  if (!send_read (self, "/ServiceProviderConfig", &response, cancellable, error))
    return FALSE;
  if (response.status != 200)
    {
      set_status_error (self, &response, error);
      return FALSE;
    }

  root = parse_body (&response);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED,
                   _("the ENT %s does not look like a SCIM server (no ServiceProviderConfig)"),
                   self->base_url);
      return FALSE;
    }

  config = json_node_get_object (root);
#define SUPPORTED(member) \
  (json_object_has_member (config, member) && \
   JSON_NODE_HOLDS_OBJECT (json_object_get_member (config, member)) && \
   json_object_get_boolean_member_with_default (json_object_get_object_member (config, member), \
                                                "supported", FALSE))
  self->etag_supported = SUPPORTED ("etag");
  self->bulk_supported = SUPPORTED ("bulk");
#undef SUPPORTED

  if (self->bulk_supported)
    {
      JsonObject *bulk = json_object_get_object_member (config, "bulk");

      self->bulk_max_operations = (guint)CLAMP (json_object_get_int_member_with_default (bulk, "maxOperations", 0),
                                                0, 1000);
      self->bulk_max_payload = json_object_get_int_member_with_default (bulk, "maxPayloadSize", 0);
      if (self->bulk_max_operations < 2 || self->bulk_max_payload < 4096)
        self->bulk_supported = FALSE;
    }

  return check_schemas (self, cancellable, error);
}

/* ---- JnEnt ---- */

static const char *
jn_scim_client_describe (JnEnt *ent)
{
  return JN_SCIM_CLIENT (ent)->base_url;
}

static char *
users_path (JnScimClient *self,
            const char   *uai,
            guint         start_index)
{
  g_autofree char *filter = g_strdup_printf ("%s:structures eq \"%s\"", self->extension_urn, uai);
  g_autofree char *escaped = g_uri_escape_string (filter, NULL, FALSE);

  return g_strdup_printf ("/Users?filter=%s&startIndex=%u&count=%u", escaped, start_index, PAGE_SIZE);
}

static JnDirectory *
jn_scim_client_read_directory (JnEnt          *ent,
                               const char     *uai,
                               JnEntProgress   progress,
                               gpointer        progress_data,
                               GCancellable   *cancellable,
                               GError        **error)
{
  JnScimClient *self = JN_SCIM_CLIENT (ent);
  g_autoptr(JnDirectory) directory = jn_directory_new (self->extension_urn);
  guint start_index = 1;
  gint64 total = -1;

  /* Page until startIndex passes totalResults: some servers answer page 1 again past the
   * end, so an empty page is never awaited. */
  while (total < 0 || start_index <= (guint64)total)
    {
      g_auto(Response) response = { 0 };
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *path = users_path (self, uai, start_index);
      guint n_added = 0, n_before;

      if (!send_read (self, path, &response, cancellable, error))
        return NULL;
      if (response.status != 200)
        {
          set_status_error (self, &response, error);
          return NULL;
        }

      root = parse_body (&response);
      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
          !json_object_has_member (json_node_get_object (root), "totalResults") ||
          json_node_get_value_type (json_object_get_member (json_node_get_object (root), "totalResults")) != G_TYPE_INT64 ||
          json_object_get_int_member (json_node_get_object (root), "totalResults") < 0)
        {
          g_set_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED,
                       _("the ENT %s sent a page that is not a SCIM ListResponse"), self->base_url);
          return NULL;
        }

      total = json_object_get_int_member (json_node_get_object (root), "totalResults");
      n_before = jn_directory_get_n_users (directory);
      if (!jn_directory_add_list_response (directory, root, self->base_url, &n_added, error))
        return NULL;

      /* A page of users already seen before the end: the server ignores startIndex. Going
       * on would silently leave users out (and complete mode would clear their ids). */
      if (n_added > 0 && jn_directory_get_n_users (directory) == n_before)
        {
          g_set_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED,
                       _("the ENT %s sends the same users again at position %u: its paging cannot "
                         "be followed, the directory would be incomplete"),
                       self->base_url, start_index);
          return NULL;
        }

      if (progress != NULL)
        progress (MIN (start_index - 1 + n_added, (guint)total), (guint)total, progress_data);

      if (n_added == 0)
        {
          if (start_index <= (guint64)total)
            {
              g_autofree char *announced = g_strdup_printf ("%" G_GINT64_FORMAT, total);

              g_set_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED,
                           _("the ENT %s announced %s users but sent an empty page at %u"),
                           self->base_url, announced, start_index);
              return NULL;
            }
          break;
        }
      start_index += n_added;
    }

  if (total >= 0 && jn_directory_get_n_users (directory) < (guint64)total)
    {
      g_autofree char *announced = g_strdup_printf ("%" G_GINT64_FORMAT, total);

      g_set_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED,
                   _("the ENT %s announced %s users but sent %u different ones: the directory "
                     "would be incomplete"),
                   self->base_url, announced, jn_directory_get_n_users (directory));
      return NULL;
    }

  return g_steal_pointer (&directory);
}

static JnEntUser *
user_from_response (JnScimClient  *self,
                    Response      *response,
                    GError       **error)
{
  g_autoptr(JsonNode) root = parse_body (response);
  JnEntUser *user;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (user = jn_ent_user_new_from_json (json_node_get_object (root), self->extension_urn, NULL)) == NULL)
    {
      g_set_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED,
                   _("the ENT %s sent a user that cannot be read"), self->base_url);
      return NULL;
    }

  /* The ETag header is the version when the body has none */
  if (jn_ent_user_get_version (user) == NULL && response->etag != NULL)
    jn_ent_user_set_version (user, response->etag);

  return user;
}

static JnEntUser *
jn_scim_client_read_user (JnEnt         *ent,
                          const char    *id,
                          GCancellable  *cancellable,
                          GError       **error)
{
  JnScimClient *self = JN_SCIM_CLIENT (ent);
  g_auto(Response) response = { 0 };
  g_autofree char *escaped = g_uri_escape_string (id, NULL, FALSE);
  g_autofree char *path = g_strconcat ("/Users/", escaped, NULL);

  if (!send_read (self, path, &response, cancellable, error))
    return NULL;

  if (response.status != 200)
    {
      set_status_error (self, &response, error);
      return NULL;
    }

  return user_from_response (self, &response, error);
}

typedef enum
{
  PATCH_ADD = 1 << 0,
  PATCH_REPLACE = 1 << 1,
  PATCH_REMOVE = 1 << 2,
} PatchKind;

static PatchKind
patch_kind (JnEntUser  *user,
            const char *uai,
            const char *pronote_id)
{
  if (pronote_id == NULL)
    return PATCH_REMOVE;

  return jn_ent_user_get_pronote_id (user, uai) != NULL ? PATCH_REPLACE : PATCH_ADD;
}

static JsonNode *
build_patch (JnScimClient *self,
             JnEntUser    *user,
             const char   *uai,
             const char   *pronote_id)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const char *current = jn_ent_user_get_pronote_id (user, uai);
  g_autofree char *filtered = g_strdup_printf ("%s:pronoteIds[uai eq \"%s\"]", self->extension_urn, uai);
  g_autofree char *whole = g_strdup_printf ("%s:pronoteIds", self->extension_urn);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "schemas");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, PATCH_OP_URN);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "Operations");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);

  if (g_atomic_int_get (&self->whole_array_for) & patch_kind (user, uai, pronote_id))
    {
      /* Read-modify-write of the whole attribute, guarded by If-Match */
      g_autoptr(JnEntUser) copy = NULL;
      JsonArray *ids;
      g_autoptr(JsonNode) user_json = jn_ent_user_to_json (user, self->extension_urn);

      copy = jn_ent_user_new_from_json (json_node_get_object (user_json), self->extension_urn, NULL);
      jn_ent_user_set_pronote_id (copy, uai, pronote_id);
      ids = jn_ent_user_pronote_ids_to_json (copy);
      json_builder_set_member_name (builder, "op");
      json_builder_add_string_value (builder, "replace");
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, whole);
      json_builder_set_member_name (builder, "value");
      json_builder_add_value (builder, json_node_init_array (json_node_alloc (), ids));
      json_array_unref (ids);
    }
  else if (pronote_id == NULL)
    {
      json_builder_set_member_name (builder, "op");
      json_builder_add_string_value (builder, "remove");
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, filtered);
    }
  else if (current != NULL)
    {
      g_autofree char *value_path = g_strconcat (filtered, ".value", NULL);

      json_builder_set_member_name (builder, "op");
      json_builder_add_string_value (builder, "replace");
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, value_path);
      json_builder_set_member_name (builder, "value");
      json_builder_add_string_value (builder, pronote_id);
    }
  else
    {
      json_builder_set_member_name (builder, "op");
      json_builder_add_string_value (builder, "add");
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, whole);
      json_builder_set_member_name (builder, "value");
      json_builder_begin_array (builder);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "uai");
      json_builder_add_string_value (builder, uai);
      json_builder_set_member_name (builder, "value");
      json_builder_add_string_value (builder, pronote_id);
      json_builder_end_object (builder);
      json_builder_end_array (builder);
    }

  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static JnEntUser *
jn_scim_client_write_pronote_id (JnEnt         *ent,
                                 JnEntUser     *expected,
                                 const char    *uai,
                                 const char    *pronote_id,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  JnScimClient *self = JN_SCIM_CLIENT (ent);
  g_autofree char *escaped = g_uri_escape_string (jn_ent_user_get_id (expected), NULL, FALSE);
  g_autofree char *path = g_strconcat ("/Users/", escaped, NULL);
  g_autofree char *expected_value = g_strdup (jn_ent_user_get_pronote_id (expected, uai));
  g_autoptr(JnEntUser) current = g_object_ref (expected);
  /* Without ETags (or without a version for this user) nothing guards the write against a
   * change made since @expected was read: read it again first, and decide from what the
   * ENT holds now. */
  gboolean reread = !self->etag_supported || jn_ent_user_get_version (expected) == NULL;
  guint failures = 0;

  for (;;)
    {
      g_auto(Response) response = { 0 };
      g_autoptr(JsonNode) patch = NULL;
      g_autoptr(GError) local_error = NULL;
      gboolean sent_whole;
      const char *now;

      if (reread)
        {
          g_clear_object (&current);
          current = jn_scim_client_read_user (ent, jn_ent_user_get_id (expected), cancellable, error);
          if (current == NULL)
            return NULL;
          reread = FALSE;
        }

      /* Decide from what the ENT holds: done already, still as planned, or changed. */
      now = jn_ent_user_get_pronote_id (current, uai);
      if (g_strcmp0 (now, pronote_id) == 0)
        return g_steal_pointer (&current);
      if (g_strcmp0 (now, expected_value) != 0)
        {
          g_set_error (error, JN_ERROR, JN_ERROR_ENT_STALE,
                       _("the user “%s” was changed in the ENT meanwhile (its identifier is now %s): "
                         "not overwritten"),
                       jn_ent_user_get_id (expected), now ? now : _("none"));
          return NULL;
        }

      sent_whole = (g_atomic_int_get (&self->whole_array_for) & patch_kind (current, uai, pronote_id)) != 0;
      patch = build_patch (self, current, uai, pronote_id);
      if (!send_once (self, "PATCH", path, patch, jn_ent_user_get_version (current), &response,
                      cancellable, &local_error))
        {
          /* No answer: the write may or may not have happened. Read before deciding. */
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
              local_error->domain == G_TLS_ERROR || ++failures >= self->max_attempts)
            {
              set_network_error (self, local_error, error);
              return NULL;
            }
          if (!sleep_cancellable (delay_ms (self, failures, NULL), cancellable, error))
            return NULL;
          reread = TRUE;
          continue;
        }

      switch (response.status)
        {
        case 200:
          {
            g_autoptr(JnEntUser) written = user_from_response (self, &response, NULL);

            /* Some servers drop unknown attributes silently: confirm from the resource. */
            if (written != NULL && g_strcmp0 (jn_ent_user_get_pronote_id (written, uai), pronote_id) == 0)
              return g_steal_pointer (&written);
          }
          G_GNUC_FALLTHROUGH;
        case 204:
          {
            g_autoptr(JnEntUser) reread_user = jn_scim_client_read_user (ent, jn_ent_user_get_id (expected),
                                                                          cancellable, error);
            if (reread_user == NULL)
              return NULL;
            if (g_strcmp0 (jn_ent_user_get_pronote_id (reread_user, uai), pronote_id) == 0)
              return g_steal_pointer (&reread_user);
            g_set_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED,
                         _("the ENT accepted the change of user “%s” but did not keep it "
                           "(does it know the attribute %s:pronoteIds?)"),
                         jn_ent_user_get_id (expected), self->extension_urn);
            return NULL;
          }

        case 412:
          /* Someone changed the user: read again, decide again (above), never blindly. */
          if (++failures >= self->max_attempts)
            break;
          reread = TRUE;
          continue;

        case 400:
          {
            PatchKind kind = patch_kind (current, uai, pronote_id);

            /* Servers that cannot follow a filtered path (invalidPath, noTarget, or a
             * plain failure as some implementations give for "remove"): read-modify-write
             * of the whole array instead, guarded by If-Match. Learnt once per kind. */
            if (kind != PATCH_ADD && !sent_whole)
              {
                g_debug ("Filtered PATCH path refused (%s); using whole-array writes",
                         kind == PATCH_REMOVE ? "remove" : "replace");
                g_atomic_int_or (&self->whole_array_for, kind);
                reread = TRUE;
                continue;
              }
          }
          break;

        default:
          if (is_transient (response.status) && ++failures < self->max_attempts)
            {
              if (!sleep_cancellable (delay_ms (self, failures, response.retry_after), cancellable, error))
                return NULL;
              /* A 5xx may come after the change was made: read before deciding */
              reread = response.status != 429 && response.status != 503;
              continue;
            }
          break;
        }

      set_status_error (self, &response, error);
      return NULL;
    }
}

/* ---- Bulk (RFC 7644 §3.7) ---- */

static guint
jn_scim_client_get_batch_size (JnEnt *ent)
{
  JnScimClient *self = JN_SCIM_CLIENT (ent);

  /* A Bulk write is only guarded by each operation's version */
  return self->bulk_supported && self->use_bulk && self->etag_supported ? self->bulk_max_operations : 1;
}

static int
error_code_for_status (guint status)
{
  if (status == 401 || status == 403)
    return JN_ERROR_ENT_AUTH;
  if (status == 404)
    return JN_ERROR_ENT_NOT_FOUND;
  if (status == 409)
    return JN_ERROR_ENT_CONFLICT;
  if (status == 412)
    return JN_ERROR_ENT_STALE;
  if (status == 429 || status >= 500)
    return JN_ERROR_ENT_SERVER;
  return JN_ERROR_ENT_REFUSED;
}

/* Confirms the accepted writes from the users as the ENT now holds them, read back in one
 * filtered request */
static void
confirm_writes (JnScimClient  *self,
                JnEntWrite    *writes,
                gboolean      *accepted,
                guint          n,
                GCancellable  *cancellable)
{
  g_autoptr(GString) filter = g_string_new (NULL);
  g_autoptr(JnDirectory) found = jn_directory_new (self->extension_urn);
  g_auto(Response) response = { 0 };
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;
  guint n_accepted = 0;

  for (guint i = 0; i < n; i++)
    if (accepted[i])
      {
        g_string_append_printf (filter, "%sid eq \"%s\"", n_accepted++ ? " or " : "",
                                jn_ent_user_get_id (writes[i].user));
      }
  if (n_accepted == 0)
    return;

  escaped = g_uri_escape_string (filter->str, NULL, FALSE);
  path = g_strdup_printf ("/Users?filter=%s&count=%u", escaped, n_accepted);
  if (send_read (self, path, &response, cancellable, NULL) && response.status == 200)
    {
      root = parse_body (&response);
      jn_directory_add_list_response (found, root, self->base_url, NULL, NULL);
    }

  for (guint i = 0; i < n; i++)
    {
      JnEntUser *now;

      if (!accepted[i])
        continue;

      now = jn_directory_lookup (found, jn_ent_user_get_id (writes[i].user));
      if (now != NULL && g_strcmp0 (jn_ent_user_get_pronote_id (now, writes[i].uai), writes[i].pronote_id) == 0)
        writes[i].result = g_object_ref (now);
      else
        /* Not confirmed in one read: the caller writes it again, one by one, after reading */
        g_set_error (&writes[i].error, JN_ERROR, JN_ERROR_ENT_STALE,
                     _("the ENT accepted the change of user “%s” but it could not be confirmed"),
                     jn_ent_user_get_id (writes[i].user));
    }
}

static gboolean
bulk_chunk (JnScimClient  *self,
            JnEntWrite    *writes,
            guint          n,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree gboolean *accepted = g_new0 (gboolean, n);
  g_autofree char *text = NULL;
  gsize length;
  guint attempt = 0;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "schemas");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "urn:ietf:params:scim:api:messages:2.0:BulkRequest");
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "Operations");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *bulk_id = g_strdup_printf ("w%u", i);
      g_autofree char *escaped = g_uri_escape_string (jn_ent_user_get_id (writes[i].user), NULL, FALSE);
      g_autofree char *user_path = g_strconcat ("/Users/", escaped, NULL);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "method");
      json_builder_add_string_value (builder, "PATCH");
      json_builder_set_member_name (builder, "bulkId");
      json_builder_add_string_value (builder, bulk_id);
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, user_path);
      if (self->etag_supported && jn_ent_user_get_version (writes[i].user) != NULL)
        {
          json_builder_set_member_name (builder, "version");
          json_builder_add_string_value (builder, jn_ent_user_get_version (writes[i].user));
        }
      json_builder_set_member_name (builder, "data");
      json_builder_add_value (builder, build_patch (self, writes[i].user, writes[i].uai, writes[i].pronote_id));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  request = json_builder_get_root (builder);

  json_generator_set_root (generator, request);
  text = json_generator_to_data (generator, &length);
  if ((gint64)length > self->bulk_max_payload && n > 1)
    {
      /* Over the server's limit: two halves */
      return bulk_chunk (self, writes, n / 2, cancellable, error) &&
             bulk_chunk (self, writes + n / 2, n - n / 2, cancellable, error);
    }

  for (;;)
    {
      g_auto(Response) response = { 0 };
      g_autoptr(JsonNode) root = NULL;
      JsonArray *operations;

      if (!send_once (self, "POST", "/Bulk", request, NULL, &response, cancellable, error))
        return FALSE;   /* no answer: unknown outcome */

      if ((response.status == 429 || response.status == 503) && ++attempt < self->max_attempts)
        {
          /* Refused whole before anything was done: wait as asked, send again */
          if (!sleep_cancellable (delay_ms (self, attempt, response.retry_after), cancellable, error))
            return FALSE;
          continue;
        }

      if (response.status != 200)
        {
          set_status_error (self, &response, error);
          return FALSE;
        }

      root = parse_body (&response);
      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
          !json_object_has_member (json_node_get_object (root), "Operations") ||
          !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (root), "Operations")))
        {
          g_set_error (error, JN_ERROR, JN_ERROR_ENT_SERVER,
                       _("the ENT %s sent a Bulk answer that cannot be read"), self->base_url);
          return FALSE;
        }

      operations = json_object_get_array_member (json_node_get_object (root), "Operations");
      for (guint k = 0; k < json_array_get_length (operations); k++)
        {
          JsonNode *element = json_array_get_element (operations, k);
          JsonObject *op;
          const char *bulk_id;
          guint64 index, status = 0;
          JsonNode *status_node;

          if (!JSON_NODE_HOLDS_OBJECT (element))
            continue;
          op = json_node_get_object (element);
          bulk_id = json_object_get_string_member_with_default (op, "bulkId", NULL);
          if (bulk_id == NULL || bulk_id[0] != 'w' ||
              !g_ascii_string_to_unsigned (bulk_id + 1, 10, 0, n - 1, &index, NULL))
            continue;

          /* Each operation's own status: "200", or {"code": 200} in older drafts */
          status_node = json_object_get_member (op, "status");
          if (status_node != NULL && json_node_get_value_type (status_node) == G_TYPE_STRING)
            g_ascii_string_to_unsigned (json_node_get_string (status_node), 10, 0, 999, &status, NULL);
          else if (status_node != NULL && JSON_NODE_HOLDS_VALUE (status_node))
            status = (guint64)json_node_get_int (status_node);
          else if (status_node != NULL && JSON_NODE_HOLDS_OBJECT (status_node))
            status = (guint64)json_object_get_int_member_with_default (json_node_get_object (status_node), "code", 0);

          if (status == 200 || status == 201 || status == 204)
            {
              accepted[index] = TRUE;
            }
          else
            {
              JsonObject *body = json_object_has_member (op, "response") &&
                                 JSON_NODE_HOLDS_OBJECT (json_object_get_member (op, "response"))
                                   ? json_object_get_object_member (op, "response") : NULL;
              const char *detail = body ? json_object_get_string_member_with_default (body, "detail", NULL) : NULL;
              PatchKind kind = patch_kind (writes[index].user, writes[index].uai, writes[index].pronote_id);

              /* A refused filtered path: the whole-array form from now on */
              if (status == 400 && kind != PATCH_ADD)
                g_atomic_int_or (&self->whole_array_for, kind);

              g_set_error (&writes[index].error, JN_ERROR, error_code_for_status ((guint)status),
                           _("the ENT answered: %s (HTTP %u)"),
                           detail ? detail : soup_status_get_phrase ((guint)status), (guint)status);
            }
        }

      for (guint i = 0; i < n; i++)
        if (!accepted[i] && writes[i].error == NULL)
          g_set_error (&writes[i].error, JN_ERROR, JN_ERROR_ENT_STALE,
                       _("the ENT did not answer for the change of user “%s”"),
                       jn_ent_user_get_id (writes[i].user));

      confirm_writes (self, writes, accepted, n, cancellable);
      return TRUE;
    }
}

static gboolean
jn_scim_client_write_many (JnEnt         *ent,
                           JnEntWrite    *writes,
                           guint          n_writes,
                           GCancellable  *cancellable,
                           GError       **error)
{
  JnScimClient *self = JN_SCIM_CLIENT (ent);
  guint chunk = MAX (self->bulk_max_operations, 1);

  for (guint start = 0; start < n_writes; start += chunk)
    if (!bulk_chunk (self, writes + start, MIN (chunk, n_writes - start), cancellable, error))
      return FALSE;

  return TRUE;
}

static void
jn_scim_client_iface_init (JnEntInterface *iface)
{
  iface->describe = jn_scim_client_describe;
  iface->read_directory = jn_scim_client_read_directory;
  iface->read_user = jn_scim_client_read_user;
  iface->write_pronote_id = jn_scim_client_write_pronote_id;
  iface->get_batch_size = jn_scim_client_get_batch_size;
  iface->write_many = jn_scim_client_write_many;
}
