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
#include "jn-json.h"
#include "jn-scim-client.h"
#include "jn-text.h"

#define SCIM_MEDIA_TYPE "application/scim+json"
#define PATCH_OP_URN "urn:ietf:params:scim:api:messages:2.0:PatchOp"
#define PAGE_SIZE 500

/* Limits on what a server can make us do (see the README) */
#define MAX_RETRY_AFTER_S 60              /* a longer Retry-After is cut to this */
#define MAX_REQUEST_TOTAL_S 120           /* one request, its attempts and waits: at most this */
#define MAX_REPAIRS 2                     /* rewrites of a user holding the UAI twice */
#define MAX_BODY_SIZE ((gsize)32 * 1024 * 1024)   /* one answer (a page of 500 users: ~1 MB) */
#define REQUEST_DEADLINE_FACTOR 4         /* one request: at most 4 × the time-out in all */
#define MAX_REDIRECTS 3                   /* same-origin GET only */
#define MAX_PAGES 20000                   /* pages of one directory read */
#define MAX_DETAIL_CHARS 300              /* a server's error text, as quoted */
#define MAX_ID_LENGTH 1024                /* a user id (in a URL path) */
#define MAX_HEADER_LENGTH 1024            /* a version sent back in If-Match */

struct _JnScimClient
{
  GObject      parent_instance;

  SoupSession *session;
  char        *base_url;    /* without trailing slash */
  char        *token;
  char        *extension_urn;
  guint        max_attempts;
  guint        first_delay_ms;
  guint        timeout_s;
  guint        max_total_s;
  guint        n_requests;  /* atomic */
  gboolean     etag_supported;
  gboolean     bulk_supported;
  guint        bulk_max_operations;
  gint64       bulk_max_payload;
  gboolean     use_bulk;
  guint        whole_array_for;       /* learnt: PatchKind bits that need the whole-array form */
  gboolean     extension_missing;     /* discovery: /Schemas does not declare our extension */
};

static void jn_scim_client_iface_init (JnEntInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (JnScimClient, jn_scim_client, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (JN_TYPE_ENT, jn_scim_client_iface_init))

enum
{
  SIGNAL_WAITING,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

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

  /**
   * JnScimClient::waiting:
   * @asked_s: the wait the server asked for (Retry-After), in seconds
   * @wait_s: the wait that will be done (at most 60 s)
   *
   * Emitted, from the thread that sends, before waiting as a server asked. The wait
   * honours the request's GCancellable.
   */
  signals[SIGNAL_WAITING] = g_signal_new ("waiting", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
}

static void
jn_scim_client_init (JnScimClient *self)
{
  self->max_attempts = 5;
  self->first_delay_ms = 500;
  self->timeout_s = 30;
  self->max_total_s = MAX_REQUEST_TOTAL_S;
  self->use_bulk = FALSE;
}

/* Printable ASCII, within @max_length: safe in an HTTP header */
static gboolean
header_value_is_safe (const char *value,
                      gsize       max_length)
{
  gsize i;

  for (i = 0; value[i] != '\0'; i++)
    if ((guchar)value[i] < 0x20 || (guchar)value[i] >= 0x7f || i >= max_length)
      return FALSE;

  return i > 0;
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
      g_set_error (error, JN_ERROR, JN_ERROR_INVALID_ARGUMENT,
                   _("no access token for the ENT %s"), base_url);
      return NULL;
    }

  /* It goes into a header: printable ASCII only (libsoup would drop it with a CRITICAL) */
  if (!header_value_is_safe (stripped_token, G_MAXSIZE))
    {
      memset (stripped_token, 0, strlen (stripped_token));
      g_set_error_literal (error, JN_ERROR, JN_ERROR_INVALID_ARGUMENT,
                           _("the ENT token holds control characters or non-ASCII letters: check the token"));
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
  /* No compressed answers: a few kilobytes could inflate to gigabytes. Without the
   * decoder no Accept-Encoding is sent, and what comes is read within MAX_BODY_SIZE. */
  soup_session_remove_feature_by_type (self->session, SOUP_TYPE_CONTENT_DECODER);

  return g_steal_pointer (&self);
}

void
jn_scim_client_set_timeout (JnScimClient *self,
                            guint         seconds)
{
  g_return_if_fail (JN_IS_SCIM_CLIENT (self));

  soup_session_set_timeout (self->session, seconds);
  self->timeout_s = seconds;
}

void
jn_scim_client_set_max_total (JnScimClient *self,
                              guint         seconds)
{
  g_return_if_fail (JN_IS_SCIM_CLIENT (self));

  self->max_total_s = MAX (seconds, 1);
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

static guint
port_of (GUri *uri)
{
  int port = g_uri_get_port (uri);

  if (port > 0)
    return (guint)port;
  return g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0 ? 443 : 80;
}

/* Same scheme, host and port as the base address: only there does the token go */
static gboolean
is_same_origin (JnScimClient *self,
                const char   *url)
{
  g_autoptr(GUri) base = g_uri_parse (self->base_url, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GUri) other = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);

  return base != NULL && other != NULL && g_uri_get_host (other) != NULL &&
         g_ascii_strcasecmp (g_uri_get_scheme (base), g_uri_get_scheme (other)) == 0 &&
         g_ascii_strcasecmp (g_uri_get_host (base), g_uri_get_host (other)) == 0 &&
         port_of (base) == port_of (other) && g_uri_get_userinfo (other) == NULL;
}

/* The body, within MAX_BODY_SIZE (declared or not) and the request's deadline */
static GBytes *
read_body (JnScimClient  *self,
           SoupMessage   *message,
           GInputStream  *stream,
           gint64         deadline,
           GCancellable  *cancellable,
           GError       **error)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (message);
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autofree guint8 *buffer = g_malloc (64 * 1024);
  g_autofree char *limit = g_format_size_full (MAX_BODY_SIZE, G_FORMAT_SIZE_IEC_UNITS);

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > (goffset)MAX_BODY_SIZE)
    {
      g_set_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED,
                   _("the ENT %s announces an answer larger than the limit of %s"), self->base_url, limit);
      return NULL;
    }

  for (;;)
    {
      gssize n = g_input_stream_read (stream, buffer, 64 * 1024, cancellable, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      if (body->len + (gsize)n > MAX_BODY_SIZE)
        {
          g_set_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED,
                       _("the ENT %s sends an answer larger than the limit of %s"), self->base_url, limit);
          return NULL;
        }
      g_byte_array_append (body, buffer, (guint)n);
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, JN_ERROR, JN_ERROR_ENT_UNREACHABLE,
                       _("the ENT %s takes more than %u s to answer"), self->base_url,
                       self->timeout_s * REQUEST_DEADLINE_FACTOR);
          return NULL;
        }
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&body));
}

