/* test-session.c: the import session without a display, on the generated establishment
 * and the embedded file ENT
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "jn-error.h"
#include "jn-file-ent.h"
#include "jn-import-session.h"
#include "jn-push.h"

#include "session-fixture.h"

/* ---- tests ---- */

/* The rows are the plan, in words, and the counts add up */
static void
test_rows_follow_plan (Fixture       *fixture,
                       gconstpointer  data)
{
  JnPlan *plan;

  load_and_match (fixture->session, fixture->export_file, JN_IMPORT_MODE_COMPLETE);
  plan = jn_import_session_get_plan (fixture->session);

  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    {
      JnStepCounts counts;
      GListModel *rows = jn_import_session_get_rows (fixture->session, c);
      guint n_items = g_list_model_get_n_items (jn_plan_get_items (plan, c));
      guint n_clears = g_list_model_get_n_items (jn_plan_get_clears (plan, c));

      jn_import_session_get_counts (fixture->session, c, &counts);
      g_assert_cmpuint (g_list_model_get_n_items (rows), ==, n_items + n_clears);
      g_assert_cmpuint (counts.n_records, ==, n_items);
      g_assert_cmpuint (counts.n_recognised, ==, jn_plan_count_state (plan, c, JN_PLAN_STATE_MATCHED));
      g_assert_cmpuint (counts.n_unrecognised, ==, jn_plan_count_state (plan, c, JN_PLAN_STATE_UNMATCHED));
      g_assert_cmpuint (counts.n_to_check, ==, jn_plan_count_state (plan, c, JN_PLAN_STATE_AMBIGUOUS));
      g_assert_cmpuint (counts.n_set, ==, jn_plan_count_action (plan, c, JN_PLAN_ACTION_SET));
      g_assert_cmpuint (counts.n_clear, ==, n_clears);

      for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
        {
          g_autoptr(JnSessionRow) row = g_list_model_get_item (rows, i);

          /* Never blank: every row says what it is */
          g_assert_cmpstr (jn_session_row_get_match (row), !=, "");
          if (jn_session_row_get_status (row) == JN_ROW_STATUS_UNMATCHED ||
              jn_session_row_get_status (row) == JN_ROW_STATUS_AMBIGUOUS)
            {
              g_assert_cmpstr (jn_session_row_get_cause_text (row), !=, "");
              g_assert_cmpstr (jn_session_row_get_advice (row), !=, "");
            }
        }
    }

  /* The header's figures of step 1 */
  {
    JnStepCounts counts;
    guint recognised, unrecognised, to_check;

    jn_import_session_get_counts (fixture->session, JN_CATEGORY_TEACHER, &counts);
    g_object_get (fixture->session, "n-recognised", &recognised, "n-unrecognised", &unrecognised,
                  "n-to-check", &to_check, NULL);
    g_assert_cmpuint (recognised, ==, counts.n_recognised);
    g_assert_cmpuint (unrecognised, ==, counts.n_unrecognised);
    g_assert_cmpuint (to_check, ==, counts.n_to_check);
  }
}

typedef struct
{
  guint position, removed, added, calls;
} Changes;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Changes    *changes)
{
  changes->position = position;
  changes->removed = removed;
  changes->added = added;
  changes->calls++;
}

/* A decision changes its row in place (one items-changed), is stored at once, and an
 * account chosen for one record is neither offered nor accepted for another */
