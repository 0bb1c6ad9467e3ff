/* jn-plan.c: what an import will do, per category
 *
 * The plan is data: the wizard shows it, the CLI prints it (cli.md), the push engine
 * executes it. It serialises to the match document of cli.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-plan"

#include "config.h"

#include <string.h>

#include "jn-plan.h"

char *
jn_pronote_id_fold (const char *id)
{
  gboolean same = TRUE;
  gsize length;

  if (id == NULL)
    return NULL;

  length = strlen (id);
  if (length > 0 && (g_ascii_isspace (id[0]) || g_ascii_isspace (id[length - 1])))
    same = FALSE;
  for (gsize i = 0; same && i < length; i++)
    same = !g_ascii_islower (id[i]);
  if (same)
    return NULL;

  return g_strstrip (g_ascii_strup (id, -1));
}

const char *
jn_pronote_id_folded (const char  *id,
                      char       **storage)
{
  *storage = jn_pronote_id_fold (id);

  return *storage ? *storage : id;
}

/* ---- JnPlanItem ---- */

struct _JnPlanItem
{
  GObject       parent_instance;

  JnPerson     *person;        /* NULL for CLEAR */
  JnEntUser    *user;
  GPtrArray    *candidates;    /* JnEntUser */
  char         *rule;
  char         *old_pronote_id;
  JnCategory    category;
  JnPlanState   state;
  JnPlanAction  action;
  JnPlanCause   cause;
  guint         manual : 1;
  guint         skipped : 1;
  guint         remembered : 1;

  /* What the matcher found, kept at the first decision for "Undo" */
  struct {
    JnPlanState   state;
    JnPlanAction  action;
    JnPlanCause   cause;
    JnEntUser    *user;
    char         *rule;
    char         *old_pronote_id;
    GPtrArray    *candidates;
  } automatic;
};

G_DEFINE_FINAL_TYPE (JnPlanItem, jn_plan_item, G_TYPE_OBJECT)

enum {
  ITEM_PROP_0,
  ITEM_PROP_STATE,
  ITEM_PROP_USER,
  ITEM_PROP_RULE,
  ITEM_N_PROPS
};

static GParamSpec *item_properties[ITEM_N_PROPS];

static void
jn_plan_item_finalize (GObject *object)
{
  JnPlanItem *self = (JnPlanItem *)object;

  g_clear_object (&self->person);
  g_clear_object (&self->user);
  g_clear_pointer (&self->candidates, g_ptr_array_unref);
  g_free (self->rule);
  g_free (self->old_pronote_id);
  g_clear_object (&self->automatic.user);
  g_free (self->automatic.rule);
  g_free (self->automatic.old_pronote_id);
  g_clear_pointer (&self->automatic.candidates, g_ptr_array_unref);

  G_OBJECT_CLASS (jn_plan_item_parent_class)->finalize (object);
}

static void
jn_plan_item_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  JnPlanItem *self = JN_PLAN_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_STATE:
      g_value_set_int (value, self->state);
      break;

    case ITEM_PROP_USER:
      g_value_set_object (value, self->user);
      break;

    case ITEM_PROP_RULE:
      g_value_set_string (value, self->rule);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jn_plan_item_class_init (JnPlanItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = jn_plan_item_finalize;
  object_class->get_property = jn_plan_item_get_property;

  item_properties[ITEM_PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, 0, JN_PLAN_STATE_CLEAR, 0, flags);
  item_properties[ITEM_PROP_USER] =
    g_param_spec_object ("user", NULL, NULL, JN_TYPE_ENT_USER, flags);
  item_properties[ITEM_PROP_RULE] =
    g_param_spec_string ("rule", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, ITEM_N_PROPS, item_properties);
}

static void
jn_plan_item_init (JnPlanItem *self)
{
  self->candidates = g_ptr_array_new_with_free_func (g_object_unref);
  self->state = JN_PLAN_STATE_UNMATCHED;
}

JnPlanItem *
jn_plan_item_new (JnPerson   *person,
                  JnCategory  category)
{
  JnPlanItem *self = g_object_new (JN_TYPE_PLAN_ITEM, NULL);

  self->person = g_object_ref (person);
  self->category = category;

  return self;
}

