/* test-scim-faults.c: the SCIM client and the push against an in-process SCIM server
 * that fails on purpose: 5xx, 429, dropped connections, time-outs, 412, 409, 401,
 * invalidPath, silently dropped writes.
 *
 * The server runs in its own thread with its own GMainContext: the client's calls are
 * synchronous and block the test thread (and the push's worker threads).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "jn-error.h"
#include "jn-export.h"
#include "jn-matcher.h"
#include "jn-push.h"
#include "jn-scim-client.h"
#include "jn-store.h"
#include "jn-user-edit.h"

#include "journal-edit.h"

#define UAI "0312609T"
#define OTHER_UAI "0999999X"
#define EXT JN_DEFAULT_EXTENSION_URN
#define TOKEN "test-token-0123456789"
#define SCIM_JSON "application/scim+json"
#define BASE_PATH "/scim/v2"
#define USERS_PATH BASE_PATH "/Users"

/* ---- the fault script ---- */

typedef enum
{
  FAULT_STATUS,             /* answers @status, does nothing */
  FAULT_APPLY_THEN_STATUS,  /* does the work, then answers @status: the answer is lost */
  FAULT_DROP,               /* closes the connection without answering, does nothing */
  FAULT_APPLY_THEN_DROP,    /* does the work, then closes the connection without answering */
  FAULT_SLOW,               /* does the work, answers after @delay_ms */
  FAULT_IGNORE,             /* PATCH: answers 200 with the resource as it was (write dropped) */
  FAULT_RAW,                /* answers @status with @body_kind (and @location when given) */
  FAULT_OTHER_USER,         /* PATCH: answers 200 with @other_id's resource, does nothing */
  FAULT_APPLY_THEN_OTHER_USER, /* PATCH: does the work, answers with @other_id's resource */
  FAULT_STREAM,             /* does the work, sends @stream_ticks chunks of @stream_chunk
                               spaces every @delay_ms ms, then the answer (chunked) */
  FAULT_GZIP,               /* does the work, answers gzip-compressed after @stream_chunk spaces */
  FAULT_CONCURRENT_ADD,     /* PATCH: another writer appends {UAI, @concurrent_value} to the
                               user's pronoteIds just before this request is handled (or just
                               after, with @concurrent_after), as two clients adding at once */
} FaultAction;

typedef enum
{
  BODY_TEXT,                /* @body */
  BODY_DEEP_ARRAYS,         /* 100,000 '[' */
  BODY_DEEP_OBJECTS,        /* 100,000 '{"a":' */
  BODY_PADDED,              /* 40 MiB of spaces, then @body */
} BodyKind;

typedef struct
{
  const char  *method;      /* NULL: any */
  const char  *path;        /* NULL: any; else the exact path */
  guint        first;       /* fires from the first-th matching request on (1-based) */
  guint        times;       /* 0: every time from then on */
  FaultAction  action;
  guint        status;
  const char  *retry_after;
  const char  *scim_type;
  const char  *detail;
  guint        delay_ms;
  BodyKind     body_kind;
  const char  *body;
  const char  *location;
  const char  *other_id;
  guint        stream_ticks;
  gsize        stream_chunk;
  const char  *content_encoding;  /* FAULT_RAW: sent as Content-Encoding */
  const char  *concurrent_value;
  gboolean     concurrent_after;

  /* Counters, kept by the server */
  guint        seen;
  guint        fired;
  char        *fired_path;  /* the path of the first request it fired on */
} Fault;

/* ---- the server ---- */

typedef struct
{
  GMutex        mutex;
  GCond         cond;

  /* Under @mutex: configuration */
  gboolean      etag;
  gboolean      reject_filtered;   /* 400 invalidPath to filtered PATCH paths */
  gboolean      patch_no_content;  /* a PATCH answers 204 without body */
  gboolean      ignore_start_index;/* always page 1 (express 5 under scimmy-routers) */
  gboolean      bulk;              /* ServiceProviderConfig offers Bulk */
  guint         page_cap;
  int           total_mode;        /* TotalMode: how totalResults lies */
  gboolean      empty_past_end;    /* past the end: an empty page (not page 1 again) */
  gboolean      echo_start_index;  /* page 1 again says the startIndex asked (as scimmy) */
  gboolean      filter_nobody;     /* the structures filter matches nobody */
  gboolean      ignore_filter;     /* every user, whatever the filter */
  char         *token;
  GArray       *faults;            /* Fault */

  /* Under @mutex: the data */
  GPtrArray    *ids;               /* user ids, in creation order */
  GHashTable   *users;             /* id → JsonObject */
  GHashTable   *versions;          /* id → version number */
  GHashTable   *applied;           /* id → number of PATCHes applied */
  GHashTable   *reads;             /* id → number of GET /Users/{id} answered */

  /* Under @mutex: what happened */
  guint         n_requests;
  guint         n_patch;           /* PATCH requests received, answered or not */
  guint         n_list_pages;
  guint         n_config;          /* GET /ServiceProviderConfig received */
  guint         max_start_index;
  guint         n_412;
  guint         n_invalid_path;
  guint         n_unauthorized;
  guint         n_authorization;   /* requests that came with any Authorization header */
  gboolean      accept_encoding;   /* a request asked for compressed answers */

  /* The server thread */
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *server;            /* server thread only */
  GPtrArray    *delayed;           /* Delayed, server thread only */
  GPtrArray    *streamed;          /* Streamed, server thread only */
  char         *base_url;
  gboolean      ready;
} Server;

typedef struct
{
  Server            *server;
  SoupServerMessage *msg;
  GSource           *source;
  gulong             disconnected_id;
  gboolean           disconnected;
} Delayed;

typedef enum
{
  TOTAL_TRUE,
  TOTAL_PAGE_SIZE,          /* totalResults = the number of users in the page */
  TOTAL_ZERO,
  TOTAL_BELOW_START,        /* after page 1: totalResults = startIndex - 1 */
} TotalMode;

typedef struct
{
  guint     status;
  char     *body;
  gsize     body_length;    /* 0: strlen (body) */
  char     *etag;
  char     *retry_after;
  char     *location;
  char     *content_encoding;
  gboolean  drop;
  guint     delay_ms;
  guint     stream_ticks;
  gsize     stream_chunk;
} Answer;

static void
answer_clear (Answer *answer)
{
  g_clear_pointer (&answer->body, g_free);
  g_clear_pointer (&answer->etag, g_free);
  g_clear_pointer (&answer->retry_after, g_free);
  g_clear_pointer (&answer->location, g_free);
  g_clear_pointer (&answer->content_encoding, g_free);
  answer->body_length = 0;
}

static char *
make_body (BodyKind    kind,
           const char *text)
{
  GString *body = g_string_new (NULL);

  switch (kind)
    {
    case BODY_TEXT:
      g_string_append (body, text ? text : "");
      break;
    case BODY_DEEP_ARRAYS:
      for (guint i = 0; i < 100000; i++)
        g_string_append_c (body, '[');
      break;
    case BODY_DEEP_OBJECTS:
      for (guint i = 0; i < 100000; i++)
        g_string_append (body, "{\"a\":");
      break;
    case BODY_PADDED:
      g_string_set_size (body, 40 * 1024 * 1024);
      memset (body->str, ' ', body->len);
      g_string_append (body, text ? text : "");
      break;
    }

  return g_string_free (body, FALSE);
}

static char *
gzip_text (const char *text,
           gsize       padding,
           gsize      *length)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 9);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) out = g_converter_output_stream_new (memory, G_CONVERTER (compressor));
  g_autofree char *spaces = g_malloc (1024 * 1024);

  memset (spaces, ' ', 1024 * 1024);
  for (gsize done = 0; done < padding; done += 1024 * 1024)
    g_assert_true (g_output_stream_write_all (out, spaces, MIN (1024 * 1024, padding - done), NULL, NULL, NULL));
  g_assert_true (g_output_stream_write_all (out, text, strlen (text), NULL, NULL, NULL));
  g_assert_true (g_output_stream_close (out, NULL, NULL));

  *length = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (memory));
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (memory));
}

static void
fault_clear (Fault *fault)
{
  g_clear_pointer (&fault->fired_path, g_free);
}

static char *
error_body (guint       status,
            const char *scim_type,
            const char *detail)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *status_text = g_strdup_printf ("%u", status);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "schemas");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "urn:ietf:params:scim:api:messages:2.0:Error");
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, status_text);
  if (scim_type != NULL)
    {
      json_builder_set_member_name (builder, "scimType");
      json_builder_add_string_value (builder, scim_type);
    }
  json_builder_set_member_name (builder, "detail");
  json_builder_add_string_value (builder, detail ? detail : soup_status_get_phrase (status));
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static void
answer_error (Answer     *answer,
              guint       status,
              const char *scim_type,
              const char *detail)
{
  answer_clear (answer);
  answer->status = status;
  answer->body = error_body (status, scim_type, detail);
}

/* ---- the user table (under the mutex) ---- */

static char *
version_string (guint version)
{
  return g_strdup_printf ("W/\"%u\"", version);
}

static JsonObject *
user_extension (JsonObject *user)
{
  if (!json_object_has_member (user, EXT))
    json_object_set_object_member (user, EXT, json_object_new ());
  return json_object_get_object_member (user, EXT);
}

typedef struct
{
  char *uai;
  char *value;
} Entry;

static void
entry_clear (gpointer data)
{
  Entry *entry = data;

  g_free (entry->uai);
  g_free (entry->value);
}

static GArray *
entries_new (void)
{
  GArray *entries = g_array_new (FALSE, TRUE, sizeof (Entry));

  g_array_set_clear_func (entries, entry_clear);
  return entries;
}

static void
entries_append (GArray     *entries,
                const char *uai,
                const char *value)
{
  Entry entry = { g_strdup (uai), g_strdup (value) };

  g_array_append_val (entries, entry);
}

static GArray *
user_get_entries (JsonObject *user)
{
  GArray *entries = entries_new ();
  JsonObject *extension = user_extension (user);
  JsonArray *array;

  if (!json_object_has_member (extension, "pronoteIds"))
    return entries;

  array = json_object_get_array_member (extension, "pronoteIds");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);

      entries_append (entries,
                      json_object_get_string_member_with_default (object, "uai", NULL),
                      json_object_get_string_member_with_default (object, "value", NULL));
    }

  return entries;
}

static void
user_set_entries (JsonObject *user,
                  GArray     *entries)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < entries->len; i++)
    {
      Entry *entry = &g_array_index (entries, Entry, i);
      JsonObject *object = json_object_new ();

      json_object_set_string_member (object, "uai", entry->uai);
      json_object_set_string_member (object, "value", entry->value);
      json_array_add_object_element (array, object);
    }

  json_object_set_array_member (user_extension (user), "pronoteIds", array);
}

static int
entries_find (GArray     *entries,
              const char *uai)
{
  for (guint i = 0; i < entries->len; i++)
    if (g_strcmp0 (g_array_index (entries, Entry, i).uai, uai) == 0)
      return (int)i;

  return -1;
}

/* A write: the version moves on, meta.version follows when ETags are on */
static void
user_bump_version (Server     *server,
                   const char *id)
{
  JsonObject *user = g_hash_table_lookup (server->users, id);
  guint version = GPOINTER_TO_UINT (g_hash_table_lookup (server->versions, id)) + 1;

  g_hash_table_insert (server->versions, g_strdup (id), GUINT_TO_POINTER (version));
  if (server->etag)
    {
      JsonObject *meta = json_object_new ();
      g_autofree char *text = version_string (version);

      json_object_set_string_member (meta, "resourceType", "User");
      json_object_set_string_member (meta, "version", text);
      json_object_set_object_member (user, "meta", meta);
    }
  else if (json_object_has_member (user, "meta"))
    {
      json_object_remove_member (user, "meta");
    }
}

static void
answer_user (Server     *server,
             Answer     *answer,
             const char *id)
{
  JsonObject *user = g_hash_table_lookup (server->users, id);
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), user);

  answer_clear (answer);
  answer->status = SOUP_STATUS_OK;
  answer->body = json_to_string (node, FALSE);
  if (server->etag)
    answer->etag = version_string (GPOINTER_TO_UINT (g_hash_table_lookup (server->versions, id)));
}

/* ---- the SCIM routes (under the mutex) ---- */

static void
route_config (Server *server,
              Answer *answer)
{
  answer->status = SOUP_STATUS_OK;
  answer->body = g_strdup_printf ("{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig\"],"
                                  "\"patch\":{\"supported\":true},"
                                  "\"bulk\":{\"supported\":%s,\"maxOperations\":10,\"maxPayloadSize\":1048576},"
                                  "\"filter\":{\"supported\":true,\"maxResults\":%u},"
                                  "\"changePassword\":{\"supported\":false},"
                                  "\"sort\":{\"supported\":false},"
                                  "\"etag\":{\"supported\":%s},"
                                  "\"authenticationSchemes\":[{\"type\":\"oauthbearertoken\",\"name\":\"Bearer\"}]}",
                                  server->bulk ? "true" : "false", server->page_cap, server->etag ? "true" : "false");
}

static gboolean
user_in_structure (JsonObject *user,
                   const char *uai)
{
  JsonObject *extension = user_extension (user);
  JsonArray *structures;

  if (!json_object_has_member (extension, "structures"))
    return FALSE;

  structures = json_object_get_array_member (extension, "structures");
  for (guint i = 0; i < json_array_get_length (structures); i++)
    if (g_strcmp0 (json_array_get_string_element (structures, i), uai) == 0)
      return TRUE;

  return FALSE;
}

static guint
query_uint (GHashTable *query,
            const char *name,
            guint       fallback)
{
  const char *text = query ? g_hash_table_lookup (query, name) : NULL;
  guint64 value;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT, &value, NULL))
    return fallback;
  return (guint)value;
}

static void
route_list (Server     *server,
            GHashTable *query,
            Answer     *answer)
{
  const char *filter = query ? g_hash_table_lookup (query, "filter") : NULL;
  const char *prefix = EXT ":structures eq \"";
  g_autofree char *uai = NULL;
  g_autoptr(GPtrArray) matching = g_ptr_array_new ();
  g_autoptr(JsonArray) resources = json_array_new ();
  g_autoptr(JsonObject) list = json_object_new ();
  g_autoptr(JsonNode) node = NULL;
  guint start_index, asked_start_index, count;

  server->n_list_pages++;

  /* The wrapper evaluates this one filter itself (as the scimmy peer needs); no filter:
   * every user */
  if (filter != NULL && (!g_str_has_prefix (filter, prefix) || !g_str_has_suffix (filter, "\"") ||
                         strlen (filter) <= strlen (prefix) + 1))
    {
      answer_error (answer, SOUP_STATUS_BAD_REQUEST, "invalidFilter", "unsupported filter");
      return;
    }
  if (filter != NULL && !server->ignore_filter)
    uai = g_strndup (filter + strlen (prefix), strlen (filter) - strlen (prefix) - 1);

  for (guint i = 0; i < server->ids->len; i++)
    {
      const char *id = g_ptr_array_index (server->ids, i);

      if (uai == NULL || (!server->filter_nobody && user_in_structure (g_hash_table_lookup (server->users, id), uai)))
        g_ptr_array_add (matching, (gpointer)id);
    }

  start_index = MAX (query_uint (query, "startIndex", 1), 1);
  count = MIN (query_uint (query, "count", server->page_cap), server->page_cap);
  server->max_start_index = MAX (server->max_start_index, start_index);

  asked_start_index = start_index;
  /* The quirk of a real server: past the end, page 1 again */
  if ((start_index > matching->len && !server->empty_past_end) || server->ignore_start_index)
    start_index = 1;

  for (guint i = start_index - 1; i < matching->len && i < start_index - 1 + count; i++)
    {
      JsonObject *user = g_hash_table_lookup (server->users, g_ptr_array_index (matching, i));

      json_array_add_object_element (resources, json_object_ref (user));
    }

  {
    JsonArray *schemas = json_array_new ();

    json_array_add_string_element (schemas, "urn:ietf:params:scim:api:messages:2.0:ListResponse");
    json_object_set_array_member (list, "schemas", schemas);
  }
  switch ((TotalMode)server->total_mode)
    {
    case TOTAL_TRUE:
      json_object_set_int_member (list, "totalResults", matching->len);
      break;
    case TOTAL_PAGE_SIZE:
      json_object_set_int_member (list, "totalResults", json_array_get_length (resources));
      break;
    case TOTAL_ZERO:
      json_object_set_int_member (list, "totalResults", 0);
      break;
    case TOTAL_BELOW_START:
      json_object_set_int_member (list, "totalResults", start_index > 1 ? start_index - 1 : matching->len);
      break;
    }
  json_object_set_int_member (list, "startIndex", server->echo_start_index ? asked_start_index : start_index);
  json_object_set_int_member (list, "itemsPerPage", json_array_get_length (resources));
  json_object_set_array_member (list, "Resources", json_array_ref (resources));

  node = json_node_init_object (json_node_alloc (), list);
  answer->status = SOUP_STATUS_OK;
  answer->body = json_to_string (node, FALSE);
}

