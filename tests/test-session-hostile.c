/* test-session-hostile.c: the import session attacked: kills in the middle of a step,
 * decisions changed afterwards, two sessions on one store, old stores, hostile resumes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <fcntl.h>
#include <unistd.h>
#include <sqlite3.h>

#include "jn-error.h"
#include "jn-file-ent.h"
#include "jn-import-session.h"

#include "session-fixture.h"

static char *
import_id_of (JnImportSession *session)
{
  char *id = NULL;

  g_object_get (session, "import-id", &id, NULL);
  return id;
}

static void
cancel_after_first_batch (JnCategory category,
                          guint      done,
                          guint      total,
                          gpointer   user_data)
{
  g_cancellable_cancel (user_data);
}

/* The process dies in the middle of the students' step (its journal written, one batch
 * sent): jn_push_run_step as the session runs it, stopped after its first batch */
static void
kill_in_step (Fixture         *fixture,
              JnImportSession *session,
              JnCategory       step)
{
  g_autoptr(GCancellable) kill = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JnPushReport) report = NULL;
  g_autofree char *import_id = import_id_of (session);

  g_assert_nonnull (import_id);
  g_assert_true (jn_store_lock_target (fixture->store, jn_ent_describe (fixture->ent), UAI, &error));
  g_assert_no_error (error);
  report = jn_push_run_step (fixture->store, fixture->ent, jn_import_session_get_plan (session),
                             jn_import_session_get_directory (session), TRUE, import_id, step,
                             cancel_after_first_batch, kill, kill, &error);
  g_assert_null (report);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  jn_store_unlock (fixture->store);
}

/* The journalled operation of @step still planned (never sent), of @kind */
static JnOperation *
planned_operation (Fixture    *fixture,
                   const char *import_id,
                   JnCategory  step,
                   JnOpKind    kind)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ops = jn_store_list_operations (fixture->store, import_id, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < ops->len; i++)
    {
      JnOperation *op = g_ptr_array_index (ops, i);

      if (op->category == step && op->kind == kind && op->state == JN_OP_PLANNED)
        return g_ptr_array_steal_index (ops, i);
    }

  return NULL;
}

static JnImportSession *
restart_and_resume (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JnImportRecord) record = jn_import_session_find_interrupted (fixture->store, &error);
  g_autoptr(JnEnt) ent = open_file_ent (fixture->ent_file);
  JnImportSession *again;

  g_assert_no_error (error);
  g_assert_nonnull (record);
  again = jn_import_session_new (fixture->store);
  jn_import_session_set_ent (again, ent);
  g_assert_true (resume (again, record, &error));
  g_assert_no_error (error);

  return again;
}

static JnDirectory *
ent_now (Fixture *fixture)
{
  g_autoptr(JnEnt) ent = open_file_ent (fixture->ent_file);
  g_autoptr(GError) error = NULL;
  JnDirectory *directory = jn_ent_read_directory (ent, UAI, NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  return directory;
}

/* Killed in the middle of the students' step; after the restart the admin chooses "Don't
 * Import" for a record whose write was journalled but never sent. Validating the step must
 * not send that write: the admin's last word is the plan, not the old journal. */
static void
test_kill_mid_step_then_skip (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JnImportSession) again = NULL;
  g_autoptr(JnDirectory) after = NULL;
  g_autofree char *import_id = NULL;
  JnOperation *op;
  JnSessionRow *row;
  JnEntUser *user;

  load_and_match (fixture->session, fixture->export_file, JN_IMPORT_MODE_PARTIAL);
  g_assert_true (validate (fixture->session, NULL, &error));
  g_assert_no_error (error);
  import_id = import_id_of (fixture->session);

  kill_in_step (fixture, fixture->session, JN_CATEGORY_STUDENT);
  g_clear_object (&fixture->session);

  op = planned_operation (fixture, import_id, JN_CATEGORY_STUDENT, JN_OP_SET);
  g_assert_nonnull (op);

  again = restart_and_resume (fixture);
  g_assert_cmpuint (jn_import_session_get_current_step (again), ==, 1);
  row = find_row (again, JN_CATEGORY_STUDENT, op->record_id);
  g_assert_cmpint (jn_session_row_get_status (row), ==, JN_ROW_STATUS_MATCHED);
  g_assert_true (jn_import_session_skip (again, row, &error));
  g_assert_no_error (error);

  g_assert_true (validate (again, NULL, &error));
  g_assert_no_error (error);

  after = ent_now (fixture);
  user = jn_directory_lookup (after, op->ent_id);
  g_assert_nonnull (user);
  g_assert_cmpstr (jn_ent_user_get_pronote_id (user, UAI), !=, op->record_id);
  jn_operation_free (op);
}

/* The same, with another account chosen: the account the journal had planned must not get
 * the identifier, the chosen one must */
