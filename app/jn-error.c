/* jn-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "jn-error.h"

G_DEFINE_QUARK (jn-error-quark, jn_error)

gboolean
jn_error_is_input_error (const GError *error)
{
  if (error == NULL || error->domain != JN_ERROR)
    return FALSE;

  switch ((JnError)error->code)
    {
    case JN_ERROR_IO:
    case JN_ERROR_TOO_LARGE:
    case JN_ERROR_INVALID_FILE:
    case JN_ERROR_FORBIDDEN_CONTENT:
    case JN_ERROR_KEY_REQUIRED:
    case JN_ERROR_INVALID_KEY:
    case JN_ERROR_WRONG_KEY:
    case JN_ERROR_UNKNOWN_PARTNER:
    case JN_ERROR_CORRUPTED:
    case JN_ERROR_TAMPERED:
    case JN_ERROR_INVALID_DECISION:
      return TRUE;

    case JN_ERROR_FAILED:
    case JN_ERROR_INVALID_ARGUMENT:
    default:
      return FALSE;
    }
}

gboolean
jn_error_is_ent_error (const GError *error)
{
  return error != NULL && error->domain == JN_ERROR &&
         error->code >= JN_ERROR_ENT_UNREACHABLE && error->code <= JN_ERROR_ENT_SERVER;
}