/* Splits "EXT:pronoteIds", "EXT:pronoteIds[uai eq "X"]" and "…].value" */
static gboolean
parse_patch_path (const char  *path,
                  char       **uai,
                  gboolean    *value_only)
{
  const char *whole = EXT ":pronoteIds";
  const char *filter = "[uai eq \"";
  const char *rest, *end;

  *uai = NULL;
  *value_only = FALSE;

  if (path == NULL || !g_str_has_prefix (path, whole))
    return FALSE;

  rest = path + strlen (whole);
  if (*rest == '\0')
    return TRUE;
  if (!g_str_has_prefix (rest, filter))
    return FALSE;

  rest += strlen (filter);
  end = strstr (rest, "\"]");
  if (end == NULL || end == rest)
    return FALSE;

  if (g_str_equal (end + 2, ".value"))
    *value_only = TRUE;
  else if (end[2] != '\0')
    return FALSE;

  *uai = g_strndup (rest, end - rest);
  return TRUE;
}

static void
route_patch (Server            *server,
             SoupServerMessage *msg,
             const char        *id,
             gboolean           ignore,
             Answer            *answer)
{
  JsonObject *user = g_hash_table_lookup (server->users, id);
  const char *if_match = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "If-Match");
  g_autoptr(GBytes) bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_autofree char *current_version = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GArray) entries = NULL;
  JsonObject *patch;
  JsonArray *operations;

  if (user == NULL)
    {
      answer_error (answer, SOUP_STATUS_NOT_FOUND, NULL, "no such user");
      return;
    }

  if (ignore)
    {
      answer_user (server, answer, id);
      return;
    }

  current_version = version_string (GPOINTER_TO_UINT (g_hash_table_lookup (server->versions, id)));
  if (server->etag && if_match != NULL && !g_str_equal (if_match, "*") &&
      !g_str_equal (if_match, current_version))
    {
      server->n_412++;
      answer_error (answer, SOUP_STATUS_PRECONDITION_FAILED, NULL, "the resource changed");
      return;
    }

  root = json_from_string (text, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member ((patch = json_node_get_object (root)), "Operations") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (patch, "Operations")))
    {
      answer_error (answer, SOUP_STATUS_BAD_REQUEST, "invalidSyntax", "not a PatchOp");
      return;
    }

  /* All operations, or none */
  entries = user_get_entries (user);
  operations = json_object_get_array_member (patch, "Operations");
  for (guint i = 0; i < json_array_get_length (operations); i++)
    {
      JsonObject *operation = json_array_get_object_element (operations, i);
      const char *op = json_object_get_string_member_with_default (operation, "op", "");
      const char *path = json_object_get_string_member_with_default (operation, "path", NULL);
      JsonNode *value = json_object_get_member (operation, "value");
      g_autofree char *uai = NULL;
      gboolean value_only;
      int index;

      if (!parse_patch_path (path, &uai, &value_only))
        {
          server->n_invalid_path++;
          answer_error (answer, SOUP_STATUS_BAD_REQUEST, "invalidPath", "unknown path");
          return;
        }
      if (uai != NULL && server->reject_filtered)
        {
          server->n_invalid_path++;
          answer_error (answer, SOUP_STATUS_BAD_REQUEST, "invalidPath",
                        "filtered paths are not supported on this attribute");
          return;
        }

      if (g_ascii_strcasecmp (op, "add") == 0 && uai == NULL && value && JSON_NODE_HOLDS_ARRAY (value))
        {
          JsonArray *array = json_node_get_array (value);

          for (guint k = 0; k < json_array_get_length (array); k++)
            {
              JsonObject *object = json_array_get_object_element (array, k);

              entries_append (entries,
                              json_object_get_string_member_with_default (object, "uai", NULL),
                              json_object_get_string_member_with_default (object, "value", NULL));
            }
        }
      else if (g_ascii_strcasecmp (op, "replace") == 0 && uai == NULL && value && JSON_NODE_HOLDS_ARRAY (value))
        {
          JsonArray *array = json_node_get_array (value);

          g_array_set_size (entries, 0);
          for (guint k = 0; k < json_array_get_length (array); k++)
            {
              JsonObject *object = json_array_get_object_element (array, k);

              entries_append (entries,
                              json_object_get_string_member_with_default (object, "uai", NULL),
                              json_object_get_string_member_with_default (object, "value", NULL));
            }
        }
      else if (g_ascii_strcasecmp (op, "replace") == 0 && uai != NULL && value_only &&
               value && JSON_NODE_HOLDS_VALUE (value) && json_node_get_string (value) != NULL)
        {
          index = entries_find (entries, uai);
          if (index < 0)
            {
              answer_error (answer, SOUP_STATUS_BAD_REQUEST, "noTarget", "no entry for this UAI");
              return;
            }
          g_free (g_array_index (entries, Entry, index).value);
          g_array_index (entries, Entry, index).value = g_strdup (json_node_get_string (value));
        }
      else if (g_ascii_strcasecmp (op, "remove") == 0 && uai != NULL && !value_only)
        {
          if (entries_find (entries, uai) < 0)
            {
              answer_error (answer, SOUP_STATUS_BAD_REQUEST, "noTarget", "no entry for this UAI");
              return;
            }
          while ((index = entries_find (entries, uai)) >= 0)
            g_array_remove_index (entries, index);
        }
      else
        {
          server->n_invalid_path++;
          answer_error (answer, SOUP_STATUS_BAD_REQUEST, "invalidPath", "unsupported operation");
          return;
        }
    }

  user_set_entries (user, entries);
  user_bump_version (server, id);
  g_hash_table_insert (server->applied, g_strdup (id),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (server->applied, id)) + 1));

  answer_user (server, answer, id);
  if (server->patch_no_content)
    {
      g_clear_pointer (&answer->body, g_free);
      answer->status = SOUP_STATUS_NO_CONTENT;
    }
}

static void
route (Server            *server,
       SoupServerMessage *msg,
       const char        *method,
       const char        *path,
       GHashTable        *query,
       gboolean           ignore,
       Answer            *answer)
{
  if (g_str_equal (path, BASE_PATH "/ServiceProviderConfig") && g_str_equal (method, "GET"))
    {
      route_config (server, answer);
    }
  else if (g_str_equal (path, BASE_PATH "/Schemas") && g_str_equal (method, "GET"))
    {
      answer->status = SOUP_STATUS_OK;
      answer->body = g_strdup ("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:ListResponse\"],"
                               "\"totalResults\":2,\"Resources\":["
                               "{\"id\":\"urn:ietf:params:scim:schemas:core:2.0:User\",\"name\":\"User\"},"
                               "{\"id\":\"" EXT "\",\"name\":\"EntUser\"}]}");
    }
  else if (g_str_equal (path, USERS_PATH) && g_str_equal (method, "GET"))
    {
      route_list (server, query, answer);
    }
  else if (g_str_has_prefix (path, USERS_PATH "/"))
    {
      const char *id = path + strlen (USERS_PATH "/");

      if (g_str_equal (method, "PATCH"))
        route_patch (server, msg, id, ignore, answer);
      else if (!g_str_equal (method, "GET"))
        answer_error (answer, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL, NULL);
      else if (g_hash_table_lookup (server->users, id) == NULL)
        answer_error (answer, SOUP_STATUS_NOT_FOUND, NULL, "no such user");
      else
        {
          g_hash_table_insert (server->reads, g_strdup (id),
                               GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (server->reads, id)) + 1));
          answer_user (server, answer, id);
        }
    }
  else
    {
      answer_error (answer, SOUP_STATUS_NOT_FOUND, NULL, NULL);
    }
}

/* The first fault that fires for this request, copied into @fault */
static gboolean
pick_fault (Server     *server,
            const char *method,
            const char *path,
            Fault      *fault)
{
  gboolean picked = FALSE;

  for (guint i = 0; i < server->faults->len; i++)
    {
      Fault *candidate = &g_array_index (server->faults, Fault, i);

      if ((candidate->method != NULL && !g_str_equal (candidate->method, method)) ||
          (candidate->path != NULL && !g_str_equal (candidate->path, path)))
        continue;

      candidate->seen++;
      if (picked || candidate->seen < MAX (candidate->first, 1) ||
          (candidate->times != 0 && candidate->fired >= candidate->times))
        continue;

      candidate->fired++;
      if (candidate->fired_path == NULL)
        candidate->fired_path = g_strdup (path);
      *fault = *candidate;
      fault->fired_path = NULL;
      picked = TRUE;
    }

  return picked;
}

/* ---- the server thread ---- */

static void
delayed_free (Delayed *delayed)
{
  if (delayed->source != NULL)
    {
      g_source_destroy (delayed->source);
      g_source_unref (delayed->source);
    }
  g_clear_signal_handler (&delayed->disconnected_id, delayed->msg);
  g_object_unref (delayed->msg);
  g_free (delayed);
}

static void
delayed_disconnected_cb (SoupServerMessage *msg,
                         gpointer           data)
{
  Delayed *delayed = data;

  delayed->disconnected = TRUE;
}

static gboolean
delayed_answer_cb (gpointer data)
{
  Delayed *delayed = data;

  if (!delayed->disconnected)
    soup_server_message_unpause (delayed->msg);

  g_clear_pointer (&delayed->source, g_source_unref);
  g_ptr_array_remove_fast (delayed->server->delayed, delayed);
  delayed_free (delayed);

  return G_SOURCE_REMOVE;
}

static gboolean
drop_connection_cb (gpointer data)
{
  SoupServerMessage *msg = data;
  g_autoptr(GIOStream) stream = soup_server_message_steal_connection (msg);

  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);

  return G_SOURCE_REMOVE;
}

/* An answer sent in chunks, one each tick, then its tail */
typedef struct
{
  Server            *server;
  SoupServerMessage *msg;
  GSource           *source;
  gulong             disconnected_id;
  guint              ticks;
  gsize              chunk;
  char              *tail;
  gboolean           done;
} Streamed;

static void
streamed_stop (Streamed *streamed)
{
  if (streamed->source != NULL)
    {
      g_source_destroy (streamed->source);
      g_clear_pointer (&streamed->source, g_source_unref);
    }
  g_clear_signal_handler (&streamed->disconnected_id, streamed->msg);
  streamed->done = TRUE;
}

static void
streamed_free (Streamed *streamed)
{
  streamed_stop (streamed);
  g_object_unref (streamed->msg);
  g_free (streamed->tail);
  g_free (streamed);
}

static void
streamed_disconnected_cb (SoupServerMessage *msg,
                          gpointer           data)
{
  streamed_stop (data);
}

static gboolean
streamed_tick_cb (gpointer data)
{
  Streamed *streamed = data;
  SoupMessageBody *body = soup_server_message_get_response_body (streamed->msg);

  if (streamed->ticks > 0)
    {
      char *spaces = g_malloc (streamed->chunk);

      memset (spaces, ' ', streamed->chunk);
      soup_message_body_append (body, SOUP_MEMORY_TAKE, spaces, streamed->chunk);
      streamed->ticks--;
    }
  else
    {
      if (streamed->tail != NULL)
        soup_message_body_append (body, SOUP_MEMORY_COPY, streamed->tail, strlen (streamed->tail));
      soup_message_body_complete (body);
      soup_server_message_unpause (streamed->msg);
      g_clear_pointer (&streamed->source, g_source_unref);
      streamed_stop (streamed);
      return G_SOURCE_REMOVE;
    }
  soup_server_message_unpause (streamed->msg);

  return G_SOURCE_CONTINUE;
}

/* Another writer's add, appended as the Node test server does (under the server's lock) */
static void
server_append_locked (Server     *server,
                      const char *id,
                      const char *uai,
                      const char *value)
{
  JsonObject *user = g_hash_table_lookup (server->users, id);
  g_autoptr(GArray) entries = NULL;

  if (user == NULL)
    return;
  entries = user_get_entries (user);
  entries_append (entries, uai, value);
  user_set_entries (user, entries);
  user_bump_version (server, id);
}

static void
server_handler_cb (SoupServer        *soup_server,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           data)
{
  Server *server = data;
  const char *method = soup_server_message_get_method (msg);
  const char *authorization = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                            "Authorization");
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autofree char *expected = NULL;
  Answer answer = { 0 };
  Fault fault = { 0 };
  gboolean faulty;

  g_mutex_lock (&server->mutex);
  server->n_requests++;
  if (authorization != NULL)
    server->n_authorization++;
  if (soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Accept-Encoding") != NULL)
    server->accept_encoding = TRUE;
  if (g_str_equal (method, "PATCH"))
    server->n_patch++;
  if (g_str_equal (path, BASE_PATH "/ServiceProviderConfig"))
    server->n_config++;
  expected = g_strconcat ("Bearer ", server->token, NULL);
  faulty = pick_fault (server, method, path, &fault);

  if (g_strcmp0 (authorization, expected) != 0)
    {
      server->n_unauthorized++;
      answer_error (&answer, SOUP_STATUS_UNAUTHORIZED, NULL, "invalid bearer token");
    }
  else if (faulty && fault.action == FAULT_STATUS)
    {
      answer_error (&answer, fault.status, fault.scim_type, fault.detail);
      answer.retry_after = g_strdup (fault.retry_after);
    }
  else if (faulty && fault.action == FAULT_DROP)
    {
      answer.drop = TRUE;
    }
  else if (faulty && fault.action == FAULT_RAW)
    {
      answer.status = fault.status;
      answer.body = make_body (fault.body_kind, fault.body);
      answer.location = g_strdup (fault.location);
      answer.retry_after = g_strdup (fault.retry_after);
      answer.content_encoding = g_strdup (fault.content_encoding);
    }
  else if (faulty && fault.action == FAULT_OTHER_USER)
    {
      answer_user (server, &answer, fault.other_id);
    }
  else
    {
      gboolean concurrent = faulty && fault.action == FAULT_CONCURRENT_ADD &&
                            g_str_has_prefix (path, USERS_PATH "/");

      if (concurrent && !fault.concurrent_after)
        server_append_locked (server, path + strlen (USERS_PATH "/"), UAI, fault.concurrent_value);
      route (server, msg, method, path, query, faulty && fault.action == FAULT_IGNORE, &answer);
      if (concurrent && fault.concurrent_after)
        server_append_locked (server, path + strlen (USERS_PATH "/"), UAI, fault.concurrent_value);

      if (faulty && fault.action == FAULT_APPLY_THEN_OTHER_USER)
        answer_user (server, &answer, fault.other_id);
      else if (faulty && fault.action == FAULT_STREAM)
        {
          answer.stream_ticks = fault.stream_ticks;
          answer.stream_chunk = fault.stream_chunk;
          answer.delay_ms = fault.delay_ms;
        }
      else if (faulty && fault.action == FAULT_GZIP)
        {
          g_autofree char *plain = g_steal_pointer (&answer.body);

          answer.body = gzip_text (plain ? plain : "", fault.stream_chunk, &answer.body_length);
          answer.content_encoding = g_strdup ("gzip");
        }

      if (faulty && fault.action == FAULT_APPLY_THEN_STATUS)
        {
          answer_error (&answer, fault.status, fault.scim_type, fault.detail);
          answer.retry_after = g_strdup (fault.retry_after);
        }
      else if (faulty && fault.action == FAULT_APPLY_THEN_DROP)
        answer.drop = TRUE;
      else if (faulty && fault.action == FAULT_SLOW)
        answer.delay_ms = fault.delay_ms;
    }
  g_mutex_unlock (&server->mutex);

  if (answer.drop)
    {
      /* Stolen from the main loop, once the handler has returned */
      GSource *source = g_idle_source_new ();

      soup_server_message_pause (msg);
      g_source_set_callback (source, drop_connection_cb, g_object_ref (msg), g_object_unref);
      g_source_attach (source, server->context);
      g_source_unref (source);
      answer_clear (&answer);
      return;
    }

  soup_server_message_set_status (msg, answer.status, NULL);
  if (answer.etag != NULL)
    soup_message_headers_replace (headers, "ETag", answer.etag);
  if (answer.retry_after != NULL)
    soup_message_headers_replace (headers, "Retry-After", answer.retry_after);
  if (answer.location != NULL)
    soup_message_headers_replace (headers, "Location", answer.location);
  if (answer.content_encoding != NULL)
    soup_message_headers_replace (headers, "Content-Encoding", answer.content_encoding);

  if (answer.stream_ticks > 0)
    {
      Streamed *streamed = g_new0 (Streamed, 1);

      streamed->server = server;
      streamed->msg = g_object_ref (msg);
      streamed->ticks = answer.stream_ticks;
      streamed->chunk = answer.stream_chunk;
      streamed->tail = g_steal_pointer (&answer.body);
      streamed->disconnected_id = g_signal_connect (msg, "disconnected",
                                                    G_CALLBACK (streamed_disconnected_cb), streamed);
      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      soup_message_headers_set_content_type (headers, SCIM_JSON, NULL);
      streamed->source = g_timeout_source_new (MAX (answer.delay_ms, 1));
      g_source_set_callback (streamed->source, streamed_tick_cb, streamed, NULL);
      g_ptr_array_add (server->streamed, streamed);
      g_source_attach (streamed->source, server->context);
      answer_clear (&answer);
      return;
    }

  if (answer.body != NULL)
    {
      gsize length = answer.body_length ? answer.body_length : strlen (answer.body);

      soup_server_message_set_response (msg, SCIM_JSON, SOUP_MEMORY_TAKE,
                                        g_steal_pointer (&answer.body), length);
    }

  if (answer.delay_ms > 0)
    {
      Delayed *delayed = g_new0 (Delayed, 1);

      delayed->server = server;
      delayed->msg = g_object_ref (msg);
      delayed->disconnected_id = g_signal_connect (msg, "disconnected",
                                                   G_CALLBACK (delayed_disconnected_cb), delayed);
      delayed->source = g_timeout_source_new (answer.delay_ms);
      g_source_set_callback (delayed->source, delayed_answer_cb, delayed, NULL);
      g_ptr_array_add (server->delayed, delayed);
      soup_server_message_pause (msg);
      g_source_attach (delayed->source, server->context);
    }

  answer_clear (&answer);
}