static void
test_kill_mid_step_then_decide (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JnImportSession) again = NULL;
  g_autoptr(JnDirectory) after = NULL;
  g_autofree char *import_id = NULL;
  g_autofree char *chosen_id = NULL;
  g_autoptr(JnEntUser) chosen = NULL;
  JnOperation *op;
  JnSessionRow *row;
  JnSessionRow *free_row;

  load_and_match (fixture->session, fixture->export_file, JN_IMPORT_MODE_PARTIAL);
  g_assert_true (validate (fixture->session, NULL, &error));
  import_id = import_id_of (fixture->session);
  kill_in_step (fixture, fixture->session, JN_CATEGORY_STUDENT);
  g_clear_object (&fixture->session);

  op = planned_operation (fixture, import_id, JN_CATEGORY_STUDENT, JN_OP_SET);
  g_assert_nonnull (op);
  again = restart_and_resume (fixture);
  row = find_row (again, JN_CATEGORY_STUDENT, op->record_id);

  /* An account no record takes: the first suggestion of a record not recognised, freed */
  free_row = find_row_by_status (again, JN_CATEGORY_STUDENT, JN_ROW_STATUS_MATCHED, 0);
  if (free_row == row)
    free_row = find_row_by_status (again, JN_CATEGORY_STUDENT, JN_ROW_STATUS_MATCHED, 1);
  chosen = g_object_ref (jn_plan_item_get_user (jn_session_row_get_item (free_row)));
  chosen_id = g_strdup (jn_ent_user_get_id (chosen));
  /* its record is not imported: its account is free for ours */
  g_assert_true (jn_import_session_skip (again, free_row, &error));
  g_assert_true (jn_import_session_decide (again, row, chosen, &error));
  g_assert_no_error (error);

  g_assert_true (validate (again, NULL, &error));
  g_assert_no_error (error);

  after = ent_now (fixture);
  g_assert_cmpstr (jn_ent_user_get_pronote_id (jn_directory_lookup (after, op->ent_id), UAI), !=,
                   op->record_id);
  /* The chosen account held nothing or its own record's identifier, not sent yet: it has
   * ours now, and nobody else has it */
  g_assert_cmpstr (jn_ent_user_get_pronote_id (jn_directory_lookup (after, chosen_id), UAI), ==,
                   op->record_id);
  jn_operation_free (op);
}

/* Killed, "Don't Import" chosen, killed again (the write is dropped from the journal), then
 * "Undo": the write is planned again and must be sent */
static void
test_kill_skip_kill_undo (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JnImportSession) again = NULL;
  g_autoptr(JnImportSession) third = NULL;
  g_autoptr(JnDirectory) after = NULL;
  g_autofree char *import_id = NULL;
  JnOperation *op;
  JnSessionRow *row;

  load_and_match (fixture->session, fixture->export_file, JN_IMPORT_MODE_PARTIAL);
  g_assert_true (validate (fixture->session, NULL, &error));
  import_id = import_id_of (fixture->session);
  kill_in_step (fixture, fixture->session, JN_CATEGORY_STUDENT);
  g_clear_object (&fixture->session);

  /* the last write still planned: a second kill after one more batch leaves it planned */
  op = planned_operation (fixture, import_id, JN_CATEGORY_STUDENT, JN_OP_SET);
  g_assert_nonnull (op);
  {
    g_autoptr(GPtrArray) ops = jn_store_list_operations (fixture->store, import_id, NULL);

    for (guint i = ops->len; i-- > 0;)
      {
        JnOperation *last = g_ptr_array_index (ops, i);

        if (last->category == JN_CATEGORY_STUDENT && last->kind == JN_OP_SET && last->state == JN_OP_PLANNED)
          {
            jn_operation_free (op);
            op = g_ptr_array_steal_index (ops, i);
            break;
          }
      }
  }

  again = restart_and_resume (fixture);
  row = find_row (again, JN_CATEGORY_STUDENT, op->record_id);
  g_assert_true (jn_import_session_skip (again, row, &error));
  kill_in_step (fixture, again, JN_CATEGORY_STUDENT);
  g_clear_object (&again);
  {
    g_autoptr(GPtrArray) ops = jn_store_list_operations (fixture->store, import_id, NULL);
    gboolean dropped = FALSE;

    for (guint i = 0; i < ops->len; i++)
      {
        JnOperation *journalled = g_ptr_array_index (ops, i);

        if (journalled->seq == op->seq)
          dropped = journalled->state == JN_OP_SUPERSEDED;
      }
    g_assert_true (dropped);
  }

  third = restart_and_resume (fixture);
  row = find_row (third, JN_CATEGORY_STUDENT, op->record_id);
  g_assert_cmpint (jn_session_row_get_status (row), ==, JN_ROW_STATUS_NOT_IMPORTED);
  g_assert_true (jn_import_session_undo (third, row, &error));
  g_assert_no_error (error);
  g_assert_cmpint (jn_session_row_get_status (row), ==, JN_ROW_STATUS_MATCHED);
  g_assert_true (validate (third, NULL, &error));
  g_assert_no_error (error);

  after = ent_now (fixture);
  g_assert_cmpstr (jn_ent_user_get_pronote_id (jn_directory_lookup (after, op->ent_id), UAI), ==,
                   op->record_id);
  jn_operation_free (op);
}

static gboolean
retry (JnImportSession  *session,
       GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  jn_import_session_retry_failed_async (session, NULL, got_result, &result);
  return jn_import_session_retry_failed_finish (session, wait_for (&result), error);
}

/* A write refused (the account changed in the ENT after the directory was read) is shown
 * on its row with the reason, not overwritten; once the account is back as it was, "Retry"
 * sends it and the row says so */
