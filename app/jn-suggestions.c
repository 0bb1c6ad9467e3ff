/* jn-suggestions.c: the ranked ENT accounts offered for a record, shared by the wizard's
 * match panel and `match --json --suggestions N`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-suggestions"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "jn-names.h"
#include "jn-suggestions.h"

GHashTable *
jn_suggestions_taken_accounts (JnPlan     *plan,
                               JnCategory  category)
{
  GHashTable *taken = g_hash_table_new (g_direct_hash, g_direct_equal);
  GListModel *items;
  guint n;

  g_return_val_if_fail (JN_IS_PLAN (plan), taken);
  g_return_val_if_fail (category < JN_N_CATEGORIES, taken);

  items = jn_plan_get_items (plan, category);
  n = g_list_model_get_n_items (items);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JnPlanItem) item = g_list_model_get_item (items, i);

      /* account → the record it is matched to */
      if (jn_plan_item_get_state (item) == JN_PLAN_STATE_MATCHED && jn_plan_item_get_user (item) != NULL)
        g_hash_table_insert (taken, jn_plan_item_get_user (item), jn_plan_item_get_person (item));
    }

  return taken;
}

GArray *
jn_suggestions_for_person (JnMatcher  *matcher,
                           JnPlan     *plan,
                           JnPerson   *person,
                           GHashTable *taken,
                           guint       max_results)
{
  g_autoptr(GHashTable) own_taken = NULL;
  GArray *ranked;
  guint kept = 0;

  g_return_val_if_fail (JN_IS_MATCHER (matcher), g_array_new (FALSE, FALSE, sizeof (JnSuggestion)));
  g_return_val_if_fail (JN_IS_PERSON (person), g_array_new (FALSE, FALSE, sizeof (JnSuggestion)));
  g_return_val_if_fail (plan == NULL || JN_IS_PLAN (plan), g_array_new (FALSE, FALSE, sizeof (JnSuggestion)));

  if (taken == NULL && plan != NULL)
    taken = own_taken = jn_suggestions_taken_accounts (plan, jn_person_get_category (person));

  /* Without the plan: the ranking is the same, and the accounts taken by another record
   * are left out here with one lookup each, not flagged */
  ranked = jn_matcher_suggest (matcher, person, NULL, 0);
  for (guint i = 0; i < ranked->len && (max_results == 0 || kept < max_results); i++)
    {
      JnSuggestion *suggestion = &g_array_index (ranked, JnSuggestion, i);
      gpointer owner;

      if (taken != NULL && g_hash_table_lookup_extended (taken, suggestion->user, NULL, &owner) &&
          owner != person)
        continue;
      if (kept != i)
        g_array_index (ranked, JnSuggestion, kept) = *suggestion;
      kept++;
    }
  g_array_set_size (ranked, kept);

  return ranked;
}

/* The reasons that say how the names compare */
#define NAME_REASONS (JN_REASON_SAME_NAMES | JN_REASON_ACCENTS_OR_CASE | JN_REASON_HYPHENS_OR_SPACES | \
                      JN_REASON_FIRST_GIVEN_NAME | JN_REASON_PARTICLE | JN_REASON_DOUBLE_FAMILY_NAME | \
                      JN_REASON_GIVEN_NAME_CUT | JN_REASON_ONE_LETTER | JN_REASON_CLOSE_SPELLING | \
                      JN_REASON_OTHER_FAMILY_NAME)

static void
add_reasons (GStrvBuilder    *builder,
             JnReasons        reasons,
             const JnReasons *order,
             gsize            n_order)
{
  for (gsize i = 0; i < n_order; i++)
    {
      if (reasons & order[i])
        {
          /* The phrase of jn_reasons_to_string(), so that list and sentence agree */
          g_autofree char *phrase = jn_reasons_to_string (order[i]);

          g_strv_builder_add (builder, phrase);
        }
    }
}

/* One phrase for names no reason describes */
static const char *
compare_names (JnPerson  *person,
               JnEntUser *user)
{
  JnNameKey family_a, family_b, given_a, given_b;
  gboolean same_family, same_given;

  jn_name_key_init_family (&family_a, jn_person_get_family_name (person));
  jn_name_key_init_family (&family_b, jn_ent_user_get_family_name (user));
  jn_name_key_init_given (&given_a, jn_person_get_given_name (person));
  jn_name_key_init_given (&given_b, jn_ent_user_get_given_name (user));
  same_family = jn_names_match_family (&family_a, &family_b) == JN_NAME_MATCH_EXACT;
  same_given = jn_names_match_given (&given_a, &given_b) == JN_NAME_MATCH_EXACT;
  jn_name_key_clear (&family_a);
  jn_name_key_clear (&family_b);
  jn_name_key_clear (&given_a);
  jn_name_key_clear (&given_b);

  if (same_family && same_given)
    return _("same names");
  if (same_family)
    return _("same family name");
  if (same_given)
    return _("same given name");
  return _("similar names");
}