static void
test_decisions (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) suggestions = NULL;
  g_autoptr(GHashTable) stored = NULL;
  GListModel *rows;
  JnSessionRow *first, *second;
  JnEntUser *chosen;
  Changes changes = { 0 };
  guint n_rows;

  load_and_match (fixture->session, fixture->export_file, JN_IMPORT_MODE_COMPLETE);
  rows = jn_import_session_get_rows (fixture->session, JN_CATEGORY_TEACHER);
  n_rows = g_list_model_get_n_items (rows);
  g_signal_connect (rows, "items-changed", G_CALLBACK (items_changed_cb), &changes);

  /* Two namesakes (ROYER Samira), two accounts */
  first = find_row (fixture->session, JN_CATEGORY_TEACHER, "3H4VZ3B9T4YPDEBD");
  second = find_row (fixture->session, JN_CATEGORY_TEACHER, "2TUPZVQ42WA5JSHU");
  g_assert_cmpint (jn_session_row_get_status (first), ==, JN_ROW_STATUS_AMBIGUOUS);

  suggestions = jn_import_session_suggest (fixture->session, first, 5);
  g_assert_cmpuint (suggestions->len, >=, 2);
  for (guint i = 0; i < suggestions->len; i++)
    g_assert_cmpstr (((JnSessionSuggestion *)g_ptr_array_index (suggestions, i))->reasons, !=, "");
  chosen = ((JnSessionSuggestion *)g_ptr_array_index (suggestions, 0))->user;

  g_assert_true (jn_import_session_decide (fixture->session, first, chosen, &error));
  g_assert_no_error (error);
  g_assert_cmpint (jn_session_row_get_status (first), ==, JN_ROW_STATUS_MATCHED);
  g_assert_true (jn_session_row_get_manual (first));
  g_assert_cmpuint (changes.calls, ==, 1);
  g_assert_cmpuint (changes.removed, ==, 1);
  g_assert_cmpuint (changes.added, ==, 1);
  g_assert_true (g_list_model_get_item (rows, changes.position) == (gpointer)first);
  g_object_unref (first);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, n_rows);

  /* Stored as made */
  {
    g_autoptr(JnImportRecord) record = jn_store_find_interrupted_session (fixture->store, NULL);

    g_assert_nonnull (record);
    stored = jn_store_load_decisions (fixture->store, record->id, &error);
  }
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (stored, "3H4VZ3B9T4YPDEBD"), ==, jn_ent_user_get_id (chosen));

  /* Not offered for the namesake, and refused if forced */
  g_clear_pointer (&suggestions, g_ptr_array_unref);
  suggestions = jn_import_session_suggest (fixture->session, second, 10);
  for (guint i = 0; i < suggestions->len; i++)
    g_assert_true (((JnSessionSuggestion *)g_ptr_array_index (suggestions, i))->user != chosen);
  g_assert_false (jn_import_session_decide (fixture->session, second, chosen, &error));
  g_assert_error (error, JN_ERROR, JN_ERROR_INVALID_DECISION);
  g_assert_nonnull (strstr (error->message, "already chosen for"));
  g_clear_error (&error);
  g_assert_cmpint (jn_session_row_get_status (second), ==, JN_ROW_STATUS_AMBIGUOUS);

  /* The browse list shows it taken */
  {
    g_autoptr(GPtrArray) found = jn_import_session_search_directory (fixture->session, JN_CATEGORY_TEACHER,
                                                                     "royer sam", 20);
    gboolean seen = FALSE;

    for (guint i = 0; i < found->len; i++)
      {
        JnSessionSuggestion *s = g_ptr_array_index (found, i);

        if (s->user == chosen)
          {
            seen = TRUE;
            g_assert_nonnull (s->taken_by);
          }
      }
    g_assert_true (seen);
  }

  /* "Don't Import", then "Undo": back to what the matcher found */
  g_assert_true (jn_import_session_skip (fixture->session, second, &error));
  g_assert_cmpint (jn_session_row_get_status (second), ==, JN_ROW_STATUS_NOT_IMPORTED);
  g_assert_true (jn_import_session_undo (fixture->session, second, &error));
  g_assert_no_error (error);
  g_assert_cmpint (jn_session_row_get_status (second), ==, JN_ROW_STATUS_AMBIGUOUS);
  g_assert_false (jn_session_row_get_manual (second));
  g_assert_false (g_hash_table_contains (jn_import_session_get_decisions (fixture->session), "2TUPZVQ42WA5JSHU"));

  /* An account matched automatically to another record is refused */
  {
    JnSessionRow *matched = find_row_by_status (fixture->session, JN_CATEGORY_TEACHER, JN_ROW_STATUS_MATCHED, 1);
    JnEntUser *taken = jn_plan_item_get_user (jn_session_row_get_item (matched));

    if (matched == first)
      matched = find_row_by_status (fixture->session, JN_CATEGORY_TEACHER, JN_ROW_STATUS_MATCHED, 2);
    taken = jn_plan_item_get_user (jn_session_row_get_item (matched));
    g_assert_false (jn_import_session_decide (fixture->session, second, taken, &error));
    g_assert_error (error, JN_ERROR, JN_ERROR_INVALID_DECISION);
    g_clear_error (&error);
  }

  /* An account of another category is refused in words */
  {
    JnSessionRow *student = find_row_by_status (fixture->session, JN_CATEGORY_STUDENT, JN_ROW_STATUS_MATCHED, 0);

    g_assert_false (jn_import_session_decide (fixture->session, second,
                                              jn_plan_item_get_user (jn_session_row_get_item (student)),
                                              &error));
    g_assert_error (error, JN_ERROR, JN_ERROR_INVALID_DECISION);
    g_clear_error (&error);
  }
}