static gboolean
server_ready_cb (gpointer data)
{
  Server *server = data;

  g_mutex_lock (&server->mutex);
  server->ready = TRUE;
  g_cond_signal (&server->cond);
  g_mutex_unlock (&server->mutex);

  return G_SOURCE_REMOVE;
}

static gpointer
server_thread (gpointer data)
{
  Server *server = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) delayed = NULL;
  GSList *uris;
  GSource *source;

  g_main_context_push_thread_default (server->context);

  server->server = soup_server_new ("server-header", "jn-test-scim ", NULL);
  soup_server_add_handler (server->server, NULL, server_handler_cb, server, NULL);
  soup_server_listen_local (server->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (server->server);
  g_assert_nonnull (uris);
  g_mutex_lock (&server->mutex);
  server->base_url = g_strdup_printf ("http://127.0.0.1:%d" BASE_PATH, g_uri_get_port (uris->data));
  g_mutex_unlock (&server->mutex);
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);

  /* Ready once the loop runs, so that a quit cannot come before the run */
  source = g_idle_source_new ();
  g_source_set_callback (source, server_ready_cb, server, NULL);
  g_source_attach (source, server->context);
  g_source_unref (source);

  g_main_loop_run (server->loop);

  /* Answers still held back are never sent: stop their timers, close everything, then
   * let go of the messages. */
  delayed = g_steal_pointer (&server->delayed);
  for (guint i = 0; i < delayed->len; i++)
    {
      Delayed *d = g_ptr_array_index (delayed, i);

      g_source_destroy (d->source);
      g_clear_pointer (&d->source, g_source_unref);
    }
  for (guint i = 0; i < server->streamed->len; i++)
    streamed_stop (g_ptr_array_index (server->streamed, i));
  soup_server_disconnect (server->server);
  g_clear_object (&server->server);
  g_ptr_array_set_size (server->streamed, 0);
  for (guint i = 0; i < delayed->len; i++)
    delayed_free (g_ptr_array_index (delayed, i));
  while (g_main_context_iteration (server->context, FALSE))
    ;

  g_main_context_pop_thread_default (server->context);
  return NULL;
}

static Server *
server_new (void)
{
  Server *server = g_new0 (Server, 1);

  g_mutex_init (&server->mutex);
  g_cond_init (&server->cond);
  server->etag = TRUE;
  server->page_cap = 100;
  server->token = g_strdup (TOKEN);
  server->faults = g_array_new (FALSE, TRUE, sizeof (Fault));
  g_array_set_clear_func (server->faults, (GDestroyNotify)fault_clear);
  server->ids = g_ptr_array_new_with_free_func (g_free);
  server->users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)json_object_unref);
  server->versions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  server->applied = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  server->reads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  server->delayed = g_ptr_array_new ();
  server->streamed = g_ptr_array_new_with_free_func ((GDestroyNotify)streamed_free);

  server->context = g_main_context_new ();
  server->loop = g_main_loop_new (server->context, FALSE);
  server->thread = g_thread_new ("scim-server", server_thread, server);

  g_mutex_lock (&server->mutex);
  while (!server->ready)
    g_cond_wait (&server->cond, &server->mutex);
  g_mutex_unlock (&server->mutex);

  return server;
}

static void
server_free (Server *server)
{
  g_main_loop_quit (server->loop);
  g_thread_join (server->thread);

  g_main_loop_unref (server->loop);
  g_main_context_unref (server->context);
  g_free (server->base_url);
  g_free (server->token);
  g_array_unref (server->faults);
  g_ptr_array_unref (server->ids);
  g_hash_table_unref (server->users);
  g_hash_table_unref (server->versions);
  g_hash_table_unref (server->applied);
  g_hash_table_unref (server->reads);
  g_ptr_array_unref (server->streamed);
  g_mutex_clear (&server->mutex);
  g_cond_clear (&server->cond);
  g_free (server);
}

/* ---- the test's side of the server ---- */

#define LOCKED(server) \
  g_autoptr(GMutexLocker) G_PASTE (locker, __LINE__) = g_mutex_locker_new (&(server)->mutex)

/* Before any user is added */
static void
server_set_etag (Server   *server,
                 gboolean  etag)
{
  LOCKED (server);
  g_assert_cmpuint (server->ids->len, ==, 0);
  server->etag = etag;
}

static void
server_set_token (Server     *server,
                  const char *token)
{
  LOCKED (server);
  g_free (server->token);
  server->token = g_strdup (token);
}

static void
server_add_fault (Server      *server,
                  const Fault *fault)
{
  Fault copy = *fault;

  LOCKED (server);
  copy.seen = copy.fired = 0;
  copy.fired_path = NULL;
  g_array_append_val (server->faults, copy);
}

static void
server_clear_faults (Server *server)
{
  LOCKED (server);
  g_array_set_size (server->faults, 0);
}

static guint
server_get_fault_fired (Server *server,
                        guint   index)
{
  LOCKED (server);
  g_assert_cmpuint (index, <, server->faults->len);
  return g_array_index (server->faults, Fault, index).fired;
}

static char *
server_dup_fault_path (Server *server,
                       guint   index)
{
  LOCKED (server);
  g_assert_cmpuint (index, <, server->faults->len);
  return g_strdup (g_array_index (server->faults, Fault, index).fired_path);
}

/* @extra: members added to the extension ("" for none) */
static void
server_add_user (Server     *server,
                 const char *id,
                 const char *type,
                 const char *family,
                 const char *given,
                 const char *birth_date,
                 const char *uai,
                 const char *extra)
{
  g_autofree char *bd = birth_date ? g_strdup_printf ("\"birthDate\":\"%s\",", birth_date) : g_strdup ("");
  g_autofree char *text = g_strdup_printf ("{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\",\"" EXT "\"],"
                                           "\"id\":\"%s\",\"userName\":\"%s\",\"userType\":\"%s\",\"active\":true,"
                                           "\"name\":{\"familyName\":\"%s\",\"givenName\":\"%s\"},"
                                           "\"" EXT "\":{%s\"structures\":[\"%s\"]%s%s}}",
                                           id, id, type, family, given, bd, uai,
                                           *extra ? "," : "", extra);
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);

  {
    LOCKED (server);
    g_assert_null (g_hash_table_lookup (server->users, id));
    g_ptr_array_add (server->ids, g_strdup (id));
    g_hash_table_insert (server->users, g_strdup (id), json_object_ref (json_node_get_object (node)));
    user_bump_version (server, id);
  }
  json_node_unref (node);
}

/* Another writer: changes the user directly (a new version, not counted as applied) */
static void
server_set_pronote_id (Server     *server,
                       const char *id,
                       const char *uai,
                       const char *value)
{
  LOCKED (server);
  JsonObject *user = g_hash_table_lookup (server->users, id);
  g_autoptr(GArray) entries = NULL;
  int index;

  g_assert_nonnull (user);
  entries = user_get_entries (user);
  index = entries_find (entries, uai);
  if (index >= 0 && value != NULL)
    {
      g_free (g_array_index (entries, Entry, index).value);
      g_array_index (entries, Entry, index).value = g_strdup (value);
    }
  else if (index >= 0)
    g_array_remove_index (entries, index);
  else if (value != NULL)
    entries_append (entries, uai, value);
  user_set_entries (user, entries);
  user_bump_version (server, id);
}

static char *
server_dup_pronote_id (Server     *server,
                       const char *id,
                       const char *uai)
{
  LOCKED (server);
  JsonObject *user = g_hash_table_lookup (server->users, id);
  g_autoptr(GArray) entries = NULL;
  int index;

  g_assert_nonnull (user);
  entries = user_get_entries (user);
  index = entries_find (entries, uai);
  return index >= 0 ? g_strdup (g_array_index (entries, Entry, index).value) : NULL;
}

static guint
server_count_pronote_ids (Server     *server,
                          const char *id)
{
  LOCKED (server);
  g_autoptr(GArray) entries = user_get_entries (g_hash_table_lookup (server->users, id));

  return entries->len;
}

/* The entries of pronoteIds for @uai, values joined with "," ("" for none) */
static char *
server_dup_entries_for (Server     *server,
                        const char *id,
                        const char *uai)
{
  LOCKED (server);
  g_autoptr(GArray) entries = user_get_entries (g_hash_table_lookup (server->users, id));
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < entries->len; i++)
    if (g_strcmp0 (g_array_index (entries, Entry, i).uai, uai) == 0)
      g_string_append_printf (out, "%s%s", out->len ? "," : "", g_array_index (entries, Entry, i).value);

  return g_string_free (out, FALSE);
}

static void
server_append_pronote_id (Server     *server,
                          const char *id,
                          const char *uai,
                          const char *value)
{
  LOCKED (server);
  server_append_locked (server, id, uai, value);
}

static guint
server_get_applied (Server     *server,
                    const char *id)
{
  LOCKED (server);
  return GPOINTER_TO_UINT (g_hash_table_lookup (server->applied, id));
}

static guint
server_get_reads (Server     *server,
                  const char *id)
{
  LOCKED (server);
  return GPOINTER_TO_UINT (g_hash_table_lookup (server->reads, id));
}

#define SERVER_GET(server, member) \
  ({ LOCKED (server); (server)->member; })

/* ---- fixture ---- */

typedef struct
{
  Server       *server;
  JnScimClient *client;
  JnStore      *store;
  char         *dir;
  char         *file_hash;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("jn-scim-faults-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->store = jn_store_open (fixture->dir, &error);
  g_assert_no_error (error);
  fixture->server = server_new ();
  jn_push_set_concurrency (4);
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_dir_close (dir);
    }
  g_remove (path);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (fixture->client != NULL)
    g_assert_finalize_object (g_steal_pointer (&fixture->client));
  g_assert_finalize_object (g_steal_pointer (&fixture->store));
  server_free (g_steal_pointer (&fixture->server));
  remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->file_hash);
  jn_push_set_concurrency (4);
}

/* A client with fast back-off, after discovery */
static void
fixture_connect (Fixture *fixture,
                 guint    timeout_s,
                 guint    max_attempts)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base_url = NULL;

  {
    LOCKED (fixture->server);
    base_url = g_strdup (fixture->server->base_url);
  }
  fixture->client = jn_scim_client_new (base_url, TOKEN, NULL, &error);
  g_assert_no_error (error);
  jn_scim_client_set_timeout (fixture->client, timeout_s);
  jn_scim_client_set_retries (fixture->client, max_attempts, 10);
  g_assert_true (jn_scim_client_discover (fixture->client, NULL, &error));
  g_assert_no_error (error);
}

