/* jn-session-row.h: one row of a wizard step, as the faces show it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "jn-plan.h"

G_BEGIN_DECLS

/* What a row is, in the admin's words: ordered as the step lists them (to check first) */
typedef enum
{
  JN_ROW_STATUS_AMBIGUOUS,      /* "To check": several accounts fit */
  JN_ROW_STATUS_UNMATCHED,      /* "Not recognised" */
  JN_ROW_STATUS_MATCHED,        /* "Recognised" (automatically or by the admin) */
  JN_ROW_STATUS_NOT_IMPORTED,   /* the admin chose "Don't Import" */
  JN_ROW_STATUS_WILL_CLEAR,     /* complete mode: an ENT account whose identifier goes */
} JnRowStatus;

/* What the push did with the row's operation */
typedef enum
{
  JN_ROW_PUSH_NONE,             /* not pushed (yet) */
  JN_ROW_PUSH_DONE,
  JN_ROW_PUSH_FAILED,           /* see jn_session_row_get_failure() */
} JnRowPushState;

#define JN_TYPE_SESSION_ROW (jn_session_row_get_type ())
G_DECLARE_FINAL_TYPE (JnSessionRow, jn_session_row, JN, SESSION_ROW, GObject)

/* Properties (all read-only, notified only on change): "item" (JnPlanItem), "status"
 * (JnRowStatus), "last-name", "first-name", "birth-date" (dd/mm/yyyy or ""), "pronote-id",
 * "ent-account" (the account's name and login, "" when none), "match" (the status and rule
 * in words: "Recognised: same names and birth date", "To check: 3 accounts fit"…),
 * "manual", "cause-text" (why not recognised, in words), "advice" (what to do, in words),
 * "push-state" (JnRowPushState), "failure" (the server's reason), "search-key" (folded
 * text of the names, identifier and account, for a search filter). */
JnPlanItem     *jn_session_row_get_item          (JnSessionRow *self);
JnRowStatus     jn_session_row_get_status        (JnSessionRow *self);
JnCategory      jn_session_row_get_category      (JnSessionRow *self);
const char     *jn_session_row_get_last_name     (JnSessionRow *self);
const char     *jn_session_row_get_first_name    (JnSessionRow *self);
const char     *jn_session_row_get_birth_date    (JnSessionRow *self);
const char     *jn_session_row_get_pronote_id    (JnSessionRow *self);
const char     *jn_session_row_get_ent_account   (JnSessionRow *self);
const char     *jn_session_row_get_match         (JnSessionRow *self);
gboolean        jn_session_row_get_manual        (JnSessionRow *self);
const char     *jn_session_row_get_cause_text    (JnSessionRow *self);
const char     *jn_session_row_get_advice        (JnSessionRow *self);
JnRowPushState  jn_session_row_get_push_state    (JnSessionRow *self);
const char     *jn_session_row_get_failure       (JnSessionRow *self);
const char     *jn_session_row_get_search_key    (JnSessionRow *self);

/* Status first (to check, not recognised, recognised, not imported, will clear), then
 * last name, first name: the step's order. A GCompareDataFunc for GtkCustomSorter. */
int             jn_session_row_compare           (gconstpointer a,
                                                  gconstpointer b,
                                                  gpointer      user_data);

/* The folded form of a search text, to compare with "search-key" (g_str_match_string is not
 * enough: "Lea" must find "Léa", "dupont l" must find "DUPONT Léa") */
gboolean        jn_session_row_matches_search    (JnSessionRow *self,
                                                  const char   *folded_query);
char           *jn_session_row_fold_search       (const char   *query);

/* Why a record was not recognised and what to do about it, in words (translated; "" for
 * JN_PLAN_CAUSE_NONE): the wizard's panel and the CSV report (jn-report.h) say the same */
void            jn_plan_cause_describe           (JnPlanCause   cause,
                                                  const char  **text,
                                                  const char  **advice);

/* For the session (jn-import-session.c): builds and refreshes the row from its item */
JnSessionRow   *jn_session_row_new               (JnPlanItem   *item,
                                                  const char   *uai);
void            jn_session_row_refresh           (JnSessionRow *self);
void            jn_session_row_set_push_outcome  (JnSessionRow   *self,
                                                  JnRowPushState  state,
                                                  const char     *failure);

G_END_DECLS
