/* jn-io.h: reading files whole, within a size limit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Reads @file whole, refusing folders and anything over @max_size bytes, whatever size the
 * file claims (a FIFO or a device reports none). Errors are JN_ERROR_IO or JN_ERROR_TOO_LARGE
 * naming @display_name; cancellation is G_IO_ERROR_CANCELLED. */
GBytes *jn_io_load_bounded (GFile         *file,
                            const char    *display_name,
                            gsize          max_size,
                            GCancellable  *cancellable,
                            GError       **error);

G_END_DECLS