GStrv
jn_suggestion_dup_reasons (JnPerson           *person,
                           const JnSuggestion *suggestion)
{
  /* Evidence first, then how the names compare, then what speaks against */
  static const JnReasons evidence[] = {
    JN_REASON_SAME_BIRTH_DATE, JN_REASON_CHILD_IN_COMMON, JN_REASON_OTHER_FAMILY_NAME,
  };
  static const JnReasons names[] = {
    JN_REASON_SAME_NAMES, JN_REASON_ACCENTS_OR_CASE, JN_REASON_HYPHENS_OR_SPACES,
    JN_REASON_FIRST_GIVEN_NAME, JN_REASON_PARTICLE, JN_REASON_DOUBLE_FAMILY_NAME,
    JN_REASON_GIVEN_NAME_CUT, JN_REASON_ONE_LETTER, JN_REASON_CLOSE_SPELLING,
  };
  static const JnReasons against[] = {
    JN_REASON_OTHER_BIRTH_DATE, JN_REASON_HOLDS_OTHER_ID, JN_REASON_ALREADY_TAKEN,
  };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JnReasons reasons;

  g_return_val_if_fail (JN_IS_PERSON (person), g_new0 (char *, 1));
  g_return_val_if_fail (suggestion != NULL && JN_IS_ENT_USER (suggestion->user), g_new0 (char *, 1));

  reasons = suggestion->reasons;
  /* "a parent of a child in common, another family name" says the child already */
  if (reasons & JN_REASON_OTHER_FAMILY_NAME)
    reasons &= ~JN_REASON_CHILD_IN_COMMON;

  add_reasons (builder, reasons, evidence, G_N_ELEMENTS (evidence));
  if (reasons & NAME_REASONS)
    add_reasons (builder, reasons, names, G_N_ELEMENTS (names));
  else
    g_strv_builder_add (builder, compare_names (person, suggestion->user));
  add_reasons (builder, reasons, against, G_N_ELEMENTS (against));

  return g_strv_builder_end (builder);
}

/* ---- the match document with suggestions ---- */

typedef struct
{
  JnPlan     *plan;
  JnMatcher  *matcher;
  guint       max_results;
  GHashTable *taken[JN_N_CATEGORIES];
} JsonData;

static void
add_suggestions_json (JnPlanItem  *item,
                      JsonBuilder *builder,
                      gpointer     user_data)
{
  JsonData *data = user_data;
  JnPerson *person = jn_plan_item_get_person (item);
  JnCategory category = jn_plan_item_get_category (item);
  g_autoptr(GArray) suggestions = NULL;

  if (jn_plan_item_get_state (item) == JN_PLAN_STATE_MATCHED || person == NULL)
    return;

  if (data->taken[category] == NULL)
    data->taken[category] = jn_suggestions_taken_accounts (data->plan, category);
  suggestions = jn_suggestions_for_person (data->matcher, data->plan, person, data->taken[category],
                                           data->max_results);

  json_builder_set_member_name (builder, "suggestions");
  json_builder_begin_array (builder);
  for (guint i = 0; i < suggestions->len; i++)
    {
      const JnSuggestion *suggestion = &g_array_index (suggestions, JnSuggestion, i);
      g_auto(GStrv) reasons = jn_suggestion_dup_reasons (person, suggestion);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "ent_id");
      json_builder_add_string_value (builder, jn_ent_user_get_id (suggestion->user));
      json_builder_set_member_name (builder, "score");
      /* Three decimals: it orders the list, it is not a measure */
      json_builder_add_double_value (builder, (double) (gint64) (CLAMP (suggestion->score, 0.0, 1.0) * 1000.0 + 0.5) / 1000.0);
      json_builder_set_member_name (builder, "reasons");
      json_builder_begin_array (builder);
      for (guint k = 0; reasons[k] != NULL; k++)
        json_builder_add_string_value (builder, reasons[k]);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

JsonNode *
jn_plan_to_json_with_suggestions (JnPlan    *plan,
                                  JnMatcher *matcher,
                                  guint      max_results)
{
  JsonData data = { plan, matcher, max_results, { NULL } };
  JsonNode *root;

  g_return_val_if_fail (JN_IS_PLAN (plan), NULL);
  g_return_val_if_fail (JN_IS_MATCHER (matcher), NULL);
  g_return_val_if_fail (max_results >= 1, NULL);

  root = jn_plan_to_json_full (plan, add_suggestions_json, &data);

  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    g_clear_pointer (&data.taken[c], g_hash_table_unref);

  return root;
}
