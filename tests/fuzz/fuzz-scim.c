/* fuzz-scim.c: the SCIM client (app/jn-scim-client.c) against an in-process HTTP server
 * that answers with the fuzzer's bytes: ListResponse pages, User resources, errors,
 * ServiceProviderConfig, Schemas and BulkResponses all go through the client's own code
 * (its parsers are static: this is their smallest public entry point, jn-ent.h).
 *
 * Input: one operation byte, then the answers separated by NUL bytes, each
 * "STATUS\nETAG\nBODY" (a missing part answers 404). Operation ((byte & 0x7f) % 5):
 *   0 read the directory of 0312609T     1 read user u1
 *   2 write an identifier to user u1     3 discover only
 *   4 two writes in one Bulk request (Bulk on)
 * With bit 0x80 set, discovery (ServiceProviderConfig, then Schemas) comes first; 4 always
 * discovers. Two attempts per request (the retry paths re-read), no back-off.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "fuzz-common.h"

#include "jn-ent.h"
#include "jn-error.h"
#include "jn-scim-client.h"

#define UAI "0312609T"
#define EXT JN_DEFAULT_EXTENSION_URN

typedef struct
{
  guint  status;
  char  *etag;
  GBytes *body;
} Answer;

static struct
{
  GMutex        mutex;
  GCond         cond;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *server;
  char         *base_url;
  gboolean      ready;
  GPtrArray    *answers;   /* Answer, under mutex */
  guint         next;
} server;

static void
answer_free (Answer *answer)
{
  g_free (answer->etag);
  g_bytes_unref (answer->body);
  g_free (answer);
}

static void
handler_cb (SoupServer        *soup_server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  Answer *answer = NULL;

  g_mutex_lock (&server.mutex);
  if (server.answers != NULL && server.next < server.answers->len)
    answer = g_ptr_array_index (server.answers, server.next++);
  if (g_getenv ("JN_FUZZ_DEBUG") != NULL)
    {
      const char *if_match = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                           "If-Match");

      g_printerr ("fuzz-scim: %s %s%s%s → %u\n", soup_server_message_get_method (msg), path,
                  if_match ? " If-Match: " : "", if_match ? if_match : "",
                  answer ? answer->status : 404);
    }

  /* One connection per request: keep-alive costs a delayed ACK per round trip here */
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
  if (answer == NULL)
    {
      soup_server_message_set_status (msg, 404, NULL);
    }
  else
    {
      gsize size;
      const char *body = g_bytes_get_data (answer->body, &size);

      soup_server_message_set_status (msg, answer->status, NULL);
      if (answer->etag != NULL && *answer->etag)
        soup_message_headers_replace (soup_server_message_get_response_headers (msg), "ETag",
                                      answer->etag);
      soup_server_message_set_response (msg, "application/scim+json", SOUP_MEMORY_COPY,
                                        body, size);
    }
  g_mutex_unlock (&server.mutex);
}

static gboolean
ready_cb (gpointer data)
{
  g_mutex_lock (&server.mutex);
  server.ready = TRUE;
  g_cond_signal (&server.cond);
  g_mutex_unlock (&server.mutex);
  return G_SOURCE_REMOVE;
}

