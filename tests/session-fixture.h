/* session-fixture.h: what the session tests share: the generated establishment on a copy
 * of its file ENT, a store, and the async steps run to completion
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <string.h>

#include <glib/gstdio.h>

#include "jn-error.h"
#include "jn-file-ent.h"
#include "jn-import-session.h"

#define UAI "0312609T"

typedef struct
{
  char            *dir;
  GFile           *export_file;
  GFile           *ent_file;
  JnStore         *store;
  JnEnt           *ent;
  JnImportSession *session;
} Fixture;

static const char *
establishment_dir (void)
{
  const char *dir = g_getenv ("JN_ESTABLISHMENT_DIR");

  g_assert_nonnull (dir);
  return dir;
}

static JnEnt *
open_file_ent (GFile *file)
{
  g_autoptr(GError) error = NULL;
  JnFileEnt *ent = jn_file_ent_new (file, NULL, &error);

  g_assert_no_error (error);
  return JN_ENT (ent);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *source = g_build_filename (establishment_dir (), "directory.json", NULL);
  g_autofree char *export_path = g_build_filename (establishment_dir (), "export.xml", NULL);
  g_autofree char *ent_path = NULL;
  g_autofree char *state = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  fixture->dir = g_dir_make_tmp ("jn-session-XXXXXX", &error);
  g_assert_no_error (error);

  /* The file ENT is changed by the pushes: a copy */
  ent_path = g_build_filename (fixture->dir, "ent.json", NULL);
  g_file_get_contents (source, &contents, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents_full (ent_path, contents, length, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error);
  g_assert_no_error (error);
  fixture->ent_file = g_file_new_for_path (ent_path);

  state = g_build_filename (fixture->dir, "state", NULL);
  fixture->store = jn_store_open (state, &error);
  g_assert_no_error (error);

  fixture->export_file = g_file_new_for_path (export_path);
  fixture->ent = open_file_ent (fixture->ent_file);
  fixture->session = jn_import_session_new (fixture->store);
  jn_import_session_set_ent (fixture->session, fixture->ent);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_object (&fixture->session);
  g_clear_object (&fixture->ent);
  g_clear_object (&fixture->store);
  g_clear_object (&fixture->export_file);
  g_clear_object (&fixture->ent_file);
  remove_tree (fixture->dir);
  g_free (fixture->dir);
}

/* ---- running the async steps ---- */

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static gboolean
open_export (JnImportSession  *session,
             GFile            *file,
             GCancellable     *cancellable,
             GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  jn_import_session_open_export_async (session, file, NULL, NULL, cancellable, got_result, &result);
  return jn_import_session_open_export_finish (session, wait_for (&result), error);
}

static gboolean
read_directory (JnImportSession  *session,
                GCancellable     *cancellable,
                GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  jn_import_session_read_directory_async (session, cancellable, got_result, &result);
  return jn_import_session_read_directory_finish (session, wait_for (&result), error);
}

static gboolean
match (JnImportSession  *session,
       GCancellable     *cancellable,
       GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  jn_import_session_match_async (session, NULL, cancellable, got_result, &result);
  return jn_import_session_match_finish (session, wait_for (&result), error);
}

static gboolean
validate (JnImportSession  *session,
          GCancellable     *cancellable,
          GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  jn_import_session_validate_step_async (session, cancellable, got_result, &result);
  return jn_import_session_validate_step_finish (session, wait_for (&result), error);
}

static gboolean
resume (JnImportSession  *session,
        JnImportRecord   *record,
        GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  jn_import_session_resume_async (session, record, NULL, NULL, NULL, got_result, &result);
  return jn_import_session_resume_finish (session, wait_for (&result), error);
}

static void
load_and_match (JnImportSession *session,
                GFile           *export_file,
                JnImportMode     mode)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (open_export (session, export_file, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (jn_import_session_get_state (session), ==, JN_SESSION_STATE_LOADED);
  g_assert_cmpstr (jn_import_session_get_uai (session), ==, UAI);

  g_assert_true (read_directory (session, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (jn_import_session_check_directory (session, &error));

  jn_import_session_set_mode (session, mode);
  g_assert_true (match (session, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (jn_import_session_get_state (session), ==, JN_SESSION_STATE_STEPS);
  g_assert_false (jn_import_session_get_busy (session));
}

static JnSessionRow *
find_row (JnImportSession *session,
          JnCategory       category,
          const char      *pronote_id)
{
  GListModel *rows = jn_import_session_get_rows (session, category);

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(JnSessionRow) row = g_list_model_get_item (rows, i);

      if (g_strcmp0 (jn_session_row_get_pronote_id (row), pronote_id) == 0 &&
          jn_session_row_get_status (row) != JN_ROW_STATUS_WILL_CLEAR)
        return row;   /* the model keeps it */
    }

  g_assert_not_reached ();
}

static JnSessionRow *
find_row_by_status (JnImportSession *session,
                    JnCategory       category,
                    JnRowStatus      status,
                    guint            skip)
{
  GListModel *rows = jn_import_session_get_rows (session, category);

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(JnSessionRow) row = g_list_model_get_item (rows, i);

      if (jn_session_row_get_status (row) == status && skip-- == 0)
        return row;
    }

  return NULL;
}