/* Sends once. FALSE when no usable HTTP answer came: network, time-out, cancelled (then
 * @error is in the GIO or TLS domain), or an answer refused whatever comes next (then it
 * is in JN_ERROR: too large, too slow, redirected elsewhere, a version unsafe to send).
 * Redirects are never followed automatically: a GET may follow one to the same origin. */
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
  g_autoptr(GBytes) request_body = NULL;
  gint64 deadline = g_get_monotonic_time () +
                    (gint64)MAX (self->timeout_s, 1) * REQUEST_DEADLINE_FACTOR * G_USEC_PER_SEC;

  if (if_match != NULL && self->etag_supported && !header_value_is_safe (if_match, MAX_HEADER_LENGTH))
    {
      g_set_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED,
                   _("the ENT %s gave a version (ETag) with control characters: it cannot be "
                     "sent back, nothing was written"),
                   self->base_url);
      return FALSE;
    }

  if (body != NULL)
    {
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      gsize length;
      char *text;

      json_generator_set_root (generator, body);
      text = json_generator_to_data (generator, &length);
      request_body = g_bytes_new_take (text, length);
    }

  for (guint redirects = 0; ; redirects++)
    {
      g_autoptr(SoupMessage) message = soup_message_new (method, url);
      g_autoptr(GInputStream) stream = NULL;
      g_autoptr(GBytes) answer = NULL;
      SoupMessageHeaders *headers;
      const char *location;
      const char *content_encoding;
      guint status;

      if (message == NULL)
        {
          g_autofree char *shown = jn_text_dup_bounded (url, 200);

          g_set_error (error, JN_ERROR, JN_ERROR_INVALID_ARGUMENT, _("invalid ENT address %s"), shown);
          return FALSE;
        }
      soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);

      headers = soup_message_get_request_headers (message);
      soup_message_headers_replace (headers, "Authorization", authorization);
      soup_message_headers_replace (headers, "Accept", SCIM_MEDIA_TYPE ", application/json");
      if (if_match != NULL && self->etag_supported)
        soup_message_headers_replace (headers, "If-Match", if_match);
      if (request_body != NULL)
        soup_message_set_request_body_from_bytes (message, SCIM_MEDIA_TYPE, request_body);

      g_atomic_int_inc (&self->n_requests);
      stream = soup_session_send (self->session, message, cancellable, error);
      if (stream == NULL)
        return FALSE;

      status = soup_message_get_status (message);
      headers = soup_message_get_response_headers (message);
      location = soup_message_headers_get_one (headers, "Location");
      if (SOUP_STATUS_IS_REDIRECTION (status) && location != NULL)
        {
          g_autofree char *target = g_uri_resolve_relative (url, location, G_URI_FLAGS_ENCODED, NULL);
          g_autofree char *shown = jn_text_dup_bounded (target ? target : location, 200);

          g_input_stream_close (stream, NULL, NULL);
          if (!g_str_equal (method, "GET"))
            {
              g_set_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED,
                           _("the ENT %s answered a change with a redirect to %s: not followed, "
                             "a change is sent to the given address only"),
                           self->base_url, shown);
              return FALSE;
            }
          if (target == NULL || !is_same_origin (self, target))
            {
              g_set_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED,
                           _("the ENT %s redirects to another address, %s: not followed (the "
                             "token is only sent to the address given)"),
                           self->base_url, shown);
              return FALSE;
            }
          if (redirects >= MAX_REDIRECTS)
            {
              g_set_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED,
                           _("the ENT %s redirects too many times (last to %s)"), self->base_url, shown);
              return FALSE;
            }
          g_free (url);
          url = g_steal_pointer (&target);
          continue;
        }

      /* Never asked for (no Accept-Encoding): a compressed answer is not inflated */
      content_encoding = soup_message_headers_get_one (headers, "Content-Encoding");
      if (content_encoding != NULL)
        {
          g_autofree char *trimmed = g_strstrip (g_strdup (content_encoding));

          if (*trimmed != '\0' && g_ascii_strcasecmp (trimmed, "identity") != 0)
            {
              g_autofree char *shown = jn_text_dup_bounded (trimmed, 40);

              g_input_stream_close (stream, NULL, NULL);
              g_set_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED,
                           _("the ENT %s answered in a compressed form (Content-Encoding: %s), which "
                             "Jonction does not accept"),
                           self->base_url, shown);
              return FALSE;
            }
        }

      answer = read_body (self, message, stream, deadline, cancellable, error);
      g_input_stream_close (stream, NULL, NULL);
      if (answer == NULL)
        return FALSE;

      response_clear (response);
      response->status = status;
      response->body = g_steal_pointer (&answer);
      response->etag = g_strdup (soup_message_headers_get_one (headers, "ETag"));
      response->retry_after = g_strdup (soup_message_headers_get_one (headers, "Retry-After"));

      return TRUE;
    }
}

