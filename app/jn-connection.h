/* jn-connection.h: from the settings of a connection to an open ENT
 *
 * An address is either a SCIM base URL (http:// or https://, with an access token) or the
 * path of a directory snapshot file (the embedded file ENT). Both faces open their ENT
 * here; the messages name no command-line option (the CLI adds its own hints).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "jn-ent.h"

G_BEGIN_DECLS

/**
 * JnConnectionKind:
 * @JN_CONNECTION_KIND_ENT: the ENT over SCIM, with an access token
 * @JN_CONNECTION_KIND_OFFLINE: a directory snapshot file, updated in place
 * @JN_CONNECTION_KIND_DEMO: the demonstration establishment (a copy of the bundled snapshot)
 */
typedef enum
{
  JN_CONNECTION_KIND_ENT,
  JN_CONNECTION_KIND_OFFLINE,
  JN_CONNECTION_KIND_DEMO,
} JnConnectionKind;

GType        jn_connection_kind_get_type       (void) G_GNUC_CONST;
#define JN_TYPE_CONNECTION_KIND (jn_connection_kind_get_type ())

/* The establishment of the bundled demonstration export and snapshot */
#define JN_DEMO_UAI "0312609T"

/* TRUE for an http:// or https:// address (a SCIM ENT), FALSE for a snapshot file */
gboolean     jn_connection_is_remote           (const char           *address);
/* A SCIM address we will send a token to: https://, or http:// only on this computer
 * (127.0.0.1, ::1, localhost). The error says why not, in words. */
gboolean     jn_connection_check_address       (const char           *address,
                                                GError              **error);
/* The token as it goes into the Authorization header: @data without the spaces and line
 * ends around it; refused (naming @origin, never quoting the token) when empty or holding
 * NUL, spaces inside, control or non-ASCII characters */
char        *jn_connection_check_token         (const char           *data,
                                                gsize                 length,
                                                const char           *origin,
                                                GError              **error);
/* The JONCTION_TOKEN environment variable, checked; NULL with no error when unset */
char        *jn_connection_dup_env_token       (GError              **error);

/* The ENT of @address, not yet contacted (a snapshot file is read). A SCIM ENT needs
 * @token. JONCTION_TIMEOUT (s) and JONCTION_RETRY_DELAY_MS tune a SCIM client (tests). */
JnEnt       *jn_connection_new_ent             (const char           *address,
                                                const char           *token,
                                                const char           *extension_urn,
                                                GError              **error);
/* What a SCIM ENT supports, and whether it knows the extension; nothing for a file */
gboolean     jn_connection_discover            (JnEnt                *ent,
                                                GCancellable         *cancellable,
                                                GError              **error);
/* jn_connection_new_ent() then jn_connection_discover(): blocking, for worker threads */
JnEnt       *jn_connection_open_ent            (const char           *address,
                                                const char           *token,
                                                const char           *extension_urn,
                                                GCancellable         *cancellable,
                                                GError              **error);

/* Tests a connection in a worker thread: the UAI is checked, the ENT opened and
 * discovered, and the accounts of @uai counted (one filtered request for SCIM) */
void         jn_connection_test_async          (const char           *address,
                                                const char           *token,
                                                const char           *extension_urn,
                                                const char           *uai,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean     jn_connection_test_finish         (GAsyncResult         *result,
                                                guint                *n_accounts,
                                                GError              **error);

/* The demonstration's snapshot: the user's own copy of the bundled one (made once, under
 * $XDG_DATA_HOME/jonction/demo), so that the demo can be written to */
void         jn_connection_prepare_demo_async  (GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
GFile       *jn_connection_prepare_demo_finish (GAsyncResult         *result,
                                                GError              **error);

G_END_DECLS