static gpointer
server_thread (gpointer data)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (server.context);
  server.server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server.server, NULL, handler_cb, NULL, NULL);
  if (!soup_server_listen_local (server.server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    g_error ("cannot listen: %s", error->message);
  uris = soup_server_get_uris (server.server);
  server.base_url = g_strdup_printf ("http://127.0.0.1:%d/scim/v2", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
  {
    GSource *source = g_idle_source_new ();

    g_source_set_callback (source, ready_cb, NULL, NULL);
    g_source_attach (source, server.context);
    g_source_unref (source);
  }
  g_main_loop_run (server.loop);
  return NULL;
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  g_mutex_init (&server.mutex);
  g_cond_init (&server.cond);
  server.context = g_main_context_new ();
  server.loop = g_main_loop_new (server.context, FALSE);
  g_thread_new ("scim-server", server_thread, NULL);
  g_mutex_lock (&server.mutex);
  while (!server.ready)
    g_cond_wait (&server.cond, &server.mutex);
  g_mutex_unlock (&server.mutex);
  return 0;
}

/* What the server side can send at all: libsoup refuses header values with CR or LF */
static char *
header_value (const char *text,
              gsize       length)
{
  GString *out = g_string_sized_new (length);

  for (gsize i = 0; i < length; i++)
    if (text[i] != '\r' && text[i] != '\n' && text[i] != '\0')
      g_string_append_c (out, text[i]);
  return g_string_free (out, FALSE);
}

static GPtrArray *
split_answers (const uint8_t *data,
               size_t         size)
{
  GPtrArray *answers = g_ptr_array_new_with_free_func ((GDestroyNotify)answer_free);
  const char *p = (const char *)data, *end = (const char *)data + size;

  while (p < end && answers->len < 64)
    {
      const char *stop = memchr (p, '\0', (size_t)(end - p));
      const char *nl1, *nl2;
      Answer *answer = g_new0 (Answer, 1);
      guint64 status = 200;

      if (stop == NULL)
        stop = end;
      nl1 = memchr (p, '\n', (size_t)(stop - p));
      nl2 = nl1 ? memchr (nl1 + 1, '\n', (size_t)(stop - nl1 - 1)) : NULL;
      if (nl1 != NULL && nl2 != NULL)
        {
          g_autofree char *code = g_strndup (p, (gsize)(nl1 - p));

          status = g_ascii_strtoull (code, NULL, 10);
          if (status < 200 || status > 599)
            status = 200;
          answer->etag = header_value (nl1 + 1, (gsize)(nl2 - nl1 - 1));
          answer->body = g_bytes_new (nl2 + 1, (gsize)(stop - nl2 - 1));
        }
      else
        answer->body = g_bytes_new (p, (gsize)(stop - p));
      answer->status = (guint)status;
      g_ptr_array_add (answers, answer);
      p = stop + 1;
    }

  return answers;
}

static JnEntUser *
expected_user (const char *id,
               const char *version)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = g_strdup_printf (
    "{\"id\":\"%s\",\"userName\":\"a.b\",\"name\":{\"familyName\":\"B\",\"givenName\":\"A\"},"
    "\"userType\":\"Eleve\",\"meta\":{\"version\":\"%s\"},"
    "\"" EXT "\":{\"structures\":[\"" UAI "\"],"
    "\"pronoteIds\":[{\"uai\":\"" UAI "\",\"value\":\"2345789ABCDEFGHJ\"}]}}", id, version);

  if (!json_parser_load_from_data (parser, text, -1, NULL))
    abort ();
  return jn_ent_user_new_from_json (json_node_get_object (json_parser_get_root (parser)), EXT, NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(JnScimClient) client = NULL;
  g_autoptr(GError) error = NULL;
  guint op;
  gboolean discover;

  if (size < 1)
    return 0;
  op = (data[0] & 0x7f) % 5;
  discover = (data[0] & 0x80) != 0 || op == 3 || op == 4;

  g_mutex_lock (&server.mutex);
  g_clear_pointer (&server.answers, g_ptr_array_unref);
  server.answers = split_answers (data + 1, size - 1);
  server.next = 0;
  g_mutex_unlock (&server.mutex);

  client = jn_scim_client_new (server.base_url, "fuzz-token", EXT, &error);
  g_assert_no_error (error);
  jn_scim_client_set_retries (client, 2, 0);
  jn_scim_client_set_timeout (client, 5);

  if (discover && !jn_scim_client_discover (client, NULL, &error))
    {
      g_assert (error != NULL);
      return 0;
    }

  switch (op)
    {
    case 0:
      {
        g_autoptr(JnDirectory) directory = jn_ent_read_directory (JN_ENT (client), UAI, NULL, NULL,
                                                                  NULL, &error);
        g_assert ((directory == NULL) == (error != NULL));
      }
      break;
    case 1:
      {
        g_autoptr(JnEntUser) user = jn_ent_read_user (JN_ENT (client), "u1", NULL, &error);
        g_assert ((user == NULL) == (error != NULL));
      }
      break;
    case 2:
      {
        g_autoptr(JnEntUser) expected = expected_user ("u1", "W/\\\"1\\\"");
        g_autoptr(JnEntUser) result = jn_ent_write_pronote_id (JN_ENT (client), expected, UAI,
                                                               "3456789ABCDEFGHJ", NULL, &error);
        g_assert ((result == NULL) == (error != NULL));
        /* A confirmed write is the user it was sent to, holding what was written */
        if (result != NULL)
          {
            g_assert_cmpstr (jn_ent_user_get_id (result), ==, "u1");
            g_assert_cmpstr (jn_ent_user_get_pronote_id (result, UAI), ==, "3456789ABCDEFGHJ");
          }
      }
      break;
    case 3:
      break;
    case 4:
      {
        g_autoptr(JnEntUser) a = expected_user ("u1", "W/\\\"1\\\"");
        g_autoptr(JnEntUser) b = expected_user ("u2", "W/\\\"1\\\"");
        JnEntWrite writes[2] = {
          { .user = a, .uai = UAI, .pronote_id = "3456789ABCDEFGHJ" },
          { .user = b, .uai = UAI, .pronote_id = NULL },
        };

        jn_scim_client_set_use_bulk (client, TRUE);
        if (jn_ent_write_many (JN_ENT (client), writes, 2, NULL, &error))
          {
            for (guint i = 0; i < 2; i++)
              {
                g_assert ((writes[i].result == NULL) != (writes[i].error == NULL));
                if (writes[i].result != NULL)
                  {
                    g_assert_cmpstr (jn_ent_user_get_id (writes[i].result), ==,
                                     jn_ent_user_get_id (writes[i].user));
                    g_assert_cmpstr (jn_ent_user_get_pronote_id (writes[i].result, UAI), ==,
                                     writes[i].pronote_id);
                  }
              }
          }
        for (guint i = 0; i < 2; i++)
          jn_ent_write_clear (&writes[i]);
      }
      break;
    default:
      g_assert_not_reached ();
    }

  return 0;
}