JnPlanItem *
jn_plan_item_new_clear (JnEntUser  *user,
                        JnCategory  category,
                        const char *old_pronote_id)
{
  JnPlanItem *self = g_object_new (JN_TYPE_PLAN_ITEM, NULL);

  self->user = g_object_ref (user);
  self->category = category;
  self->state = JN_PLAN_STATE_CLEAR;
  self->action = JN_PLAN_ACTION_CLEAR;
  self->old_pronote_id = g_strdup (old_pronote_id);

  return self;
}

JnPerson *
jn_plan_item_get_person (JnPlanItem *self)
{
  g_return_val_if_fail (JN_IS_PLAN_ITEM (self), NULL);
  return self->person;
}

JnCategory
jn_plan_item_get_category (JnPlanItem *self)
{
  g_return_val_if_fail (JN_IS_PLAN_ITEM (self), 0);
  return self->category;
}

JnPlanState
jn_plan_item_get_state (JnPlanItem *self)
{
  g_return_val_if_fail (JN_IS_PLAN_ITEM (self), 0);
  return self->state;
}

JnEntUser *
jn_plan_item_get_user (JnPlanItem *self)
{
  g_return_val_if_fail (JN_IS_PLAN_ITEM (self), NULL);
  return self->user;
}

const char *
jn_plan_item_get_rule (JnPlanItem *self)
{
  g_return_val_if_fail (JN_IS_PLAN_ITEM (self), NULL);
  return self->rule;
}

JnPlanAction
jn_plan_item_get_action (JnPlanItem *self)
{
  g_return_val_if_fail (JN_IS_PLAN_ITEM (self), 0);
  return self->action;
}

GPtrArray *
jn_plan_item_get_candidates (JnPlanItem *self)
{
  g_return_val_if_fail (JN_IS_PLAN_ITEM (self), NULL);
  return self->candidates;
}

const char *
jn_plan_item_get_pronote_id (JnPlanItem *self)
{
  g_return_val_if_fail (JN_IS_PLAN_ITEM (self), NULL);

  if (self->person == NULL)
    return self->old_pronote_id;

  return jn_person_get_pronote_id (self->person);
}

gboolean
jn_plan_item_get_manual (JnPlanItem *self)
{
  g_return_val_if_fail (JN_IS_PLAN_ITEM (self), FALSE);
  return self->manual;
}

gboolean
jn_plan_item_get_skipped (JnPlanItem *self)
{
  g_return_val_if_fail (JN_IS_PLAN_ITEM (self), FALSE);
  return self->skipped;
}

JnPlanCause
jn_plan_item_get_cause (JnPlanItem *self)
{
  g_return_val_if_fail (JN_IS_PLAN_ITEM (self), JN_PLAN_CAUSE_NONE);
  return self->cause;
}

void
jn_plan_item_set_cause (JnPlanItem  *self,
                        JnPlanCause  cause)
{
  g_return_if_fail (JN_IS_PLAN_ITEM (self));
  self->cause = cause;
}

gboolean
jn_plan_item_get_blocked (JnPlanItem *self)
{
  g_return_val_if_fail (JN_IS_PLAN_ITEM (self), FALSE);
  return self->cause == JN_PLAN_CAUSE_INVALID_IDENTIFIER ||
         self->cause == JN_PLAN_CAUSE_DUPLICATE_IN_EXPORT;
}

static void
set_state (JnPlanItem   *self,
           JnPlanState   state,
           JnEntUser    *user,
           const char   *rule)
{
  gboolean user_changed = self->user != user;
  gboolean rule_changed = g_strcmp0 (self->rule, rule) != 0;
  gboolean state_changed = self->state != state;

  g_set_object (&self->user, user);
  if (rule_changed)
    {
      g_free (self->rule);
      self->rule = g_strdup (rule);
    }
  self->state = state;
  self->manual = g_strcmp0 (rule, "manual") == 0;
  self->skipped = FALSE;

  if (state_changed)
    g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_STATE]);
  if (user_changed)
    g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_USER]);
  if (rule_changed)
    g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_RULE]);
}

