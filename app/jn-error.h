/* jn-error.h: the error domain of the Jonction core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define JN_ERROR (jn_error_quark ())

/**
 * JnError:
 * @JN_ERROR_FAILED: anything else
 * @JN_ERROR_INVALID_ARGUMENT: a caller or command-line mistake
 * @JN_ERROR_IO: a file could not be read or written
 * @JN_ERROR_TOO_LARGE: the input exceeds the size limit
 * @JN_ERROR_INVALID_FILE: not well-formed XML, or not an export we understand
 * @JN_ERROR_FORBIDDEN_CONTENT: a DOCTYPE, entity or external reference (hostile input)
 * @JN_ERROR_KEY_REQUIRED: the export is encrypted and no key was given
 * @JN_ERROR_INVALID_KEY: the key file is not a readable private key
 * @JN_ERROR_WRONG_KEY: the key does not open the export (MD5 check)
 * @JN_ERROR_UNKNOWN_PARTNER: the requested partner is not in the envelope
 * @JN_ERROR_CORRUPTED: the content does not decrypt or inflate
 * @JN_ERROR_TAMPERED: the SHA-256 verification does not match
 * @JN_ERROR_INVALID_DECISION: a manual decision names a user that cannot take it
 * @JN_ERROR_ENT_UNREACHABLE: network failure, timeout, TLS failure, after retries
 * @JN_ERROR_ENT_AUTH: the ENT refused the credentials (401, 403)
 * @JN_ERROR_ENT_NOT_FOUND: the user is gone (404)
 * @JN_ERROR_ENT_CONFLICT: the identifier is held by another user (409)
 * @JN_ERROR_ENT_STALE: the user changed meanwhile (412)
 * @JN_ERROR_ENT_REFUSED: any other refusal (4xx), or a write the ENT did not keep
 * @JN_ERROR_ENT_SERVER: the ENT failed (5xx, 429, 503) after retries
 */
typedef enum
{
  JN_ERROR_FAILED,
  JN_ERROR_INVALID_ARGUMENT,
  JN_ERROR_IO,
  JN_ERROR_TOO_LARGE,
  JN_ERROR_INVALID_FILE,
  JN_ERROR_FORBIDDEN_CONTENT,
  JN_ERROR_KEY_REQUIRED,
  JN_ERROR_INVALID_KEY,
  JN_ERROR_WRONG_KEY,
  JN_ERROR_UNKNOWN_PARTNER,
  JN_ERROR_CORRUPTED,
  JN_ERROR_TAMPERED,
  JN_ERROR_INVALID_DECISION,
  JN_ERROR_ENT_UNREACHABLE,
  JN_ERROR_ENT_AUTH,
  JN_ERROR_ENT_NOT_FOUND,
  JN_ERROR_ENT_CONFLICT,
  JN_ERROR_ENT_STALE,
  JN_ERROR_ENT_REFUSED,
  JN_ERROR_ENT_SERVER,
} JnError;

GQuark jn_error_quark (void);

/* TRUE for the errors that mean "the input file is unreadable or invalid" (exit status 2) */
gboolean jn_error_is_input_error (const GError *error);
/* TRUE for the errors of the ENT itself (exit status 3) */
gboolean jn_error_is_ent_error (const GError *error);

G_END_DECLS