static void
test_failed_then_retry (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JnEntUser) now = NULL;
  g_autoptr(JnEntUser) changed = NULL;
  g_autoptr(JnEntUser) back = NULL;
  g_autoptr(GPtrArray) sets = NULL;
  g_autoptr(JnDirectory) after = NULL;
  JnSessionRow *row;
  JnStepCounts counts;
  const char *user_id;

  load_and_match (fixture->session, fixture->export_file, JN_IMPORT_MODE_PARTIAL);
  sets = jn_import_session_list_step_changes (fixture->session, JN_PLAN_ACTION_SET);
  g_assert_cmpuint (sets->len, >, 0);
  row = g_ptr_array_index (sets, 0);
  user_id = jn_ent_user_get_id (jn_plan_item_get_user (jn_session_row_get_item (row)));

  /* Someone edits the account in the ENT meanwhile */
  now = jn_ent_read_user (fixture->ent, user_id, NULL, &error);
  g_assert_no_error (error);
  changed = jn_ent_write_pronote_id (fixture->ent, now, UAI, "ZZZZZZZZZZZZZZZZ", NULL, &error);
  g_assert_no_error (error);

  g_assert_true (validate (fixture->session, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (jn_session_row_get_push_state (row), ==, JN_ROW_PUSH_FAILED);
  g_assert_cmpstr (jn_session_row_get_failure (row), !=, "");
  g_assert_cmpuint (g_list_model_get_n_items (jn_import_session_get_failures (fixture->session)), ==, 1);
  jn_import_session_get_counts (fixture->session, JN_CATEGORY_TEACHER, &counts);
  g_assert_cmpuint (counts.n_failed, ==, 1);

  /* Retried as it is: still refused, never overwritten */
  g_assert_true (retry (fixture->session, &error));
  g_assert_no_error (error);
  g_assert_cmpint (jn_session_row_get_push_state (row), ==, JN_ROW_PUSH_FAILED);
  after = ent_now (fixture);
  g_assert_cmpstr (jn_ent_user_get_pronote_id (jn_directory_lookup (after, user_id), UAI), ==,
                   "ZZZZZZZZZZZZZZZZ");
  g_clear_object (&after);

  /* Put back: the retry sends it */
  back = jn_ent_write_pronote_id (fixture->ent, changed, UAI, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (retry (fixture->session, &error));
  g_assert_no_error (error);
  g_assert_cmpint (jn_session_row_get_push_state (row), ==, JN_ROW_PUSH_DONE);
  g_assert_cmpuint (g_list_model_get_n_items (jn_import_session_get_failures (fixture->session)), ==, 0);
  jn_import_session_get_counts (fixture->session, JN_CATEGORY_TEACHER, &counts);
  g_assert_cmpuint (counts.n_failed, ==, 0);
  g_assert_cmpuint (counts.n_done, ==, counts.n_set + counts.n_replace + counts.n_clear);
  after = ent_now (fixture);
  g_assert_cmpstr (jn_ent_user_get_pronote_id (jn_directory_lookup (after, user_id), UAI), ==,
                   jn_session_row_get_pronote_id (row));
  g_assert_false (jn_store_is_locked (fixture->store));
}

/* "Interrupt" while a step is being sent: the push stops, the import is kept as
 * interrupted with the steps validated before, the lock is released */
static void
test_interrupt_while_busy (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JnImportRecord) record = NULL;
  gboolean validated;

  load_and_match (fixture->session, fixture->export_file, JN_IMPORT_MODE_COMPLETE);
  g_assert_true (validate (fixture->session, NULL, &error));

  jn_import_session_validate_step_async (fixture->session, NULL, got_result, &result);
  g_assert_true (jn_import_session_get_busy (fixture->session));
  g_assert_true (jn_import_session_interrupt (fixture->session, &error));
  g_assert_no_error (error);
  validated = jn_import_session_validate_step_finish (fixture->session, wait_for (&result), &error);
  if (!validated)
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  g_assert_false (jn_import_session_get_busy (fixture->session));
  g_assert_cmpint (jn_import_session_get_state (fixture->session), ==, JN_SESSION_STATE_INTERRUPTED);
  g_assert_false (jn_store_is_locked (fixture->store));
  record = jn_import_session_find_interrupted (fixture->store, &error);
  g_assert_nonnull (record);
  g_assert_cmpstr (record->state, ==, "interrupted");
  g_assert_cmpuint (record->step, ==, validated ? 2 : 1);

  /* and it finishes exactly after a restart */
  g_clear_object (&fixture->session);
  {
    g_autoptr(JnImportSession) again = restart_and_resume (fixture);

    for (guint step = jn_import_session_get_current_step (again); step < JN_N_STEPS; step++)
      {
        g_assert_true (validate (again, NULL, &error));
        g_assert_no_error (error);
      }
    g_assert_cmpint (jn_import_session_get_state (again), ==, JN_SESSION_STATE_FINISHED);
  }
}

/* The local store refuses the decision (the import was forgotten meanwhile by another
 * face): the plan and the row stay as they were, the error says so */
static void
test_decision_not_stored (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) suggestions = NULL;
  JnSessionRow *first, *second;
  JnPlanItem *item;

  load_and_match (fixture->session, fixture->export_file, JN_IMPORT_MODE_PARTIAL);
  first = find_row (fixture->session, JN_CATEGORY_TEACHER, "3H4VZ3B9T4YPDEBD");
  second = find_row (fixture->session, JN_CATEGORY_TEACHER, "2TUPZVQ42WA5JSHU");
  g_assert_true (jn_import_session_skip (fixture->session, second, &error));
  g_assert_no_error (error);

  g_assert_true (jn_store_forget (fixture->store, &error));
  g_assert_no_error (error);

  item = jn_session_row_get_item (first);
  g_assert_cmpint (jn_plan_item_get_state (item), ==, JN_PLAN_STATE_AMBIGUOUS);
  suggestions = jn_import_session_suggest (fixture->session, first, 3);
  g_assert_false (jn_import_session_decide (fixture->session, first,
                                            ((JnSessionSuggestion *)g_ptr_array_index (suggestions, 0))->user,
                                            &error));
  g_assert_nonnull (error);
  g_test_message ("refused: %s", error->message);
  g_clear_error (&error);
  g_assert_cmpint (jn_plan_item_get_state (item), ==, JN_PLAN_STATE_AMBIGUOUS);
  g_assert_false (jn_plan_item_get_manual (item));
  g_assert_cmpint (jn_session_row_get_status (first), ==, JN_ROW_STATUS_AMBIGUOUS);
  g_assert_false (g_hash_table_contains (jn_import_session_get_decisions (fixture->session),
                                         "3H4VZ3B9T4YPDEBD"));
}

/* Complete mode: a decision that frees an automatically matched account makes its
 * identifier a removal, Undo takes the removal back; rows, counts and one change per
 * decision follow; the step then pushes exactly what its rows say */