void
jn_plan_item_set_matched (JnPlanItem *self,
                          JnEntUser  *user,
                          const char *rule,
                          const char *uai)
{
  const char *current;

  g_return_if_fail (JN_IS_PLAN_ITEM (self));
  g_return_if_fail (JN_IS_ENT_USER (user));
  g_return_if_fail (self->person != NULL);
  /* A record whose identifier must never be written is never matched, by anyone */
  if (jn_plan_item_get_blocked (self))
    return;

  current = jn_ent_user_get_pronote_id (user, uai);
  if (current == NULL)
    self->action = JN_PLAN_ACTION_SET;
  else if (g_strcmp0 (current, jn_person_get_pronote_id (self->person)) == 0)
    self->action = JN_PLAN_ACTION_UNCHANGED;
  else
    self->action = JN_PLAN_ACTION_REPLACE;

  g_clear_pointer (&self->old_pronote_id, g_free);
  if (self->action == JN_PLAN_ACTION_REPLACE)
    self->old_pronote_id = g_strdup (current);

  g_ptr_array_set_size (self->candidates, 0);
  self->cause = JN_PLAN_CAUSE_NONE;
  set_state (self, JN_PLAN_STATE_MATCHED, user, rule);
}

void
jn_plan_item_set_ambiguous (JnPlanItem *self,
                            GPtrArray  *candidates)
{
  g_return_if_fail (JN_IS_PLAN_ITEM (self));

  g_ptr_array_set_size (self->candidates, 0);
  for (guint i = 0; candidates && i < candidates->len; i++)
    g_ptr_array_add (self->candidates, g_object_ref (g_ptr_array_index (candidates, i)));

  self->action = JN_PLAN_ACTION_NONE;
  set_state (self, JN_PLAN_STATE_AMBIGUOUS, NULL, NULL);
}

void
jn_plan_item_set_unmatched (JnPlanItem *self)
{
  g_return_if_fail (JN_IS_PLAN_ITEM (self));

  g_ptr_array_set_size (self->candidates, 0);
  self->action = JN_PLAN_ACTION_NONE;
  set_state (self, JN_PLAN_STATE_UNMATCHED, NULL, NULL);
}

void
jn_plan_item_set_skipped (JnPlanItem *self)
{
  JnPlanCause cause = self->cause;

  jn_plan_item_set_unmatched (self);
  /* "Do not import" keeps why it was not matched, and never unblocks a record */
  self->cause = cause;
  self->skipped = TRUE;
  self->manual = TRUE;
}

void
jn_plan_item_remember_automatic (JnPlanItem *self)
{
  g_return_if_fail (JN_IS_PLAN_ITEM (self));

  if (self->remembered || self->manual)
    return;

  self->remembered = TRUE;
  self->automatic.state = self->state;
  self->automatic.action = self->action;
  self->automatic.cause = self->cause;
  g_set_object (&self->automatic.user, self->user);
  self->automatic.rule = g_strdup (self->rule);
  self->automatic.old_pronote_id = g_strdup (self->old_pronote_id);
  self->automatic.candidates = g_ptr_array_copy (self->candidates, (GCopyFunc)(void (*)(void))g_object_ref, NULL);
}

JnEntUser *
jn_plan_item_get_automatic_user (JnPlanItem *self)
{
  g_return_val_if_fail (JN_IS_PLAN_ITEM (self), NULL);

  return self->remembered && self->automatic.state == JN_PLAN_STATE_MATCHED ? self->automatic.user : NULL;
}

void
jn_plan_item_restore_automatic (JnPlanItem *self)
{
  g_return_if_fail (JN_IS_PLAN_ITEM (self));

  if (!self->remembered)
    return;

  g_ptr_array_set_size (self->candidates, 0);
  for (guint i = 0; i < self->automatic.candidates->len; i++)
    g_ptr_array_add (self->candidates, g_object_ref (g_ptr_array_index (self->automatic.candidates, i)));
  self->action = self->automatic.action;
  self->cause = self->automatic.cause;
  g_free (self->old_pronote_id);
  self->old_pronote_id = g_strdup (self->automatic.old_pronote_id);
  set_state (self, self->automatic.state, self->automatic.user, self->automatic.rule);
}

/* ---- JnPlan ---- */

struct _JnPlan
{
  GObject       parent_instance;