/* Every answer goes through jn_json_parse(): bounded depth before json-glib */
static JsonNode *
parse_body (Response *response)
{
  g_autoptr(GError) error = NULL;
  JsonNode *root;
  gsize size;
  const char *data;

  if (response->body == NULL)
    return NULL;

  data = g_bytes_get_data (response->body, &size);
  if (size == 0)
    return NULL;

  root = jn_json_parse (data, size, MAX_BODY_SIZE, JN_JSON_FLAGS_NONE, "answer", &error);
  if (root == NULL)
    g_debug ("Unreadable answer: %s", error->message);

  return root;
}

/* The server's own words (RFC 7644 §3.12 "detail"), or a short excerpt of its answer */
static char *
dup_detail (Response *response)
{
  g_autoptr(JsonNode) root = parse_body (response);
  const char *detail = NULL;

  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    detail = json_object_get_string_member_with_default (json_node_get_object (root), "detail", NULL);

  /* Untrusted text: bounded here, escaped where it is printed */
  if (detail != NULL && *detail != '\0')
    return jn_text_dup_bounded (detail, MAX_DETAIL_CHARS);

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

/* Back-off before attempt @attempt (1-based), or the server's Retry-After (cut to
 * MAX_RETRY_AFTER_S; *@asked_s is what it asked, or 0) */
static guint
delay_ms (JnScimClient *self,
          guint         attempt,
          const char   *retry_after,
          guint64      *asked_s)
{
  *asked_s = 0;
  if (retry_after != NULL)
    {
      guint64 seconds;

      if (g_ascii_string_to_unsigned (retry_after, 10, 0, G_MAXUINT64, &seconds, NULL))
        {
          *asked_s = MAX (seconds, 1);
          return (guint)MIN (seconds, MAX_RETRY_AFTER_S) * 1000;
        }
      else
        {
          g_autoptr(GDateTime) when = soup_date_time_new_from_http_string (retry_after);
          g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

          if (when != NULL)
            {
              GTimeSpan span = g_date_time_difference (when, now);

              *asked_s = span > 0 ? (guint64)(span / G_USEC_PER_SEC) + 1 : 1;
              return (guint)CLAMP (span / 1000, 0, MAX_RETRY_AFTER_S * 1000);
            }
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

  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

/* Waits before another attempt; a wait the server asked for is announced ("waiting").
 * One request (begun at @started, monotonic time) never takes more than max_total_s in
 * all, its attempts and its waits: a wait that would end past that is not begun. */
static gboolean
wait_to_retry (JnScimClient  *self,
               guint          attempt,
               const char    *retry_after,
               gint64         started,
               GCancellable  *cancellable,
               GError       **error)
{
  guint64 asked_s;
  guint ms = delay_ms (self, attempt, retry_after, &asked_s);
  gint64 end = g_get_monotonic_time () + (gint64)ms * 1000;

  if (end - started > (gint64)self->max_total_s * G_USEC_PER_SEC)
    {
      guint spent_s = (guint)((g_get_monotonic_time () - started) / G_USEC_PER_SEC);

      if (asked_s > 0)
        g_set_error (error, JN_ERROR, JN_ERROR_ENT_SERVER,
                     _("the ENT %s asks to wait %u s more after %u s spent on one request, "
                       "past the limit of %u s: given up, try again later"),
                     self->base_url, (guint)MIN (asked_s, G_MAXUINT), spent_s, self->max_total_s);
      else
        g_set_error (error, JN_ERROR, JN_ERROR_ENT_SERVER,
                     _("the ENT %s still fails after %u s spent on one request, past the limit "
                       "of %u s: given up, try again later"),
                     self->base_url, spent_s, self->max_total_s);
      return FALSE;
    }

  if (asked_s > 0)
    g_signal_emit (self, signals[SIGNAL_WAITING], 0, (guint)MIN (asked_s, G_MAXUINT), (ms + 999) / 1000);

  return sleep_cancellable (ms, cancellable, error);
}

static void
set_network_error (JnScimClient  *self,
                   GError        *cause,
                   GError       **error)
{
  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED) || cause->domain == JN_ERROR)
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

/* Not worth another attempt: cancelled, untrusted certificate, or an answer refused */
static gboolean
is_final_error (GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || error->domain == G_TLS_ERROR ||
         error->domain == JN_ERROR;
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
  gint64 started = g_get_monotonic_time ();

  for (guint attempt = 1; ; attempt++)
    {
      g_autoptr(GError) local_error = NULL;

      if (send_once (self, "GET", path, NULL, NULL, response, cancellable, &local_error))
        {
          if (!is_transient (response->status) || attempt >= self->max_attempts)
            return TRUE;
        }
      else if (is_final_error (local_error) || attempt >= self->max_attempts)
        {
          set_network_error (self, local_error, error);
          return FALSE;
        }

      if (!wait_to_retry (self, attempt, local_error ? NULL : response->retry_after, started,
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
  guint n_known = 0;
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
      /* Quoted in the error: a few, each bounded */
      if (id != NULL && n_known++ < 8)
        {
          g_autofree char *shown = jn_text_dup_bounded (id, 120);

          g_string_append_printf (known, "%s%s", known->len ? ", " : "", shown);
        }
      else if (id != NULL && n_known == 9)
        g_string_append (known, ", …");
    }

  self->extension_missing = TRUE;
  g_set_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED,
               _("the ENT %s does not declare the user extension %s (it declares: %s); "
                 "choose the extension URN it declares"),
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

/* A string inside a SCIM filter: quoted as a JSON string */
static char *
filter_string (const char *value)
{
  GString *out = g_string_new ("\"");

  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      if ((guchar)*p < 0x20)
        g_string_append_printf (out, "\\u%04x", (guchar)*p);
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');

  return g_string_free (out, FALSE);
}

static char *
users_path (JnScimClient *self,
            const char   *uai,
            guint         start_index,
            gboolean      filtered)
{
  g_autofree char *quoted = filter_string (uai);
  g_autofree char *filter = g_strdup_printf ("%s:structures eq %s", self->extension_urn, quoted);
  g_autofree char *escaped = g_uri_escape_string (filter, NULL, FALSE);

  if (!filtered)
    return g_strdup_printf ("/Users?startIndex=%u&count=1", start_index);

  return g_strdup_printf ("/Users?filter=%s&startIndex=%u&count=%u", escaped, start_index, PAGE_SIZE);
}

/* "/Users/<id>": an id that could address another resource ("..", empty, control
 * characters, absurd length) is refused; anything else is escaped, "/" and "?" included */
static char *
user_path (JnScimClient  *self,
           const char    *id,
           GError       **error)
{
  g_autofree char *escaped = NULL;

  if (id == NULL || *id == '\0' || g_str_equal (id, ".") || g_str_equal (id, "..") ||
      strlen (id) > MAX_ID_LENGTH || !g_utf8_validate (id, -1, NULL))
    goto invalid;
  for (const char *p = id; *p != '\0'; p++)
    if ((guchar)*p < 0x20 || *p == 0x7f)
      goto invalid;

  escaped = g_uri_escape_string (id, NULL, FALSE);
  return g_strconcat ("/Users/", escaped, NULL);

invalid:
  {
    g_autofree char *shown = jn_text_dup_bounded (id ? id : "", 80);

    g_set_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED,
                 _("the ENT %s has a user whose id “%s” cannot be used in an address: not read, "
                   "not written"),
                 self->base_url, shown);
    return NULL;
  }
}

gboolean
jn_scim_client_get_extension_missing (JnScimClient *self)
{
  g_return_val_if_fail (JN_IS_SCIM_CLIENT (self), FALSE);

  return self->extension_missing;
}

gint64
jn_scim_client_count_users (JnScimClient  *self,
                            const char    *uai,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_auto(Response) response = { 0 };
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *quoted = NULL;
  g_autofree char *filter = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;
  JsonNode *total;

  g_return_val_if_fail (JN_IS_SCIM_CLIENT (self), -1);
  g_return_val_if_fail (uai != NULL, -1);

  quoted = filter_string (uai);
  filter = g_strdup_printf ("%s:structures eq %s", self->extension_urn, quoted);
  escaped = g_uri_escape_string (filter, NULL, FALSE);
  path = g_strdup_printf ("/Users?filter=%s&startIndex=1&count=1", escaped);

  if (!send_read (self, path, &response, cancellable, error))
    return -1;
  if (response.status != 200)
    {
      set_status_error (self, &response, error);
      return -1;
    }

  root = parse_body (&response);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (total = json_object_get_member (json_node_get_object (root), "totalResults")) == NULL ||
      json_node_get_value_type (total) != G_TYPE_INT64 || json_node_get_int (total) < 0)
    {
      g_set_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED,
                   _("the ENT %s sent a page that is not a SCIM ListResponse"), self->base_url);
      return -1;
    }

  return json_node_get_int (total);
}

/* The number of users the ENT holds in all, or -1: to tell an empty establishment from a
 * filter the server does not apply */
static gint64
count_all_users (JnScimClient  *self,
                 GCancellable  *cancellable)
{
  g_auto(Response) response = { 0 };
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *path = users_path (self, "", 1, FALSE);
  JsonNode *total;

  if (!send_read (self, path, &response, cancellable, NULL) || response.status != 200 ||
      (root = parse_body (&response)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return -1;

  total = json_object_get_member (json_node_get_object (root), "totalResults");
  if (total == NULL || json_node_get_value_type (total) != G_TYPE_INT64)
    return -1;

  return json_node_get_int (total);
}

static void
add_reason (GString    *reasons,
            const char *reason)
{
  if (reasons->len > 0)
    g_string_append (reasons, "; ");
  g_string_append (reasons, reason);
}

/* Pages until one past totalResults: a count that lies shows there (new users: read on,
 * and the directory is not trusted whole); a page 1 sent again past the end, or an empty
 * page, ends cleanly. Never more than JN_DIRECTORY_MAX_USERS users or MAX_PAGES pages. */
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
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GString) doubts = g_string_new (NULL);
  guint start_index = 1;
  guint n_pages = 0;
  guint n_elsewhere = 0;
  gint64 total = -1;
  gint64 first_total = -1;
  gboolean count_lies = FALSE;
  gboolean count_changed = FALSE;
  gboolean start_beyond = FALSE;
  gboolean overlap = FALSE;

  for (;;)
    {
      g_auto(Response) response = { 0 };
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *path = users_path (self, uai, start_index, TRUE);
      g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr(GHashTable) page_ids = g_hash_table_new (g_str_hash, g_str_equal);
      JsonObject *object;
      JsonNode *node;
      JsonArray *resources = NULL;
      gint64 page_total, page_start = -1;
      guint n_new = 0;

      if (++n_pages > MAX_PAGES)
        {
          g_set_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED,
                       _("the ENT %s sends more than %u pages of users: given up"), self->base_url, MAX_PAGES);
          return NULL;
        }

      if (!send_read (self, path, &response, cancellable, error))
        return NULL;
      if (response.status != 200)
        {
          set_status_error (self, &response, error);
          return NULL;
        }

      root = parse_body (&response);
      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
          (node = json_object_get_member (json_node_get_object (root), "totalResults")) == NULL ||
          json_node_get_value_type (node) != G_TYPE_INT64 || json_node_get_int (node) < 0 ||
          ((resources = NULL),
           json_object_has_member (json_node_get_object (root), "Resources") &&
           !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (root), "Resources"))))
        {
          g_set_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED,
                       _("the ENT %s sent a page that is not a SCIM ListResponse"), self->base_url);
          return NULL;
        }
      object = json_node_get_object (root);
      page_total = json_node_get_int (node);
      if ((node = json_object_get_member (object, "startIndex")) != NULL &&
          json_node_get_value_type (node) == G_TYPE_INT64)
        page_start = json_node_get_int (node);
      if (json_object_has_member (object, "Resources"))
        resources = json_object_get_array_member (object, "Resources");

      /* Read the whole page before deciding */
      for (guint i = 0; resources != NULL && i < json_array_get_length (resources); i++)
        {
          JsonNode *element = json_array_get_element (resources, i);
          g_autoptr(GError) local_error = NULL;
          JnEntUser *user;

          if (!JSON_NODE_HOLDS_OBJECT (element) ||
              (user = jn_ent_user_new_from_json (json_node_get_object (element), self->extension_urn,
                                                 &local_error)) == NULL)
            {
              g_set_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED,
                           _("the ENT %s sent a user that cannot be read (position %u)"),
                           self->base_url, start_index + i);
              return NULL;
            }
          g_ptr_array_add (page, user);
          if (!g_hash_table_add (page_ids, (gpointer)jn_ent_user_get_id (user)))
            {
              g_autofree char *shown = jn_text_dup_bounded (jn_ent_user_get_id (user), 80);

              g_set_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED,
                           _("the ENT %s sent two users with the id “%s” in one page"),
                           self->base_url, shown);
              return NULL;
            }
          if (!g_hash_table_contains (seen, jn_ent_user_get_id (user)))
            n_new++;
        }

      if (total < 0)
        total = first_total = page_total;
      else if (page_total != total && page->len > 0 && !count_changed)
        {
          g_autofree char *before = g_strdup_printf ("%" G_GINT64_FORMAT, total);
          g_autofree char *after = g_strdup_printf ("%" G_GINT64_FORMAT, page_total);
          g_autofree char *reason = g_strdup_printf (_("its count of users changed during the read "
                                                       "(%s, then %s)"),
                                                     before, after);

          add_reason (doubts, reason);
          count_changed = TRUE;
        }
      if (page->len > 0)
        total = MAX (total, page_total);

      /* New users on a page that starts past the count: the count lies (page 1 again, as
       * some servers answer past the end, is the clean end below) */
      if (n_new > 0 && page_start > page_total && !start_beyond)
        {
          g_autofree char *start = g_strdup_printf ("%" G_GINT64_FORMAT, page_start);
          g_autofree char *announced = g_strdup_printf ("%" G_GINT64_FORMAT, page_total);
          g_autofree char *reason = g_strdup_printf (_("a page starts at %s beyond the %s users announced"),
                                                     start, announced);

          add_reason (doubts, reason);
          count_lies = start_beyond = TRUE;
        }

      if (page->len == 0 || n_new == 0)
        {
          /* Before the announced end: the server's paging cannot be followed */
          if ((guint64)start_index <= (guint64)total)
            {
              g_autofree char *announced = g_strdup_printf ("%" G_GINT64_FORMAT, total);

              if (page->len == 0)
                g_set_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED,
                             _("the ENT %s announced %s users but sent an empty page at %u"),
                             self->base_url, announced, start_index);
              else
                g_set_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED,
                             _("the ENT %s sends the same users again at position %u: its paging "
                               "cannot be followed, the directory would be incomplete"),
                             self->base_url, start_index);
              return NULL;
            }
          break;   /* past the end: empty, or page 1 again */
        }

      if ((guint64)start_index > (guint64)total)
        count_lies = TRUE;
      if (n_new < page->len && !overlap)
        {
          add_reason (doubts, _("its pages overlap"));
          overlap = TRUE;
        }

      if (g_hash_table_size (seen) + n_new > JN_DIRECTORY_MAX_USERS)
        {
          g_set_error (error, JN_ERROR, JN_ERROR_TOO_LARGE, _("the ENT %s sends more than %u users"),
                       self->base_url, JN_DIRECTORY_MAX_USERS);
          return NULL;
        }

      for (guint i = 0; i < page->len; i++)
        {
          JnEntUser *user = g_ptr_array_index (page, i);

          if (!g_hash_table_add (seen, g_strdup (jn_ent_user_get_id (user))))
            continue;
          /* A server that ignores the filter: users of other establishments stay out */
          if (!jn_ent_user_belongs_to (user, uai))
            n_elsewhere++;
          else
            jn_directory_add_user (directory, user);
        }

      if (progress != NULL)
        progress (MIN (g_hash_table_size (seen), (guint)MAX (total, g_hash_table_size (seen))),
                  (guint)MAX (total, g_hash_table_size (seen)), progress_data);

      start_index += page->len;
    }

  if (total >= 0 && g_hash_table_size (seen) < (guint64)total)
    {
      g_autofree char *announced = g_strdup_printf ("%" G_GINT64_FORMAT, total);

      g_set_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED,
                   _("the ENT %s announced %s users but sent %u different ones: the directory "
                     "would be incomplete"),
                   self->base_url, announced, g_hash_table_size (seen));
      return NULL;
    }

  if (count_lies && first_total != (gint64)g_hash_table_size (seen))
    {
      g_autofree char *announced = g_strdup_printf ("%" G_GINT64_FORMAT, first_total);
      g_autofree char *reason = g_strdup_printf (_("it announced %s users but sent %u"),
                                                 announced, g_hash_table_size (seen));

      add_reason (doubts, reason);
    }
  /* Left out, but not a doubt: every user was read, the filter applied here */
  if (n_elsewhere > 0)
    g_debug ("%u users of other establishments came with the filter (left out)", n_elsewhere);
  if (g_hash_table_size (seen) == 0)
    {
      gint64 all = count_all_users (self, cancellable);

      if (all > 0)
        {
          g_autofree char *held = g_strdup_printf ("%" G_GINT64_FORMAT, all);
          g_autofree char *reason = g_strdup_printf (_("no user matched the establishment %s while the ENT "
                                                       "holds %s users: its filter may not work"),
                                                     uai, held);

          add_reason (doubts, reason);
        }
    }

  if (doubts->len > 0)
    {
      g_autofree char *reason = g_strdup_printf (_("the directory read from %s may be incomplete: %s"),
                                                 self->base_url, doubts->str);

      g_debug ("%s", reason);
      jn_directory_set_complete (directory, FALSE, reason);
    }

  return g_steal_pointer (&directory);
}