static void
test_complete_decisions_and_removals (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GListModel *rows;
  JnSessionRow *row = NULL;
  JnStepCounts before, during, after;
  guint n_rows;

  load_and_match (fixture->session, fixture->export_file, JN_IMPORT_MODE_COMPLETE);
  rows = jn_import_session_get_rows (fixture->session, JN_CATEGORY_TEACHER);
  n_rows = g_list_model_get_n_items (rows);
  jn_import_session_get_counts (fixture->session, JN_CATEGORY_TEACHER, &before);

  /* A record matched by the identifier its account already holds */
  for (guint i = 0; i < n_rows && row == NULL; i++)
    {
      g_autoptr(JnSessionRow) candidate = g_list_model_get_item (rows, i);
      JnPlanItem *item = jn_session_row_get_item (candidate);

      if (jn_session_row_get_status (candidate) == JN_ROW_STATUS_MATCHED &&
          jn_plan_item_get_action (item) == JN_PLAN_ACTION_UNCHANGED)
        row = candidate;
    }
  g_assert_nonnull (row);

  /* "Don't Import": the account keeps its identifier (no removal of an identifier that is
   * in the file) */
  g_assert_true (jn_import_session_skip (fixture->session, row, &error));
  g_assert_no_error (error);
  jn_import_session_get_counts (fixture->session, JN_CATEGORY_TEACHER, &during);
  g_assert_cmpuint (during.n_clear, ==, before.n_clear);
  g_assert_cmpuint (during.n_not_imported, ==, before.n_not_imported + 1);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, n_rows);

  g_assert_true (jn_import_session_undo (fixture->session, row, &error));
  g_assert_no_error (error);
  jn_import_session_get_counts (fixture->session, JN_CATEGORY_TEACHER, &after);
  g_assert_cmpint (memcmp (&before, &after, sizeof before), ==, 0);
  g_assert_cmpint (jn_session_row_get_status (row), ==, JN_ROW_STATUS_MATCHED);

  g_assert_true (validate (fixture->session, NULL, &error));
  g_assert_no_error (error);
  jn_import_session_get_counts (fixture->session, JN_CATEGORY_TEACHER, &after);
  g_assert_cmpuint (after.n_failed, ==, 0);
  g_assert_cmpuint (after.n_done, ==, after.n_set + after.n_replace + after.n_clear);
}

/* Crafts the ENT so that a teacher's account no record takes holds the identifier of a
 * student record to check; returns the session matched again (complete mode) */
static void
craft_teacher_holding_student_id (Fixture  *fixture,
                                  char    **record_id,
                                  char    **teacher_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) suggestions = NULL;
  g_autoptr(JnEntUser) teacher = NULL;
  g_autoptr(JnEntUser) written = NULL;
  JnSessionRow *row = NULL;

  load_and_match (fixture->session, fixture->export_file, JN_IMPORT_MODE_COMPLETE);
  for (guint skip = 0; row == NULL || suggestions->len == 0; skip++)
    {
      row = find_row_by_status (fixture->session, JN_CATEGORY_STUDENT, JN_ROW_STATUS_AMBIGUOUS, skip);
      g_assert_nonnull (row);
      g_clear_pointer (&suggestions, g_ptr_array_unref);
      suggestions = jn_import_session_suggest (fixture->session, row, 3);
    }
  *record_id = g_strdup (jn_session_row_get_pronote_id (row));
  *teacher_id = NULL;
  {
    g_autoptr(GPtrArray) found = jn_import_session_search_directory (fixture->session, JN_CATEGORY_TEACHER,
                                                                     "", 100000);

    for (guint i = 0; i < found->len && *teacher_id == NULL; i++)
      {
        JnSessionSuggestion *s = g_ptr_array_index (found, i);

        if (s->taken_by == NULL && jn_ent_user_get_pronote_id (s->user, UAI) == NULL)
          *teacher_id = g_strdup (jn_ent_user_get_id (s->user));
      }
  }
  g_assert_nonnull (*teacher_id);
  g_clear_object (&fixture->session);

  teacher = jn_ent_read_user (fixture->ent, *teacher_id, NULL, &error);
  written = jn_ent_write_pronote_id (fixture->ent, teacher, UAI, *record_id, NULL, &error);
  g_assert_no_error (error);

  fixture->session = jn_import_session_new (fixture->store);
  jn_import_session_set_ent (fixture->session, fixture->ent);
  load_and_match (fixture->session, fixture->export_file, JN_IMPORT_MODE_COMPLETE);
}

/* "Retry" of the teachers' step while the students' step, not validated, holds a decision
 * that moves a removal into the teachers' step: the retry sends only what was validated;
 * the removal waits for the students' step (and goes if the decision is undone) */
static void
test_retry_sends_only_validated (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) suggestions = NULL;
  g_autoptr(JnDirectory) after = NULL;
  g_autofree char *record_id = NULL;
  g_autofree char *teacher_id = NULL;
  JnSessionRow *row;

  craft_teacher_holding_student_id (fixture, &record_id, &teacher_id);
  g_assert_true (validate (fixture->session, NULL, &error));
  g_assert_no_error (error);

  row = find_row (fixture->session, JN_CATEGORY_STUDENT, record_id);
  suggestions = jn_import_session_suggest (fixture->session, row, 3);
  g_assert_true (jn_import_session_decide (fixture->session, row,
                                           ((JnSessionSuggestion *)g_ptr_array_index (suggestions, 0))->user,
                                           &error));
  g_assert_no_error (error);

  g_assert_true (retry (fixture->session, &error));
  g_assert_no_error (error);
  g_assert_true (jn_import_session_undo (fixture->session, row, &error));
  g_assert_no_error (error);

  after = ent_now (fixture);
  g_assert_cmpstr (jn_ent_user_get_pronote_id (jn_directory_lookup (after, teacher_id), UAI), ==, record_id);
}

/* A teacher's account of the ENT holds a student record's identifier (an old mistake).
 * The students' step matches that record by hand: the identifier goes to the student's
 * account, so it is removed from the teacher's account in that same step (never two
 * holders), though the removal's row is in the teachers' step, validated before. The
 * step's confirmation must list that removal, and the push do it. */
