/* jn-matcher.h: the rapprochement of export records and ENT users
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "jn-directory.h"
#include "jn-export.h"
#include "jn-plan.h"

G_BEGIN_DECLS

/* Rule names, stable: they appear in the plan ("rule" of cli.md) */
#define JN_RULE_UNCHANGED          "unchanged"
/* the user holds this identifier written otherwise (case, spaces): rewritten */
#define JN_RULE_ID_VARIANT         "identifier-variant"
#define JN_RULE_NAMES_BIRTH_DATE   "names+birth-date"
#define JN_RULE_VARIANT_BIRTH_DATE "name-variant+birth-date"
#define JN_RULE_NAMES_CHILD        "names+child"
#define JN_RULE_VARIANT_CHILD      "name-variant+child"
#define JN_RULE_NAMES_UNIQUE       "names-unique"
/* Issue H: records no earlier rule fits; one variant of the names, with the same evidence */
#define JN_RULE_CUT_BIRTH_DATE     "given-name-cut+birth-date"
#define JN_RULE_TYPO_BIRTH_DATE    "typo+birth-date"
#define JN_RULE_CUT_CHILD          "given-name-cut+child"
#define JN_RULE_TYPO_CHILD         "typo+child"
#define JN_RULE_OTHER_FAMILY_CHILD "other-family-name+child"
#define JN_RULE_MANUAL             "manual"

/* Why a suggestion is ranked where it is */
typedef enum
{
  JN_REASON_SAME_BIRTH_DATE     = 1 << 0,
  JN_REASON_OTHER_BIRTH_DATE    = 1 << 1,
  JN_REASON_SAME_NAMES          = 1 << 2,
  JN_REASON_ACCENTS_OR_CASE     = 1 << 3,
  JN_REASON_HYPHENS_OR_SPACES   = 1 << 4,
  JN_REASON_FIRST_GIVEN_NAME    = 1 << 5,
  JN_REASON_PARTICLE            = 1 << 6,
  JN_REASON_DOUBLE_FAMILY_NAME  = 1 << 7,
  JN_REASON_CLOSE_SPELLING      = 1 << 8,
  JN_REASON_CHILD_IN_COMMON     = 1 << 9,
  JN_REASON_HOLDS_OTHER_ID      = 1 << 10,
  JN_REASON_ALREADY_TAKEN       = 1 << 11,
  JN_REASON_GIVEN_NAME_CUT      = 1 << 12,   /* cut or abbreviated given name */
  JN_REASON_ONE_LETTER          = 1 << 13,   /* one letter differs in one name */
  JN_REASON_OTHER_FAMILY_NAME   = 1 << 14,   /* a parent of a child in common, another family name */
} JnReasons;

typedef struct
{
  JnEntUser *user;
  double     score;     /* 0..1 */
  JnReasons  reasons;
} JnSuggestion;

#define JN_TYPE_MATCHER (jn_matcher_get_type ())
G_DECLARE_FINAL_TYPE (JnMatcher, jn_matcher, JN, MATCHER, GObject)

/* Prepares @directory's users of @uai (normalised names, indexes) once */
JnMatcher    *jn_matcher_new                 (JnDirectory   *directory,
                                              const char    *uai);
JnDirectory  *jn_matcher_get_directory       (JnMatcher     *self);
const char   *jn_matcher_get_uai             (JnMatcher     *self);

/* Pure and deterministic: the same export, directory and decisions give the same plan.
 * @decisions: pronote id → ENT id (a manual match) or NULL (do not import), or NULL.
 * Fails (JN_ERROR_INVALID_ARGUMENT) when a decision is invalid, naming each. */
JnPlan       *jn_matcher_match               (JnMatcher     *self,
                                              JnExport      *export,
                                              JnImportMode   mode,
                                              GHashTable    *decisions,
                                              GError       **error);

/* One decision of the wizard, applied to @plan in place (no re-match): @ent_id a manual
 * match, NULL "do not import"; the checks of a decisions file (jn_matcher_match()), and
 * the account must not be matched automatically to another record. Complete mode's
 * removals are updated. Fails with JN_ERROR_INVALID_DECISION and the reason in words. */
gboolean      jn_matcher_apply_decision      (JnMatcher     *self,
                                              JnPlan        *plan,
                                              const char    *pronote_id,
                                              const char    *ent_id,
                                              GError       **error);
/* Back to what the matcher found for the record (its automatic state) */
gboolean      jn_matcher_undo_decision       (JnMatcher     *self,
                                              JnPlan        *plan,
                                              const char    *pronote_id,
                                              GError       **error);

/* From how many records of a category a directory with fewer than half as many accounts
 * is refused */
#define JN_SMALL_DIRECTORY_MIN 10

/* Refuses (JN_ERROR_INVALID_FILE) a directory that cannot be the establishment's whole:
 * no account of the UAI while the export has records (a directory of another
 * establishment), or fewer than half as many teacher, student or relative accounts as
 * the export has records of that category (from JN_SMALL_DIRECTORY_MIN). Matching such a
 * directory would leave most records unmatched and, in complete mode, clear the rest. */
gboolean      jn_matcher_check_directory     (JnDirectory   *directory,
                                              const char    *uai,
                                              JnExport      *export,
                                              GError       **error);

/* Ranked ENT users of the same category for @person, best first; @plan (optional) marks
 * users already taken by another record. Free with g_array_unref(). */
GArray       *jn_matcher_suggest             (JnMatcher     *self,
                                              JnPerson      *person,
                                              JnPlan        *plan,
                                              guint          max_results);

/* Human, translated sentence of the reasons ("same birth date, accent differs") */
char         *jn_reasons_to_string           (JnReasons      reasons);

/* The reasons of a suggestion of @user for @person in detail, translated, with the names
 * where they help ("given name cut: JEAN FRANC / Jean-François", "one letter differs:
 * DUPOND / Dupont", "mother of DUPONT Léa, another family name"); the same as
 * jn_reasons_to_string() of its JnSuggestion otherwise */
char         *jn_matcher_explain             (JnMatcher     *self,
                                              JnPerson      *person,
                                              JnEntUser     *user,
                                              JnPlan        *plan);

/* Decisions file (cli.md): {"<pronote_id>": "<ent_id>" | null} */
GHashTable   *jn_decisions_load              (GFile         *file,
                                              GError       **error);

G_END_DECLS
