/* jn-plan.h: what an import will do, per category
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "jn-ent-user.h"
#include "jn-person.h"
#include "jn-types.h"

G_BEGIN_DECLS

typedef enum
{
  JN_IMPORT_MODE_PARTIAL,
  JN_IMPORT_MODE_COMPLETE,
} JnImportMode;

typedef enum
{
  JN_PLAN_STATE_MATCHED,
  JN_PLAN_STATE_AMBIGUOUS,
  JN_PLAN_STATE_UNMATCHED,
  JN_PLAN_STATE_CLEAR,
} JnPlanState;

typedef enum
{
  JN_PLAN_ACTION_NONE,
  JN_PLAN_ACTION_SET,
  JN_PLAN_ACTION_REPLACE,
  JN_PLAN_ACTION_UNCHANGED,
  JN_PLAN_ACTION_CLEAR,
} JnPlanAction;

/* Why a record is not matched automatically (cli.md's "cause") */
typedef enum
{
  JN_PLAN_CAUSE_NONE,
  JN_PLAN_CAUSE_NO_ACCOUNT,
  JN_PLAN_CAUSE_SEVERAL_ACCOUNTS,
  JN_PLAN_CAUSE_COUPLE,
  JN_PLAN_CAUSE_NOT_GUARDIAN,
  JN_PLAN_CAUSE_DUPLICATE_IN_EXPORT,
  JN_PLAN_CAUSE_OTHER_ESTABLISHMENT,
  JN_PLAN_CAUSE_WEAK_EVIDENCE,
  JN_PLAN_CAUSE_INVALID_IDENTIFIER,
} JnPlanCause;

const char   *jn_import_mode_to_string        (JnImportMode   mode);
gboolean      jn_import_mode_from_string      (const char    *text,
                                               JnImportMode  *mode);
const char   *jn_plan_action_to_string        (JnPlanAction   action);
/* cli.md's code: "no-account", "duplicate-in-export"…; NULL for NONE */
const char   *jn_plan_cause_to_string         (JnPlanCause    cause);

/* Identifiers are compared in one form: surrounding spaces removed, ASCII capitals (an
 * ENT holding "abc…" or " ABC… " holds ABC…). Returns NULL when @id is already in that
 * form (or NULL). */
char         *jn_pronote_id_fold              (const char    *id);
/* @id in that form: @id itself, or *@storage (to free) */
const char   *jn_pronote_id_folded            (const char    *id,
                                               char         **storage);

/* ---- JnPlanItem: one record of the export (or, for CLEAR, one ENT user) ---- */

#define JN_TYPE_PLAN_ITEM (jn_plan_item_get_type ())
G_DECLARE_FINAL_TYPE (JnPlanItem, jn_plan_item, JN, PLAN_ITEM, GObject)

JnPlanItem   *jn_plan_item_new                (JnPerson      *person,
                                               JnCategory     category);
JnPerson     *jn_plan_item_get_person         (JnPlanItem    *self);
JnCategory    jn_plan_item_get_category       (JnPlanItem    *self);
JnPlanState   jn_plan_item_get_state          (JnPlanItem    *self);
JnEntUser    *jn_plan_item_get_user           (JnPlanItem    *self);
const char   *jn_plan_item_get_rule           (JnPlanItem    *self);
JnPlanAction  jn_plan_item_get_action         (JnPlanItem    *self);
/* For AMBIGUOUS items: the ENT users that fit, best first */
GPtrArray    *jn_plan_item_get_candidates     (JnPlanItem    *self);
/* The identifier the import writes (the record's), or for CLEAR the one it removes */
const char   *jn_plan_item_get_pronote_id     (JnPlanItem    *self);
/* TRUE when the admin decided (a manual match, or "do not import") */
gboolean      jn_plan_item_get_manual         (JnPlanItem    *self);
gboolean      jn_plan_item_get_skipped        (JnPlanItem    *self);
/* For AMBIGUOUS and UNMATCHED items: the probable reason (NONE when matched or decided) */
JnPlanCause   jn_plan_item_get_cause          (JnPlanItem    *self);
void          jn_plan_item_set_cause          (JnPlanItem    *self,
                                               JnPlanCause    cause);
/* TRUE when the record must never be written: its identifier is not well-formed, or
 * another record of the export has it too */
gboolean      jn_plan_item_get_blocked        (JnPlanItem    *self);

/* Does nothing on a blocked item (jn_plan_item_get_blocked()) */
void          jn_plan_item_set_matched        (JnPlanItem    *self,
                                               JnEntUser     *user,
                                               const char    *rule,
                                               const char    *uai);
void          jn_plan_item_set_ambiguous      (JnPlanItem    *self,
                                               GPtrArray     *candidates);
void          jn_plan_item_set_unmatched      (JnPlanItem    *self);
void          jn_plan_item_set_skipped        (JnPlanItem    *self);
/* The wizard's "Undo": the first decision keeps what the matcher found, restored later */
void          jn_plan_item_remember_automatic (JnPlanItem    *self);
void          jn_plan_item_restore_automatic  (JnPlanItem    *self);
/* The account the matcher matched the record to, if it did and a decision replaced it */
JnEntUser    *jn_plan_item_get_automatic_user (JnPlanItem    *self);
JnPlanItem   *jn_plan_item_new_clear          (JnEntUser     *user,
                                               JnCategory     category,
                                               const char    *old_pronote_id);

/* ---- JnPlan ---- */

#define JN_TYPE_PLAN (jn_plan_get_type ())
G_DECLARE_FINAL_TYPE (JnPlan, jn_plan, JN, PLAN, GObject)

JnPlan       *jn_plan_new                     (const char    *uai,
                                               JnImportMode   mode);
const char   *jn_plan_get_uai                 (JnPlan        *self);
JnImportMode  jn_plan_get_mode                (JnPlan        *self);
/* JnPlanItem of the export's records, in file order */
GListModel   *jn_plan_get_items               (JnPlan        *self,
                                               JnCategory     category);
/* JnPlanItem (CLEAR) of the identifiers complete mode removes */
GListModel   *jn_plan_get_clears              (JnPlan        *self,
                                               JnCategory     category);
void          jn_plan_add_item                (JnPlan        *self,
                                               JnPlanItem    *item);
/* Appends the records' items of one category at once */
void          jn_plan_add_items               (JnPlan        *self,
                                               JnCategory     category,
                                               GPtrArray     *items);
/* Replaces the removals of @category by @clears (JnPlanItem), when they differ */
void          jn_plan_replace_clears          (JnPlan        *self,
                                               JnCategory     category,
                                               GPtrArray     *clears);
JnPlanItem   *jn_plan_lookup                  (JnPlan        *self,
                                               const char    *pronote_id);
guint         jn_plan_count_state             (JnPlan        *self,
                                               JnCategory     category,
                                               JnPlanState    state);
guint         jn_plan_count_action            (JnPlan        *self,
                                               JnCategory     category,
                                               JnPlanAction   action);
/* cli.md's match document */
JsonNode     *jn_plan_to_json                 (JnPlan        *self);

/* Adds members to the object of @item (a record's entry of matched, ambiguous or
 * unmatched) being built in @builder: called after its own members, before it ends */
typedef void (*JnPlanJsonFunc)                (JnPlanItem    *item,
                                               JsonBuilder   *builder,
                                               gpointer       user_data);
/* jn_plan_to_json(), each record's entry completed by @item_func (or NULL) */
JsonNode     *jn_plan_to_json_full            (JnPlan        *self,
                                               JnPlanJsonFunc item_func,
                                               gpointer       user_data);

G_END_DECLS