static void
test_removal_moved_into_validated_step (Fixture       *fixture,
                                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) suggestions = NULL;
  g_autoptr(GPtrArray) removals = NULL;
  g_autoptr(JnEntUser) teacher = NULL;
  g_autoptr(JnEntUser) written = NULL;
  g_autoptr(JnDirectory) after = NULL;
  g_autofree char *record_id = NULL;
  g_autofree char *teacher_id = NULL;
  g_autofree char *student_id = NULL;
  JnSessionRow *row = NULL;
  JnStepCounts counts;
  GListModel *teachers;
  gboolean listed = FALSE;

  /* A student record to check, and a teacher account no record takes */
  load_and_match (fixture->session, fixture->export_file, JN_IMPORT_MODE_COMPLETE);
  for (guint skip = 0; row == NULL || suggestions->len == 0; skip++)
    {
      row = find_row_by_status (fixture->session, JN_CATEGORY_STUDENT, JN_ROW_STATUS_AMBIGUOUS, skip);
      g_assert_nonnull (row);
      g_clear_pointer (&suggestions, g_ptr_array_unref);
      suggestions = jn_import_session_suggest (fixture->session, row, 3);
    }
  record_id = g_strdup (jn_session_row_get_pronote_id (row));
  {
    g_autoptr(GPtrArray) found = jn_import_session_search_directory (fixture->session, JN_CATEGORY_TEACHER,
                                                                     "", 100000);

    for (guint i = 0; i < found->len && teacher_id == NULL; i++)
      {
        JnSessionSuggestion *s = g_ptr_array_index (found, i);

        if (s->taken_by == NULL && jn_ent_user_get_pronote_id (s->user, UAI) == NULL)
          teacher_id = g_strdup (jn_ent_user_get_id (s->user));
      }
  }
  g_assert_nonnull (teacher_id);
  g_clear_object (&fixture->session);
  g_clear_pointer (&suggestions, g_ptr_array_unref);

  teacher = jn_ent_read_user (fixture->ent, teacher_id, NULL, &error);
  written = jn_ent_write_pronote_id (fixture->ent, teacher, UAI, record_id, NULL, &error);
  g_assert_no_error (error);

  fixture->session = jn_import_session_new (fixture->store);
  jn_import_session_set_ent (fixture->session, fixture->ent);
  load_and_match (fixture->session, fixture->export_file, JN_IMPORT_MODE_COMPLETE);
  row = find_row (fixture->session, JN_CATEGORY_STUDENT, record_id);
  g_assert_cmpint (jn_session_row_get_status (row), !=, JN_ROW_STATUS_MATCHED);

  g_assert_true (validate (fixture->session, NULL, &error));
  g_assert_no_error (error);
  teachers = jn_import_session_get_rows (fixture->session, JN_CATEGORY_TEACHER);

  suggestions = jn_import_session_suggest (fixture->session, row, 3);
  g_assert_cmpuint (suggestions->len, >, 0);
  student_id = g_strdup (jn_ent_user_get_id (((JnSessionSuggestion *)g_ptr_array_index (suggestions, 0))->user));
  g_assert_true (jn_import_session_decide (fixture->session, row,
                                           ((JnSessionSuggestion *)g_ptr_array_index (suggestions, 0))->user,
                                           &error));
  g_assert_no_error (error);

  /* The teacher's removal is shown in the step that does it */
  removals = jn_import_session_list_step_changes (fixture->session, JN_PLAN_ACTION_CLEAR);
  for (guint i = 0; i < removals->len; i++)
    {
      JnSessionRow *removal = g_ptr_array_index (removals, i);

      if (g_strcmp0 (jn_ent_user_get_id (jn_plan_item_get_user (jn_session_row_get_item (removal))),
                     teacher_id) == 0)
        listed = TRUE;
      /* the teachers' removals sent with their step are not listed again */
      else
        g_assert_cmpint (jn_session_row_get_category (removal), ==, JN_CATEGORY_STUDENT);
    }
  g_assert_true (listed);
  /* the step's figures, which the confirmation shows, count it */
  jn_import_session_get_counts (fixture->session, JN_CATEGORY_STUDENT, &counts);
  g_assert_cmpuint (counts.n_clear, ==, removals->len);
  /* nor shown as not sent */
  jn_import_session_get_counts (fixture->session, JN_CATEGORY_TEACHER, &counts);
  g_assert_cmpuint (counts.n_done, ==, counts.n_set + counts.n_replace + counts.n_clear - 1);

  g_assert_true (validate (fixture->session, NULL, &error));
  g_assert_no_error (error);
  after = ent_now (fixture);
  g_assert_null (jn_ent_user_get_pronote_id (jn_directory_lookup (after, teacher_id), UAI));
  g_assert_cmpstr (jn_ent_user_get_pronote_id (jn_directory_lookup (after, student_id), UAI), ==, record_id);

  /* and the teachers' step says it is done */
  jn_import_session_get_counts (fixture->session, JN_CATEGORY_TEACHER, &counts);
  g_assert_cmpuint (counts.n_done, ==, counts.n_set + counts.n_replace + counts.n_clear);
  g_assert_cmpuint (g_list_model_get_n_items (teachers), >, 0);
}

/* Two accounts swapped by hand (each record matched automatically to the other's account):
 * skip B, A → B's account, B → A's account. Each decision was valid when made; after a
 * restart, the two must come back together, not be refused one by the other and lost */
