/* fuzz-common.h: what every libFuzzer harness of Jonction shares
 *
 * GLib CRITICALs and WARNINGs abort (they count as bugs: none may be reachable from input),
 * and the few harnesses that go through a GFile write the input to one private temporary
 * file, rewritten at each run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <fcntl.h>
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

/* Messages below WARNING are dropped: the fuzzer's own output stays readable. */
static GLogWriterOutput
fuzz_log_writer (GLogLevelFlags   log_level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  if ((log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) == 0)
    return G_LOG_WRITER_HANDLED;

  g_log_writer_standard_streams (log_level, fields, n_fields, user_data);
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    abort ();

  return G_LOG_WRITER_HANDLED;
}

static inline void
fuzz_init (void)
{
  setlocale (LC_ALL, "C.UTF-8");
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
}

/* A regular file holding the input (the readers take a GFile) */
typedef struct
{
  char  *path;
  GFile *file;
  int    fd;
} FuzzFile;

static FuzzFile *fuzz_file_cleanup_target;

static void
fuzz_file_cleanup (void)
{
  FuzzFile *self = fuzz_file_cleanup_target;
  g_autofree char *dir = NULL;

  if (self == NULL)
    return;
  dir = g_path_get_dirname (self->path);
  g_unlink (self->path);
  g_rmdir (dir);
}

static inline void
fuzz_file_init (FuzzFile   *self,
                const char *basename)
{
  g_autofree char *dir = g_dir_make_tmp ("jn-fuzz-XXXXXX", NULL);

  if (dir == NULL)
    abort ();
  self->path = g_build_filename (dir, basename, NULL);
  self->fd = g_open (self->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (self->fd < 0)
    abort ();
  self->file = g_file_new_for_path (self->path);
  fuzz_file_cleanup_target = self;
  atexit (fuzz_file_cleanup);
}

static inline GFile *
fuzz_file_set (FuzzFile      *self,
               const uint8_t *data,
               size_t         size)
{
  size_t done = 0;

  if (ftruncate (self->fd, 0) != 0)
    abort ();
  while (done < size)
    {
      ssize_t n = pwrite (self->fd, data + done, size - done, (off_t)done);

      if (n <= 0)
        abort ();
      done += (size_t)n;
    }

  return self->file;
}