/* Every matched record's identifier is where the plan says, every removal done */
static void
assert_ent_follows_plan (Fixture *fixture,
                         JnPlan  *plan)
{
  g_autoptr(JnEnt) ent = open_file_ent (fixture->ent_file);
  g_autoptr(GError) error = NULL;
  g_autoptr(JnDirectory) after = jn_ent_read_directory (ent, UAI, NULL, NULL, NULL, &error);
  guint checked = 0;

  g_assert_no_error (error);
  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    {
      GListModel *items = jn_plan_get_items (plan, c);
      GListModel *clears = jn_plan_get_clears (plan, c);

      for (guint i = 0; i < g_list_model_get_n_items (items); i++)
        {
          g_autoptr(JnPlanItem) item = g_list_model_get_item (items, i);
          JnEntUser *user;

          if (jn_plan_item_get_state (item) != JN_PLAN_STATE_MATCHED)
            continue;
          user = jn_directory_lookup (after, jn_ent_user_get_id (jn_plan_item_get_user (item)));
          g_assert_nonnull (user);
          g_assert_cmpstr (jn_ent_user_get_pronote_id (user, UAI), ==, jn_plan_item_get_pronote_id (item));
          checked++;
        }
      for (guint i = 0; i < g_list_model_get_n_items (clears); i++)
        {
          g_autoptr(JnPlanItem) item = g_list_model_get_item (clears, i);
          JnEntUser *user = jn_directory_lookup (after, jn_ent_user_get_id (jn_plan_item_get_user (item)));

          g_assert_null (jn_ent_user_get_pronote_id (user, UAI));
        }
    }
  g_assert_cmpuint (checked, >, 100);
}

