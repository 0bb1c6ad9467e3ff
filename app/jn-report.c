/* jn-report.c: the follow-up report, what to fix in PRONOTE or the ENT after an import
 *
 * After each import the admin goes back to PRONOTE (or the ENT) to fix what stayed
 * unrecognised; the report lists those records with their probable cause and what to do,
 * in a CSV that LibreOffice and Excel in French open right (a byte-order mark, ';'). The
 * advice is the wizard's panel's (jn_plan_cause_describe()).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-report"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "jn-error.h"
#include "jn-report.h"
#include "jn-text.h"

#define SEPARATOR ';'

static void
append_cell (GString    *line,
             const char *cell,
             gboolean    first)
{
  g_autofree char *escaped = jn_text_escape_csv_cell (cell, SEPARATOR);

  if (!first)
    g_string_append_c (line, SEPARATOR);
  g_string_append (line, escaped);
}

/* "2011-02-03" (the ENT's) as 03/02/2011, the way the French read it; anything else as is */
static char *
format_date (const char *date)
{
  if (date == NULL)
    return g_strdup ("");

  if (strlen (date) == 10 && date[4] == '-' && date[7] == '-')
    return g_strdup_printf ("%.2s/%.2s/%.4s", date + 8, date + 5, date);

  return g_strdup (date);
}

static void
append_line (GString    *report,
             JnPlanItem *item,
             const char *status,
             const char *cause,
             const char *advice)
{
  JnPerson *person = jn_plan_item_get_person (item);
  JnEntUser *user = jn_plan_item_get_user (item);
  const char *last_name = NULL, *first_name = NULL, *birth_date = NULL;
  g_autofree char *date = NULL;

  if (person != NULL)
    {
      last_name = jn_person_get_family_name (person);
      first_name = jn_person_get_given_name (person);
      birth_date = jn_person_get_birth_date (person);
    }
  else if (user != NULL)
    {
      /* A removal: the ENT account is the line */
      last_name = jn_ent_user_get_family_name (user);
      first_name = jn_ent_user_get_given_name (user);
      birth_date = jn_ent_user_get_birth_date (user);
    }
  date = format_date (birth_date);

  append_cell (report, jn_category_to_key (jn_plan_item_get_category (item)), TRUE);
  append_cell (report, last_name, FALSE);
  append_cell (report, first_name, FALSE);
  append_cell (report, date, FALSE);
  /* The class: PRONOTE's export, as read today, does not give it */
  append_cell (report, NULL, FALSE);
  append_cell (report, jn_plan_item_get_pronote_id (item), FALSE);
  append_cell (report, status, FALSE);
  append_cell (report, cause, FALSE);
  append_cell (report, advice, FALSE);
  g_string_append (report, "\r\n");
}

static void
append_failure (GString    *report,
                JnPlanItem *item,
                const char *failure)
{
  g_autofree char *advice = NULL;

  if (failure != NULL && failure[0] != '\0')
    /* Translators: %s is the ENT's reason, e.g. "the identifier is held by another user" */
    advice = g_strdup_printf (_("The ENT refused the change (%s). Run the import again; if it "
                                "fails again, check this account in the ENT."), failure);
  else
    advice = g_strdup (_("The ENT refused the change. Run the import again; if it fails again, "
                         "check this account in the ENT."));
  append_line (report, item, "failed", NULL, advice);
}

static void
append_record (GString             *report,
               JnPlanItem          *item,
               JnReportOutcomeFunc  outcome,
               gpointer             user_data)
{
  JnPlanCause cause = jn_plan_item_get_cause (item);
  const char *code = jn_plan_cause_to_string (cause);
  const char *text, *advice;

  jn_plan_cause_describe (cause, &text, &advice);

  switch (jn_plan_item_get_state (item))
    {
    case JN_PLAN_STATE_AMBIGUOUS:
      append_line (report, item, "ambiguous", code, advice);
      break;

    case JN_PLAN_STATE_UNMATCHED:
      if (jn_plan_item_get_skipped (item))
        {
          g_autofree char *words = NULL;

          if (advice[0] != '\0')
            /* Translators: "Not imported, as you chose. " then the cause's advice */
            words = g_strdup_printf (_("Not imported, as you chose. %s"), advice);
          else
            words = g_strdup (_("Not imported, as you chose: nothing to do unless that was a "
                                "mistake."));
          append_line (report, item, "not-imported", code, words);
        }
      else
        {
          append_line (report, item, "unmatched", code, advice);
        }
      break;

    case JN_PLAN_STATE_MATCHED:
    case JN_PLAN_STATE_CLEAR:
    default:
      {
        const char *failure = NULL;

        if (outcome != NULL && outcome (item, &failure, user_data) == JN_ROW_PUSH_FAILED)
          append_failure (report, item, failure);
      }
      break;
    }
}

static void
append_clear (GString             *report,
              JnPlanItem          *item,
              JnReportOutcomeFunc  outcome,
              gpointer             user_data)
{
  const char *failure = NULL;
  JnRowPushState state = outcome != NULL ? outcome (item, &failure, user_data) : JN_ROW_PUSH_NONE;

  switch (state)
    {
    case JN_ROW_PUSH_FAILED:
      append_failure (report, item, failure);
      break;
    case JN_ROW_PUSH_DONE:
      append_line (report, item, "cleared", NULL,
                   _("This person is not in the PRONOTE export: the PRONOTE identifier was "
                     "removed from their ENT account. If they are still in the establishment, "
                     "check their record in PRONOTE, then import again."));
      break;
    case JN_ROW_PUSH_NONE:
    default:
      append_line (report, item, "clear", NULL,
                   _("This person is not in the PRONOTE export: a complete import removes the "
                     "PRONOTE identifier from their ENT account. If they are still in the "
                     "establishment, check their record in PRONOTE first."));
      break;
    }
}