static void
test_swap_survives_resume (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) sets = NULL;
  g_autoptr(JnImportSession) again = NULL;
  g_autoptr(JnEntUser) user_a = NULL;
  g_autoptr(JnEntUser) user_b = NULL;
  g_autofree char *id_a = NULL;
  g_autofree char *id_b = NULL;
  JnSessionRow *a, *b;

  load_and_match (fixture->session, fixture->export_file, JN_IMPORT_MODE_PARTIAL);
  sets = jn_import_session_list_step_changes (fixture->session, JN_PLAN_ACTION_SET);
  g_assert_cmpuint (sets->len, >=, 2);
  a = g_ptr_array_index (sets, 0);
  b = g_ptr_array_index (sets, 1);
  id_a = g_strdup (jn_session_row_get_pronote_id (a));
  id_b = g_strdup (jn_session_row_get_pronote_id (b));
  user_a = g_object_ref (jn_plan_item_get_user (jn_session_row_get_item (a)));
  user_b = g_object_ref (jn_plan_item_get_user (jn_session_row_get_item (b)));

  g_assert_true (jn_import_session_skip (fixture->session, b, &error));
  g_assert_true (jn_import_session_decide (fixture->session, a, user_b, &error));
  g_assert_true (jn_import_session_decide (fixture->session, b, user_a, &error));
  g_assert_no_error (error);
  g_assert_true (jn_import_session_interrupt (fixture->session, &error));
  g_clear_object (&fixture->session);

  again = restart_and_resume (fixture);
  g_assert_true (jn_plan_item_get_user (jn_session_row_get_item (find_row (again, JN_CATEGORY_TEACHER, id_a))) ==
                 jn_directory_lookup (jn_import_session_get_directory (again), jn_ent_user_get_id (user_b)));
  g_assert_true (jn_plan_item_get_user (jn_session_row_get_item (find_row (again, JN_CATEGORY_TEACHER, id_b))) ==
                 jn_directory_lookup (jn_import_session_get_directory (again), jn_ent_user_get_id (user_a)));
  g_assert_cmpuint (g_hash_table_size (jn_import_session_get_decisions (again)), ==, 2);
}

/* What a click costs on the main loop (figures only: run with JN_ESTABLISHMENT_DIR set to
 * the bench establishment to measure it there): Don't Import then Undo on records of the
 * students' step, complete mode, stored as made */
static void
test_decision_cost (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GListModel *rows;
  gint64 worst = 0, total = 0;
  guint n = 0;

  load_and_match (fixture->session, fixture->export_file, JN_IMPORT_MODE_COMPLETE);
  rows = jn_import_session_get_rows (fixture->session, JN_CATEGORY_STUDENT);
  for (guint i = 0; i < g_list_model_get_n_items (rows) && n < 40; i += 7)
    {
      g_autoptr(JnSessionRow) row = g_list_model_get_item (rows, i);
      gint64 start;

      if (jn_session_row_get_status (row) != JN_ROW_STATUS_MATCHED)
        continue;
      start = g_get_monotonic_time ();
      g_assert_true (jn_import_session_skip (fixture->session, row, &error));
      worst = MAX (worst, g_get_monotonic_time () - start);
      total += g_get_monotonic_time () - start;
      start = g_get_monotonic_time ();
      g_assert_true (jn_import_session_undo (fixture->session, row, &error));
      g_assert_no_error (error);
      worst = MAX (worst, g_get_monotonic_time () - start);
      total += g_get_monotonic_time () - start;
      n += 2;
    }
  g_assert_cmpuint (n, >, 0);
  g_test_message ("%u decisions: %.1f ms on average, %.1f ms at worst", n,
                  total / 1000.0 / n, worst / 1000.0);
}

/* Two windows: the second one's import replaces the first one's in the store (the newest
 * is the one resumed). The first window is then told so, in words, when it decides,
 * validates or interrupts; it never writes into, pushes or revives the import replaced. */
static void
test_replaced_import_says_so (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JnImportSession) other = jn_import_session_new (fixture->store);
  g_autoptr(JnImportRecord) found = NULL;
  g_autofree char *first_id = NULL;
  g_autofree char *other_id = NULL;
  JnSessionRow *row;

  jn_import_session_set_ent (other, fixture->ent);
  load_and_match (fixture->session, fixture->export_file, JN_IMPORT_MODE_PARTIAL);
  load_and_match (other, fixture->export_file, JN_IMPORT_MODE_PARTIAL);

  g_assert_true (jn_import_session_skip (fixture->session,
                                         find_row_by_status (fixture->session, JN_CATEGORY_TEACHER,
                                                             JN_ROW_STATUS_MATCHED, 0), &error));
  first_id = import_id_of (fixture->session);
  g_assert_true (jn_import_session_skip (other,
                                         find_row_by_status (other, JN_CATEGORY_TEACHER,
                                                             JN_ROW_STATUS_MATCHED, 1), &error));
  g_assert_no_error (error);
  other_id = import_id_of (other);

  row = find_row_by_status (fixture->session, JN_CATEGORY_TEACHER, JN_ROW_STATUS_MATCHED, 2);
  g_assert_false (jn_import_session_skip (fixture->session, row, &error));
  g_assert_error (error, JN_ERROR, JN_ERROR_INVALID_ARGUMENT);
  g_test_message ("decision refused: %s", error->message);
  g_clear_error (&error);
  g_assert_cmpint (jn_session_row_get_status (row), ==, JN_ROW_STATUS_MATCHED);
  g_assert_cmpint (jn_plan_item_get_state (jn_session_row_get_item (row)), ==, JN_PLAN_STATE_MATCHED);

  g_assert_false (validate (fixture->session, NULL, &error));
  g_assert_error (error, JN_ERROR, JN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (jn_store_is_locked (fixture->store));
  g_assert_false (jn_import_session_get_step_validated (fixture->session, 0));

  jn_import_session_interrupt (fixture->session, NULL);
  found = jn_import_session_find_interrupted (fixture->store, &error);
  g_assert_nonnull (found);
  g_assert_cmpstr (found->id, ==, other_id);
  g_clear_pointer (&found, jn_import_record_free);
  found = jn_store_get_import (fixture->store, first_id, &error);
  g_assert_cmpstr (found->state, ==, "superseded");
}