static gboolean
is_version_safe (const char *version)
{
  return version == NULL || header_value_is_safe (version, MAX_HEADER_LENGTH);
}

/* @expected_id: the user asked for (or written); another one in the answer is refused */
static JnEntUser *
user_from_response (JnScimClient  *self,
                    Response      *response,
                    const char    *expected_id,
                    GError       **error)
{
  g_autoptr(JsonNode) root = parse_body (response);
  g_autoptr(JnEntUser) user = NULL;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (user = jn_ent_user_new_from_json (json_node_get_object (root), self->extension_urn, NULL)) == NULL)
    {
      g_set_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED,
                   _("the ENT %s sent a user that cannot be read"), self->base_url);
      return NULL;
    }

  if (expected_id != NULL && g_strcmp0 (jn_ent_user_get_id (user), expected_id) != 0)
    {
      g_autofree char *asked = jn_text_dup_bounded (expected_id, 80);
      g_autofree char *got = jn_text_dup_bounded (jn_ent_user_get_id (user), 80);

      g_set_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED,
                   _("the ENT %s answered for the user “%s” with another user, “%s”"),
                   self->base_url, asked, got);
      return NULL;
    }

  /* The ETag header is the version when the body has none; one unsafe to send back is
   * never adopted */
  if (jn_ent_user_get_version (user) == NULL && response->etag != NULL && is_version_safe (response->etag))
    jn_ent_user_set_version (user, response->etag);

  return g_steal_pointer (&user);
}

