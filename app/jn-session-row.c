/* jn-session-row.c: one row of a wizard step, as the faces show it
 *
 * The row turns a plan item into words: the status, the rule, the probable cause and what
 * to do about it. The session refreshes it when the admin decides or the push reports; it
 * notifies only what changed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-session-row"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "jn-matcher.h"
#include "jn-names.h"
#include "jn-session-row.h"

struct _JnSessionRow
{
  GObject         parent_instance;

  JnPlanItem     *item;
  char           *uai;
  JnRowStatus     status;
  JnRowPushState  push_state;
  gboolean        manual;
  char           *last_name;
  char           *first_name;
  char           *birth_date;
  char           *pronote_id;
  char           *ent_account;
  char           *match;
  char           *cause_text;
  char           *advice;
  char           *failure;
  char           *search_key;
  char           *sort_key;     /* collation keys of the names, for a fast sort */
};

G_DEFINE_FINAL_TYPE (JnSessionRow, jn_session_row, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ITEM,
  PROP_STATUS,
  PROP_LAST_NAME,
  PROP_FIRST_NAME,
  PROP_BIRTH_DATE,
  PROP_PRONOTE_ID,
  PROP_ENT_ACCOUNT,
  PROP_MATCH,
  PROP_MANUAL,
  PROP_CAUSE_TEXT,
  PROP_ADVICE,
  PROP_PUSH_STATE,
  PROP_FAILURE,
  PROP_SEARCH_KEY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
jn_session_row_finalize (GObject *object)
{
  JnSessionRow *self = (JnSessionRow *)object;

  g_clear_object (&self->item);
  g_free (self->uai);
  g_free (self->last_name);
  g_free (self->first_name);
  g_free (self->birth_date);
  g_free (self->pronote_id);
  g_free (self->ent_account);
  g_free (self->match);
  g_free (self->cause_text);
  g_free (self->advice);
  g_free (self->failure);
  g_free (self->search_key);
  g_free (self->sort_key);

  G_OBJECT_CLASS (jn_session_row_parent_class)->finalize (object);
}

static void
jn_session_row_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  JnSessionRow *self = JN_SESSION_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM: g_value_set_object (value, self->item); break;
    case PROP_STATUS: g_value_set_int (value, self->status); break;
    case PROP_LAST_NAME: g_value_set_string (value, self->last_name); break;
    case PROP_FIRST_NAME: g_value_set_string (value, self->first_name); break;
    case PROP_BIRTH_DATE: g_value_set_string (value, self->birth_date); break;
    case PROP_PRONOTE_ID: g_value_set_string (value, self->pronote_id); break;
    case PROP_ENT_ACCOUNT: g_value_set_string (value, self->ent_account); break;
    case PROP_MATCH: g_value_set_string (value, self->match); break;
    case PROP_MANUAL: g_value_set_boolean (value, self->manual); break;
    case PROP_CAUSE_TEXT: g_value_set_string (value, self->cause_text); break;
    case PROP_ADVICE: g_value_set_string (value, self->advice); break;
    case PROP_PUSH_STATE: g_value_set_int (value, self->push_state); break;
    case PROP_FAILURE: g_value_set_string (value, self->failure); break;
    case PROP_SEARCH_KEY: g_value_set_string (value, self->search_key); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jn_session_row_class_init (JnSessionRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = jn_session_row_finalize;
  object_class->get_property = jn_session_row_get_property;

  properties[PROP_ITEM] = g_param_spec_object ("item", NULL, NULL, JN_TYPE_PLAN_ITEM, flags);
  properties[PROP_STATUS] = g_param_spec_int ("status", NULL, NULL, 0, JN_ROW_STATUS_WILL_CLEAR, 0, flags);
  properties[PROP_LAST_NAME] = g_param_spec_string ("last-name", NULL, NULL, "", flags);
  properties[PROP_FIRST_NAME] = g_param_spec_string ("first-name", NULL, NULL, "", flags);
  properties[PROP_BIRTH_DATE] = g_param_spec_string ("birth-date", NULL, NULL, "", flags);
  properties[PROP_PRONOTE_ID] = g_param_spec_string ("pronote-id", NULL, NULL, "", flags);
  properties[PROP_ENT_ACCOUNT] = g_param_spec_string ("ent-account", NULL, NULL, "", flags);
  properties[PROP_MATCH] = g_param_spec_string ("match", NULL, NULL, "", flags);
  properties[PROP_MANUAL] = g_param_spec_boolean ("manual", NULL, NULL, FALSE, flags);
  properties[PROP_CAUSE_TEXT] = g_param_spec_string ("cause-text", NULL, NULL, "", flags);
  properties[PROP_ADVICE] = g_param_spec_string ("advice", NULL, NULL, "", flags);
  properties[PROP_PUSH_STATE] = g_param_spec_int ("push-state", NULL, NULL, 0, JN_ROW_PUSH_FAILED, 0, flags);
  properties[PROP_FAILURE] = g_param_spec_string ("failure", NULL, NULL, "", flags);
  properties[PROP_SEARCH_KEY] = g_param_spec_string ("search-key", NULL, NULL, "", flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
jn_session_row_init (JnSessionRow *self)
{
  self->last_name = g_strdup ("");
  self->first_name = g_strdup ("");
  self->birth_date = g_strdup ("");
  self->pronote_id = g_strdup ("");
  self->ent_account = g_strdup ("");
  self->match = g_strdup ("");
  self->cause_text = g_strdup ("");
  self->advice = g_strdup ("");
  self->failure = g_strdup ("");
  self->search_key = g_strdup ("");
}

/* Takes @value; notifies @prop when it changed */
static void
update_string (JnSessionRow  *self,
               char         **field,
               char          *value,
               int            prop)
{
  if (value == NULL)
    value = g_strdup ("");

  if (g_strcmp0 (*field, value) == 0)
    {
      g_free (value);
      return;
    }

  g_free (*field);
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

/* "2011-02-03" (the ENT's) or "03/02/2011" (PRONOTE's) as 03/02/2011 */
static char *
format_date (const char *date)
{
  if (date == NULL)
    return g_strdup ("");

  if (strlen (date) == 10 && date[4] == '-' && date[7] == '-')
    return g_strdup_printf ("%.2s/%.2s/%.4s", date + 8, date + 5, date);

  return g_strdup (date);
}

static char *
describe_user (JnEntUser  *user,
               const char *uai)
{
  g_autofree char *name = NULL;
  const char *login;

  if (user == NULL)
    return g_strdup ("");

  name = jn_ent_user_dup_display_name (user);
  login = jn_ent_user_get_user_name (user);
  if (login != NULL && login[0] != '\0')
    return g_strdup_printf ("%s (%s)", name, login);

  return g_steal_pointer (&name);
}

/* The evidence of a rule, in words (cli.md's rule names are stable, these are for people) */
static const char *
rule_to_words (const char *rule)
{
  static const struct { const char *rule; const char *words; } table[] = {
    { JN_RULE_UNCHANGED, N_("already holds this identifier") },
    { JN_RULE_ID_VARIANT, N_("holds this identifier written otherwise") },
    { JN_RULE_NAMES_BIRTH_DATE, N_("same names and birth date") },
    { JN_RULE_VARIANT_BIRTH_DATE, N_("names alike, same birth date") },
    { JN_RULE_NAMES_CHILD, N_("same names, child matched") },
    { JN_RULE_VARIANT_CHILD, N_("names alike, child matched") },
    { JN_RULE_NAMES_UNIQUE, N_("the only account with these names") },
    { JN_RULE_CUT_BIRTH_DATE, N_("given name shortened, same birth date") },
    { JN_RULE_TYPO_BIRTH_DATE, N_("one letter differs, same birth date") },
    { JN_RULE_CUT_CHILD, N_("given name shortened, child matched") },
    { JN_RULE_TYPO_CHILD, N_("one letter differs, child matched") },
    { JN_RULE_OTHER_FAMILY_CHILD, N_("another family name, child matched") },
    { JN_RULE_MANUAL, N_("chosen by you") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    if (g_strcmp0 (rule, table[i].rule) == 0)
      return _(table[i].words);

  return rule != NULL ? rule : "";
}

void
jn_plan_cause_describe (JnPlanCause   cause,
                        const char  **text,
                        const char  **advice)
{
  switch (cause)
    {
    case JN_PLAN_CAUSE_NO_ACCOUNT:
      *text = _("No ENT account of this profile has these names: a newcomer not yet created "
                "in the ENT, or someone who left but is still in PRONOTE.");
      *advice = _("Create the account in the ENT (or remove the person from PRONOTE), then "
                  "match it by hand or at the next import.");
      break;
    case JN_PLAN_CAUSE_SEVERAL_ACCOUNTS:
      *text = _("Several ENT accounts fit (namesakes) and nothing tells them apart.");
      *advice = _("Compare birth dates and classes, then choose the right account.");
      break;
    case JN_PLAN_CAUSE_COUPLE:
      *text = _("This record names two people (a couple).");
      *advice = _("In PRONOTE, give each parent a record of their own; or choose one account "
                  "by hand.");
      break;
    case JN_PLAN_CAUSE_NOT_GUARDIAN:
      *text = _("A contact PRONOTE does not mark as a legal guardian.");
      *advice = _("Nothing to do if this person should not use the ENT; otherwise mark them "
                  "as a legal guardian in PRONOTE.");
      break;
    case JN_PLAN_CAUSE_DUPLICATE_IN_EXPORT:
      *text = _("The same person seems to be twice in the file (the same PRONOTE identifier, "
                "or the same names and birth date).");
      *advice = _("In PRONOTE, merge the duplicate records, then export the file again.");
      break;
    case JN_PLAN_CAUSE_OTHER_ESTABLISHMENT:
      *text = _("The only close account belongs to another establishment.");
      *advice = _("Attach the account to this establishment in the ENT, then import again.");
      break;
    case JN_PLAN_CAUSE_WEAK_EVIDENCE:
      *text = _("One account is close, but the evidence is too weak to match it without you.");
      *advice = _("Compare the names and the birth date; choose the account if it is the same "
                  "person.");
      break;
    case JN_PLAN_CAUSE_INVALID_IDENTIFIER:
      *text = _("The PRONOTE identifier in the file is not valid.");
      *advice = _("Export the file again from PRONOTE: this record cannot be imported.");
      break;
    case JN_PLAN_CAUSE_NONE:
    default:
      *text = "";
      *advice = "";
      break;
    }
}

static JnRowStatus
status_of (JnPlanItem *item)
{
  switch (jn_plan_item_get_state (item))
    {
    case JN_PLAN_STATE_MATCHED: return JN_ROW_STATUS_MATCHED;
    case JN_PLAN_STATE_AMBIGUOUS: return JN_ROW_STATUS_AMBIGUOUS;
    case JN_PLAN_STATE_CLEAR: return JN_ROW_STATUS_WILL_CLEAR;
    case JN_PLAN_STATE_UNMATCHED:
    default:
      return jn_plan_item_get_skipped (item) ? JN_ROW_STATUS_NOT_IMPORTED : JN_ROW_STATUS_UNMATCHED;
    }
}

static char *
match_text (JnPlanItem  *item,
            JnRowStatus  status)
{
  switch (status)
    {
    case JN_ROW_STATUS_MATCHED:
      /* TRANSLATORS: "Recognised: same names and birth date" */
      return g_strdup_printf (_("Recognised: %s"), rule_to_words (jn_plan_item_get_rule (item)));
    case JN_ROW_STATUS_AMBIGUOUS:
      {
        guint n = jn_plan_item_get_candidates (item)->len;

        if (n <= 1)
          return g_strdup (_("To check: one account is close"));
        return g_strdup_printf (ngettext ("To check: %u account fits", "To check: %u accounts fit", n), n);
      }
    case JN_ROW_STATUS_NOT_IMPORTED:
      return g_strdup (_("Not imported (your choice)"));
    case JN_ROW_STATUS_WILL_CLEAR:
      return g_strdup_printf (_("Identifier %s will be removed"), jn_plan_item_get_pronote_id (item));
    case JN_ROW_STATUS_UNMATCHED:
    default:
      return g_strdup (_("Not recognised"));
    }
}

char *
jn_session_row_fold_search (const char *query)
{
  g_autofree char *folded = NULL;

  if (query == NULL)
    return g_strdup ("");

  /* Names fold to lower case without accents; identifiers are matched in that case too */
  folded = jn_names_fold (query);
  return g_strstrip (g_steal_pointer (&folded));
}

void
jn_session_row_refresh (JnSessionRow *self)
{
  JnPlanItem *item;
  JnPerson *person;
  JnEntUser *user;
  JnRowStatus status;
  gboolean manual;
  const char *cause_text, *advice;
  g_autofree char *key = NULL;

  g_return_if_fail (JN_IS_SESSION_ROW (self));

  item = self->item;
  person = jn_plan_item_get_person (item);
  user = jn_plan_item_get_user (item);
  status = status_of (item);
  manual = jn_plan_item_get_manual (item);

  g_object_freeze_notify (G_OBJECT (self));

  if (person != NULL)
    {
      update_string (self, &self->last_name, g_strdup (jn_person_get_family_name (person)), PROP_LAST_NAME);
      update_string (self, &self->first_name, g_strdup (jn_person_get_given_name (person)), PROP_FIRST_NAME);
      update_string (self, &self->birth_date, format_date (jn_person_get_birth_date (person)), PROP_BIRTH_DATE);
    }
  else if (user != NULL)
    {
      /* A removal: the ENT account is the row */
      update_string (self, &self->last_name, g_strdup (jn_ent_user_get_family_name (user)), PROP_LAST_NAME);
      update_string (self, &self->first_name, g_strdup (jn_ent_user_get_given_name (user)), PROP_FIRST_NAME);
      update_string (self, &self->birth_date, format_date (jn_ent_user_get_birth_date (user)), PROP_BIRTH_DATE);
    }
  update_string (self, &self->pronote_id, g_strdup (jn_plan_item_get_pronote_id (item)), PROP_PRONOTE_ID);
  update_string (self, &self->ent_account, describe_user (user, self->uai), PROP_ENT_ACCOUNT);
  update_string (self, &self->match, match_text (item, status), PROP_MATCH);

  jn_plan_cause_describe (status == JN_ROW_STATUS_MATCHED ? JN_PLAN_CAUSE_NONE : jn_plan_item_get_cause (item),
                          &cause_text, &advice);
  update_string (self, &self->cause_text, g_strdup (cause_text), PROP_CAUSE_TEXT);
  update_string (self, &self->advice, g_strdup (advice), PROP_ADVICE);

  key = g_strjoin (" ", self->last_name, self->first_name, self->birth_date, self->pronote_id,
                   self->ent_account, NULL);
  update_string (self, &self->search_key, jn_session_row_fold_search (key), PROP_SEARCH_KEY);

  {
    g_autofree char *last = g_utf8_collate_key (self->last_name, -1);
    g_autofree char *first = g_utf8_collate_key (self->first_name, -1);

    g_free (self->sort_key);
    self->sort_key = g_strconcat (last, "\x01", first, "\x01", self->pronote_id, NULL);
  }

  if (self->status != status)
    {
      self->status = status;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
    }
  if (self->manual != manual)
    {
      self->manual = manual;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MANUAL]);
    }

  g_object_thaw_notify (G_OBJECT (self));
}

JnSessionRow *
jn_session_row_new (JnPlanItem *item,
                    const char *uai)
{
  JnSessionRow *self;

  g_return_val_if_fail (JN_IS_PLAN_ITEM (item), NULL);

  self = g_object_new (JN_TYPE_SESSION_ROW, NULL);
  self->item = g_object_ref (item);
  self->uai = g_strdup (uai);
  self->status = status_of (item);
  jn_session_row_refresh (self);

  return self;
}

void
jn_session_row_set_push_outcome (JnSessionRow   *self,
                                 JnRowPushState  state,
                                 const char     *failure)
{
  g_return_if_fail (JN_IS_SESSION_ROW (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (self->push_state != state)
    {
      self->push_state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PUSH_STATE]);
    }
  update_string (self, &self->failure, g_strdup (state == JN_ROW_PUSH_FAILED ? failure : NULL),
                 PROP_FAILURE);
  g_object_thaw_notify (G_OBJECT (self));
}

#define GETTER(type, name, field) \
  type jn_session_row_get_##name (JnSessionRow *self) \
  { \
    g_return_val_if_fail (JN_IS_SESSION_ROW (self), (type)0); \
    return self->field; \
  }

GETTER (JnPlanItem *, item, item)
GETTER (JnRowStatus, status, status)
GETTER (const char *, last_name, last_name)
GETTER (const char *, first_name, first_name)
GETTER (const char *, birth_date, birth_date)
GETTER (const char *, pronote_id, pronote_id)
GETTER (const char *, ent_account, ent_account)
GETTER (const char *, match, match)
GETTER (gboolean, manual, manual)
GETTER (const char *, cause_text, cause_text)
GETTER (const char *, advice, advice)
GETTER (JnRowPushState, push_state, push_state)
GETTER (const char *, failure, failure)
GETTER (const char *, search_key, search_key)

JnCategory
jn_session_row_get_category (JnSessionRow *self)
{
  g_return_val_if_fail (JN_IS_SESSION_ROW (self), 0);

  return jn_plan_item_get_category (self->item);
}

int
jn_session_row_compare (gconstpointer a,
                        gconstpointer b,
                        gpointer      user_data)
{
  JnSessionRow *ra = (JnSessionRow *)a;
  JnSessionRow *rb = (JnSessionRow *)b;
  int result;

  if (ra->status != rb->status)
    return ra->status < rb->status ? -1 : 1;

  result = strcmp (ra->sort_key, rb->sort_key);
  if (result == 0 && ra != rb)
    result = ra < rb ? -1 : 1;

  return result;
}

gboolean
jn_session_row_matches_search (JnSessionRow *self,
                               const char   *folded_query)
{
  const char *word;

  g_return_val_if_fail (JN_IS_SESSION_ROW (self), FALSE);

  if (folded_query == NULL || folded_query[0] == '\0')
    return TRUE;

  /* Every word of the query, anywhere in the row: "dupont l" finds DUPONT Léa */
  word = folded_query;
  while (*word != '\0')
    {
      const char *end = strchr (word, ' ');
      gsize length = end ? (gsize)(end - word) : strlen (word);
      g_autofree char *needle = g_strndup (word, length);

      if (length > 0 && strstr (self->search_key, needle) == NULL)
        return FALSE;
      if (end == NULL)
        break;
      word = end + 1;
    }

  return TRUE;
}