/* Killed after the sixth step was recorded as validated but before the import was marked
 * finished: the resume finishes it, and it is offered no more */
static void
test_resume_after_last_step (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JnImportSession) again = NULL;
  g_autoptr(JnImportRecord) left = NULL;
  g_autofree char *import_id = NULL;

  load_and_match (fixture->session, fixture->export_file, JN_IMPORT_MODE_PARTIAL);
  g_assert_true (jn_import_session_skip (fixture->session,
                                         find_row_by_status (fixture->session, JN_CATEGORY_TEACHER,
                                                             JN_ROW_STATUS_MATCHED, 0), &error));
  import_id = import_id_of (fixture->session);
  g_clear_object (&fixture->session);
  g_assert_true (jn_store_set_step (fixture->store, import_id, JN_N_STEPS, &error));

  again = restart_and_resume (fixture);
  g_assert_cmpint (jn_import_session_get_state (again), ==, JN_SESSION_STATE_FINISHED);
  left = jn_import_session_find_interrupted (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_null (left);
}

/* Two sessions (two windows) on one store: one push at a time, and a session going away
 * never releases the lock of another one's push */
static void
test_two_sessions_one_store (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JnImportSession) other = jn_import_session_new (fixture->store);
  g_autoptr(GAsyncResult) first = NULL;

  jn_import_session_set_ent (other, fixture->ent);
  load_and_match (fixture->session, fixture->export_file, JN_IMPORT_MODE_PARTIAL);
  load_and_match (other, fixture->export_file, JN_IMPORT_MODE_PARTIAL);

  jn_import_session_validate_step_async (fixture->session, NULL, got_result, &first);
  g_assert_true (jn_store_is_locked (fixture->store));

  g_assert_false (validate (other, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_clear_error (&error);

  g_assert_true (jn_import_session_validate_step_finish (fixture->session, wait_for (&first), &error));
  g_assert_no_error (error);
  g_assert_false (jn_store_is_locked (fixture->store));
}

static void
test_idle_session_keeps_others_lock (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) first = NULL;
  JnImportSession *idle = jn_import_session_new (fixture->store);

  load_and_match (fixture->session, fixture->export_file, JN_IMPORT_MODE_PARTIAL);
  jn_import_session_validate_step_async (fixture->session, NULL, got_result, &first);
  g_assert_true (jn_store_is_locked (fixture->store));

  /* Another window closed while the first pushes */
  g_object_unref (idle);
  g_assert_true (jn_store_is_locked (fixture->store));

  g_assert_true (jn_import_session_validate_step_finish (fixture->session, wait_for (&first), &error));
  g_assert_no_error (error);
  g_assert_false (jn_store_is_locked (fixture->store));
}

/* A store of schema 3 (before the wizard) opens, migrated: its import is the CLI's, never
 * offered to the wizard; and from then on neither face resumes the other's import */