static JnEntUser *
jn_scim_client_read_user (JnEnt         *ent,
                          const char    *id,
                          GCancellable  *cancellable,
                          GError       **error)
{
  JnScimClient *self = JN_SCIM_CLIENT (ent);
  g_auto(Response) response = { 0 };
  g_autofree char *path = user_path (self, id, error);

  if (path == NULL)
    return NULL;

  if (!send_read (self, path, &response, cancellable, error))
    return NULL;

  if (response.status != 200)
    {
      set_status_error (self, &response, error);
      return NULL;
    }

  return user_from_response (self, &response, id, error);
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

/* Holds exactly @pronote_id for @uai, in one entry (or none when @pronote_id is NULL):
 * a user holding the establishment twice (two writers added at once) is not confirmed */
static gboolean
holds_exactly (JnEntUser  *user,
               const char *uai,
               const char *pronote_id)
{
  if (g_strcmp0 (jn_ent_user_get_pronote_id (user, uai), pronote_id) != 0)
    return FALSE;

  return pronote_id == NULL || jn_ent_user_count_pronote_ids (user, uai) == 1;
}

/* @whole: the whole array in any case (a repair of duplicate entries) */
static JsonNode *
build_patch (JnScimClient *self,
             JnEntUser    *user,
             const char   *uai,
             const char   *pronote_id,
             gboolean      whole_array)
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

  if (whole_array || (g_atomic_int_get (&self->whole_array_for) & patch_kind (user, uai, pronote_id)))
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
  g_autofree char *path = user_path (self, jn_ent_user_get_id (expected), error);
  g_autofree char *expected_value = g_strdup (jn_ent_user_get_pronote_id (expected, uai));
  g_autoptr(JnEntUser) current = g_object_ref (expected);
  /* Without ETags (or without a version for this user) nothing guards the write against a
   * change made since @expected was read: read it again first, and decide from what the
   * ENT holds now. */
  gboolean reread = !self->etag_supported || jn_ent_user_get_version (expected) == NULL;
  guint failures = 0;
  guint repairs = 0;
  gint64 started = g_get_monotonic_time ();

  if (path == NULL)
    return NULL;

  for (;;)
    {
      g_auto(Response) response = { 0 };
      g_autoptr(JsonNode) patch = NULL;
      g_autoptr(GError) local_error = NULL;
      gboolean sent_whole;
      gboolean repair = FALSE;
      const char *now;

      if (reread)
        {
          g_clear_object (&current);
          current = jn_scim_client_read_user (ent, jn_ent_user_get_id (expected), cancellable, error);
          if (current == NULL)
            return NULL;
          reread = FALSE;
        }

      /* Decide from what the ENT holds: done already (nothing is sent), still as planned,
       * or changed. The identifier held in more than one entry for the establishment (two
       * writers added it at once, and the server appended twice) is done only once
       * repaired: the whole array written again with one entry for it, the entries of
       * other establishments as they are, guarded by If-Match where the ENT has versions. */
      now = jn_ent_user_get_pronote_id (current, uai);
      if (holds_exactly (current, uai, pronote_id))
        return g_steal_pointer (&current);
      if (g_strcmp0 (now, pronote_id) == 0)
        {
          if (repairs++ >= MAX_REPAIRS)
            {
              g_set_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED,
                           _("the ENT holds the identifier of user “%s” for %s in %u entries and "
                             "did not keep the repair to one entry: not confirmed, check this user "
                             "in the ENT"),
                           jn_ent_user_get_id (expected), uai, jn_ent_user_count_pronote_ids (current, uai));
              return NULL;
            }
          g_debug ("User %s holds %u entries for %s: repairing", jn_ent_user_get_id (expected),
                   jn_ent_user_count_pronote_ids (current, uai), uai);
          repair = TRUE;
        }
      else if (g_strcmp0 (now, expected_value) != 0)
        {
          g_set_error (error, JN_ERROR, JN_ERROR_ENT_STALE,
                       _("the user “%s” was changed in the ENT meanwhile (its identifier is now %s): "
                         "not overwritten"),
                       jn_ent_user_get_id (expected), now ? now : _("none"));
          return NULL;
        }

      /* Duplicate entries, of the old value too: only the whole array says which one stays */
      repair = repair || jn_ent_user_count_pronote_ids (current, uai) > 1;
      sent_whole = repair ||
                   (g_atomic_int_get (&self->whole_array_for) & patch_kind (current, uai, pronote_id)) != 0;
      patch = build_patch (self, current, uai, pronote_id, repair);
      if (!send_once (self, "PATCH", path, patch, jn_ent_user_get_version (current), &response,
                      cancellable, &local_error))
        {
          /* No answer: the write may or may not have happened. Read before deciding. */
          if (is_final_error (local_error) || ++failures >= self->max_attempts)
            {
              set_network_error (self, local_error, error);
              return NULL;
            }
          if (!wait_to_retry (self, failures, NULL, started, cancellable, error))
            return NULL;
          reread = TRUE;
          continue;
        }

      switch (response.status)
        {
        case 200:
          {
            g_autoptr(JnEntUser) written = user_from_response (self, &response, jn_ent_user_get_id (expected), NULL);

            /* Some servers drop unknown attributes silently: confirm from the resource,
             * if it is the user written to; else (another user's resource, or one that
             * cannot be read) from the user read again. Held twice: repaired (above). */
            if (written != NULL && holds_exactly (written, uai, pronote_id))
              return g_steal_pointer (&written);
            if (written != NULL && g_strcmp0 (jn_ent_user_get_pronote_id (written, uai), pronote_id) == 0)
              {
                g_set_object (&current, written);
                continue;
              }
          }
          G_GNUC_FALLTHROUGH;
        case 204:
          {
            g_autoptr(JnEntUser) reread_user = jn_scim_client_read_user (ent, jn_ent_user_get_id (expected),
                                                                          cancellable, error);
            if (reread_user == NULL)
              return NULL;
            if (holds_exactly (reread_user, uai, pronote_id))
              return g_steal_pointer (&reread_user);
            if (g_strcmp0 (jn_ent_user_get_pronote_id (reread_user, uai), pronote_id) == 0)
              {
                g_set_object (&current, reread_user);
                continue;
              }
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
              if (!wait_to_retry (self, failures, response.retry_after, started, cancellable, error))
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
        g_autofree char *quoted = filter_string (jn_ent_user_get_id (writes[i].user));

        g_string_append_printf (filter, "%sid eq %s", n_accepted++ ? " or " : "", quoted);
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
      if (now != NULL && holds_exactly (now, writes[i].uai, writes[i].pronote_id))
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
  guint n_operations = 0;
  gint64 started = g_get_monotonic_time ();

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
      g_autofree char *op_path = NULL;

      if (writes[i].error != NULL)
        continue;
      if (!is_version_safe (jn_ent_user_get_version (writes[i].user)))
        {
          g_set_error (&writes[i].error, JN_ERROR, JN_ERROR_ENT_REFUSED,
                       _("the ENT %s gave a version (ETag) with control characters: it cannot be "
                         "sent back, nothing was written"),
                       self->base_url);
          continue;
        }
      op_path = user_path (self, jn_ent_user_get_id (writes[i].user), &writes[i].error);
      if (op_path == NULL)
        continue;

      n_operations++;
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "method");
      json_builder_add_string_value (builder, "PATCH");
      json_builder_set_member_name (builder, "bulkId");
      json_builder_add_string_value (builder, bulk_id);
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, op_path);
      if (self->etag_supported && jn_ent_user_get_version (writes[i].user) != NULL)
        {
          json_builder_set_member_name (builder, "version");
          json_builder_add_string_value (builder, jn_ent_user_get_version (writes[i].user));
        }
      json_builder_set_member_name (builder, "data");
      json_builder_add_value (builder, build_patch (self, writes[i].user, writes[i].uai, writes[i].pronote_id,
                                                    jn_ent_user_count_pronote_ids (writes[i].user, writes[i].uai) > 1));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  request = json_builder_get_root (builder);
  if (n_operations == 0)
    return TRUE;   /* each write has its error */

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
          if (!wait_to_retry (self, attempt, response.retry_after, started, cancellable, error))
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
              g_autofree char *detail = body ? jn_text_dup_bounded (json_object_get_string_member_with_default (body, "detail", NULL),
                                                                    MAX_DETAIL_CHARS)
                                             : NULL;
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