static JnDirectory *
fixture_read_directory (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  JnDirectory *directory = jn_ent_read_directory (JN_ENT (fixture->client), UAI, NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (directory);
  return directory;
}

/* Reads the directory from the server, loads @records as an export, matches */
static JnPlan *
fixture_plan (Fixture       *fixture,
              const char    *records,
              JnImportMode   mode,
              JnDirectory  **directory)
{
  g_autofree char *xml = g_strdup_printf ("<?xml version=\"1.0\"?>\n<ExportIdentifiants UAI=\"" UAI "\">%s</ExportIdentifiants>", records);
  g_autofree char *xml_path = g_build_filename (fixture->dir, "export.xml", NULL);
  g_autoptr(GFile) xml_file = g_file_new_for_path (xml_path);
  g_autoptr(JnExport) export = jn_export_new ();
  g_autoptr(JnMatcher) matcher = NULL;
  g_autoptr(GError) error = NULL;
  JnPlan *plan;

  g_assert_true (g_file_set_contents (xml_path, xml, -1, NULL));
  g_assert_true (jn_export_load (export, xml_file, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_free (fixture->file_hash);
  fixture->file_hash = g_strdup (jn_export_get_file_hash (export));

  *directory = fixture_read_directory (fixture);
  matcher = jn_matcher_new (*directory, UAI);
  plan = jn_matcher_match (matcher, export, mode, NULL, &error);
  g_assert_no_error (error);

  return plan;
}

static JnPushReport *
fixture_push (Fixture       *fixture,
              JnPlan        *plan,
              JnDirectory   *directory,
              GError       **error)
{
  return jn_push_run (fixture->store, JN_ENT (fixture->client), plan, directory, fixture->file_hash,
                      NULL, NULL, NULL, NULL, error);
}

static guint
plan_count_action (JnPlan       *plan,
                   JnPlanAction  action)
{
  guint n = 0;

  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    n += jn_plan_count_action (plan, c, action);

  return n;
}

static char *student_pronote_id (guint i);

/* @n students s0… with names the export and the ENT share; none holds an identifier */
static char *
add_students (Server *server,
              guint   n)
{
  GString *xml = g_string_new ("<Eleves>");

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("s%u", i);
      g_autofree char *family = g_strdup_printf ("ELEVE%c%c", 'A' + i / 26, 'A' + i % 26);
      g_autofree char *birth_date = g_strdup_printf ("2012-%02u-%02u", 1 + (i / 28) % 12, 1 + i % 28);
      g_autofree char *pronote_id = student_pronote_id (i);

      server_add_user (server, id, "Eleve", family, "Zoé", birth_date, UAI, "");
      g_string_append_printf (xml, "<Eleve Nom=\"%s\" Prenom=\"Zoé\" DateNaissance=\"%s\" IDPN=\"%s\"/>",
                              family, birth_date, pronote_id);
    }
  g_string_append (xml, "</Eleves>");

  return g_string_free (xml, FALSE);
}

static char *
student_pronote_id (guint i)
{
  char *id = g_strdup_printf ("PN%014u", i);

  /* Well-formed: PRONOTE never writes the digits 0, 1 and 6 */
  g_strdelimit (id + 2, "0", 'Z');
  g_strdelimit (id + 2, "1", 'Y');
  g_strdelimit (id + 2, "6", 'W');
  return id;
}

/* Every student holds its identifier, written exactly once */
static void
assert_students_done (Server *server,
                      guint   n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("s%u", i);
      g_autofree char *expected = student_pronote_id (i);
      g_autofree char *value = server_dup_pronote_id (server, id, UAI);

      g_assert_cmpstr (value, ==, expected);
      if (server_get_applied (server, id) != 1)
        g_error ("%s: applied %u times", id, server_get_applied (server, id));
      g_assert_cmpuint (server_count_pronote_ids (server, id), ==, 1);
    }
}

static void
assert_journal_done (Fixture    *fixture,
                     const char *import_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ops = jn_store_list_operations (fixture->store, import_id, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < ops->len; i++)
    {
      JnOperation *op = g_ptr_array_index (ops, i);

      if (op->state != JN_OP_DONE)
        g_error ("operation %" G_GINT64_FORMAT " (%s) is %s", op->seq, op->ent_id,
                 jn_op_state_to_string (op->state));
    }
}

static JnOperation *
report_find_failed (JnPushReport *report,
                    const char   *ent_id)
{
  for (guint i = 0; i < report->failed->len; i++)
    {
      JnOperation *op = g_ptr_array_index (report->failed, i);

      if (g_strcmp0 (op->ent_id, ent_id) == 0)
        return op;
    }

  g_error ("no failed operation for %s", ent_id);
  return NULL;
}

/* ---- 1. paging ---- */

static void
progress_cb (guint    done,
             guint    total,
             gpointer data)
{
  guint *last = data;

  g_assert_cmpuint (done, <=, total);
  g_assert_cmpuint (done, >=, last[0]);
  last[0] = done;
  last[1] = total;
}

static void
add_paging_users (Server *server)
{
  for (guint i = 0; i < 1234; i++)
    {
      g_autofree char *id = g_strdup_printf ("p%04u", i);
      g_autofree char *family = g_strdup_printf ("Nom%04u", i);

      server_add_user (server, id, "Eleve", family, "Lou", "2011-02-03", UAI, "");
      /* Users of another establishment, interleaved: the server filters them out */
      if (i % 200 == 0)
        {
          g_autofree char *other = g_strdup_printf ("x%04u", i);

          server_add_user (server, other, "Eleve", family, "Lou", "2011-02-03", OTHER_UAI, "");
        }
    }
}

static void
test_paging (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  GListModel *users;
  guint last[2] = { 0, 0 };

  add_paging_users (fixture->server);
  fixture_connect (fixture, 5, 5);
  directory = jn_ent_read_directory (JN_ENT (fixture->client), UAI, progress_cb, last, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (directory);

  users = jn_directory_get_users (directory);
  g_assert_cmpuint (g_list_model_get_n_items (users), ==, 1234);
  for (guint i = 0; i < g_list_model_get_n_items (users); i++)
    {
      g_autoptr(JnEntUser) user = g_list_model_get_item (users, i);
      const char *id = jn_ent_user_get_id (user);

      g_assert_true (g_str_has_prefix (id, "p"));
      g_assert_true (g_hash_table_add (seen, (gpointer)id));   /* distinct */
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 1234);

  /* 13 pages of at most 100 (the server's cap, not the 500 asked), and one past the end
   * (1235), to see that the count does not lie: this server answers page 1 again there */
  g_assert_cmpuint (SERVER_GET (fixture->server, n_list_pages), ==, 14);
  g_assert_cmpuint (SERVER_GET (fixture->server, max_start_index), ==, 1235);
  g_assert_true (jn_directory_get_complete (directory));
  g_assert_cmpuint (last[0], ==, 1234);
  g_assert_cmpuint (last[1], ==, 1234);
}

/* A server that ignores startIndex (scimmy-routers under express 5) sends page 1 over
 * and over: 1,234 users announced, 100 distinct ones sent. The read must fail rather than
 * pass an incomplete directory for complete (complete mode would then clear the
 * identifiers of the users left out). The same user met on two pages once crashed
 * jn_directory_add_user() (a use after free). */
static void
test_paging_ignored (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(GError) error = NULL;

  add_paging_users (fixture->server);
  {
    LOCKED (fixture->server);
    fixture->server->ignore_start_index = TRUE;
  }

  fixture_connect (fixture, 5, 5);
  directory = jn_ent_read_directory (JN_ENT (fixture->client), UAI, NULL, NULL, NULL, &error);
  if (directory != NULL)
    g_error ("read_directory succeeded with %u users of the 1234 announced",
             jn_directory_get_n_users (directory));
  g_assert_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED);
  g_assert_cmpuint (SERVER_GET (fixture->server, n_list_pages), <=, 13);   /* it ends */
}

/* ---- 2. 5xx then success ---- */

#define N_STUDENTS 40

static void
test_server_errors (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *records = add_students (fixture->server, N_STUDENTS);
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(JnPlan) plan = NULL;
  g_autoptr(JnPushReport) report = NULL;
  g_autoptr(GError) error = NULL;

  fixture_connect (fixture, 5, 5);
  plan = fixture_plan (fixture, records, JN_IMPORT_MODE_PARTIAL, &directory);
  g_assert_cmpuint (plan_count_action (plan, JN_PLAN_ACTION_SET), ==, N_STUDENTS);

  /* The first three PATCHes fail without effect; s7's first is applied but its answer
   * is a 502; s9's first is a 503 (no re-read needed) */
  server_add_fault (fixture->server, &(Fault) { .method = "PATCH", .first = 1, .times = 3,
                                                .action = FAULT_STATUS, .status = 500 });
  server_add_fault (fixture->server, &(Fault) { .method = "PATCH", .path = USERS_PATH "/s7", .times = 1,
                                                .action = FAULT_APPLY_THEN_STATUS, .status = 502 });
  server_add_fault (fixture->server, &(Fault) { .method = "PATCH", .path = USERS_PATH "/s9", .times = 1,
                                                .action = FAULT_STATUS, .status = 503 });

  report = fixture_push (fixture, plan, directory, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);
  g_assert_cmpuint (report->failed->len, ==, 0);
  g_assert_cmpuint (report->n_set, ==, N_STUDENTS);
  g_assert_false (report->resumed);

  g_assert_cmpuint (server_get_fault_fired (fixture->server, 0), ==, 3);
  g_assert_cmpuint (server_get_fault_fired (fixture->server, 1), ==, 1);
  g_assert_cmpuint (server_get_fault_fired (fixture->server, 2), ==, 1);
  /* One PATCH more per unapplied failure, none after the 502 that had been applied */
  g_assert_cmpuint (SERVER_GET (fixture->server, n_patch), ==, N_STUDENTS + 3 + 1);
  assert_students_done (fixture->server, N_STUDENTS);
  /* The applied-then-502 write was checked by reading the user, not sent again */
  g_assert_cmpuint (server_get_reads (fixture->server, "s7"), >=, 1);
  assert_journal_done (fixture, report->import_id);
}

/* ---- 3. 429 with Retry-After ---- */

static void
test_retry_after (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *base_url = NULL;
  gint64 start, elapsed;

  server_add_user (fixture->server, "u1", "Eleve", "Martin", "Léa", "2012-01-02", UAI, "");
  server_add_fault (fixture->server, &(Fault) { .method = "GET", .first = 1, .times = 1,
                                                .action = FAULT_STATUS, .status = 429,
                                                .retry_after = "1" });

  {
    LOCKED (fixture->server);
    base_url = g_strdup (fixture->server->base_url);
  }
  fixture->client = jn_scim_client_new (base_url, TOKEN, NULL, &error);
  g_assert_no_error (error);
  jn_scim_client_set_retries (fixture->client, 5, 10);

  start = g_get_monotonic_time ();
  g_assert_true (jn_scim_client_discover (fixture->client, NULL, &error));
  g_assert_no_error (error);
  elapsed = g_get_monotonic_time () - start;

  /* Retry-After (1 s) wins over the 10 ms back-off */
  g_assert_cmpint (elapsed, >=, G_USEC_PER_SEC);
  g_assert_cmpint (elapsed, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (SERVER_GET (fixture->server, n_config), ==, 2);
  g_assert_cmpuint (jn_scim_client_get_n_requests (fixture->client), ==, SERVER_GET (fixture->server, n_requests));
  g_assert_true (jn_scim_client_get_etag_supported (fixture->client));

  directory = fixture_read_directory (fixture);
  g_assert_cmpuint (jn_directory_get_n_users (directory), ==, 1);
}

/* ---- 4. connection dropped after the write ---- */

static void
test_dropped_connection (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *records = add_students (fixture->server, 6);
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(JnPlan) plan = NULL;
  g_autoptr(JnPushReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dropped = NULL;

  fixture_connect (fixture, 5, 5);
  plan = fixture_plan (fixture, records, JN_IMPORT_MODE_PARTIAL, &directory);

  /* The third PATCH is applied, then the connection closes without an answer; the
   * successful writes answer 204 (no body: the client confirms by reading) */
  {
    LOCKED (fixture->server);
    fixture->server->patch_no_content = GPOINTER_TO_INT (data);
  }
  server_add_fault (fixture->server, &(Fault) { .method = "PATCH", .first = 3, .times = 1,
                                                .action = FAULT_APPLY_THEN_DROP });

  report = fixture_push (fixture, plan, directory, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);
  g_assert_cmpuint (report->failed->len, ==, 0);
  g_assert_cmpuint (report->n_set, ==, 6);

  g_assert_cmpuint (server_get_fault_fired (fixture->server, 0), ==, 1);
  dropped = server_dup_fault_path (fixture->server, 0);
  g_assert_nonnull (dropped);
  g_assert_true (g_str_has_prefix (dropped, USERS_PATH "/"));
  /* Its user was read again and found written: not sent again */
  g_assert_cmpuint (server_get_reads (fixture->server, dropped + strlen (USERS_PATH "/")), >=, 1);
  g_assert_cmpuint (SERVER_GET (fixture->server, n_patch), ==, 6);
  assert_students_done (fixture->server, 6);
  assert_journal_done (fixture, report->import_id);
}

/* ---- 5. time-outs: interrupted, then resumed ---- */

static void
test_timeout_resume (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *records = add_students (fixture->server, 6);
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(JnPlan) plan = NULL;
  g_autoptr(JnPushReport) report = NULL;
  g_autoptr(JnImportRecord) resumable = NULL;
  g_autoptr(JnImportRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  gboolean use_resume = GPOINTER_TO_INT (data);
  g_autofree char *import_id = NULL;
  gint64 start;

  fixture_connect (fixture, 1, 2);
  plan = fixture_plan (fixture, records, JN_IMPORT_MODE_PARTIAL, &directory);

  /* From now on every answer comes after the client has given up; the PATCHes are
   * applied all the same */
  server_add_fault (fixture->server, &(Fault) { .first = 1, .times = 0,
                                                .action = FAULT_SLOW, .delay_ms = 1500 });

  start = g_get_monotonic_time ();
  report = fixture_push (fixture, plan, directory, &error);
  g_assert_error (error, JN_ERROR, JN_ERROR_ENT_UNREACHABLE);
  g_assert_null (report);
  /* Given up on time-outs (1 s each), not on anything faster */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 2 * G_USEC_PER_SEC);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  g_clear_error (&error);

  resumable = jn_store_find_resumable (fixture->store, UAI, "partial", jn_ent_describe (JN_ENT (fixture->client)),
                                       fixture->file_hash, NULL);
  g_assert_nonnull (resumable);
  g_assert_cmpstr (resumable->state, ==, "interrupted");
  import_id = g_strdup (resumable->id);

  /* The server is fast again */
  server_clear_faults (fixture->server);

  if (use_resume)
    report = jn_push_resume (fixture->store, JN_ENT (fixture->client), import_id, NULL, NULL, NULL, &error);
  else
    report = fixture_push (fixture, plan, directory, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);
  g_assert_true (report->resumed);
  g_assert_cmpstr (report->import_id, ==, import_id);
  g_assert_cmpuint (report->failed->len, ==, 0);

  assert_students_done (fixture->server, 6);
  assert_journal_done (fixture, import_id);
  record = jn_store_get_import (fixture->store, import_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (record->state, ==, "done");
  g_assert_null (jn_store_find_resumable (fixture->store, UAI, "partial",
                                          jn_ent_describe (JN_ENT (fixture->client)), fixture->file_hash, NULL));
}

/* ---- 6. 412: another writer ---- */

static const char two_students[] =
  "<Eleves>"
  "<Eleve Nom=\"MARTIN\" Prenom=\"Léa\" DateNaissance=\"2012-01-02\" IDPN=\"MEAZZZZZZZZZZZZY\"/>"
  "<Eleve Nom=\"DUBOIS\" Prenom=\"Hugo\" DateNaissance=\"2012-03-04\" IDPN=\"HUGQZZZZZZZZZZZ2\"/>"
  "</Eleves>";

static void
add_two_students (Server *server)
{
  server_add_user (server, "lea", "Eleve", "Martin", "Léa", "2012-01-02", UAI, "");
  server_add_user (server, "hugo", "Eleve", "Dubois", "Hugo", "2012-03-04", UAI,
                   "\"pronoteIds\":[{\"uai\":\"" OTHER_UAI "\",\"value\":\"HUGOELSEWHERE001\"}]");
}

static void
test_stale_etag (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(JnPlan) plan = NULL;
  g_autoptr(JnPushReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *lea = NULL;
  g_autofree char *hugo = NULL;
  g_autofree char *hugo_other = NULL;
  JnOperation *op;

  add_two_students (fixture->server);
  fixture_connect (fixture, 5, 5);
  g_assert_true (jn_scim_client_get_etag_supported (fixture->client));
  plan = fixture_plan (fixture, two_students, JN_IMPORT_MODE_PARTIAL, &directory);
  g_assert_cmpuint (plan_count_action (plan, JN_PLAN_ACTION_SET), ==, 2);

  /* Meanwhile someone else gives Léa another identifier, and changes Hugo's entry of
   * another establishment only */
  server_set_pronote_id (fixture->server, "lea", UAI, "OTHERWRITER00001");
  server_set_pronote_id (fixture->server, "hugo", OTHER_UAI, "HUGOELSEWHERE002");

  report = fixture_push (fixture, plan, directory, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (SERVER_GET (fixture->server, n_412), >=, 2);

  /* Léa: reported, the other writer's value kept */
  g_assert_cmpuint (report->failed->len, ==, 1);
  op = report_find_failed (report, "lea");
  g_assert_cmpint (op->status, ==, 412);
  g_assert_nonnull (op->detail);
  lea = server_dup_pronote_id (fixture->server, "lea", UAI);
  g_assert_cmpstr (lea, ==, "OTHERWRITER00001");
  g_assert_cmpuint (server_get_applied (fixture->server, "lea"), ==, 0);

  /* Hugo: decided again from the new version, written once, the other entry kept */
  hugo = server_dup_pronote_id (fixture->server, "hugo", UAI);
  hugo_other = server_dup_pronote_id (fixture->server, "hugo", OTHER_UAI);
  g_assert_cmpstr (hugo, ==, "HUGQZZZZZZZZZZZ2");
  g_assert_cmpstr (hugo_other, ==, "HUGOELSEWHERE002");
  g_assert_cmpuint (server_get_applied (fixture->server, "hugo"), ==, 1);
}

/* Without ETags, a write whose outcome is unknown (a 500) is decided again from a fresh
 * read: a value that is neither the old nor the new one is never overwritten. */
static void
test_stale_no_etag (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(JnPlan) plan = NULL;
  g_autoptr(JnPushReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *lea = NULL;
  g_autofree char *hugo = NULL;
  JnOperation *op;

  server_set_etag (fixture->server, FALSE);
  add_two_students (fixture->server);
  fixture_connect (fixture, 5, 5);
  g_assert_false (jn_scim_client_get_etag_supported (fixture->client));
  plan = fixture_plan (fixture, two_students, JN_IMPORT_MODE_PARTIAL, &directory);

  server_set_pronote_id (fixture->server, "lea", UAI, "OTHERWRITER00001");
  server_add_fault (fixture->server, &(Fault) { .method = "PATCH", .path = USERS_PATH "/lea", .times = 1,
                                                .action = FAULT_STATUS, .status = 500 });

  report = fixture_push (fixture, plan, directory, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (SERVER_GET (fixture->server, n_412), ==, 0);   /* no If-Match sent */
  /* Either Léa's PATCH met the 500 and the user was read again, or (a client that reads
   * before every unguarded write) it was never sent */
  g_assert_cmpuint (server_get_fault_fired (fixture->server, 0), <=, 1);

  g_assert_cmpuint (report->failed->len, ==, 1);
  op = report_find_failed (report, "lea");
  g_assert_cmpint (op->status, ==, 412);
  lea = server_dup_pronote_id (fixture->server, "lea", UAI);
  g_assert_cmpstr (lea, ==, "OTHERWRITER00001");
  g_assert_cmpuint (server_get_applied (fixture->server, "lea"), ==, 0);

  hugo = server_dup_pronote_id (fixture->server, "hugo", UAI);
  g_assert_cmpstr (hugo, ==, "HUGQZZZZZZZZZZZ2");
  g_assert_cmpuint (server_get_applied (fixture->server, "hugo"), ==, 1);
}

/* Without ETags and without any failure: is a change made since the directory was read
 * still protected? (ent-api.md: "re-read, re-decide, never overwrite blindly")
 * Léa gets an identifier from someone else (the plan sets one: an "add"); Hugo's is
 * changed by someone else (the plan replaces it: a filtered "replace"). */
static void
test_stale_no_etag_blind (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(JnPlan) plan = NULL;
  g_autoptr(JnPushReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *lea = NULL;
  g_autofree char *hugo = NULL;

  server_set_etag (fixture->server, FALSE);
  server_add_user (fixture->server, "lea", "Eleve", "Martin", "Léa", "2012-01-02", UAI, "");
  server_add_user (fixture->server, "hugo", "Eleve", "Dubois", "Hugo", "2012-03-04", UAI,
                   "\"pronoteIds\":[{\"uai\":\"" UAI "\",\"value\":\"HUGOOLD000000002\"}]");
  fixture_connect (fixture, 5, 5);
  plan = fixture_plan (fixture, two_students, JN_IMPORT_MODE_PARTIAL, &directory);
  g_assert_cmpuint (plan_count_action (plan, JN_PLAN_ACTION_SET), ==, 1);
  g_assert_cmpuint (plan_count_action (plan, JN_PLAN_ACTION_REPLACE), ==, 1);

  server_set_pronote_id (fixture->server, "lea", UAI, "OTHERWRITER00001");
  server_set_pronote_id (fixture->server, "hugo", UAI, "OTHERWRITER00002");

  report = fixture_push (fixture, plan, directory, &error);
  g_assert_no_error (error);

  /* Once, Léa got a second entry for the UAI next to the other writer's (reported as a
   * write "not kept") and Hugo's was overwritten */
  lea = server_dup_pronote_id (fixture->server, "lea", UAI);
  hugo = server_dup_pronote_id (fixture->server, "hugo", UAI);
  g_assert_cmpstr (lea, ==, "OTHERWRITER00001");
  g_assert_cmpuint (server_count_pronote_ids (fixture->server, "lea"), ==, 1);
  g_assert_cmpstr (hugo, ==, "OTHERWRITER00002");
  g_assert_cmpuint (report->failed->len, ==, 2);
  g_assert_cmpint (report_find_failed (report, "lea")->status, ==, 412);
  g_assert_cmpint (report_find_failed (report, "hugo")->status, ==, 412);
  g_assert_cmpuint (server_get_applied (fixture->server, "lea"), ==, 0);
  g_assert_cmpuint (server_get_applied (fixture->server, "hugo"), ==, 0);
}

/* Without ETags, once the whole-array form is learnt (the scimmy peer: no ETags, no
 * filtered remove), is a change made since the directory read by someone else (here the
 * admin of another establishment of the same student) still kept? Complete mode removes
 * two stale identifiers: the first removal teaches the client the whole-array form, the
 * second is written in that form. */
static void
test_stale_no_etag_fallback (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(JnPlan) plan = NULL;
  g_autoptr(JnPushReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *other = NULL;
  g_autofree char *mine = NULL;

  server_set_etag (fixture->server, FALSE);
  server_add_user (fixture->server, "t0", "Enseignant", "Parti", "Paul", NULL, UAI,
                   "\"pronoteIds\":[{\"uai\":\"" UAI "\",\"value\":\"STALETEACHER0001\"}]");
  server_add_user (fixture->server, "lea", "Eleve", "Martin", "Léa", "2012-01-02", UAI,
                   "\"pronoteIds\":[{\"uai\":\"" UAI "\",\"value\":\"STALESTUDENT0001\"},"
                   "{\"uai\":\"" OTHER_UAI "\",\"value\":\"LEAOTHER00000001\"}]");
  server_add_user (fixture->server, "hugo", "Eleve", "Dubois", "Hugo", "2012-03-04", UAI, "");
  {
    LOCKED (fixture->server);
    fixture->server->reject_filtered = TRUE;
  }
  fixture_connect (fixture, 5, 5);
  plan = fixture_plan (fixture,
                       "<Eleves><Eleve Nom=\"DUBOIS\" Prenom=\"Hugo\" DateNaissance=\"2012-03-04\" "
                       "IDPN=\"HUGQZZZZZZZZZZZ2\"/></Eleves>",
                       JN_IMPORT_MODE_COMPLETE, &directory);
  g_assert_cmpuint (g_list_model_get_n_items (jn_plan_get_clears (plan, JN_CATEGORY_TEACHER)), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (jn_plan_get_clears (plan, JN_CATEGORY_STUDENT)), ==, 1);

  /* The other establishment's admin changes Léa's identifier there */
  server_set_pronote_id (fixture->server, "lea", OTHER_UAI, "LEAOTHER00000002");

  jn_push_set_concurrency (1);
  report = fixture_push (fixture, plan, directory, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (SERVER_GET (fixture->server, n_invalid_path), >=, 1);

  mine = server_dup_pronote_id (fixture->server, "lea", UAI);
  other = server_dup_pronote_id (fixture->server, "lea", OTHER_UAI);
  g_assert_null (mine);
  /* Once, the whole array was built from the directory read: back to LEAOTHER00000001 */
  g_assert_cmpstr (other, ==, "LEAOTHER00000002");
  g_assert_cmpuint (report->failed->len, ==, 0);
  g_assert_cmpuint (server_get_applied (fixture->server, "lea"), ==, 1);
  g_assert_cmpuint (server_get_applied (fixture->server, "t0"), ==, 1);
  g_assert_cmpuint (server_get_applied (fixture->server, "hugo"), ==, 1);
}

/* ---- 7. 409 and 401 ---- */

static void
test_conflict (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *records = add_students (fixture->server, 3);
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(JnPlan) plan = NULL;
  g_autoptr(JnPushReport) report = NULL;
  g_autoptr(JnImportRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) status_error = NULL;
  g_autofree char *value = NULL;
  JnOperation *op;

  fixture_connect (fixture, 5, 5);
  plan = fixture_plan (fixture, records, JN_IMPORT_MODE_PARTIAL, &directory);
  server_add_fault (fixture->server, &(Fault) { .method = "PATCH", .path = USERS_PATH "/s1",
                                                .action = FAULT_STATUS, .status = 409,
                                                .scim_type = "uniqueness",
                                                .detail = "PNZZZZZZZZZZZZZY is already held by user u-other-42" });

  report = fixture_push (fixture, plan, directory, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->failed->len, ==, 1);
  op = report_find_failed (report, "s1");
  g_assert_cmpint (op->status, ==, 409);
  g_assert_nonnull (op->detail);
  g_assert_nonnull (strstr (op->detail, "u-other-42"));
  /* A 409 is tried once more at the end of its step (the step may have freed the
   * identifier), after reading the user; then it is reported, never forced */
  g_assert_cmpuint (server_get_fault_fired (fixture->server, 0), ==, 2);

  status_error = g_error_new_literal (JN_ERROR, JN_ERROR_ENT_CONFLICT, op->detail);
  g_assert_cmpstr (jn_push_status_for_error (status_error), ==, "409");

  value = server_dup_pronote_id (fixture->server, "s1", UAI);
  g_assert_null (value);
  g_assert_cmpuint (server_get_applied (fixture->server, "s1"), ==, 0);
  g_assert_cmpuint (server_get_applied (fixture->server, "s0"), ==, 1);
  g_assert_cmpuint (server_get_applied (fixture->server, "s2"), ==, 1);

  record = jn_store_get_import (fixture->store, report->import_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (record->n_failed, ==, 1);
  g_assert_cmpstr (record->state, ==, "partial");
}

static void
test_unauthorized (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *records = add_students (fixture->server, 3);
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(JnPlan) plan = NULL;
  g_autoptr(JnPushReport) report = NULL;
  g_autoptr(JnImportRecord) resumable = NULL;
  g_autoptr(GError) error = NULL;
  guint n_unauthorized;

  fixture_connect (fixture, 5, 5);
  plan = fixture_plan (fixture, records, JN_IMPORT_MODE_PARTIAL, &directory);

  /* The token is revoked between the read and the push */
  server_set_token (fixture->server, "another-token");
  report = fixture_push (fixture, plan, directory, &error);
  g_assert_error (error, JN_ERROR, JN_ERROR_ENT_AUTH);
  g_assert_null (report);
  g_assert_null (strstr (error->message, TOKEN));   /* never shown */
  g_clear_error (&error);

  /* Credentials are not retried: one refusal per operation sent at most */
  n_unauthorized = SERVER_GET (fixture->server, n_unauthorized);
  g_assert_cmpuint (n_unauthorized, >=, 1);
  g_assert_cmpuint (n_unauthorized, <=, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("s%u", i);

      g_assert_cmpuint (server_get_applied (fixture->server, id), ==, 0);
    }

  resumable = jn_store_find_resumable (fixture->store, UAI, "partial", jn_ent_describe (JN_ENT (fixture->client)),
                                       fixture->file_hash, NULL);
  g_assert_nonnull (resumable);
  g_assert_cmpstr (resumable->state, ==, "interrupted");

  /* With the token valid again, the import finishes */
  server_set_token (fixture->server, TOKEN);
  report = jn_push_resume (fixture->store, JN_ENT (fixture->client), resumable->id, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->failed->len, ==, 0);
  assert_students_done (fixture->server, 3);
}

/* ---- 8. invalidPath: the whole-array fallback ---- */

static void
test_invalid_path (Fixture       *fixture,
                   gconstpointer  data)
{
  gboolean with_replace = GPOINTER_TO_INT (data);
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(JnPlan) plan = NULL;
  g_autoptr(JnPushReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *records = NULL;

  /* t1: replaced; s1: cleared (complete mode); s2: set; s3: unchanged */
  server_add_user (fixture->server, "t1", "Enseignant", "Bernard", "Anne", NULL, UAI,
                   "\"pronoteIds\":[{\"uai\":\"" UAI "\",\"value\":\"OLDTEACHER000001\"},"
                   "{\"uai\":\"" OTHER_UAI "\",\"value\":\"KEEPTEACHER00001\"}]");
  server_add_user (fixture->server, "s1", "Eleve", "Petit", "Jules", "2011-05-06", UAI,
                   "\"pronoteIds\":[{\"uai\":\"" OTHER_UAI "\",\"value\":\"KEEPSTUDENT00001\"},"
                   "{\"uai\":\"" UAI "\",\"value\":\"STALESTUDENT0001\"}]");
  server_add_user (fixture->server, "s2", "Eleve", "Roux", "Léo", "2011-07-08", UAI, "");
  server_add_user (fixture->server, "s3", "Eleve", "Moreau", "Inès", "2012-01-10", UAI,
                   "\"pronoteIds\":[{\"uai\":\"" UAI "\",\"value\":\"KEEPZZZZZZZZZZZ3\"}]");
  records = g_strdup_printf ("%s<Eleves>"
                             "<Eleve Nom=\"ROUX\" Prenom=\"Léo\" DateNaissance=\"2011-07-08\" IDPN=\"NEWZZZZZZZZZZZZ2\"/>"
                             "<Eleve Nom=\"MOREAU\" Prenom=\"Inès\" DateNaissance=\"2012-01-10\" IDPN=\"KEEPZZZZZZZZZZZ3\"/>"
                             "</Eleves>",
                             with_replace ? "<Professeurs><Professeur Nom=\"BERNARD\" Prenom=\"Anne\" "
                                            "IDPN=\"NEWTEACHERZZZZZY\"/></Professeurs>"
                                          : "");
  {
    LOCKED (fixture->server);
    fixture->server->reject_filtered = TRUE;
  }

  fixture_connect (fixture, 5, 5);
  plan = fixture_plan (fixture, records, JN_IMPORT_MODE_COMPLETE, &directory);
  g_assert_cmpuint (plan_count_action (plan, JN_PLAN_ACTION_REPLACE), ==, with_replace ? 1 : 0);
  g_assert_cmpuint (plan_count_action (plan, JN_PLAN_ACTION_SET), ==, 1);
  g_assert_cmpuint (plan_count_action (plan, JN_PLAN_ACTION_UNCHANGED), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (jn_plan_get_clears (plan, JN_CATEGORY_STUDENT)), ==, 1);
  if (!with_replace)
    g_assert_cmpuint (g_list_model_get_n_items (jn_plan_get_clears (plan, JN_CATEGORY_TEACHER)), ==, 1);

  /* One at a time: the filtered form is tried first, then the fallback is learnt */
  jn_push_set_concurrency (1);
  report = fixture_push (fixture, plan, directory, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);
  g_assert_cmpuint (report->failed->len, ==, 0);
  g_assert_cmpuint (SERVER_GET (fixture->server, n_invalid_path), >=, 1);

  /* The other establishment's entries survive the whole-array writes */
  {
    g_autofree char *t1 = server_dup_pronote_id (fixture->server, "t1", UAI);
    g_autofree char *t1_other = server_dup_pronote_id (fixture->server, "t1", OTHER_UAI);
    g_autofree char *s1 = server_dup_pronote_id (fixture->server, "s1", UAI);
    g_autofree char *s1_other = server_dup_pronote_id (fixture->server, "s1", OTHER_UAI);
    g_autofree char *s2 = server_dup_pronote_id (fixture->server, "s2", UAI);
    g_autofree char *s3 = server_dup_pronote_id (fixture->server, "s3", UAI);

    g_assert_cmpstr (t1, ==, with_replace ? "NEWTEACHERZZZZZY" : NULL);
    g_assert_cmpstr (t1_other, ==, "KEEPTEACHER00001");
    g_assert_cmpuint (server_count_pronote_ids (fixture->server, "t1"), ==, with_replace ? 2 : 1);
    g_assert_null (s1);
    g_assert_cmpstr (s1_other, ==, "KEEPSTUDENT00001");
    g_assert_cmpuint (server_count_pronote_ids (fixture->server, "s1"), ==, 1);
    g_assert_cmpstr (s2, ==, "NEWZZZZZZZZZZZZ2");
    g_assert_cmpuint (server_count_pronote_ids (fixture->server, "s2"), ==, 1);
    g_assert_cmpstr (s3, ==, "KEEPZZZZZZZZZZZ3");
  }
  g_assert_cmpuint (server_get_applied (fixture->server, "t1"), ==, 1);
  g_assert_cmpuint (server_get_applied (fixture->server, "s1"), ==, 1);
  g_assert_cmpuint (server_get_applied (fixture->server, "s2"), ==, 1);
  g_assert_cmpuint (server_get_applied (fixture->server, "s3"), ==, 0);
  g_assert_cmpuint (report->n_set, ==, 1);
  g_assert_cmpuint (report->n_replaced, ==, with_replace ? 1 : 0);
  g_assert_cmpuint (report->n_cleared, ==, with_replace ? 1 : 2);
  g_assert_cmpuint (report->n_unchanged, ==, 1);
  assert_journal_done (fixture, report->import_id);
}

/* ---- 9. a write the server did not keep ---- */

static void
test_dropped_write (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *records = add_students (fixture->server, 3);
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(JnPlan) plan = NULL;
  g_autoptr(JnPushReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;
  JnOperation *op;

  fixture_connect (fixture, 5, 5);
  plan = fixture_plan (fixture, records, JN_IMPORT_MODE_PARTIAL, &directory);
  server_add_fault (fixture->server, &(Fault) { .method = "PATCH", .path = USERS_PATH "/s2",
                                                .action = FAULT_IGNORE });

  report = fixture_push (fixture, plan, directory, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->failed->len, ==, 1);
  op = report_find_failed (report, "s2");
  g_assert_cmpint (op->status, ==, 400);
  g_assert_nonnull (op->detail);
  g_assert_nonnull (strstr (op->detail, "did not keep"));
  g_assert_cmpuint (server_get_fault_fired (fixture->server, 0), ==, 1);   /* not resent */
  g_assert_cmpuint (server_get_reads (fixture->server, "s2"), >=, 1);       /* confirmed by reading */

  value = server_dup_pronote_id (fixture->server, "s2", UAI);
  g_assert_null (value);
  g_assert_cmpuint (server_get_applied (fixture->server, "s0"), ==, 1);
  g_assert_cmpuint (server_get_applied (fixture->server, "s1"), ==, 1);
}

/* ---- 10. addresses and tokens ---- */

static void
test_new_refusals (void)
{
  static const struct { const char *url; const char *token; gboolean ok; } cases[] = {
    { "https://ent.example.fr/scim/v2", TOKEN, TRUE },
    { "https://ent.example.fr/scim/v2/", TOKEN, TRUE },
    { "HTTPS://ent.example.fr/scim/v2", TOKEN, TRUE },
    { "http://127.0.0.1:8080/scim/v2", TOKEN, TRUE },
    { "http://127.5.6.7/scim/v2", TOKEN, TRUE },
    { "http://[::1]:8080/scim/v2", TOKEN, TRUE },
    { "http://localhost:8080/scim/v2", TOKEN, TRUE },
    { "http://ent.example.fr/scim/v2", TOKEN, FALSE },
    { "http://192.168.1.10/scim/v2", TOKEN, FALSE },
    { "http://10.0.0.1:8080/scim/v2", TOKEN, FALSE },
    { "http://localhost.example.fr/scim/v2", TOKEN, FALSE },
    { "http://127.0.0.1.example.fr/scim/v2", TOKEN, FALSE },
    { "http://127.0.0.1@ent.example.fr/scim/v2", TOKEN, FALSE },
    { "ftp://ent.example.fr/scim/v2", TOKEN, FALSE },
    { "ent.example.fr/scim/v2", TOKEN, FALSE },
    { "", TOKEN, FALSE },
    { "https://ent.example.fr/scim/v2", NULL, FALSE },
    { "https://ent.example.fr/scim/v2", "", FALSE },
    /* The token goes into a header: control characters and non-ASCII refused */
    { "https://ent.example.fr/scim/v2", "tok\nen", FALSE },
    { "https://ent.example.fr/scim/v2", "tok\r\nX-Evil: 1", FALSE },
    { "https://ent.example.fr/scim/v2", "tok\001en", FALSE },
    { "https://ent.example.fr/scim/v2", "tökén", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JnScimClient) client = jn_scim_client_new (cases[i].url, cases[i].token, NULL, &error);

      if (cases[i].ok)
        {
          if (client == NULL)
            g_error ("%s refused: %s", cases[i].url, error->message);
          g_assert_no_error (error);
        }
      else
        {
          if (client != NULL)
            g_error ("%s (token %s) accepted", cases[i].url, cases[i].token ? "given" : "none");
          g_assert_error (error, JN_ERROR, JN_ERROR_INVALID_ARGUMENT);
          if (cases[i].token != NULL && *cases[i].token != '\0')
            g_assert_null (strstr (error->message, cases[i].token));
        }
    }
}

/* A token file holding only a newline is no token (the CLI strips it first; the API
 * should not depend on that) */
static void
test_new_blank_token (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JnScimClient) client = jn_scim_client_new ("https://ent.example.fr/scim/v2", " \n", NULL, &error);

  g_assert_null (client);
  g_assert_error (error, JN_ERROR, JN_ERROR_INVALID_ARGUMENT);
}

/* ---- 11. hostile answers (issue F, classes 2, 3, 6, 7) ---- */

#define CONFIG_TEXT "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig\"]," \
                    "\"patch\":{\"supported\":true},\"etag\":{\"supported\":true}}"
#define LEA_ID "LEA0000000000001"

/* JN_TEST_CASE=name runs one case of a table (to see each fail on older code) */
static gboolean
skip_case (const char *name)
{
  const char *only = g_getenv ("JN_TEST_CASE");

  return only != NULL && g_strcmp0 (only, name) != 0;
}

typedef enum
{
  OP_DISCOVER,
  OP_READ_DIRECTORY,
  OP_READ_USER,
  OP_WRITE,
  OP_WRITE_MANY,
} Op;

static char *
server_dup_base_url (Server *server)
{
  LOCKED (server);
  return g_strdup (server->base_url);
}

/* A client, not yet discovered */
static void
fixture_client (Fixture *fixture,
                guint    timeout_s,
                guint    max_attempts)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base_url = server_dup_base_url (fixture->server);

  fixture->client = jn_scim_client_new (base_url, TOKEN, NULL, &error);
  g_assert_no_error (error);
  jn_scim_client_set_timeout (fixture->client, timeout_s);
  jn_scim_client_set_retries (fixture->client, max_attempts, 10);
}

/* Runs @op against the user "lea" (read beforehand when it is to be written) */
static gboolean
run_op (Fixture       *fixture,
        Op             op,
        JnEntUser     *lea,
        GCancellable  *cancellable,
        GError       **error)
{
  switch (op)
    {
    case OP_DISCOVER:
      return jn_scim_client_discover (fixture->client, cancellable, error);

    case OP_READ_DIRECTORY:
      {
        g_autoptr(JnDirectory) directory = jn_ent_read_directory (JN_ENT (fixture->client), UAI, NULL, NULL,
                                                                  cancellable, error);
        return directory != NULL;
      }

    case OP_READ_USER:
      {
        g_autoptr(JnEntUser) user = jn_ent_read_user (JN_ENT (fixture->client), "lea", cancellable, error);

        g_assert_true (user == NULL || g_str_equal (jn_ent_user_get_id (user), "lea"));
        return user != NULL;
      }

    case OP_WRITE:
      {
        g_autoptr(JnEntUser) user = jn_ent_write_pronote_id (JN_ENT (fixture->client), lea, UAI, LEA_ID,
                                                             cancellable, error);

        g_assert_true (user == NULL || g_str_equal (jn_ent_user_get_id (user), "lea"));
        return user != NULL;
      }

    case OP_WRITE_MANY:
      {
        JnEntWrite writes[2] = { { lea, UAI, LEA_ID, NULL, NULL }, { lea, OTHER_UAI, LEA_ID, NULL, NULL } };
        gboolean ok = jn_ent_write_many (JN_ENT (fixture->client), writes, 2, cancellable, error);

        jn_ent_write_clear (&writes[0]);
        jn_ent_write_clear (&writes[1]);
        return ok;
      }
    }

  g_assert_not_reached ();
}

/* A client connected to a server holding Léa, and Léa as read (for the writes) */
static JnEntUser *
fixture_prepare (Fixture  *fixture,
                 Op        op,
                 guint     timeout_s)
{
  g_autoptr(GError) error = NULL;
  JnEntUser *lea;

  {
    LOCKED (fixture->server);
    fixture->server->bulk = (op == OP_WRITE_MANY);
  }
  server_add_user (fixture->server, "lea", "Eleve", "Martin", "Léa", "2012-01-02", UAI, "");
  server_add_user (fixture->server, "hugo", "Eleve", "Dubois", "Hugo", "2012-03-04", UAI, "");
  fixture_client (fixture, timeout_s, 2);
  if (op == OP_DISCOVER)
    return NULL;

  g_assert_true (jn_scim_client_discover (fixture->client, NULL, &error));
  g_assert_no_error (error);
  jn_scim_client_set_use_bulk (fixture->client, op == OP_WRITE_MANY);
  lea = jn_ent_read_user (JN_ENT (fixture->client), "lea", NULL, &error);
  g_assert_no_error (error);
  return lea;
}

/* json-glib 1.6 recurses: 100,000 levels in any answer crashed the process */
static void
test_nesting_bombs (void)
{
  static const struct
  {
    const char *name;
    Op          op;
    const char *method;
    const char *path;
    guint       status;
    BodyKind    kind;
    gboolean    ok;
    int         code;
  } cases[] = {
    { "config", OP_DISCOVER, "GET", BASE_PATH "/ServiceProviderConfig", 200, BODY_DEEP_ARRAYS, FALSE, JN_ERROR_ENT_REFUSED },
    { "config-error", OP_DISCOVER, "GET", BASE_PATH "/ServiceProviderConfig", 404, BODY_DEEP_OBJECTS, FALSE, JN_ERROR_ENT_NOT_FOUND },
    /* A /Schemas that cannot be read is given the benefit of the doubt */
    { "schemas", OP_DISCOVER, "GET", BASE_PATH "/Schemas", 200, BODY_DEEP_OBJECTS, TRUE, 0 },
    { "list", OP_READ_DIRECTORY, "GET", USERS_PATH, 200, BODY_DEEP_ARRAYS, FALSE, JN_ERROR_ENT_REFUSED },
    { "list-error", OP_READ_DIRECTORY, "GET", USERS_PATH, 400, BODY_DEEP_OBJECTS, FALSE, JN_ERROR_ENT_REFUSED },
    { "user", OP_READ_USER, "GET", USERS_PATH "/lea", 200, BODY_DEEP_OBJECTS, FALSE, JN_ERROR_ENT_REFUSED },
    { "user-error", OP_READ_USER, "GET", USERS_PATH "/lea", 403, BODY_DEEP_ARRAYS, FALSE, JN_ERROR_ENT_AUTH },
    /* Not believed: read again, and found not written */
    { "patch", OP_WRITE, "PATCH", USERS_PATH "/lea", 200, BODY_DEEP_ARRAYS, FALSE, JN_ERROR_ENT_REFUSED },
    { "patch-error", OP_WRITE, "PATCH", USERS_PATH "/lea", 409, BODY_DEEP_OBJECTS, FALSE, JN_ERROR_ENT_CONFLICT },
    { "bulk", OP_WRITE_MANY, "POST", BASE_PATH "/Bulk", 200, BODY_DEEP_OBJECTS, FALSE, JN_ERROR_ENT_SERVER },
    { "bulk-error", OP_WRITE_MANY, "POST", BASE_PATH "/Bulk", 400, BODY_DEEP_ARRAYS, FALSE, JN_ERROR_ENT_REFUSED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Fixture fixture = { 0 };
      g_autoptr(JnEntUser) lea = NULL;
      g_autoptr(GError) error = NULL;
      gboolean ok;

      if (skip_case (cases[i].name))
        continue;
      g_test_message ("case %s", cases[i].name);
      fixture_setup (&fixture, NULL);
      lea = fixture_prepare (&fixture, cases[i].op, 5);
      server_add_fault (fixture.server, &(Fault) { .method = cases[i].method, .path = cases[i].path,
                                                   .action = FAULT_RAW, .status = cases[i].status,
                                                   .body_kind = cases[i].kind });
      ok = run_op (&fixture, cases[i].op, lea, NULL, &error);
      if (ok != cases[i].ok)
        g_error ("%s: %s", cases[i].name, error ? error->message : "succeeded");
      if (!ok)
        g_assert_error (error, JN_ERROR, cases[i].code);
      g_assert_cmpuint (server_get_fault_fired (fixture.server, 0), >=, 1);
      g_clear_object (&lea);
      fixture_teardown (&fixture, NULL);
    }
}

/* Answers too large, too slow or compressed: refused, however they come */
static void
test_large_answers (void)
{
  static const struct
  {
    const char  *name;
    FaultAction  action;
    BodyKind     kind;
    guint        ticks;
    gsize        chunk;
    guint        interval_ms;
    guint        timeout_s;
    int          code;
  } cases[] = {
    /* 40 MiB with a Content-Length */
    { "declared", FAULT_RAW, BODY_PADDED, 0, 0, 0, 5, JN_ERROR_ENT_REFUSED },
    /* 48 MiB chunked, no length announced */
    { "chunked", FAULT_STREAM, BODY_TEXT, 48, 1024 * 1024, 1, 5, JN_ERROR_ENT_REFUSED },
    /* One byte every 200 ms for 8 s: each read is quick, the whole is too slow (4 × 1 s) */
    { "drip", FAULT_STREAM, BODY_TEXT, 40, 1, 200, 1, JN_ERROR_ENT_UNREACHABLE },
    /* 64 MiB of spaces gzipped to some 64 KB: never inflated */
    { "gzip", FAULT_GZIP, BODY_TEXT, 0, 64 * 1024 * 1024, 0, 5, JN_ERROR_ENT_REFUSED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Fixture fixture = { 0 };
      g_autoptr(GError) error = NULL;
      gint64 start;

      if (skip_case (cases[i].name))
        continue;
      g_test_message ("case %s", cases[i].name);
      fixture_setup (&fixture, NULL);
      fixture_prepare (&fixture, OP_DISCOVER, cases[i].timeout_s);
      server_add_fault (fixture.server, &(Fault) { .method = "GET", .path = BASE_PATH "/ServiceProviderConfig",
                                                   .action = cases[i].action, .status = 200,
                                                   .body_kind = cases[i].kind, .body = CONFIG_TEXT,
                                                   .stream_ticks = cases[i].ticks, .stream_chunk = cases[i].chunk,
                                                   .delay_ms = cases[i].interval_ms });
      start = g_get_monotonic_time ();
      if (jn_scim_client_discover (fixture.client, NULL, &error))
        g_error ("%s: accepted", cases[i].name);
      g_assert_error (error, JN_ERROR, cases[i].code);
      g_assert_cmpint (g_get_monotonic_time () - start, <, 6 * G_USEC_PER_SEC);
      g_assert_false (SERVER_GET (fixture.server, accept_encoding));
      fixture_teardown (&fixture, NULL);
    }
}

/* A server's error text is bounded, whatever its length */
static void
test_long_detail (Fixture       *fixture,
                  gconstpointer  data)
{
  static const gsize lengths[] = { 301, 4096, 1024 * 1024 };

  fixture_prepare (fixture, OP_DISCOVER, 5);
  g_assert_true (jn_scim_client_discover (fixture->client, NULL, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
    {
      g_autofree char *detail = g_malloc (lengths[i] + 1);
      g_autoptr(JnEntUser) user = NULL;
      g_autoptr(GError) error = NULL;

      memset (detail, 'x', lengths[i]);
      detail[lengths[i]] = '\0';
      server_clear_faults (fixture->server);
      server_add_fault (fixture->server, &(Fault) { .method = "GET", .action = FAULT_STATUS,
                                                    .status = 400, .detail = detail });
      user = jn_ent_read_user (JN_ENT (fixture->client), "lea", NULL, &error);
      g_assert_null (user);
      g_assert_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED);
      g_assert_cmpuint (strlen (error->message), <, 300 * 4 + 200);
      g_assert_nonnull (strstr (error->message, "xxx…"));
    }
}

/* Redirects: never to another origin (the token stays home), never for a write */
static void
test_redirects (void)
{
  static const struct
  {
    const char *name;
    Op          op;
    const char *method;
    const char *path;
    guint       status;
    gboolean    other;      /* to the other server (else @location, on this one) */
    const char *location;
    guint       times;
    gboolean    ok;
  } cases[] = {
    { "config-elsewhere", OP_DISCOVER, "GET", BASE_PATH "/ServiceProviderConfig", 302, TRUE, NULL, 1, FALSE },
    { "list-elsewhere", OP_READ_DIRECTORY, "GET", USERS_PATH, 301, TRUE, NULL, 1, FALSE },
    { "user-elsewhere", OP_READ_USER, "GET", USERS_PATH "/lea", 307, TRUE, NULL, 1, FALSE },
    { "user-https", OP_READ_USER, "GET", USERS_PATH "/lea", 302, FALSE, "https://ent.invalid/scim/v2/Users/lea", 1, FALSE },
    { "user-userinfo", OP_READ_USER, "GET", USERS_PATH "/lea", 302, FALSE, "//evil@127.0.0.1:1/Users/lea", 1, FALSE },
    { "patch-elsewhere", OP_WRITE, "PATCH", USERS_PATH "/lea", 307, TRUE, NULL, 1, FALSE },
    { "patch-same-origin", OP_WRITE, "PATCH", USERS_PATH "/lea", 308, FALSE, USERS_PATH "/lea", 1, FALSE },
    { "bulk-same-origin", OP_WRITE_MANY, "POST", BASE_PATH "/Bulk", 307, FALSE, BASE_PATH "/Bulk", 1, FALSE },
    /* Same origin, a read: followed */
    { "user-same-origin", OP_READ_USER, "GET", USERS_PATH "/lea", 302, FALSE, USERS_PATH "/lea", 1, TRUE },
    /* A loop: given up after a few */
    { "user-loop", OP_READ_USER, "GET", USERS_PATH "/lea", 302, FALSE, USERS_PATH "/lea", 0, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Fixture fixture = { 0 };
      Server *other = NULL;
      g_autofree char *other_url = NULL;
      g_autofree char *location = NULL;
      g_autoptr(JnEntUser) lea = NULL;
      g_autoptr(GError) error = NULL;
      gboolean ok;

      if (skip_case (cases[i].name))
        continue;
      g_test_message ("case %s", cases[i].name);
      other = server_new ();
      other_url = server_dup_base_url (other);
      server_add_user (other, "lea", "Eleve", "Martin", "Léa", "2012-01-02", UAI, "");
      location = cases[i].other ? g_strconcat (other_url, cases[i].path + strlen (BASE_PATH), NULL)
                                : g_strdup (cases[i].location);
      fixture_setup (&fixture, NULL);
      lea = fixture_prepare (&fixture, cases[i].op, 5);
      server_add_fault (fixture.server, &(Fault) { .method = cases[i].method, .path = cases[i].path,
                                                   .times = cases[i].times, .action = FAULT_RAW,
                                                   .status = cases[i].status, .location = location });
      ok = run_op (&fixture, cases[i].op, lea, NULL, &error);
      if (ok != cases[i].ok)
        g_error ("%s: %s", cases[i].name, error ? error->message : "succeeded");
      if (!ok)
        {
          g_assert_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED);
          if (cases[i].times == 1)
            g_assert_nonnull (strstr (error->message, cases[i].other ? other_url : "/"));
        }
      /* Nothing ever reached the other origin, with or without the token */
      g_assert_cmpuint (SERVER_GET (other, n_requests), ==, 0);
      g_assert_cmpuint (SERVER_GET (other, n_authorization), ==, 0);
      /* Nothing written by a redirected change */
      g_assert_cmpuint (server_get_applied (fixture.server, "lea"), ==, 0);
      g_assert_cmpuint (server_get_fault_fired (fixture.server, 0), <=, 4);
      g_clear_object (&lea);
      fixture_teardown (&fixture, NULL);
      server_free (other);
    }
}

typedef struct
{
  GCancellable *cancellable;
  guint         asked_s;
  guint         wait_s;
  guint         n;
} Waiting;

static void
waiting_cb (JnScimClient *client,
            guint         asked_s,
            guint         wait_s,
            gpointer      data)
{
  Waiting *waiting = data;

  waiting->asked_s = asked_s;
  waiting->wait_s = wait_s;
  waiting->n++;
  g_cancellable_cancel (waiting->cancellable);
}

/* Retry-After: the wait is cut to 60 s, announced, and Ctrl+C (the cancellable) ends it */
static void
test_retry_after_cap (void)
{
  static const struct
  {
    const char *retry_after;
    guint       asked_s;    /* 0: not announced (ordinary back-off) */
    guint       wait_s;
  } cases[] = {
    { "999999", 999999, 60 },
    { "18446744073709551615", G_MAXUINT, 60 },
    { "61", 61, 60 },
    { "2", 2, 2 },
    { "Fri, 01 Jan 2100 00:00:00 GMT", G_MAXUINT, 60 },
    { "-5", 0, 0 },
    { "soon", 0, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Fixture fixture = { 0 };
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GError) error = NULL;
      Waiting waiting = { cancellable, 0, 0, 0 };
      gint64 start;
      gboolean ok;

      if (skip_case (cases[i].retry_after))
        continue;
      g_test_message ("case %s", cases[i].retry_after);
      fixture_setup (&fixture, NULL);
      fixture_prepare (&fixture, OP_DISCOVER, 5);
      g_signal_connect (fixture.client, "waiting", G_CALLBACK (waiting_cb), &waiting);
      server_add_fault (fixture.server, &(Fault) { .method = "GET", .times = 1, .action = FAULT_STATUS,
                                                   .status = 429, .retry_after = cases[i].retry_after });
      start = g_get_monotonic_time ();
      ok = jn_scim_client_discover (fixture.client, cancellable, &error);
      g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
      if (cases[i].asked_s > 0)
        {
          g_assert_false (ok);
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          g_assert_cmpuint (waiting.n, ==, 1);
          if (cases[i].asked_s != G_MAXUINT)
            g_assert_cmpuint (waiting.asked_s, ==, cases[i].asked_s);
          else
            g_assert_cmpuint (waiting.asked_s, >, 60);
          g_assert_cmpuint (waiting.wait_s, ==, cases[i].wait_s);
        }
      else
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_cmpuint (waiting.n, ==, 0);
        }
      fixture_teardown (&fixture, NULL);
    }
}

/* A write is confirmed for the user it was sent to: another user's resource in the answer
 * is not believed (read again); a read answered with another user is refused */
static void
test_other_user (void)
{
  static const struct
  {
    const char  *name;
    Op           op;
    FaultAction  action;
    gboolean     ok;
  } cases[] = {
    { "patch-not-applied", OP_WRITE, FAULT_OTHER_USER, FALSE },
    { "patch-applied", OP_WRITE, FAULT_APPLY_THEN_OTHER_USER, TRUE },
    { "read", OP_READ_USER, FAULT_OTHER_USER, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Fixture fixture = { 0 };
      g_autoptr(JnEntUser) lea = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *value = NULL;
      gboolean ok;

      if (skip_case (cases[i].name))
        continue;
      g_test_message ("case %s", cases[i].name);
      fixture_setup (&fixture, NULL);
      lea = fixture_prepare (&fixture, cases[i].op, 5);
      /* Hugo already holds the identifier to be written to Léa: his resource "confirms" it */
      server_set_pronote_id (fixture.server, "hugo", UAI, LEA_ID);
      server_add_fault (fixture.server, &(Fault) { .method = cases[i].op == OP_WRITE ? "PATCH" : "GET",
                                                   .path = USERS_PATH "/lea", .times = 1,
                                                   .action = cases[i].action, .other_id = "hugo" });
      ok = run_op (&fixture, cases[i].op, lea, NULL, &error);
      if (ok != cases[i].ok)
        g_error ("%s: %s", cases[i].name, error ? error->message : "succeeded");
      if (!ok)
        g_assert_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED);
      value = server_dup_pronote_id (fixture.server, "lea", UAI);
      g_assert_cmpstr (value, ==, cases[i].action == FAULT_APPLY_THEN_OTHER_USER ? LEA_ID : NULL);
      g_clear_object (&lea);
      fixture_teardown (&fixture, NULL);
    }
}

/* A version with control characters is never sent in If-Match (libsoup dropped the
 * header with a CRITICAL and the write went unguarded); an id that could address another
 * resource is never put in a path */
static void
test_unsafe_values (void)
{
  static const struct
  {
    const char *id;
    const char *version;
  } cases[] = {
    { "lea", "W/\"1\"\r\nX-Evil: 1" },
    { "lea", "W/\"1\"\n" },
    { "lea", "W/\"1\"\r" },
    { "lea", "W/\"1\"\001" },
    { "lea", "W/\"1\"\177" },
    { "lea", "W/\"é\"" },
    { "..", "W/\"1\"" },
    { ".", "W/\"1\"" },
    { "a\nb", "W/\"1\"" },
    { "a\tb", "W/\"1\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Fixture fixture = { 0 };
      g_autoptr(JnEntUser) lea = NULL;
      g_autoptr(JnEntUser) user = NULL;
      g_autoptr(JnEntUser) written = NULL;
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GError) error = NULL;
      guint n_requests;

      {
        g_autofree char *name = g_strdup_printf ("%u", i);

        if (skip_case (name))
          continue;
      }
      g_test_message ("case %u", i);
      fixture_setup (&fixture, NULL);
      lea = fixture_prepare (&fixture, OP_WRITE, 5);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, cases[i].id);
      json_builder_set_member_name (builder, "meta");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "version");
      json_builder_add_string_value (builder, cases[i].version);
      json_builder_end_object (builder);
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      user = jn_ent_user_new_from_json (json_node_get_object (node), NULL, &error);
      g_assert_no_error (error);

      n_requests = SERVER_GET (fixture.server, n_requests);
      written = jn_ent_write_pronote_id (JN_ENT (fixture.client), user, UAI, LEA_ID, NULL, &error);
      g_assert_null (written);
      g_assert_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED);
      g_assert_cmpuint (SERVER_GET (fixture.server, n_patch), ==, 0);
      if (!g_str_equal (cases[i].id, "lea"))
        {
          g_autoptr(JnEntUser) read = NULL;

          g_clear_error (&error);
          read = jn_ent_read_user (JN_ENT (fixture.client), cases[i].id, NULL, &error);
          g_assert_null (read);
          g_assert_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED);
          g_assert_cmpuint (SERVER_GET (fixture.server, n_requests), ==, n_requests);
        }
      g_clear_object (&lea);
      fixture_teardown (&fixture, NULL);
    }
}

/* A directory that looks truncated is never trusted: one page past totalResults */
static void
test_lying_totals (void)
{
  static const struct
  {
    const char *name;
    guint       n_users;
    TotalMode   total_mode;
    gboolean    empty_past_end;
    gboolean    filter_nobody;
    guint       n_read;
    gboolean    complete;
    gboolean    ignore_filter;  /* with 40 users of another establishment */
    gboolean    echo_start_index;
  } cases[] = {
    /* Past the end, page 1 again, but saying the startIndex asked (the Node test server
     * does): the count is true, the directory whole */
    { "true-page-1-again-echoing-start", 329, TOTAL_TRUE, FALSE, FALSE, 329, TRUE, FALSE, TRUE },
    { "true-multiple-page-1-again-echoing-start", 300, TOTAL_TRUE, FALSE, FALSE, 300, TRUE, FALSE, TRUE },
    { "page-size-echoing-start", 329, TOTAL_PAGE_SIZE, FALSE, FALSE, 329, FALSE, FALSE, TRUE },
    { "true", 329, TOTAL_TRUE, FALSE, FALSE, 329, TRUE },
    /* A server that ignores the filter: the others are read, and left out */
    { "filter-ignored", 329, TOTAL_TRUE, FALSE, FALSE, 329, TRUE, TRUE },
    { "true-empty-past-end", 329, TOTAL_TRUE, TRUE, FALSE, 329, TRUE },
    { "true-multiple", 300, TOTAL_TRUE, FALSE, FALSE, 300, TRUE },
    { "true-multiple-empty-past-end", 300, TOTAL_TRUE, TRUE, FALSE, 300, TRUE },
    { "page-size", 329, TOTAL_PAGE_SIZE, FALSE, FALSE, 329, FALSE },
    { "page-size-empty-past-end", 329, TOTAL_PAGE_SIZE, TRUE, FALSE, 329, FALSE },
    { "zero", 329, TOTAL_ZERO, FALSE, FALSE, 329, FALSE },
    { "below-start-index", 329, TOTAL_BELOW_START, FALSE, FALSE, 329, FALSE },
    { "filter-nobody", 329, TOTAL_TRUE, FALSE, TRUE, 0, FALSE },
    { "empty", 0, TOTAL_TRUE, FALSE, FALSE, 0, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Fixture fixture = { 0 };
      g_autoptr(JnDirectory) directory = NULL;
      g_autoptr(GError) error = NULL;

      if (skip_case (cases[i].name))
        continue;
      g_test_message ("case %s", cases[i].name);
      fixture_setup (&fixture, NULL);
      {
        LOCKED (fixture.server);
        fixture.server->page_cap = 50;
        fixture.server->total_mode = cases[i].total_mode;
        fixture.server->empty_past_end = cases[i].empty_past_end;
        fixture.server->filter_nobody = cases[i].filter_nobody;
        fixture.server->ignore_filter = cases[i].ignore_filter;
        fixture.server->echo_start_index = cases[i].echo_start_index;
      }
      for (guint k = 0; k < cases[i].n_users; k++)
        {
          g_autofree char *id = g_strdup_printf ("u%03u", k);

          server_add_user (fixture.server, id, "Eleve", id, "Lou", "2011-02-03", UAI, "");
          if (cases[i].ignore_filter && k % 8 == 0)
            {
              g_autofree char *other = g_strdup_printf ("x%03u", k);

              server_add_user (fixture.server, other, "Eleve", other, "Lou", "2011-02-03", OTHER_UAI, "");
            }
        }
      fixture_connect (&fixture, 5, 2);
      directory = jn_ent_read_directory (JN_ENT (fixture.client), UAI, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      if (jn_directory_get_n_users (directory) != cases[i].n_read)
        g_error ("%s: %u users read", cases[i].name, jn_directory_get_n_users (directory));
      if (jn_directory_get_complete (directory) != cases[i].complete)
        g_error ("%s: complete is %d", cases[i].name, jn_directory_get_complete (directory));
      if (!cases[i].complete)
        {
          g_assert_nonnull (jn_directory_get_incomplete_reason (directory));
          g_test_message ("%s", jn_directory_get_incomplete_reason (directory));
        }
      else
        g_assert_null (jn_directory_get_incomplete_reason (directory));
      g_assert_cmpuint (SERVER_GET (fixture.server, n_list_pages), <=, cases[i].n_users / 50 + 3 + (cases[i].ignore_filter ? 1 : 0));
      fixture_teardown (&fixture, NULL);
    }
}

/* Two writers adding the identifier at once on a server that appends on "add" (as the
 * Node test server; RFC 7644 only says SHOULD NOT): the user holds the UAI twice. That is
 * no confirmed write: it is repaired to one entry (other establishments untouched), read
 * back, and fails clearly when the repair does not hold. */
static void
test_duplicate_entries (void)
{
  static const struct
  {
    const char *name;
    gboolean    etag;
    gboolean    no_content;     /* a PATCH answers 204 */
    const char *held;           /* already held for UAI before the write ("," between) */
    const char *concurrent;     /* another writer's value for UAI, at the PATCH */
    gboolean    after;          /* …applied just after ours */
    gboolean    ignore;         /* every PATCH answered 200 unchanged */
    gboolean    ok;
  } cases[] = {
    /* The Node server's run: both re-read, both add, appended twice */
    { "concurrent-same", FALSE, FALSE, NULL, LEA_ID, FALSE, FALSE, TRUE },
    { "concurrent-same-204", FALSE, TRUE, NULL, LEA_ID, FALSE, FALSE, TRUE },
    /* Another value added just after ours, seen when read back (204): ours was accepted
     * and confirmed, one entry stays */
    { "concurrent-other-after", FALSE, TRUE, NULL, "OTHER00000000001", TRUE, FALSE, TRUE },
    /* Left twice by an earlier run: the re-read before the write sees it */
    { "held-twice", FALSE, FALSE, LEA_ID "," LEA_ID, NULL, FALSE, FALSE, TRUE },
    { "held-twice-etag", TRUE, FALSE, LEA_ID "," LEA_ID, NULL, FALSE, FALSE, TRUE },
    { "held-old-twice", FALSE, FALSE, "OLD0000000000001,OLD0000000000001", NULL, FALSE, FALSE, TRUE },
    /* A repair the server does not keep: a clear failure, not a success */
    { "repair-ignored", FALSE, FALSE, LEA_ID "," LEA_ID, NULL, FALSE, TRUE, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Fixture fixture = { 0 };
      g_autoptr(GError) error = NULL;
      g_autoptr(JnEntUser) lea = NULL;
      g_autoptr(JnEntUser) written = NULL;
      g_autofree char *held = NULL;
      g_autofree char *other = NULL;
      g_auto(GStrv) before = NULL;

      if (skip_case (cases[i].name))
        continue;
      g_test_message ("case %s", cases[i].name);
      fixture_setup (&fixture, NULL);
      server_set_etag (fixture.server, cases[i].etag);
      {
        LOCKED (fixture.server);
        fixture.server->patch_no_content = cases[i].no_content;
      }
      server_add_user (fixture.server, "lea", "Eleve", "Martin", "Léa", "2012-01-02", UAI,
                       "\"pronoteIds\":[{\"uai\":\"" OTHER_UAI "\",\"value\":\"ELSEWHERE0000001\"}]");
      before = cases[i].held ? g_strsplit (cases[i].held, ",", -1) : g_new0 (char *, 1);
      for (guint k = 0; before[k] != NULL; k++)
        server_append_pronote_id (fixture.server, "lea", UAI, before[k]);
      fixture_client (&fixture, 5, 2);
      g_assert_true (jn_scim_client_discover (fixture.client, NULL, &error));
      g_assert_no_error (error);
      lea = jn_ent_read_user (JN_ENT (fixture.client), "lea", NULL, &error);
      g_assert_no_error (error);
      if (cases[i].concurrent != NULL)
        server_add_fault (fixture.server, &(Fault) { .method = "PATCH", .times = 1, .action = FAULT_CONCURRENT_ADD,
                                                     .concurrent_value = cases[i].concurrent,
                                                     .concurrent_after = cases[i].after });
      if (cases[i].ignore)
        server_add_fault (fixture.server, &(Fault) { .method = "PATCH", .action = FAULT_IGNORE });

      written = jn_ent_write_pronote_id (JN_ENT (fixture.client), lea, UAI, LEA_ID, NULL, &error);
      held = server_dup_entries_for (fixture.server, "lea", UAI);
      other = server_dup_entries_for (fixture.server, "lea", OTHER_UAI);
      if (cases[i].ok)
        {
          g_assert_no_error (error);
          g_assert_nonnull (written);
          g_assert_cmpstr (jn_ent_user_get_pronote_id (written, UAI), ==, LEA_ID);
          g_assert_cmpuint (jn_ent_user_count_pronote_ids (written, UAI), ==, 1);
          g_assert_cmpstr (held, ==, LEA_ID);
        }
      else
        {
          g_assert_null (written);
          g_assert_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED);
          g_assert_nonnull (strstr (error->message, "in 2 entries"));
        }
      /* The other establishment's entry, as it was */
      g_assert_cmpstr (other, ==, "ELSEWHERE0000001");
      {
        LOCKED (fixture.server);
        g_assert_cmpuint (fixture.server->n_412, ==, 0);
      }
      fixture_teardown (&fixture, NULL);
    }
}

/* Retry-After waits add up: one request takes at most its total (120 s by default, here
 * a few seconds), then fails with a clear message, without the last wait */
static void
test_retry_after_total (void)
{
  static const struct
  {
    const char *name;
    Op          op;
    const char *method;
    const char *retry_after;
    guint       status;
    guint       times;
    guint       max_total_s;
    gboolean    ok;
    guint       max_elapsed_ms;
  } cases[] = {
    { "read-2x3", OP_READ_USER, "GET", "2", 429, 3, 3, FALSE, 2900 },
    { "read-3", OP_READ_USER, "GET", "3", 503, 1, 2, FALSE, 500 },
    { "write-2x3", OP_WRITE, "PATCH", "2", 429, 3, 3, FALSE, 2900 },
    { "write-503", OP_WRITE, "PATCH", "4", 503, 1, 3, FALSE, 500 },
    /* Within the total: waited, then done */
    { "read-1x2", OP_READ_USER, "GET", "1", 429, 2, 4, TRUE, 3500 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Fixture fixture = { 0 };
      g_autoptr(GError) error = NULL;
      g_autoptr(JnEntUser) lea = NULL;
      gint64 start, elapsed_ms;
      gboolean ok;

      if (skip_case (cases[i].name))
        continue;
      g_test_message ("case %s", cases[i].name);
      fixture_setup (&fixture, NULL);
      lea = fixture_prepare (&fixture, cases[i].op, 5);
      jn_scim_client_set_retries (fixture.client, 5, 10);
      jn_scim_client_set_max_total (fixture.client, cases[i].max_total_s);
      server_add_fault (fixture.server, &(Fault) { .method = cases[i].method, .path = USERS_PATH "/lea",
                                                   .times = cases[i].times, .action = FAULT_STATUS,
                                                   .status = cases[i].status, .retry_after = cases[i].retry_after });
      start = g_get_monotonic_time ();
      ok = run_op (&fixture, cases[i].op, lea, NULL, &error);
      elapsed_ms = (g_get_monotonic_time () - start) / 1000;
      g_assert_cmpint (elapsed_ms, <, cases[i].max_elapsed_ms);
      if (cases[i].ok)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_autofree char *limit = g_strdup_printf ("past the limit of %u s", cases[i].max_total_s);

          g_assert_false (ok);
          g_assert_error (error, JN_ERROR, JN_ERROR_ENT_SERVER);
          g_assert_nonnull (strstr (error->message, limit));
          g_assert_cmpuint (server_get_applied (fixture.server, "lea"), ==, 0);
        }
      fixture_teardown (&fixture, NULL);
    }
}

/* A compressed answer (never asked for) is refused, and said so */
static void
test_content_encoding (void)
{
  static const struct
  {
    const char *encoding;
    gboolean    ok;
  } cases[] = {
    { "gzip", FALSE },
    { "br", FALSE },
    { "deflate", FALSE },
    { "x-gzip", FALSE },
    { "GZIP", FALSE },
    { "identity", TRUE },
  };
  static const char lea_text[] = "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],"
                                 "\"id\":\"lea\",\"userName\":\"lea\"}";

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Fixture fixture = { 0 };
      g_autoptr(GError) error = NULL;
      g_autoptr(JnEntUser) lea = NULL;
      g_autofree char *said = g_strdup_printf ("answered in a compressed form (Content-Encoding: %s), "
                                               "which Jonction does not accept", cases[i].encoding);

      if (skip_case (cases[i].encoding))
        continue;
      g_test_message ("case %s", cases[i].encoding);
      fixture_setup (&fixture, NULL);
      g_clear_object (&lea);
      lea = fixture_prepare (&fixture, OP_READ_USER, 5);
      g_clear_object (&lea);
      /* A plain body: the label alone is refused, whatever the bytes */
      server_add_fault (fixture.server, &(Fault) { .method = "GET", .path = USERS_PATH "/lea", .times = 1,
                                                   .action = FAULT_RAW, .status = 200, .body = lea_text,
                                                   .content_encoding = cases[i].encoding });
      lea = jn_ent_read_user (JN_ENT (fixture.client), "lea", NULL, &error);
      if (cases[i].ok)
        {
          g_assert_no_error (error);
          g_assert_nonnull (lea);
        }
      else
        {
          g_assert_null (lea);
          g_assert_error (error, JN_ERROR, JN_ERROR_ENT_REFUSED);
          g_assert_nonnull (strstr (error->message, said));
        }
      fixture_teardown (&fixture, NULL);
    }
}

/* The worker thread drops its reference to the task, and so to the store and the client
 * its data hold, after answering: waited for, before the fixture checks they are gone. (A
 * weak pointer on the task is not enough: it is cleared before the task's data are freed.) */
static void
drop_task (Fixture       *fixture,
           GAsyncResult **result)
{
  g_clear_object (result);
  for (guint i = 0;
       i < 10000 && (g_atomic_int_get (&G_OBJECT (fixture->client)->ref_count) > 1 ||
                     g_atomic_int_get (&G_OBJECT (fixture->store)->ref_count) > 1);
       i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
edit_saved_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

/* An interrupted edit of one account the ENT keeps failing on (503 on every read) does not
 * block the editor's next save, of another account: that one is made, the first stays
 * unfinished for the next time */
static void
test_interrupted_edit_failing (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JnPushReport) report = NULL;
  g_autoptr(JnEntUser) hugo = NULL;
  g_autoptr(JnImportRecord) record = NULL;
  g_autofree char *import_id = NULL;
  g_autofree char *value = NULL;
  JnEnt *ent;

  server_add_user (fixture->server, "lea", "Eleve", "Martin", "Léa", "2012-01-02", UAI, "");
  server_add_user (fixture->server, "hugo", "Eleve", "Dubois", "Hugo", "2012-03-04", UAI, "");
  fixture_connect (fixture, 5, 2);
  ent = JN_ENT (fixture->client);

  import_id = journal_single_edit (fixture->store, jn_ent_describe (ent), UAI, "lea", JN_OP_SET,
                                   "KVX8NTH4DPQ3SYU7", NULL, FALSE);

  server_add_fault (fixture->server, &(Fault) { .method = "GET", .path = USERS_PATH "/lea",
                                                .action = FAULT_STATUS, .status = 503 });

  hugo = jn_ent_read_user (ent, "hugo", NULL, &error);
  g_assert_no_error (error);
  jn_user_edit_save_async (fixture->store, ent, hugo, UAI, "M4NPQRSTUVWXYZ23", FALSE, NULL,
                           edit_saved_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  report = jn_user_edit_save_finish (result, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->failed->len, ==, 0);
  drop_task (fixture, &result);

  value = server_dup_pronote_id (fixture->server, "hugo", UAI);
  g_assert_cmpstr (value, ==, "M4NPQRSTUVWXYZ23");
  g_clear_pointer (&value, g_free);
  value = server_dup_pronote_id (fixture->server, "lea", UAI);
  g_assert_null (value);
  record = jn_store_get_import (fixture->store, import_id, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_equal (record->state, "running") || g_str_equal (record->state, "interrupted"));
}

/* The editor's load finishes an interrupted edit, then cannot read the directory (503): the
 * edit's outcome is still given, so that the editor says it and an open import hears that
 * the ENT changed. It was dropped with the directory: the change landed unannounced, and
 * the next load had nothing left to finish, so nothing ever told of it. */
static void
index_loaded_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static void
test_interrupted_edit_directory_fails (Fixture       *fixture,
                                       gconstpointer  data)
{
  g_autoptr(GPtrArray) finished = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JnUserIndex) index = NULL;
  g_autofree char *import_id = NULL;
  g_autofree char *value = NULL;
  JnEnt *ent;

  server_add_user (fixture->server, "lea", "Eleve", "Martin", "Léa", "2012-01-02", UAI, "");
  server_add_user (fixture->server, "hugo", "Eleve", "Dubois", "Hugo", "2012-03-04", UAI, "");
  fixture_connect (fixture, 5, 2);
  ent = JN_ENT (fixture->client);

  import_id = journal_single_edit (fixture->store, jn_ent_describe (ent), UAI, "lea", JN_OP_SET,
                                   "KVX8NTH4DPQ3SYU7", NULL, FALSE);

  /* the finishing reads the directory once; the load's own read fails from then on */
  server_add_fault (fixture->server, &(Fault) { .method = "GET", .path = USERS_PATH, .first = 3,
                                                .action = FAULT_STATUS, .status = 503 });

  jn_user_index_load_async (fixture->store, ent, UAI, NULL, index_loaded_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  index = jn_user_index_load_finish (result, &finished, &error);
  g_assert_null (index);
  g_assert_nonnull (error);

  value = server_dup_pronote_id (fixture->server, "lea", UAI);
  g_assert_cmpstr (value, ==, "KVX8NTH4DPQ3SYU7");
  g_assert_nonnull (finished);
  g_assert_cmpuint (finished->len, ==, 1);
  g_assert_cmpint (((JnOperation *)g_ptr_array_index (finished, 0))->state, ==, JN_OP_DONE);

  drop_task (fixture, &result);
}

int
main (int   argc,
      char *argv[])
{
  /* The GNOME proxy resolver reads GSettings schemas, which the isolated XDG dirs hide */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, data, func) \
  g_test_add ("/scim-faults/" path, Fixture, data, fixture_setup, func, fixture_teardown)

  ADD ("paging", NULL, test_paging);
  ADD ("paging/ignored-start-index", NULL, test_paging_ignored);
  ADD ("server-errors", NULL, test_server_errors);
  ADD ("retry-after", NULL, test_retry_after);
  ADD ("dropped-connection", GINT_TO_POINTER (FALSE), test_dropped_connection);
  ADD ("dropped-connection/no-content", GINT_TO_POINTER (TRUE), test_dropped_connection);
  ADD ("timeout/run-again", GINT_TO_POINTER (FALSE), test_timeout_resume);
  ADD ("timeout/resume", GINT_TO_POINTER (TRUE), test_timeout_resume);
  ADD ("stale/etag", NULL, test_stale_etag);
  ADD ("stale/no-etag", NULL, test_stale_no_etag);
  ADD ("stale/no-etag-blind", NULL, test_stale_no_etag_blind);
  ADD ("stale/no-etag-fallback", NULL, test_stale_no_etag_fallback);
  ADD ("conflict", NULL, test_conflict);
  ADD ("unauthorized", NULL, test_unauthorized);
  ADD ("invalid-path/replace", GINT_TO_POINTER (TRUE), test_invalid_path);
  ADD ("invalid-path/remove", GINT_TO_POINTER (FALSE), test_invalid_path);
  ADD ("dropped-write", NULL, test_dropped_write);
  ADD ("hostile/long-detail", NULL, test_long_detail);
  g_test_add_func ("/scim-faults/hostile/nesting-bombs", test_nesting_bombs);
  g_test_add_func ("/scim-faults/hostile/large-answers", test_large_answers);
  g_test_add_func ("/scim-faults/hostile/redirects", test_redirects);
  g_test_add_func ("/scim-faults/hostile/retry-after-cap", test_retry_after_cap);
  g_test_add_func ("/scim-faults/hostile/other-user", test_other_user);
  g_test_add_func ("/scim-faults/hostile/unsafe-values", test_unsafe_values);
  g_test_add_func ("/scim-faults/hostile/lying-totals", test_lying_totals);
  g_test_add_func ("/scim-faults/hostile/duplicate-entries", test_duplicate_entries);
  g_test_add_func ("/scim-faults/hostile/retry-after-total", test_retry_after_total);
  g_test_add_func ("/scim-faults/hostile/content-encoding", test_content_encoding);
  g_test_add_func ("/scim-faults/new-refusals", test_new_refusals);
  g_test_add ("/scim-faults/interrupted-edit-failing", Fixture, NULL, fixture_setup,
              test_interrupted_edit_failing, fixture_teardown);
  g_test_add ("/scim-faults/interrupted-edit-directory-fails", Fixture, NULL, fixture_setup,
              test_interrupted_edit_directory_fails, fixture_teardown);
  g_test_add_func ("/scim-faults/new-refusals/blank-token", test_new_blank_token);

  return g_test_run ();
}
