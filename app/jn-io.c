/* jn-io.c: reading files whole, within a size limit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-io"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

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

static GBytes *
too_large (GError     **error,
           const char  *display_name,
           gsize        max_size)
{
  if (max_size >= 1024 * 1024)
    g_set_error (error, JN_ERROR, JN_ERROR_TOO_LARGE,
                 _("%s: the file is too large (more than %u MiB)"),
                 display_name, (guint)(max_size / (1024 * 1024)));
  else
    g_set_error (error, JN_ERROR, JN_ERROR_TOO_LARGE,
                 _("%s: the file is too large (more than %u KiB)"),
                 display_name, (guint)MAX (max_size / 1024, 1));
  return NULL;
}

static GBytes *
refuse_special (GError     **error,
                const char  *display_name,
                const char  *what)
{
  g_set_error (error, JN_ERROR, JN_ERROR_IO, _("%s: this is %s, not a file"), display_name, what);
  return NULL;
}

static GBytes *
errno_error (GError     **error,
             const char  *display_name,
             int          saved_errno)
{
  if (saved_errno == EISDIR)
    g_set_error (error, JN_ERROR, JN_ERROR_IO, _("%s: this is a folder, not a file"), display_name);
  else
    g_set_error (error, JN_ERROR, JN_ERROR_IO, _("%s: cannot read the file: %s"),
                 display_name, g_strerror (saved_errno));
  return NULL;
}

/* Process substitution, <(…), hands over /dev/fd/N: an anonymous pipe, which the kernel
 * names "pipe:[inode]". A named pipe (mkfifo) has a path instead. */
static gboolean
is_anonymous_pipe (int fd)
{
  g_autofree char *link = g_strdup_printf ("/proc/self/fd/%d", fd);
  g_autofree char *target = g_file_read_link (link, NULL);

  return target != NULL && g_str_has_prefix (target, "pipe:");
}

/* Waits until @fd can be read or @cancellable is cancelled */
static gboolean
wait_readable (int            fd,
               GCancellable  *cancellable,
               GError       **error)
{
  GPollFD fds[2] = { { fd, G_IO_IN | G_IO_HUP | G_IO_ERR, 0 } };
  guint n = 1;

  if (g_cancellable_make_pollfd (cancellable, &fds[1]))
    n = 2;

  while (g_poll (fds, n, -1) < 0 && errno == EINTR)
    ;

  if (n == 2)
    g_cancellable_release_fd (cancellable);

  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

static GBytes *
load_path (const char    *path,
           const char    *display_name,
           gsize          max_size,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GByteArray) contents = NULL;
  GStatBuf st;
  gboolean is_pipe = FALSE;
  int fd;

  /* Look before opening: opening a FIFO without writer would wait for one, forever */
  if (g_stat (path, &st) != 0)
    return errno_error (error, display_name, errno);
  if (S_ISDIR (st.st_mode))
    return errno_error (error, display_name, EISDIR);
  if (S_ISSOCK (st.st_mode))
    return refuse_special (error, display_name, _("a socket"));
  if (S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode))
    return refuse_special (error, display_name, _("a device"));
  if (S_ISREG (st.st_mode) && (guint64)st.st_size > max_size)
    return too_large (error, display_name, max_size);

  fd = g_open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0);
  if (fd < 0)
    return errno_error (error, display_name, errno);

  /* What was opened, not what the path said a moment ago */
  if (fstat (fd, &st) != 0)
    {
      int saved_errno = errno;

      close (fd);
      return errno_error (error, display_name, saved_errno);
    }
  if (S_ISFIFO (st.st_mode))
    {
      if (!is_anonymous_pipe (fd))
        {
          close (fd);
          return refuse_special (error, display_name, _("a named pipe (FIFO)"));
        }
      is_pipe = TRUE;
    }
  else if (!S_ISREG (st.st_mode))
    {
      close (fd);
      return refuse_special (error, display_name,
                             S_ISDIR (st.st_mode) ? _("a folder") : _("a device"));
    }
  else if ((guint64)st.st_size > max_size)
    {
      close (fd);
      return too_large (error, display_name, max_size);
    }

  contents = g_byte_array_sized_new (S_ISREG (st.st_mode) ? (guint)MIN ((guint64)st.st_size + 1, max_size + 1)
                                                          : 64 * 1024);
  for (;;)
    {
      guint8 buffer[64 * 1024];
      gssize n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          close (fd);
          return NULL;
        }

      n = read (fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && is_pipe)
        {
          if (!wait_readable (fd, cancellable, error))
            {
              close (fd);
              return NULL;
            }
          continue;
        }
      if (n < 0)
        {
          int saved_errno = errno;

          close (fd);
          return errno_error (error, display_name, saved_errno);
        }
      if (n == 0)
        break;

      /* A pipe or a file growing while read says no size: count */
      if (contents->len + (gsize)n > max_size)
        {
          close (fd);
          return too_large (error, display_name, max_size);
        }
      g_byte_array_append (contents, buffer, (guint)n);
    }

  close (fd);
  return g_byte_array_free_to_bytes (g_steal_pointer (&contents));
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
  g_autofree char *path = NULL;
  guint8 buffer[64 * 1024];

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  path = g_file_get_path (file);
  if (path != NULL)
    return load_path (path, display_name, max_size, cancellable, error);

  /* Not a local file (a GVfs location): what GIO says of it */
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                            G_FILE_QUERY_INFO_NONE, cancellable, NULL);
  if (info != NULL && g_file_info_get_file_type (info) == G_FILE_TYPE_SPECIAL)
    return refuse_special (error, display_name, _("a special file"));
  if (info != NULL && g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR &&
      (guint64)g_file_info_get_size (info) > max_size)
    return too_large (error, display_name, max_size);

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
        return too_large (error, display_name, max_size);
      g_byte_array_append (contents, buffer, (guint)n);
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&contents));
}
