/* jn-scim-client.h: the ENT over SCIM 2.0 (RFC 7643/7644), with libsoup 3
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "jn-ent.h"

G_BEGIN_DECLS

#define JN_TYPE_SCIM_CLIENT (jn_scim_client_get_type ())
G_DECLARE_FINAL_TYPE (JnScimClient, jn_scim_client, JN, SCIM_CLIENT, GObject)

/* Refuses plain http:// except on loopback addresses. The token is kept in memory only. */
JnScimClient *jn_scim_client_new               (const char    *base_url,
                                                const char    *token,
                                                const char    *extension_urn,
                                                GError       **error);
/* Per-request timeout, in seconds (default 30) */
void          jn_scim_client_set_timeout       (JnScimClient  *self,
                                                guint          seconds);
/* One request in all, its attempts and the waits between them (Retry-After included),
 * in seconds (default 120): a wait that would end later is not begun, the request fails */
void          jn_scim_client_set_max_total     (JnScimClient  *self,
                                                guint          seconds);
/* Attempts per request and first back-off delay (default 5 and 500 ms) */
void          jn_scim_client_set_retries       (JnScimClient  *self,
                                                guint          max_attempts,
                                                guint          first_delay_ms);
/* Use SCIM Bulk when the server offers it with ETags (default FALSE: measured slower on
 * the test server, where confirming a batch costs more than the round trips it saves) */
void          jn_scim_client_set_use_bulk      (JnScimClient  *self,
                                                gboolean       use_bulk);
/* GET /ServiceProviderConfig (and /Schemas): what the server supports */
gboolean      jn_scim_client_discover          (JnScimClient  *self,
                                                GCancellable  *cancellable,
                                                GError       **error);
/* After a failed discovery: TRUE when the server does not declare the extension URN */
gboolean      jn_scim_client_get_extension_missing (JnScimClient *self);
/* The number of users of @uai (the totalResults of one filtered request for one user),
 * or -1 with @error */
gint64        jn_scim_client_count_users       (JnScimClient  *self,
                                                const char    *uai,
                                                GCancellable  *cancellable,
                                                GError       **error);
gboolean      jn_scim_client_get_etag_supported (JnScimClient *self);
gboolean      jn_scim_client_get_bulk_supported (JnScimClient *self);
/* Number of HTTP requests sent, retries included (for tests and benchmarks) */
guint         jn_scim_client_get_n_requests    (JnScimClient  *self);

G_END_DECLS
