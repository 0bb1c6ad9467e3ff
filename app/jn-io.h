/* jn-io.h: reading files whole, within a size limit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Reads @file whole, refusing anything over @max_size bytes, whatever size the file claims
 * (a pipe reports none: what is read is counted). Refused before anything is read, so that
 * nothing waits: folders, devices, sockets and named pipes (a FIFO without writer would
 * block forever). An anonymous pipe, as bash's <(…) process substitution hands over
 * (/dev/fd/N), is read. Errors are JN_ERROR_IO or JN_ERROR_TOO_LARGE naming
 * @display_name; cancellation is G_IO_ERROR_CANCELLED. */
GBytes *jn_io_load_bounded (GFile         *file,
                            const char    *display_name,
                            gsize          max_size,
                            GCancellable  *cancellable,
                            GError       **error);

G_END_DECLS