GBytes *
jn_report_build (JnPlan              *plan,
                 JnReportOutcomeFunc  outcome,
                 gpointer             user_data)
{
  GString *report;

  g_return_val_if_fail (JN_IS_PLAN (plan), NULL);

  report = g_string_new ("\xEF\xBB\xBF" JN_REPORT_HEADER "\r\n");

  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    {
      GListModel *items = jn_plan_get_items (plan, c);
      GListModel *clears = jn_plan_get_clears (plan, c);
      guint n_items = g_list_model_get_n_items (items);
      guint n_clears = g_list_model_get_n_items (clears);

      for (guint i = 0; i < n_items; i++)
        {
          g_autoptr(JnPlanItem) item = g_list_model_get_item (items, i);

          append_record (report, item, outcome, user_data);
        }
      for (guint i = 0; i < n_clears; i++)
        {
          g_autoptr(JnPlanItem) item = g_list_model_get_item (clears, i);

          append_clear (report, item, outcome, user_data);
        }
    }

  return g_string_free_to_bytes (report);
}

static JnRowPushState
session_outcome (JnPlanItem  *item,
                 const char **failure,
                 gpointer     user_data)
{
  GHashTable *rows = user_data;
  JnSessionRow *row = g_hash_table_lookup (rows, item);

  if (row == NULL)
    return JN_ROW_PUSH_NONE;

  *failure = jn_session_row_get_failure (row);
  return jn_session_row_get_push_state (row);
}

GBytes *
jn_report_build_for_session (JnImportSession *session)
{
  g_autoptr(GHashTable) rows = NULL;
  JnPlan *plan;

  g_return_val_if_fail (JN_IS_IMPORT_SESSION (session), NULL);

  plan = jn_import_session_get_plan (session);
  g_return_val_if_fail (plan != NULL, NULL);

  rows = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    {
      GListModel *model = jn_import_session_get_rows (session, c);
      guint n = g_list_model_get_n_items (model);

      for (guint i = 0; i < n; i++)
        {
          JnSessionRow *row = g_list_model_get_item (model, i);

          g_hash_table_insert (rows, jn_session_row_get_item (row), row);
        }
    }

  return jn_report_build (plan, session_outcome, rows);
}

static gboolean
write_all (int           fd,
           const guint8 *data,
           gsize         length)
{
  while (length > 0)
    {
      gssize written = write (fd, data, length);

      if (written < 0 && errno == EINTR)
        continue;
      if (written <= 0)
        {
          if (written == 0)
            errno = ENOSPC;
          return FALSE;
        }
      data += written;
      length -= (gsize)written;
    }

  return TRUE;
}

static gboolean
fail (const char  *path,
      int          saved_errno,
      GError     **error)
{
  g_autofree char *display = g_filename_display_name (path);

  g_set_error (error, JN_ERROR, JN_ERROR_IO, _("cannot write the report %s: %s"), display,
               g_strerror (saved_errno));
  return FALSE;
}

gboolean
jn_report_write (GBytes      *report,
                 const char  *path,
                 GError     **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *tmp_path = NULL;
  struct stat st;
  const guint8 *data;
  gsize length;
  int fd;

  g_return_val_if_fail (report != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  /* Never through a link: someone else's file, or a place the admin did not choose */
  if (g_lstat (path, &st) == 0)
    {
      if (S_ISLNK (st.st_mode))
        {
          g_autofree char *display = g_filename_display_name (path);

          g_set_error (error, JN_ERROR, JN_ERROR_IO,
                       _("cannot write the report %s: it is a symbolic link"), display);
          return FALSE;
        }
      if (!S_ISREG (st.st_mode))
        {
          g_autofree char *display = g_filename_display_name (path);

          g_set_error (error, JN_ERROR, JN_ERROR_IO,
                       _("cannot write the report %s: it is not a regular file"), display);
          return FALSE;
        }
    }
  else if (errno != ENOENT)
    {
      return fail (path, errno, error);
    }

  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  tmp_path = g_strdup_printf ("%s%c.%s.XXXXXX", dir, G_DIR_SEPARATOR, base);
  fd = g_mkstemp_full (tmp_path, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    return fail (path, errno, error);

  data = g_bytes_get_data (report, &length);
  if (fchmod (fd, 0600) != 0 || !write_all (fd, data, length) || fsync (fd) != 0)
    {
      int saved_errno = errno;

      close (fd);
      g_unlink (tmp_path);
      return fail (path, saved_errno, error);
    }
  if (close (fd) != 0 || g_rename (tmp_path, path) != 0)
    {
      int saved_errno = errno;

      g_unlink (tmp_path);
      return fail (path, saved_errno, error);
    }

  return TRUE;
}

static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GBytes *report = g_object_get_data (G_OBJECT (task), "report");
  const char *path = task_data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (jn_report_write (report, path, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
jn_report_write_async (GBytes              *report,
                       GFile               *file,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  char *path;

  g_return_if_fail (report != NULL);
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, jn_report_write_async);

  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);

      g_task_return_new_error (task, JN_ERROR, JN_ERROR_IO,
                               _("cannot write the report %s: not a local file"), uri);
      return;
    }

  g_object_set_data_full (G_OBJECT (task), "report", g_bytes_ref (report),
                          (GDestroyNotify)g_bytes_unref);
  g_task_set_task_data (task, path, g_free);
  g_task_run_in_thread (task, write_thread);
}

gboolean
jn_report_write_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
