/* jn-suggestions.h: the ranked ENT accounts offered for a record that is not matched
 * automatically, as the wizard's match panel and `match --json --suggestions N` show them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "jn-matcher.h"
#include "jn-plan.h"

G_BEGIN_DECLS

/* The ENT accounts of @plan matched to a record (automatically or by a decision), in
 * @category: a set of JnEntUser pointers, to pass to jn_suggestions_for_person() when
 * asking for many records at once. Free with g_hash_table_unref(). */
GHashTable   *jn_suggestions_taken_accounts   (JnPlan              *plan,
                                               JnCategory           category);

/* The suggestions of jn_matcher_suggest() for @person (JnSuggestion, best first), without
 * the accounts already matched to another record of @plan, at most @max_results (0: all).
 * @taken: jn_suggestions_taken_accounts() of @person's category, or NULL (then computed
 * from @plan, which may be NULL: nothing is taken). Deterministic. Free with
 * g_array_unref(). */
GArray       *jn_suggestions_for_person       (JnMatcher           *matcher,
                                               JnPlan              *plan,
                                               JnPerson            *person,
                                               GHashTable          *taken,
                                               guint                max_results);

/* The reasons of @suggestion (of @person) as short translated phrases, evidence first
 * ("same birth date", "names differ by accents or case", …), never empty: when no reason
 * speaks of the names, one phrase says how they compare ("same family name", "similar
 * names"). Free with g_strfreev(). */
GStrv         jn_suggestion_dup_reasons       (JnPerson            *person,
                                               const JnSuggestion  *suggestion);

/* jn_plan_to_json() (cli.md's match document), each ambiguous and unmatched entry with
 * "suggestions":[{"ent_id","score","reasons":[…]}], best first, at most @max_results
 * (>= 1); an entry with none has an empty list. */
JsonNode     *jn_plan_to_json_with_suggestions (JnPlan             *plan,
                                                JnMatcher          *matcher,
                                                guint               max_results);

G_END_DECLS