  char         *uai;
  JnImportMode  mode;
  GListStore   *items[JN_N_CATEGORIES];
  GListStore   *clears[JN_N_CATEGORIES];
  GHashTable   *by_pronote_id;   /* → JnPlanItem (borrowed) */
};

G_DEFINE_FINAL_TYPE (JnPlan, jn_plan, G_TYPE_OBJECT)

const char *
jn_import_mode_to_string (JnImportMode mode)
{
  return mode == JN_IMPORT_MODE_COMPLETE ? "complete" : "partial";
}

gboolean
jn_import_mode_from_string (const char   *text,
                            JnImportMode *mode)
{
  if (g_strcmp0 (text, "complete") == 0)
    *mode = JN_IMPORT_MODE_COMPLETE;
  else if (g_strcmp0 (text, "partial") == 0)
    *mode = JN_IMPORT_MODE_PARTIAL;
  else
    return FALSE;

  return TRUE;
}

const char *
jn_plan_action_to_string (JnPlanAction action)
{
  switch (action)
    {
    case JN_PLAN_ACTION_SET: return "set";
    case JN_PLAN_ACTION_REPLACE: return "replace";
    case JN_PLAN_ACTION_UNCHANGED: return "unchanged";
    case JN_PLAN_ACTION_CLEAR: return "clear";
    case JN_PLAN_ACTION_NONE:
    default: return "none";
    }
}

const char *
jn_plan_cause_to_string (JnPlanCause cause)
{
  switch (cause)
    {
    case JN_PLAN_CAUSE_NO_ACCOUNT: return "no-account";
    case JN_PLAN_CAUSE_SEVERAL_ACCOUNTS: return "several-accounts";
    case JN_PLAN_CAUSE_COUPLE: return "couple";
    case JN_PLAN_CAUSE_NOT_GUARDIAN: return "not-guardian";
    case JN_PLAN_CAUSE_DUPLICATE_IN_EXPORT: return "duplicate-in-export";
    case JN_PLAN_CAUSE_OTHER_ESTABLISHMENT: return "other-establishment";
    case JN_PLAN_CAUSE_WEAK_EVIDENCE: return "weak-evidence";
    case JN_PLAN_CAUSE_INVALID_IDENTIFIER: return "invalid-identifier";
    case JN_PLAN_CAUSE_NONE:
    default: return NULL;
    }
}

static void
jn_plan_finalize (GObject *object)
{
  JnPlan *self = (JnPlan *)object;

  for (guint i = 0; i < JN_N_CATEGORIES; i++)
    {
      g_clear_object (&self->items[i]);
      g_clear_object (&self->clears[i]);
    }
  g_clear_pointer (&self->by_pronote_id, g_hash_table_unref);
  g_free (self->uai);

  G_OBJECT_CLASS (jn_plan_parent_class)->finalize (object);
}

static void
jn_plan_class_init (JnPlanClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jn_plan_finalize;
}

static void
jn_plan_init (JnPlan *self)
{
  for (guint i = 0; i < JN_N_CATEGORIES; i++)
    {
      self->items[i] = g_list_store_new (JN_TYPE_PLAN_ITEM);
      self->clears[i] = g_list_store_new (JN_TYPE_PLAN_ITEM);
    }
  self->by_pronote_id = g_hash_table_new (g_str_hash, g_str_equal);
}

JnPlan *
jn_plan_new (const char   *uai,
             JnImportMode  mode)
{
  JnPlan *self = g_object_new (JN_TYPE_PLAN, NULL);

  self->uai = g_strdup (uai);
  self->mode = mode;

  return self;
}

const char *
jn_plan_get_uai (JnPlan *self)
{
  g_return_val_if_fail (JN_IS_PLAN (self), NULL);
  return self->uai;
}

JnImportMode
jn_plan_get_mode (JnPlan *self)
{
  g_return_val_if_fail (JN_IS_PLAN (self), 0);
  return self->mode;
}

GListModel *
jn_plan_get_items (JnPlan     *self,
                   JnCategory  category)
{
  g_return_val_if_fail (JN_IS_PLAN (self), NULL);
  g_return_val_if_fail ((guint)category < JN_N_CATEGORIES, NULL);

  return G_LIST_MODEL (self->items[category]);
}

