/* jn-io.c: reading files whole, within a size limit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-io"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "jn-error.h"
#include "jn-io.h"

static void
set_io_error (GError      **error,
              GError       *cause,
              const char   *display_name)
{
  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_propagate_error (error, g_error_copy (cause));
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY))
    g_set_error (error, JN_ERROR, JN_ERROR_IO, _("%s: this is a folder, not a file"), display_name);
  else
    g_set_error (error, JN_ERROR, JN_ERROR_IO, _("%s: cannot read the file: %s"),
                 display_name, cause->message);
}

GBytes *
jn_io_load_bounded (GFile         *file,
                    const char    *display_name,
                    gsize          max_size,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GByteArray) contents = g_byte_array_new ();
  g_autoptr(GError) local_error = NULL;
  guint8 buffer[64 * 1024];

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  /* A regular file says its size: refuse it before reading anything */
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                            G_FILE_QUERY_INFO_NONE, cancellable, NULL);
  if (info != NULL && g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR &&
      (guint64)g_file_info_get_size (info) > max_size)
    {
      g_set_error (error, JN_ERROR, JN_ERROR_TOO_LARGE,
                   _("%s: the file is too large (more than %u MiB)"),
                   display_name, (guint)(max_size / (1024 * 1024)));
      return NULL;
    }

  stream = g_file_read (file, cancellable, &local_error);
  if (stream == NULL)
    {
      set_io_error (error, local_error, display_name);
      return NULL;
    }

  for (;;)
    {
      gssize n = g_input_stream_read (G_INPUT_STREAM (stream), buffer, sizeof buffer,
                                      cancellable, &local_error);

      if (n < 0)
        {
          set_io_error (error, local_error, display_name);
          return NULL;
        }
      if (n == 0)
        break;

      if (contents->len + (gsize)n > max_size)
        {
          g_set_error (error, JN_ERROR, JN_ERROR_TOO_LARGE,
                       _("%s: the file is too large (more than %u MiB)"),
                       display_name, (guint)(max_size / (1024 * 1024)));
          return NULL;
        }
      g_byte_array_append (contents, buffer, (guint)n);
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&contents));
}