/* The six steps, each validated and pushed; the ENT ends as the plan with the decisions */
static void
test_six_steps (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) suggestions = NULL;
  g_autoptr(GPtrArray) imports = NULL;
  JnSessionRow *row;

  load_and_match (fixture->session, fixture->export_file, JN_IMPORT_MODE_COMPLETE);

  row = find_row (fixture->session, JN_CATEGORY_TEACHER, "3H4VZ3B9T4YPDEBD");
  suggestions = jn_import_session_suggest (fixture->session, row, 3);
  g_assert_true (jn_import_session_decide (fixture->session, row,
                                           ((JnSessionSuggestion *)g_ptr_array_index (suggestions, 0))->user,
                                           &error));
  g_assert_true (jn_import_session_skip (fixture->session,
                                         find_row (fixture->session, JN_CATEGORY_TEACHER, "2TUPZVQ42WA5JSHU"),
                                         &error));
  g_assert_no_error (error);

  /* A step not reached yet cannot be shown */
  g_assert_false (jn_import_session_go_to_step (fixture->session, 2));

  for (guint step = 0; step < JN_N_STEPS; step++)
    {
      JnStepCounts counts;

      g_assert_cmpuint (jn_import_session_get_current_step (fixture->session), ==, step);
      g_assert_true (validate (fixture->session, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (jn_import_session_get_step_validated (fixture->session, step));

      jn_import_session_get_counts (fixture->session, step, &counts);
      g_assert_cmpuint (counts.n_failed, ==, 0);
      g_assert_cmpuint (counts.n_done, ==, counts.n_set + counts.n_replace + counts.n_clear);

      /* A validated step is shown again, but not changed */
      if (step == 0)
        {
          g_assert_true (jn_import_session_go_to_step (fixture->session, 0));
          g_assert_false (jn_import_session_skip (fixture->session, row, &error));
          g_assert_error (error, JN_ERROR, JN_ERROR_INVALID_DECISION);
          g_clear_error (&error);
          g_assert_true (jn_import_session_go_to_step (fixture->session, 1));
        }
    }

  g_assert_cmpint (jn_import_session_get_state (fixture->session), ==, JN_SESSION_STATE_FINISHED);
  g_assert_null (jn_store_find_interrupted_session (fixture->store, &error));
  g_assert_no_error (error);
  imports = jn_store_list_imports (fixture->store, 1, &error);
  g_assert_cmpstr (((JnImportRecord *)g_ptr_array_index (imports, 0))->state, ==, "done");
  g_assert_cmpstr (((JnImportRecord *)g_ptr_array_index (imports, 0))->kind, ==, "wizard");

  assert_ent_follows_plan (fixture, jn_import_session_get_plan (fixture->session));
}

/* Interrupt at step 3 with a decision made there; a new session (a restart) resumes with
 * the same file, decisions and validated steps, and finishes exactly */
static void
test_interrupt_resume (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JnImportRecord) record = NULL;
  g_autoptr(JnImportSession) again = NULL;
  g_autoptr(JnEnt) ent = NULL;
  JnSessionRow *row;
  g_autofree char *relative_id = NULL;
  g_autofree char *relative_user_id = NULL;
  JnEntUser *relative_user = NULL;

  load_and_match (fixture->session, fixture->export_file, JN_IMPORT_MODE_COMPLETE);

  for (guint step = 0; step < 2; step++)
    g_assert_true (validate (fixture->session, NULL, &error));
  g_assert_cmpuint (jn_import_session_get_current_step (fixture->session), ==, 2);

  /* A decision in step 3 (relatives): a record to check takes its first suggestion */
  row = find_row_by_status (fixture->session, JN_CATEGORY_RELATIVE, JN_ROW_STATUS_AMBIGUOUS, 0);
  if (row == NULL)
    row = find_row_by_status (fixture->session, JN_CATEGORY_RELATIVE, JN_ROW_STATUS_UNMATCHED, 0);
  g_assert_nonnull (row);
  relative_id = g_strdup (jn_session_row_get_pronote_id (row));
  {
    g_autoptr(GPtrArray) suggestions = jn_import_session_suggest (fixture->session, row, 3);

    for (guint i = 0; i < suggestions->len && relative_user == NULL; i++)
      {
        JnEntUser *candidate = ((JnSessionSuggestion *)g_ptr_array_index (suggestions, i))->user;

        if (jn_import_session_decide (fixture->session, row, candidate, NULL))
          relative_user = candidate;
      }
  }
  g_assert_nonnull (relative_user);
  relative_user_id = g_strdup (jn_ent_user_get_id (relative_user));

  g_assert_true (jn_import_session_interrupt (fixture->session, &error));
  g_assert_cmpint (jn_import_session_get_state (fixture->session), ==, JN_SESSION_STATE_INTERRUPTED);
  /* Interrupted, nothing more is sent */
  {
    g_autoptr(GAsyncResult) result = NULL;

    jn_import_session_validate_step_async (fixture->session, NULL, got_result, &result);
    g_assert_false (jn_import_session_validate_step_finish (fixture->session, wait_for (&result), &error));
    g_clear_error (&error);
  }
  g_clear_object (&fixture->session);

  /* "Restart": another session, another ENT object on the same file */
  record = jn_import_session_find_interrupted (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (record);
  g_assert_cmpuint (record->step, ==, 2);
  g_assert_cmpstr (record->state, ==, "interrupted");
  g_assert_cmpstr (record->mode, ==, "complete");
  g_assert_nonnull (record->file_path);

  ent = open_file_ent (fixture->ent_file);
  again = jn_import_session_new (fixture->store);
  jn_import_session_set_ent (again, ent);
  g_assert_true (resume (again, record, &error));
  g_assert_no_error (error);
  g_assert_cmpint (jn_import_session_get_state (again), ==, JN_SESSION_STATE_STEPS);
  g_assert_cmpuint (jn_import_session_get_current_step (again), ==, 2);
  g_assert_true (jn_import_session_get_step_validated (again, 1));
  g_assert_false (jn_import_session_get_step_validated (again, 2));

  row = find_row (again, JN_CATEGORY_RELATIVE, relative_id);
  g_assert_true (jn_session_row_get_manual (row));
  g_assert_cmpstr (jn_ent_user_get_id (jn_plan_item_get_user (jn_session_row_get_item (row))), ==,
                   relative_user_id);

  for (guint step = 2; step < JN_N_STEPS; step++)
    {
      g_assert_true (validate (again, NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpint (jn_import_session_get_state (again), ==, JN_SESSION_STATE_FINISHED);
  assert_ent_follows_plan (fixture, jn_import_session_get_plan (again));
  g_assert_null (jn_import_session_find_interrupted (fixture->store, NULL));
}

/* Cancelled at every async step: an error, nothing half done, and the next try works */
static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancelled);

  g_assert_false (open_export (fixture->session, fixture->export_file, cancelled, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpint (jn_import_session_get_state (fixture->session), ==, JN_SESSION_STATE_EMPTY);
  g_assert_null (jn_import_session_get_export (fixture->session));
  g_assert_false (jn_import_session_get_busy (fixture->session));

  g_assert_true (open_export (fixture->session, fixture->export_file, NULL, &error));
  g_assert_false (read_directory (fixture->session, cancelled, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_null (jn_import_session_get_directory (fixture->session));

  g_assert_true (read_directory (fixture->session, NULL, &error));
  jn_import_session_set_mode (fixture->session, JN_IMPORT_MODE_COMPLETE);
  g_assert_false (match (fixture->session, cancelled, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_null (jn_import_session_get_plan (fixture->session));
  g_assert_cmpint (jn_import_session_get_state (fixture->session), ==, JN_SESSION_STATE_LOADED);

  g_assert_true (match (fixture->session, NULL, &error));
  g_assert_false (validate (fixture->session, cancelled, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_false (jn_import_session_get_step_validated (fixture->session, 0));
  g_assert_false (jn_store_is_locked (fixture->store));

  /* Cancelled in the middle of the students' step: the journal keeps what was sent */
  g_assert_true (validate (fixture->session, NULL, &error));
  {
    g_autoptr(GCancellable) later = g_cancellable_new ();
    g_autoptr(GAsyncResult) result = NULL;
    gulong handler;

    handler = g_signal_connect_swapped (fixture->session, "notify::progress",
                                        G_CALLBACK (g_cancellable_cancel), later);
    jn_import_session_validate_step_async (fixture->session, later, got_result, &result);
    if (!jn_import_session_validate_step_finish (fixture->session, wait_for (&result), &error))
      {
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
        g_clear_error (&error);
        g_assert_false (jn_import_session_get_step_validated (fixture->session, 1));
      }
    g_signal_handler_disconnect (fixture->session, handler);
  }

  for (guint step = jn_import_session_get_current_step (fixture->session); step < JN_N_STEPS; step++)
    {
      g_assert_true (validate (fixture->session, NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpint (jn_import_session_get_state (fixture->session), ==, JN_SESSION_STATE_FINISHED);
  assert_ent_follows_plan (fixture, jn_import_session_get_plan (fixture->session));
}

/* A broken file: its name and the reason, and the session stays empty */
static void
test_broken_file (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "broken.xml", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, "<ExportIdentifiants UAI=\"0312609T\"><Eleves><Eleve", -1, &error);
  g_assert_no_error (error);

  g_assert_false (open_export (fixture->session, file, NULL, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "broken.xml"));
  g_assert_cmpint (jn_import_session_get_state (fixture->session), ==, JN_SESSION_STATE_EMPTY);
  g_assert_null (jn_import_session_get_export (fixture->session));
}

/* The configured establishment differs from the file's: said, and confirmed explicitly */
static void
test_uai_mismatch (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *warnings;
  gboolean said = FALSE;

  jn_import_session_set_uai (fixture->session, "0999999Z");
  g_assert_true (open_export (fixture->session, fixture->export_file, NULL, &error));
  g_assert_true (jn_import_session_get_uai_mismatch (fixture->session));
  warnings = jn_import_session_get_warnings (fixture->session);
  for (guint i = 0; i < warnings->len; i++)
    said = said || strstr (g_ptr_array_index (warnings, i), "0999999Z") != NULL;
  g_assert_true (said);
  g_assert_cmpstr (jn_import_session_get_uai (fixture->session), ==, "0999999Z");

  jn_import_session_accept_uai_mismatch (fixture->session);
  g_assert_false (jn_import_session_get_uai_mismatch (fixture->session));
  g_assert_cmpstr (jn_import_session_get_uai (fixture->session), ==, UAI);
}

/* Another store (a CLI's --state) pushing to the same ENT and establishment, written
 * otherwise: the wizard's step waits for it, it never writes alongside */
static void
test_one_push_per_target (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *other_dir = g_build_filename (fixture->dir, "other-state", NULL);
  g_autofree char *address = g_strconcat (jn_ent_describe (fixture->ent), "/", NULL);
  g_autoptr(JnStore) other = NULL;
  g_autoptr(GError) error = NULL;

  other = jn_store_open (other_dir, &error);
  g_assert_no_error (error);
  g_assert_true (jn_store_lock_target (other, address, "0312609t", &error));

  load_and_match (fixture->session, fixture->export_file, JN_IMPORT_MODE_PARTIAL);
  g_assert_false (validate (fixture->session, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_false (jn_import_session_get_step_validated (fixture->session, 0));
  g_assert_false (jn_import_session_get_busy (fixture->session));

  jn_store_unlock (other);
  g_assert_true (validate (fixture->session, NULL, &error));
  g_assert_no_error (error);
}

/* Two matched teachers whose identifier the plan sets */
static void
find_two_sets (JnImportSession  *session,
               JnSessionRow    **first,
               JnSessionRow    **second)
{
  GListModel *rows = jn_import_session_get_rows (session, JN_CATEGORY_TEACHER);

  *first = *second = NULL;
  for (guint i = 0; i < g_list_model_get_n_items (rows) && *second == NULL; i++)
    {
      g_autoptr(JnSessionRow) row = g_list_model_get_item (rows, i);

      if (jn_session_row_get_status (row) != JN_ROW_STATUS_MATCHED ||
          jn_plan_item_get_action (jn_session_row_get_item (row)) != JN_PLAN_ACTION_SET)
        continue;
      if (*first == NULL)
        *first = row;
      else
        *second = row;
    }
  g_assert_nonnull (*second);
}

static void
edit_one (Fixture    *fixture,
          const char *user_id,
          const char *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JnEntUser) user = jn_ent_read_user (fixture->ent, user_id, NULL, &error);
  g_autoptr(JnPushReport) report = NULL;

  g_assert_no_error (error);
  report = jn_push_set_one (fixture->store, fixture->ent, user, UAI, value, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->failed->len, ==, 0);
}

/* The single-user editor changes two accounts while the import is reviewed (the directory
 * read a minute ago): the step's push does not overwrite the value set meanwhile (the row
 * says so), and does not send again the one the editor already put in place */
static void
record_text (JnImportSession *session,
             GParamSpec      *pspec,
             GPtrArray       *texts)
{
  const char *text = jn_import_session_get_progress_text (session);

  if (text != NULL)
    g_ptr_array_add (texts, g_strdup (text));
}

static void
test_editor_meanwhile (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(JnEntUser) changed = NULL;
  g_autoptr(JnEntUser) same = NULL;
  JnSessionRow *first, *second;
  const char *first_id, *second_id;
  JnStepCounts counts;

  load_and_match (fixture->session, fixture->export_file, JN_IMPORT_MODE_PARTIAL);
  find_two_sets (fixture->session, &first, &second);
  first_id = jn_ent_user_get_id (jn_plan_item_get_user (jn_session_row_get_item (first)));
  second_id = jn_ent_user_get_id (jn_plan_item_get_user (jn_session_row_get_item (second)));

  edit_one (fixture, first_id, "M4NPQRSTUVWXYZ23");
  edit_one (fixture, second_id, jn_session_row_get_pronote_id (second));
  jn_import_session_note_ent_changed (fixture->session);

  g_signal_connect (fixture->session, "notify::progress-text", G_CALLBACK (record_text), texts);
  g_assert_true (validate (fixture->session, NULL, &error));
  g_assert_no_error (error);
  g_signal_handlers_disconnect_by_data (fixture->session, texts);
  /* the admin is told of the wait while the accounts are read again */
  g_assert_true (g_ptr_array_find_with_equal_func (texts, "Checking the ENT’s accounts again before sending…",
                                                   g_str_equal, NULL));

  changed = jn_ent_read_user (fixture->ent, first_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (jn_ent_user_get_pronote_id (changed, UAI), ==, "M4NPQRSTUVWXYZ23");
  g_assert_cmpint (jn_session_row_get_push_state (first), ==, JN_ROW_PUSH_FAILED);
  g_assert_nonnull (strstr (jn_session_row_get_failure (first), "meanwhile"));

  same = jn_ent_read_user (fixture->ent, second_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (jn_ent_user_get_pronote_id (same, UAI), ==, jn_session_row_get_pronote_id (second));
  g_assert_cmpuint (jn_ent_user_count_pronote_ids (same, UAI), ==, 1);
  g_assert_cmpint (jn_session_row_get_push_state (second), ==, JN_ROW_PUSH_DONE);

  jn_import_session_get_counts (fixture->session, JN_CATEGORY_TEACHER, &counts);
  g_assert_cmpuint (counts.n_failed, ==, 1);
}

/* The editor gives another account the identifier the plan gives to a teacher (the admin
 * fixing a match by hand) while the import is reviewed: the step's push must not send it
 * to a second account. The directory it read is no longer the ENT's, for who holds what
 * either: refused by the push itself, before anything is sent (an ENT without a
 * uniqueness check would take it) */
static void
test_editor_gives_planned_value (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JnEntUser) target = NULL;
  g_autoptr(JnEntUser) holder = NULL;
  JnSessionRow *first, *second;
  const char *first_id, *second_id, *value;

  load_and_match (fixture->session, fixture->export_file, JN_IMPORT_MODE_PARTIAL);
  find_two_sets (fixture->session, &first, &second);
  first_id = jn_ent_user_get_id (jn_plan_item_get_user (jn_session_row_get_item (first)));
  second_id = jn_ent_user_get_id (jn_plan_item_get_user (jn_session_row_get_item (second)));
  value = jn_session_row_get_pronote_id (first);

  edit_one (fixture, second_id, value);
  jn_import_session_note_ent_changed (fixture->session);

  g_assert_true (validate (fixture->session, NULL, &error));
  g_assert_no_error (error);

  target = jn_ent_read_user (fixture->ent, first_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (jn_ent_user_get_pronote_id (target, UAI));
  holder = jn_ent_read_user (fixture->ent, second_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (jn_ent_user_get_pronote_id (holder, UAI), ==, value);

  g_assert_cmpint (jn_session_row_get_push_state (first), ==, JN_ROW_PUSH_FAILED);
  /* the push's own one-holder check, not the ENT's refusal of a write sent */
  g_assert_nonnull (strstr (jn_session_row_get_failure (first), "not given to a second account"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/session/rows-follow-plan", test_rows_follow_plan);
  ADD ("/session/decisions", test_decisions);
  ADD ("/session/six-steps", test_six_steps);
  ADD ("/session/interrupt-resume", test_interrupt_resume);
  ADD ("/session/cancel", test_cancel);
  ADD ("/session/broken-file", test_broken_file);
  ADD ("/session/uai-mismatch", test_uai_mismatch);
  ADD ("/session/one-push-per-target", test_one_push_per_target);
  ADD ("/session/editor-meanwhile", test_editor_meanwhile);
  ADD ("/session/editor-gives-planned-value", test_editor_gives_planned_value);

  return g_test_run ();
}