GListModel *
jn_plan_get_clears (JnPlan     *self,
                    JnCategory  category)
{
  g_return_val_if_fail (JN_IS_PLAN (self), NULL);
  g_return_val_if_fail ((guint)category < JN_N_CATEGORIES, NULL);

  return G_LIST_MODEL (self->clears[category]);
}

void
jn_plan_add_item (JnPlan     *self,
                  JnPlanItem *item)
{
  g_return_if_fail (JN_IS_PLAN (self));
  g_return_if_fail (JN_IS_PLAN_ITEM (item));

  if (item->state == JN_PLAN_STATE_CLEAR)
    {
      g_list_store_append (self->clears[item->category], item);
      return;
    }

  g_list_store_append (self->items[item->category], item);
  if (jn_plan_item_get_pronote_id (item) != NULL)
    g_hash_table_insert (self->by_pronote_id, (gpointer)jn_plan_item_get_pronote_id (item), item);
}

void
jn_plan_add_items (JnPlan     *self,
                   JnCategory  category,
                   GPtrArray  *items)
{
  GListModel *model;

  g_return_if_fail (JN_IS_PLAN (self));
  g_return_if_fail ((guint)category < JN_N_CATEGORIES);

  /* One items-changed for the whole category */
  model = G_LIST_MODEL (self->items[category]);
  g_list_store_splice (self->items[category], g_list_model_get_n_items (model), 0,
                       items->pdata, items->len);
  for (guint i = 0; i < items->len; i++)
    {
      JnPlanItem *item = g_ptr_array_index (items, i);

      g_return_if_fail (item->category == category && item->state != JN_PLAN_STATE_CLEAR);
      if (jn_plan_item_get_pronote_id (item) != NULL)
        g_hash_table_insert (self->by_pronote_id, (gpointer)jn_plan_item_get_pronote_id (item), item);
    }
}

static gboolean
same_clears (GListModel *model,
             GPtrArray  *clears)
{
  if (g_list_model_get_n_items (model) != clears->len)
    return FALSE;

  for (guint i = 0; i < clears->len; i++)
    {
      g_autoptr(JnPlanItem) a = g_list_model_get_item (model, i);
      JnPlanItem *b = g_ptr_array_index (clears, i);

      if (a->user != b->user || g_strcmp0 (a->old_pronote_id, b->old_pronote_id) != 0)
        return FALSE;
    }

  return TRUE;
}

void
jn_plan_replace_clears (JnPlan     *self,
                        JnCategory  category,
                        GPtrArray  *clears)
{
  GListModel *model;

  g_return_if_fail (JN_IS_PLAN (self));
  g_return_if_fail ((guint)category < JN_N_CATEGORIES);

  model = G_LIST_MODEL (self->clears[category]);
  if (same_clears (model, clears))
    return;

  g_list_store_splice (self->clears[category], 0, g_list_model_get_n_items (model),
                       clears->pdata, clears->len);
}

JnPlanItem *
jn_plan_lookup (JnPlan     *self,
                const char *pronote_id)
{
  g_return_val_if_fail (JN_IS_PLAN (self), NULL);

  return pronote_id ? g_hash_table_lookup (self->by_pronote_id, pronote_id) : NULL;
}

guint
jn_plan_count_state (JnPlan      *self,
                     JnCategory   category,
                     JnPlanState  state)
{
  GListModel *model;
  guint count = 0, n;

  g_return_val_if_fail (JN_IS_PLAN (self), 0);

  model = G_LIST_MODEL (state == JN_PLAN_STATE_CLEAR ? self->clears[category]
                                                     : self->items[category]);
  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    {
      JnPlanItem *item = g_list_model_get_item (model, i);

      count += item->state == state;
      g_object_unref (item);
    }

  return count;
}

guint
jn_plan_count_action (JnPlan       *self,
                      JnCategory    category,
                      JnPlanAction  action)
{
  GListModel *model;
  guint count = 0, n;

  g_return_val_if_fail (JN_IS_PLAN (self), 0);

  model = G_LIST_MODEL (action == JN_PLAN_ACTION_CLEAR ? self->clears[category]
                                                       : self->items[category]);
  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    {
      JnPlanItem *item = g_list_model_get_item (model, i);

      count += item->state != JN_PLAN_STATE_UNMATCHED && item->action == action;
      g_object_unref (item);
    }

  return count;
}

