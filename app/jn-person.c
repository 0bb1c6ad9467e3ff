/* jn-person.c: one person of a PRONOTE export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-person"

#include "config.h"

#include <string.h>

#include "jn-person.h"

struct _JnPerson
{
  GObject     parent_instance;

  JnCategory  category;
  guint       legal_rank;
  gboolean    legal_rank_known;   /* the export gave RespLegal */
  guint       line;
  gboolean    duplicate_id;
  char       *pronote_id;
  char       *cas_id;
  char       *ident;
  char       *family_name;
  char       *given_name;
  char       *birth_date;
  char       *civility;
  GPtrArray  *children;
};

G_DEFINE_FINAL_TYPE (JnPerson, jn_person, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CATEGORY,
  PROP_PRONOTE_ID,
  PROP_CAS_ID,
  PROP_FAMILY_NAME,
  PROP_GIVEN_NAME,
  PROP_BIRTH_DATE,
  PROP_CIVILITY,
  PROP_IS_COUPLE,
  PROP_DUPLICATE_ID,
  PROP_ID_INVALID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
jn_person_finalize (GObject *object)
{
  JnPerson *self = (JnPerson *)object;

  g_clear_pointer (&self->pronote_id, g_free);
  g_clear_pointer (&self->cas_id, g_free);
  g_clear_pointer (&self->ident, g_free);
  g_clear_pointer (&self->family_name, g_free);
  g_clear_pointer (&self->given_name, g_free);
  g_clear_pointer (&self->birth_date, g_free);
  g_clear_pointer (&self->civility, g_free);
  g_clear_pointer (&self->children, g_ptr_array_unref);

  G_OBJECT_CLASS (jn_person_parent_class)->finalize (object);
}

static void
jn_person_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  JnPerson *self = JN_PERSON (object);

  switch (prop_id)
    {
    case PROP_CATEGORY:
      g_value_set_enum (value, self->category);
      break;

    case PROP_PRONOTE_ID:
      g_value_set_string (value, self->pronote_id);
      break;

    case PROP_CAS_ID:
      g_value_set_string (value, self->cas_id);
      break;

    case PROP_FAMILY_NAME:
      g_value_set_string (value, jn_person_get_family_name (self));
      break;

    case PROP_GIVEN_NAME:
      g_value_set_string (value, jn_person_get_given_name (self));
      break;

    case PROP_BIRTH_DATE:
      g_value_set_string (value, self->birth_date);
      break;

    case PROP_CIVILITY:
      g_value_set_string (value, self->civility);
      break;

    case PROP_IS_COUPLE:
      g_value_set_boolean (value, jn_person_get_is_couple (self));
      break;

    case PROP_DUPLICATE_ID:
      g_value_set_boolean (value, self->duplicate_id);
      break;

    case PROP_ID_INVALID:
      g_value_set_boolean (value, jn_person_get_id_invalid (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jn_person_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  JnPerson *self = JN_PERSON (object);

  switch (prop_id)
    {
    case PROP_CATEGORY:
      self->category = g_value_get_enum (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jn_person_class_init (JnPersonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = jn_person_finalize;
  object_class->get_property = jn_person_get_property;
  object_class->set_property = jn_person_set_property;

  properties[PROP_CATEGORY] =
    g_param_spec_enum ("category", NULL, NULL,
                       JN_TYPE_CATEGORY, JN_CATEGORY_TEACHER,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_PRONOTE_ID] =
    g_param_spec_string ("pronote-id", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_CAS_ID] =
    g_param_spec_string ("cas-id", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_FAMILY_NAME] =
    g_param_spec_string ("family-name", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_GIVEN_NAME] =
    g_param_spec_string ("given-name", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_BIRTH_DATE] =
    g_param_spec_string ("birth-date", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_CIVILITY] =
    g_param_spec_string ("civility", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_IS_COUPLE] =
    g_param_spec_boolean ("is-couple", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_DUPLICATE_ID] =
    g_param_spec_boolean ("duplicate-id", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_ID_INVALID] =
    g_param_spec_boolean ("id-invalid", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
jn_person_init (JnPerson *self)
{
}

JnPerson *
jn_person_new (JnCategory category)
{
  return g_object_new (JN_TYPE_PERSON, "category", category, NULL);
}

/* g_set_str() is GLib 2.76 */
static gboolean
replace_str (char       **field,
             const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static void
set_string (JnPerson   *self,
            char      **field,
            const char *value,
            guint       prop_id)
{
  if (value != NULL && value[0] == '\0')
    value = NULL;

  if (replace_str (field, value))
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

JnCategory
jn_person_get_category (JnPerson *self)
{
  g_return_val_if_fail (JN_IS_PERSON (self), JN_CATEGORY_TEACHER);

  return self->category;
}

const char *
jn_person_get_pronote_id (JnPerson *self)
{
  g_return_val_if_fail (JN_IS_PERSON (self), NULL);

  return self->pronote_id;
}

void
jn_person_set_pronote_id (JnPerson   *self,
                          const char *pronote_id)
{
  gboolean was_invalid;

  g_return_if_fail (JN_IS_PERSON (self));

  was_invalid = jn_person_get_id_invalid (self);
  set_string (self, &self->pronote_id, pronote_id, PROP_PRONOTE_ID);
  if (was_invalid != jn_person_get_id_invalid (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID_INVALID]);
}

gboolean
jn_person_get_id_invalid (JnPerson *self)
{
  g_return_val_if_fail (JN_IS_PERSON (self), FALSE);

  return self->pronote_id != NULL && !jn_pronote_id_is_wellformed (self->pronote_id);
}

gboolean
jn_person_get_duplicate_id (JnPerson *self)
{
  g_return_val_if_fail (JN_IS_PERSON (self), FALSE);

  return self->duplicate_id;
}

void
jn_person_set_duplicate_id (JnPerson *self,
                            gboolean  duplicate_id)
{
  g_return_if_fail (JN_IS_PERSON (self));

  if (self->duplicate_id == !!duplicate_id)
    return;
  self->duplicate_id = !!duplicate_id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DUPLICATE_ID]);
}

guint
jn_person_get_line (JnPerson *self)
{
  g_return_val_if_fail (JN_IS_PERSON (self), 0);

  return self->line;
}

void
jn_person_set_line (JnPerson *self,
                    guint     line)
{
  g_return_if_fail (JN_IS_PERSON (self));

  self->line = line;
}

const char *
jn_person_get_cas_id (JnPerson *self)
{
  g_return_val_if_fail (JN_IS_PERSON (self), NULL);

  return self->cas_id;
}

void
jn_person_set_cas_id (JnPerson   *self,
                      const char *cas_id)
{
  g_return_if_fail (JN_IS_PERSON (self));

  set_string (self, &self->cas_id, cas_id, PROP_CAS_ID);
}

const char *
jn_person_get_ident (JnPerson *self)
{
  g_return_val_if_fail (JN_IS_PERSON (self), NULL);

  return self->ident;
}

void
jn_person_set_ident (JnPerson   *self,
                     const char *ident)
{
  g_return_if_fail (JN_IS_PERSON (self));

  if (ident != NULL && ident[0] == '\0')
    ident = NULL;
  replace_str (&self->ident, ident);
}

const char *
jn_person_get_family_name (JnPerson *self)
{
  g_return_val_if_fail (JN_IS_PERSON (self), NULL);

  return self->family_name ? self->family_name : "";
}

void
jn_person_set_family_name (JnPerson   *self,
                           const char *family_name)
{
  g_return_if_fail (JN_IS_PERSON (self));

  set_string (self, &self->family_name, family_name, PROP_FAMILY_NAME);
}

const char *
jn_person_get_given_name (JnPerson *self)
{
  g_return_val_if_fail (JN_IS_PERSON (self), NULL);

  return self->given_name ? self->given_name : "";
}

void
jn_person_set_given_name (JnPerson   *self,
                          const char *given_name)
{
  g_return_if_fail (JN_IS_PERSON (self));

  set_string (self, &self->given_name, given_name, PROP_GIVEN_NAME);
}

const char *
jn_person_get_birth_date (JnPerson *self)
{
  g_return_val_if_fail (JN_IS_PERSON (self), NULL);

  return self->birth_date;
}

void
jn_person_set_birth_date (JnPerson   *self,
                          const char *birth_date)
{
  g_return_if_fail (JN_IS_PERSON (self));

  set_string (self, &self->birth_date, birth_date, PROP_BIRTH_DATE);
}

const char *
jn_person_get_civility (JnPerson *self)
{
  g_return_val_if_fail (JN_IS_PERSON (self), NULL);

  return self->civility;
}

void
jn_person_set_civility (JnPerson   *self,
                        const char *civility)
{
  gboolean was_couple;

  g_return_if_fail (JN_IS_PERSON (self));

  was_couple = jn_person_get_is_couple (self);
  set_string (self, &self->civility, civility, PROP_CIVILITY);
  if (was_couple != jn_person_get_is_couple (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IS_COUPLE]);
}

gboolean
jn_person_get_is_couple (JnPerson *self)
{
  g_return_val_if_fail (JN_IS_PERSON (self), FALSE);

  /* PRONOTE writes one record for two parents as "M,Mme", "M. et Mme", "Mme,M"… */
  if (self->civility == NULL)
    return FALSE;

  {
    g_autofree char *lower = g_ascii_strdown (self->civility, -1);

    return strchr (lower, ',') != NULL || strchr (lower, '&') != NULL ||
           strchr (lower, '/') != NULL || strstr (lower, " et ") != NULL;
  }
}

guint
jn_person_get_legal_rank (JnPerson *self)
{
  g_return_val_if_fail (JN_IS_PERSON (self), 0);

  return self->legal_rank;
}

void
jn_person_set_legal_rank (JnPerson *self,
                          guint     legal_rank)
{
  g_return_if_fail (JN_IS_PERSON (self));

  self->legal_rank = legal_rank;
  self->legal_rank_known = TRUE;
}

gboolean
jn_person_get_legal_rank_known (JnPerson *self)
{
  g_return_val_if_fail (JN_IS_PERSON (self), FALSE);

  return self->legal_rank_known;
}

GPtrArray *
jn_person_get_children (JnPerson *self)
{
  g_return_val_if_fail (JN_IS_PERSON (self), NULL);

  if (self->children == NULL)
    self->children = g_ptr_array_new_with_free_func (g_object_unref);

  return self->children;
}

gboolean
jn_person_add_child (JnPerson *self,
                     JnPerson *child)
{
  GPtrArray *children;

  g_return_val_if_fail (JN_IS_PERSON (self), FALSE);
  g_return_val_if_fail (JN_IS_PERSON (child), FALSE);
  g_return_val_if_fail (child != self, FALSE);

  children = jn_person_get_children (self);
  if (g_ptr_array_find (children, child, NULL))
    return FALSE;

  g_ptr_array_add (children, g_object_ref (child));
  return TRUE;
}

char *
jn_person_dup_display_name (JnPerson *self)
{
  g_return_val_if_fail (JN_IS_PERSON (self), NULL);

  if (self->family_name && self->given_name)
    return g_strdup_printf ("%s %s", self->family_name, self->given_name);

  return g_strdup (self->family_name ? self->family_name :
                   self->given_name ? self->given_name : "");
}
