/* jn-secret.h: the ENT access token in the user's keyring (libsecret), never in GSettings
 *
 * One secret per ENT address, under a schema named after the application id
 * (fr.jonction.Jonction) with one attribute, "ent-url": the address without its trailing '/'.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

G_BEGIN_DECLS

const SecretSchema *jn_secret_get_schema          (void);

/* The address as the keyring knows it: without trailing '/', NULL for NULL or empty */
char               *jn_secret_normalize_address   (const char           *ent_url);

gboolean            jn_secret_store_token_sync    (const char           *ent_url,
                                                   const char           *token,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
/* The token, or NULL with no error when none is stored. Free with jn_secret_token_free(). */
char               *jn_secret_lookup_token_sync   (const char           *ent_url,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
/* TRUE when a token was removed, FALSE with no error when there was none */
gboolean            jn_secret_clear_token_sync    (const char           *ent_url,
                                                   GCancellable         *cancellable,
                                                   GError              **error);

void                jn_secret_store_token         (const char           *ent_url,
                                                   const char           *token,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean            jn_secret_store_token_finish  (GAsyncResult         *result,
                                                   GError              **error);
void                jn_secret_lookup_token        (const char           *ent_url,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
char               *jn_secret_lookup_token_finish (GAsyncResult         *result,
                                                   GError              **error);
void                jn_secret_clear_token         (const char           *ent_url,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean            jn_secret_clear_token_finish  (GAsyncResult         *result,
                                                   GError              **error);

/* Overwrites the token's memory, then frees it */
void                jn_secret_token_free          (char                 *token);

/* g_autoptr(JnSecretToken) token = …: wiped and freed at the end of the scope */
typedef char JnSecretToken;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JnSecretToken, jn_secret_token_free)

G_END_DECLS