static void
add_category_json (JnPlan         *self,
                   JsonBuilder    *builder,
                   JnCategory      category,
                   JnPlanJsonFunc  item_func,
                   gpointer        user_data)
{
  static const struct { const char *key; JnPlanState state; } lists[] = {
    { "matched", JN_PLAN_STATE_MATCHED },
    { "ambiguous", JN_PLAN_STATE_AMBIGUOUS },
    { "unmatched", JN_PLAN_STATE_UNMATCHED },
  };
  GListModel *items = G_LIST_MODEL (self->items[category]);
  GListModel *clears = G_LIST_MODEL (self->clears[category]);
  guint n = g_list_model_get_n_items (items);

  json_builder_begin_object (builder);

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    {
      json_builder_set_member_name (builder, lists[l].key);
      json_builder_begin_array (builder);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(JnPlanItem) item = g_list_model_get_item (items, i);

          if (item->state != lists[l].state)
            continue;

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "pronote_id");
          if (jn_plan_item_get_pronote_id (item) != NULL)
            json_builder_add_string_value (builder, jn_plan_item_get_pronote_id (item));
          else
            json_builder_add_null_value (builder);

          if (item->state == JN_PLAN_STATE_MATCHED)
            {
              json_builder_set_member_name (builder, "ent_id");
              json_builder_add_string_value (builder, jn_ent_user_get_id (item->user));
              json_builder_set_member_name (builder, "rule");
              json_builder_add_string_value (builder, item->rule);
              json_builder_set_member_name (builder, "action");
              json_builder_add_string_value (builder, jn_plan_action_to_string (item->action));
              if (item->action == JN_PLAN_ACTION_REPLACE)
                {
                  json_builder_set_member_name (builder, "old_pronote_id");
                  json_builder_add_string_value (builder, item->old_pronote_id);
                }
            }
          else if (item->state == JN_PLAN_STATE_AMBIGUOUS)
            {
              json_builder_set_member_name (builder, "candidates");
              json_builder_begin_array (builder);
              for (guint c = 0; c < item->candidates->len; c++)
                json_builder_add_string_value (builder,
                                               jn_ent_user_get_id (g_ptr_array_index (item->candidates, c)));
              json_builder_end_array (builder);
            }
          else if (item->skipped)
            {
              json_builder_set_member_name (builder, "skipped");
              json_builder_add_boolean_value (builder, TRUE);
            }
          if (item->state != JN_PLAN_STATE_MATCHED && item->cause != JN_PLAN_CAUSE_NONE)
            {
              json_builder_set_member_name (builder, "cause");
              json_builder_add_string_value (builder, jn_plan_cause_to_string (item->cause));
            }
          if (item_func != NULL)
            item_func (item, builder, user_data);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }

  json_builder_set_member_name (builder, "clear");
  json_builder_begin_array (builder);
  for (guint i = 0; i < g_list_model_get_n_items (clears); i++)
    {
      g_autoptr(JnPlanItem) item = g_list_model_get_item (clears, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "ent_id");
      json_builder_add_string_value (builder, jn_ent_user_get_id (item->user));
      json_builder_set_member_name (builder, "old_pronote_id");
      json_builder_add_string_value (builder, item->old_pronote_id);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_end_object (builder);
}

JsonNode *
jn_plan_to_json (JnPlan *self)
{
  return jn_plan_to_json_full (self, NULL, NULL);
}

JsonNode *
jn_plan_to_json_full (JnPlan         *self,
                      JnPlanJsonFunc  item_func,
                      gpointer        user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (JN_IS_PLAN (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "uai");
  json_builder_add_string_value (builder, self->uai);
  json_builder_set_member_name (builder, "mode");
  json_builder_add_string_value (builder, jn_import_mode_to_string (self->mode));
  json_builder_set_member_name (builder, "categories");
  json_builder_begin_object (builder);
  for (guint i = 0; i < JN_N_CATEGORIES; i++)
    {
      json_builder_set_member_name (builder, jn_category_to_key (i));
      add_category_json (self, builder, i, item_func, user_data);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}