static void
test_migration_and_resume_keys (Fixture       *fixture,
                                gconstpointer  data)
{
  static const char *v3 =
    "CREATE TABLE imports (id TEXT PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT,"
    "  mode TEXT NOT NULL, uai TEXT NOT NULL, ent TEXT NOT NULL, file_hash TEXT NOT NULL,"
    "  state TEXT NOT NULL, n_unchanged INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX imports_resume ON imports (uai, mode, ent, file_hash, state);"
    "CREATE TABLE decisions (import_id TEXT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,"
    "  pronote_id TEXT NOT NULL, ent_id TEXT, PRIMARY KEY (import_id, pronote_id));"
    "CREATE TABLE operations (import_id TEXT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,"
    "  seq INTEGER NOT NULL, category INTEGER NOT NULL, kind TEXT NOT NULL, ent_id TEXT NOT NULL,"
    "  uai TEXT NOT NULL, pronote_id TEXT, old_pronote_id TEXT, record_id TEXT, state TEXT NOT NULL,"
    "  status INTEGER NOT NULL DEFAULT 0, detail TEXT, updated_at TEXT NOT NULL,"
    "  PRIMARY KEY (import_id, seq));"
    "ALTER TABLE imports ADD COLUMN decisions_hash TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE imports ADD COLUMN purged_at TEXT;"
    "ALTER TABLE imports ADD COLUMN kept_set INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE imports ADD COLUMN kept_replaced INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE imports ADD COLUMN kept_cleared INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE imports ADD COLUMN kept_failed INTEGER NOT NULL DEFAULT 0;"
    "INSERT INTO imports (id, started_at, mode, uai, ent, file_hash, state) VALUES"
    "  ('old-cli', '2026-01-01T00:00:00Z', 'complete', '" UAI "', 'file:///ent', 'abc', 'interrupted');"
    "PRAGMA user_version = 3;";
  g_autofree char *dir = g_build_filename (fixture->dir, "old", NULL);
  g_autofree char *path = g_build_filename (dir, "jonction.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JnStore) store = NULL;
  g_autoptr(JnImportRecord) old = NULL;
  g_autoptr(JnImportRecord) found = NULL;
  g_autoptr(JnImportRecord) cli = NULL;
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)jn_operation_free);
  g_autofree char *wizard_id = NULL;
  g_autofree char *cli_id = NULL;
  sqlite3 *db = NULL;
  int fd;

  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  fd = g_open (path, O_CREAT | O_WRONLY, 0600);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, v3, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = jn_store_open (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (jn_store_get_schema_version (store), ==, 4);
  old = jn_store_get_import (store, "old-cli", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (old->kind, ==, "cli");
  g_assert_cmpuint (old->step, ==, 0);
  g_assert_null (old->file_path);
  g_assert_null (jn_store_find_interrupted_session (store, &error));
  g_assert_no_error (error);

  /* Same establishment, ENT, file and mode for both faces */
  wizard_id = jn_store_begin_session (store, "complete", UAI, "file:///ent", "abc", "/x.xml", &error);
  g_assert_no_error (error);
  old = (jn_import_record_free (old), jn_store_get_import (store, "old-cli", &error));
  g_assert_cmpstr (old->state, ==, "interrupted");      /* the wizard leaves the CLI's alone */
  /* the CLI resumes its own, never the wizard's */
  cli = jn_store_find_resumable (store, UAI, "complete", "file:///ent", "abc", NULL);
  g_assert_nonnull (cli);
  g_assert_cmpstr (cli->id, ==, "old-cli");
  g_clear_pointer (&cli, jn_import_record_free);

  g_assert_true (jn_store_lock (store, &error));
  g_assert_true (jn_store_supersede_unfinished (store, UAI, "complete", "file:///ent", "abc", &error));
  g_assert_no_error (error);
  cli_id = jn_store_begin_import (store, "complete", UAI, "file:///ent", "abc", NULL, ops, 0, &error);
  g_assert_no_error (error);
  jn_store_unlock (store);

  found = jn_store_find_interrupted_session (store, &error);
  g_assert_nonnull (found);
  g_assert_cmpstr (found->id, ==, wizard_id);          /* the CLI left the wizard's alone */
  cli = jn_store_find_resumable (store, UAI, "complete", "file:///ent", "abc", NULL);
  g_assert_nonnull (cli);
  g_assert_cmpstr (cli->id, ==, cli_id);
}

/* Resuming with the file gone, changed, or with another ENT: said in words, and the
 * import stays offered (nothing is lost) */
static void
test_resume_hostile (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *copy_path = g_build_filename (fixture->dir, "export.xml", NULL);
  g_autoptr(GFile) copy = g_file_new_for_path (copy_path);
  g_autoptr(GError) error = NULL;
  g_autoptr(JnImportRecord) record = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_load_contents (fixture->export_file, NULL, &contents, &length, NULL, &error));
  g_assert_true (g_file_replace_contents (copy, contents, length, NULL, FALSE, 0, NULL, NULL, &error));
  load_and_match (fixture->session, copy, JN_IMPORT_MODE_PARTIAL);
  g_assert_true (validate (fixture->session, NULL, &error));
  g_assert_true (jn_import_session_interrupt (fixture->session, &error));
  g_clear_object (&fixture->session);

  record = jn_import_session_find_interrupted (fixture->store, &error);
  g_assert_nonnull (record);

  /* Gone */
  g_assert_cmpint (g_unlink (copy_path), ==, 0);
  {
    g_autoptr(JnImportSession) again = jn_import_session_new (fixture->store);

    jn_import_session_set_ent (again, fixture->ent);
    g_assert_false (resume (again, record, &error));
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "export.xml"));
    g_clear_error (&error);
    g_assert_false (jn_import_session_get_busy (again));
    g_assert_cmpint (jn_import_session_get_state (again), ==, JN_SESSION_STATE_EMPTY);
  }

  /* Changed (one more space at the end) */
  {
    g_autoptr(JnImportSession) again = jn_import_session_new (fixture->store);
    g_autofree char *changed = g_strconcat (contents, " ", NULL);

    g_assert_true (g_file_set_contents (copy_path, changed, -1, &error));
    jn_import_session_set_ent (again, fixture->ent);
    g_assert_false (resume (again, record, &error));
    g_assert_error (error, JN_ERROR, JN_ERROR_INVALID_FILE);
    g_clear_error (&error);
    g_assert_false (jn_import_session_get_busy (again));
  }

  /* Another ENT */
  {
    g_autofree char *other_path = g_build_filename (fixture->dir, "other-ent.json", NULL);
    g_autoptr(GFile) other_file = g_file_new_for_path (other_path);
    g_autoptr(JnEnt) other = NULL;
    g_autoptr(JnImportSession) again = jn_import_session_new (fixture->store);

    g_assert_true (g_file_copy (fixture->ent_file, other_file, 0, NULL, NULL, NULL, &error));
    other = open_file_ent (other_file);
    jn_import_session_set_ent (again, other);
    g_assert_false (resume (again, record, &error));
    g_assert_error (error, JN_ERROR, JN_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }

  /* Still offered, with its step */
  {
    g_autoptr(JnImportRecord) still = jn_import_session_find_interrupted (fixture->store, &error);

    g_assert_nonnull (still);
    g_assert_cmpstr (still->id, ==, record->id);
    g_assert_cmpuint (still->step, ==, 1);
  }
  g_assert_false (jn_store_is_locked (fixture->store));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/hostile/kill-mid-step-then-skip", test_kill_mid_step_then_skip);
  ADD ("/hostile/kill-mid-step-then-decide", test_kill_mid_step_then_decide);
  ADD ("/hostile/kill-skip-kill-undo", test_kill_skip_kill_undo);
  ADD ("/hostile/failed-then-retry", test_failed_then_retry);
  ADD ("/hostile/interrupt-while-busy", test_interrupt_while_busy);
  ADD ("/hostile/decision-not-stored", test_decision_not_stored);
  ADD ("/hostile/complete-decisions-and-removals", test_complete_decisions_and_removals);
  ADD ("/hostile/removal-moved-into-validated-step", test_removal_moved_into_validated_step);
  ADD ("/hostile/swap-survives-resume", test_swap_survives_resume);
  ADD ("/hostile/decision-cost", test_decision_cost);
  ADD ("/hostile/replaced-import-says-so", test_replaced_import_says_so);
  ADD ("/hostile/resume-after-last-step", test_resume_after_last_step);
  ADD ("/hostile/retry-sends-only-validated", test_retry_sends_only_validated);
  ADD ("/hostile/two-sessions-one-store", test_two_sessions_one_store);
  ADD ("/hostile/idle-session-keeps-others-lock", test_idle_session_keeps_others_lock);
  ADD ("/hostile/migration-and-resume-keys", test_migration_and_resume_keys);
  ADD ("/hostile/resume-hostile", test_resume_hostile);

  return g_test_run ();
}
